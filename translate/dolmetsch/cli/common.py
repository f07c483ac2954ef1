"""What every command shares: the one-line error report and exit code 2 for bad input."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import typer

from dolmetsch.errors import InputError

EXIT_BAD_INPUT = 2


def fail(message: str) -> "typer.Exit":
    """Print one line on stderr and return the exit to raise."""
    sys.stderr.write(f"dolmetsch: error: {message}\n")
    return typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn InputError into one line on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        raise fail(str(exc)) from None
