"""Which glossaries apply to a run, and reading them from TSV or TBX files.

A project keeps its curated glossaries in `glossary/*.tsv`, so a run made there applies them
without being told; `--glossary` names others (TSV or TBX), and `--no-glossary` turns them off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dolmetsch.errors import InputError
from dolmetsch.glossary.lint import require_valid
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.glossary.tbx import read_tbx
from dolmetsch.glossary.tsv import read_tsv

DEFAULT_GLOSSARY_DIR = Path("glossary")
"""A project's curated glossaries, relative to where it runs."""

READERS: dict[str, Callable[[Path], Iterable[Entry]]] = {".tsv": read_tsv, ".tbx": read_tbx}
"""Glossary file formats by suffix; a folder stands for its curated `*.tsv` files."""


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders replaced by their `*.tsv` files in sorted order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.tsv"))
            if not found:
                raise InputError(path, "folder holds no glossary (*.tsv) files")
            files.extend(found)
        elif not path.exists():
            raise InputError(path, "no such glossary file or folder")
        else:
            files.append(path)
    return files


def load_glossary(paths: Path | str | Iterable[Path | str]) -> Glossary:
    """All entries of the given files and folders, in order; values are not validated here.

    InputError for a file that is missing, unreadable or not a well-formed glossary.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    entries: list[Entry] = []
    for path in expand_paths(paths):
        reader = READERS.get(path.suffix.lower(), read_tsv)
        entries.extend(reader(path))
    return Glossary(tuple(entries))


def applicable_glossaries(given: Iterable[Path | str] | None = None, *, disabled: bool = False) -> list[Path]:
    """The glossary paths a run uses: `given` if any, else ./glossary/ when it holds `*.tsv` files."""
    if disabled:
        return []
    if given:
        return [Path(p) for p in given]
    if DEFAULT_GLOSSARY_DIR.is_dir() and any(DEFAULT_GLOSSARY_DIR.glob("*.tsv")):
        return [DEFAULT_GLOSSARY_DIR]
    return []


def load_enforced(paths: Iterable[Path | str]) -> Glossary:
    """The approved entries of a glossary that passes lint: what translation enforces."""
    glossary = load_glossary(list(paths))
    require_valid(glossary)
    return glossary.approved()
