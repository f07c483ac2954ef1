"""What every command shares: the one-line error report and exit code 2 for bad input."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import typer

from dolmetsch.errors import InputError

EXIT_BAD_INPUT = 2


def fail(message: str, exit_code: int = EXIT_BAD_INPUT) -> "typer.Exit":
    """Print one line on stderr and return the exit to raise."""
    sys.stderr.write(f"dolmetsch: error: {message}\n")
    return typer.Exit(exit_code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn InputError into one line on stderr and its exit code (2 for bad input)."""
    try:
        yield
    except InputError as exc:
        raise fail(str(exc), exc.exit_code) from None


def check_summary(path, glossary=None) -> str:
    """The summary line `dolmetsch check` prints, for one written PO or bitext (shown after translate and build)."""
    # the checks load only for the summary, after the run's work is done
    from dolmetsch.checks import CheckContext, check_files, summarise
    from dolmetsch.glossary.matcher import GlossaryMatcher
    from dolmetsch.output import read_segments

    segments = read_segments(path)
    matcher = GlossaryMatcher(glossary) if glossary is not None else None
    return summarise(check_files([segments], CheckContext(glossary=matcher)), segments)
