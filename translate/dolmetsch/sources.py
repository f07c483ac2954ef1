"""Source formats: the registry of readers that turn a file into a Document, chosen by suffix.

Adding a source format means one module with a `SourceFormat` subclass (see `document/text.py`,
`markup/document.py`, `markup/docx.py`) and one line in SOURCES (a LazySource, so that it is imported only
when a file of it is read); folders, refusals and `dolmetsch translate --help` follow from the list.
Standard input and a file without a suffix are read as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.document.reading import SourceFormat, output_stem, printable, read_source_bytes
from dolmetsch.document.text import PlainText
from dolmetsch.errors import InputError


class LazySource(SourceFormat):
    """A source format known by its name and suffixes, whose reader (`module:Class`) is imported when
    a file of it is first parsed: a run of text files loads no HTML, Markdown or office reader."""

    def __init__(self, name: str, suffixes: tuple[str, ...], reader: str):
        self.name = name
        self.suffixes = suffixes
        self._reader = reader
        self._loaded: SourceFormat | None = None

    def reader(self) -> SourceFormat:
        if self._loaded is None:
            module, _, cls = self._reader.partition(":")
            self._loaded = getattr(import_module(module), cls)()
        return self._loaded

    def parse(self, data: bytes, where: str, name: str) -> Document:
        return self.reader().parse(data, where, name)


SOURCES: tuple[SourceFormat, ...] = (
    PlainText(),
    LazySource("html", (".html", ".htm"), "dolmetsch.markup.document:HtmlSource"),
    LazySource("markdown", (".md", ".markdown"), "dolmetsch.markup.document:MarkdownSource"),
    LazySource("docx", (".docx",), "dolmetsch.markup.docx:DocxSource"),
    LazySource("odt", (".odt",), "dolmetsch.markup.odt:OdtSource"),
)
"""Every source format a run reads; the first one also reads standard input and files without a suffix."""


def source_suffixes() -> tuple[str, ...]:
    return tuple(suffix for source_format in SOURCES for suffix in source_format.suffixes)


def source_format(source: str) -> SourceFormat:
    """The format that reads SOURCE, by its suffix; refused in one line when none does."""
    suffix = "" if source == "-" else Path(source).suffix.lower()
    if not suffix:
        return SOURCES[0]
    for candidate in SOURCES:
        if suffix in candidate.suffixes:
            return candidate
    raise InputError(printable(source), f"cannot read {suffix} files; dolmetsch reads {', '.join(source_suffixes())} (or a file without a suffix, as text)")


def read_document(source: str, name: str | None = None) -> Document:
    """Read SOURCE ("-" for standard input) with the format its suffix names into blocks, parts and sentences."""
    reader = source_format(source)
    data, where = read_source_bytes(source)
    return reader.parse(data, where, output_stem(source, name))


def expand_sources(sources: Sequence[str]) -> list[str]:
    """Files as given, folders replaced by their files of a registered suffix in sorted order; "-" only on its own."""
    if "-" in sources and len(sources) > 1:
        raise InputError("-", "standard input cannot be combined with other sources")
    expanded: list[str] = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            found = sorted(str(p) for p in path.iterdir() if p.suffix.lower() in source_suffixes() and p.is_file())
            if not found:
                raise InputError(source, f"folder holds no articles ({', '.join('*' + s for s in source_suffixes())})")
            expanded.extend(found)
        else:
            expanded.append(source)
    return list(dict.fromkeys(expanded))
