"""What a document's outputs were made from, kept so that an unchanged re-run does nothing.

A run whose catalogue gives every sentence back as the run had it (the machine's output with all
its decoding run knew, reviewed and draft entries as they are) writes outputs that the next run
would write again byte for byte, the decoding run included. It records a stamp in the user cache,
keyed by the outputs'
absolute paths: a digest of everything the outputs were made from (the source's bytes, the
options that shape them, the glossary, the dolmetsch version), the model's name, a digest of each
output file as written, and the figures to report. A later run whose stamp still matches, every
output file byte for byte, knows the document is done: no catalogue is parsed, nothing is rendered
or written. A stamp is a cache: one that does not match or cannot be read sends the document the
ordinary way, so a damaged or missing stamp costs time, never a different output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.cache import user_cache_dir

FORMAT = 1
"""Bumped when the stamp's layout changes: an older stamp is then simply not used."""
MAX_OUTPUT_BYTES = 256 * 1024 * 1024
"""An output larger than this is not digested (it is not one a run wrote): the document goes the ordinary way."""


@dataclass(frozen=True)
class Stamp:
    inputs: str
    """Digest of what the outputs were made from, the model aside."""
    model: str
    outputs: Mapping[str, str]
    """sha256 of each output file as written, by absolute path."""
    report: Mapping = field(default_factory=dict)
    """The figures a run reports of the document (see DocumentSummary)."""
    checks: str | None = None
    """The check summary line, once a run has printed it."""


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def stamp_file(outputs: Iterable[Path]) -> Path:
    key = digest("\n".join(sorted(str(Path(p).absolute()) for p in outputs)))
    return user_cache_dir("stamps", key[:2], f"{key}.json")


def load_stamp(outputs: Iterable[Path]) -> Stamp | None:
    """The stamp of the document whose outputs are `outputs`, or None (none, unreadable, another layout)."""
    try:
        record = json.loads(stamp_file(outputs).read_text(encoding="utf-8"))
        if record.pop("format") != FORMAT:
            return None
        stamp = Stamp(**record)
        if not isinstance(stamp.outputs, dict) or not all(isinstance(v, str) for v in stamp.outputs.values()):
            return None
        return stamp
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_stamp(stamp: Stamp) -> None:
    """Record `stamp`; a cache that cannot be written costs the next run time only."""
    record = {"format": FORMAT, **stamp.__dict__}
    try:
        _write_whole(stamp_file(Path(p) for p in stamp.outputs), json.dumps(record, ensure_ascii=False, sort_keys=True))
    except OSError:
        pass


def _write_whole(path: Path, text: str) -> None:
    """Write a file of the user cache whole or not at all: a temporary file beside it, renamed over
    it. Outputs get more (the checks of `atomic`, against links planted in shared folders); a
    stamp, which only this user's runs write and only ever as a whole, needs no more than this."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def forget_stamp(outputs: Iterable[Path]) -> None:
    try:
        stamp_file(outputs).unlink(missing_ok=True)
    except OSError:
        pass


def outputs_match(stamp: Stamp, outputs: Iterable[Path]) -> bool:
    """Whether the outputs are exactly those `stamp` recorded: the same files, each byte for byte."""
    paths = {str(Path(p).absolute()) for p in outputs}
    if paths != set(stamp.outputs):
        return False
    return all(_file_digest(path) == stamp.outputs[path] for path in paths)


def _file_digest(path: str) -> str | None:
    """The digest of a regular file's bytes; None for anything else (missing, a FIFO, too large)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_OUTPUT_BYTES:
            return None
        try:
            return digest(handle.read())
        except OSError:
            return None
