"""Output names and targets, checked before a run reads, loads or decodes anything.

An output name (`--name`, or a source's stem) becomes file names in two folders, the PO header's
`Project-Id-Version` and the `#:` references of every entry, so it must be one plain file-name
component that fits the file system with every suffix a run adds. A source's path lands in the
`#:` references too, where a line break cannot be written. Checking all of this first means a
bad name costs one line and nothing else, instead of a failure after the model has decoded.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from dolmetsch.errors import InputError

NAME_MAX = 255
"""Bytes in one file-name component on Linux, macOS and Windows file systems."""
STAGING_EXTRA = len(".") + len(".12345678.tmp")
"""What an atomic write adds around a target's name for the file it stages beside it."""
LINE_BREAKS = frozenset("\u2028\u2029")
"""Separators that are not control characters but still end a line for most readers."""


def control_character(text: str) -> str | None:
    """The first character of `text` that cannot stand in a one-line file name or PO reference."""
    return next((ch for ch in text if unicodedata.category(ch) == "Cc" or ch in LINE_BREAKS), None)


def name_bytes(name: str) -> int:
    """The length of `name` as a file name on disk (UTF-8; undecodable bytes as written by outputs)."""
    return len(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace").encode("utf-8"))


def check_output_name(name: str, where: str | None = None, *, suffix: str) -> None:
    """Refuse an output name that would not make plain, one-line file names in the output folders;
    `suffix` is the longest any output adds to it."""
    where = where or f"output name {name!r}"
    if not name:
        raise InputError(where, "is empty; give a file name (see --name)")
    bad = control_character(name)
    if bad is not None:
        raise InputError(where, f"contains the control character {bad!r}; output names must be one line (see --name)")
    if name in (".", "..") or "/" in name or "\\" in name:
        raise InputError(where, "must be a plain file name, without folders (see --name)")
    room = NAME_MAX - len(suffix.encode()) - STAGING_EXTRA
    if name_bytes(name) > room:
        raise InputError(
            where, f"is {name_bytes(name)} bytes long; with the suffix {suffix} at most {room} bytes fit in a file name (see --name)"
        )


def check_source_name(source: str, name: str | None, *, suffix: str) -> None:
    """Refuse a source whose path cannot be written into PO references, or whose stem (when it
    names the outputs, without `name`) cannot name them (`suffix`: as for check_output_name)."""
    if source == "-":
        return
    bad = control_character(source)
    if bad is not None:
        raise InputError(
            repr(source), f"the file name contains the control character {bad!r}, which cannot be written into PO references; rename the file"
        )
    if name is None:
        stem = Path(source).stem
        check_output_name(stem, f"{source}: output name {stem!r}", suffix=suffix)


def check_folder(folder: Path | None, option: str) -> None:
    """Refuse an output folder that can never be created: a file in its place, a name too long."""
    if folder is None:
        return
    for part in Path(folder).parts:
        if name_bytes(part) > NAME_MAX:
            raise InputError(folder, f"{option}: a folder name is longer than {NAME_MAX} bytes")
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(probe, f"{option}: is a file, not a folder: cannot write outputs there")
