"""Reading an HTML or Markdown source: the parser is picked by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from dolmetsch.document.reading import MAX_SOURCE_BYTES, printable
from dolmetsch.errors import InputError
from dolmetsch.markup.html import parse_html
from dolmetsch.markup.markdown import parse_markdown
from dolmetsch.markup.sentences import HTML_SUFFIXES, MARKDOWN_SUFFIXES, MarkupSource


def parse_markup(data: bytes, where: str, suffix: str) -> MarkupSource:
    """Parse a source by its suffix (`.html`, `.htm`, `.md`, `.markdown`)."""
    suffix = suffix.lower()
    if suffix in HTML_SUFFIXES:
        return parse_html(data, where)
    if suffix in MARKDOWN_SUFFIXES:
        return parse_markdown(data, where)
    raise InputError(where, f"not an HTML or Markdown file ({suffix or 'no suffix'})")


def read_markup(path: str | Path) -> MarkupSource:
    """Read and parse an HTML or Markdown file; InputError (one line) when it cannot be kept."""
    path = Path(path)
    where = printable(str(path))
    if path.is_dir():
        raise InputError(where, "is a directory, not a file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror})") from None
    return parse_markup(data, where, path.suffix)
