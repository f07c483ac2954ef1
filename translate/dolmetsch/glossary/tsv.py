"""The curated glossary format: tab-separated UTF-8 with a header row and `#` comments.

Cells are never quoted (csv.QUOTE_NONE), so what a person sees in an editor or a git diff is
exactly the value. The price is that a value cannot hold a tab or a line break, and the first
cell cannot start with `#`; the writer refuses such values rather than write a file that would
read back differently.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from dolmetsch.atomic import write_text_atomic
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import COLUMNS, DEFAULT_MATCH, FORBIDDEN_SEPARATOR, REQUIRED_COLUMNS, Entry

DIALECT = {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "quotechar": None, "lineterminator": "\n"}


def read_tsv(path: Path | str) -> list[Entry]:
    """Entries of one glossary file; InputError (file:line: problem) if it cannot be parsed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read glossary: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text", line) from None
    return parse_tsv(text, path)


def parse_tsv(text: str, source: Path | str | None = None) -> list[Entry]:
    """Entries from glossary text; `source` names the file in errors and in each entry."""
    where = Path(source) if source is not None else Path("<glossary>")
    header: list[str] | None = None
    entries: list[Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip() or line.startswith("#"):
            continue
        cells = next(csv.reader([line], **DIALECT))
        if header is None:
            header = _check_header(cells, where, number)
            continue
        if len(cells) != len(header):
            raise InputError(
                where,
                f"expected {len(header)} tab-separated cells as in the header, found {len(cells)}",
                number,
            )
        entries.append(_entry(dict(zip(header, cells)), where, number))
    if header is None:
        raise InputError(where, f"no header row (expected columns: {' '.join(REQUIRED_COLUMNS)})")
    return entries


def _check_header(cells: list[str], where: Path, number: int) -> list[str]:
    names = [cell.strip() for cell in cells]
    for name in names:
        if name not in COLUMNS:
            raise InputError(where, f"unknown column {name!r} (known: {', '.join(COLUMNS)})", number)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(where, f"column {duplicates[0]!r} appears twice in the header", number)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError(where, f"header lacks column(s): {', '.join(missing)}", number)
    return names


def _entry(row: dict[str, str], where: Path, number: int) -> Entry:
    forbidden = row.get("forbidden", "")
    return Entry(
        de=row["de"],
        en=row["en"],
        kind=row["kind"],
        note=row["note"],
        status=row["status"],
        forbidden=tuple(forbidden.split(FORBIDDEN_SEPARATOR)) if forbidden else (),
        match=row.get("match") or DEFAULT_MATCH,
        source=where,
        line=number,
    )


def format_tsv(entries: Iterable[Entry], comments: Iterable[str] = ()) -> str:
    """Glossary text with all columns (`match` left empty for the default); `comments` become
    leading `# ` lines.

    Raises InputError naming the entry if a value cannot be represented (tab, line break,
    a `|` inside a forbidden variant, or a German form starting with `#`).
    """
    buffer = io.StringIO()
    for comment in comments:
        for part in comment.splitlines() or [""]:
            buffer.write(f"# {part}".rstrip() + "\n")
    writer = csv.writer(buffer, **DIALECT)
    writer.writerow(COLUMNS)
    for entry in entries:
        _check_writable(entry)
        cells = entry.cells()
        if cells["match"] == DEFAULT_MATCH:
            cells["match"] = ""  # the default stays implicit, as people write it
        writer.writerow([cells[name] for name in COLUMNS])
    return buffer.getvalue()


def write_tsv(path: Path | str, entries: Iterable[Entry], comments: Iterable[str] = ()) -> None:
    """Write atomically; nothing is written if any entry cannot be represented."""
    write_text_atomic(Path(path), format_tsv(entries, comments))


def _check_writable(entry: Entry) -> None:
    for name, value in entry.cells().items():
        if any(char in value for char in "\t\n\r"):
            raise InputError(entry.location, f"{name} {value!r} holds a tab or line break")
    if any(FORBIDDEN_SEPARATOR in variant for variant in entry.forbidden):
        raise InputError(entry.location, f"a forbidden variant contains {FORBIDDEN_SEPARATOR!r}")
    if entry.de.startswith("#"):
        raise InputError(entry.location, f"de {entry.de!r} starts with '#' (would read as a comment)")
    if not any(entry.cells().values()):
        raise InputError(entry.location, "entry is empty")
