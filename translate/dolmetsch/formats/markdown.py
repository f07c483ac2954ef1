"""A paragraph-aligned, side-by-side Markdown view for people to read.

Every text in it (sentences, names, paths) is escaped: it renders as the text it is, whatever
HTML or Markdown the source or a reviewer's translation holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from dolmetsch.document.model import Kind
from dolmetsch.formats.base import OutputFormat
from dolmetsch.translation import TranslatedDocument

MARKDOWN_PUNCTUATION = frozenset("\\`*_[]|~")
"""Characters that would make emphasis, code, links, images or table cells out of plain text."""
HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
"""Escaped so that a source's or a reviewer's HTML (`<script>`, `<img onerror=…>`, autolinks) shows
as text in viewers that render inline HTML, as many Markdown viewers do."""


INLINE_ESCAPES = str.maketrans({**{ch: f"\\{ch}" for ch in MARKDOWN_PUNCTUATION}, **HTML_ENTITIES})
"""Each character `escape_inline` replaces, with what it writes instead (one table: one pass over the text)."""


def escape_inline(text: str) -> str:
    """`text` as one line of Markdown that renders as exactly this text, never as HTML, a link or markup."""
    return " ".join(text.split()).translate(INLINE_ESCAPES)


def code_span(text: str) -> str:
    """`text` as one code span (shown verbatim: no HTML, no markup), fenced past any backticks it holds."""
    text = " ".join(text.split())
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _cell(text: str) -> str:
    return escape_inline(text)


def render_markdown(translated: TranslatedDocument) -> str:
    document = translated.document
    english = defaultdict(list)
    for s in translated.segments:
        english[(s.segment.block, s.segment.part)].append(s.english)
    lines = [
        f"# {escape_inline(document.name)}: Deutsch → English",
        "",
        f"Source: {code_span(document.source)} · model: {escape_inline(str(translated.model))} · {translated.stats.segments} segments",
        "",
        "| # | Deutsch | English |",
        "|---|---|---|",
    ]
    for block in document.blocks:
        for number, part in enumerate(block.parts):
            if part.kind is Kind.CREDIT:
                de = en = f"*{_cell(part.text)}*"
            else:
                de = _cell(part.text)
                en = _cell(" ".join(english[(block.number, number)]))
            if part.kind in (Kind.TITLE, Kind.HEADING):
                de, en = f"**{de}**", f"**{en}**"
            elif part.kind is Kind.CAPTION:
                de, en = f"_{de}_", f"_{en}_"
            label = block.number if number == 0 else ""
            lines.append(f"| {label} | {de} | {en} |")
    return "\n".join(lines) + "\n"


class SideBySide(OutputFormat):
    name = "markdown"
    suffix = ".de-en.md"

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_markdown(translated)
