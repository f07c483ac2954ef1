"""Splitting text into blank-line-separated blocks and telling titles, headings, captions and credits apart.

News articles pasted from a web page carry figure blocks (alt text, photo credit, caption) between the
paragraphs; credits such as ``APA/AFP/Mikhail Metzel`` are names, not prose, and pass through verbatim.
"""

from __future__ import annotations

import re

from dolmetsch.document.model import Block, Document, Kind, Part, Sentence
from dolmetsch.document.sentences import split_sentences

BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n\s*")
CREDIT_PREFIX = re.compile(r"^(?:Foto|Fotos|Bild|Bilder|Grafik|Quelle|Credit|Photo)\s*:\s*\S", re.IGNORECASE)
CREDIT_AGENCIES = re.compile(r"^(?:©\s*)?[A-ZÄÖÜ][A-ZÄÖÜa-z0-9&.\-]*(?:\s?/\s?[^/\n]+)+$")
SENTENCE_END = re.compile(r"[.!?…:;]\s*[“”\"»«’)]*\s*$")
HEADING_MAX_WORDS = 14


def is_credit(line: str) -> bool:
    """A photo or agency credit: `APA/AFP/Mikhail Metzel`, `AP/Sputnik/Artem Geodakyan`, `Foto: dpa`."""
    line = line.strip()
    if CREDIT_PREFIX.match(line):
        return True
    if not CREDIT_AGENCIES.match(line) or len(line.split()) > 8 or SENTENCE_END.search(line):
        return False
    first, *rest = [part.strip() for part in line.lstrip("© ").split("/")]
    return first.isupper() and len(first) >= 2 and all(_name_like(part) for part in rest)


def _name_like(part: str) -> bool:
    """An agency code or a photographer's name: every word capitalised (`Mikhail Metzel`, `dpa`,
    `Sputnik`), unlike prose after an acronym pair (`CDU/CSU legt in Umfragen zu`)."""
    words = part.split()
    return bool(words) and (part.islower() and len(words) == 1 or all(w[:1].isupper() for w in words))


def is_heading_like(text: str) -> bool:
    """Short, single-line and without closing sentence punctuation."""
    return "\n" not in text.strip() and len(text.split()) <= HEADING_MAX_WORDS and not SENTENCE_END.search(text)


def parse_blocks(text: str, *, source: str, name: str, encoding: str) -> Document:
    """Cut the text into blocks at blank lines, classify their lines and split prose into sentences."""
    stripped = text.strip()
    leading = text[: len(text) - len(text.lstrip())]
    trailing = text[len(leading) + len(stripped) :]
    line = 1 + leading.count("\n")
    blocks: list[Block] = []
    separators: list[str] = []
    position = 0
    chunks = []
    for match in BLOCK_SEPARATOR.finditer(stripped):
        chunks.append((stripped[position : match.start()], line))
        line += stripped.count("\n", position, match.end())
        separators.append(match.group())
        position = match.end()
    chunks.append((stripped[position:], line))
    seen_paragraph = False
    for number, (chunk, first_line) in enumerate(chunks, start=1):
        parts = _classify(chunk, first_line, title_allowed=not seen_paragraph and not blocks_have_title(blocks))
        seen_paragraph = seen_paragraph or any(p.kind is Kind.PARAGRAPH for p in parts)
        blocks.append(Block(number=number, line=first_line, parts=tuple(parts), separator="\n"))
    return Document(
        source=source,
        name=name,
        encoding=encoding,
        blocks=tuple(blocks),
        block_separators=tuple(separators),
        leading=leading,
        trailing=trailing,
    )


def blocks_have_title(blocks: list[Block]) -> bool:
    return any(part.kind is Kind.TITLE for block in blocks for part in block.parts)


def _classify(chunk: str, first_line: int, *, title_allowed: bool) -> list[Part]:
    lines = chunk.split("\n")
    if len(lines) > 1 and any(is_credit(l) for l in lines):
        return [_part(Kind.CREDIT if is_credit(l) else Kind.CAPTION, l, first_line + i) for i, l in enumerate(lines)]
    if len(lines) == 1 and is_credit(chunk):
        return [_part(Kind.CREDIT, chunk, first_line)]
    if is_heading_like(chunk):
        return [_part(Kind.TITLE if title_allowed else Kind.HEADING, chunk, first_line)]
    if len(lines) == 1:
        return [_part(Kind.PARAGRAPH, chunk, first_line)]
    spans = split_sentences(chunk)  # once for the chunk: its lines take their sentences from it
    if not _every_line_starts_a_sentence(chunk, spans):
        return [_part(Kind.PARAGRAPH, chunk, first_line, spans)]
    # one paragraph per line (text pasted with single line breaks), not a hard-wrapped paragraph
    parts, offset = [], 0
    for i, line in enumerate(lines):
        inside = [(start - offset, end - offset) for start, end in spans if offset <= start and end <= offset + len(line)]
        parts.append(_part(Kind.HEADING if is_heading_like(line) else Kind.PARAGRAPH, line, first_line + i, inside))
        offset += len(line) + 1
    return parts


def _every_line_starts_a_sentence(chunk: str, spans: list[tuple[int, int]]) -> bool:
    """True when the sentence splitter itself ends a sentence at every line break ("Dr.\nMüller" stays one)."""
    starts = {start for start, _ in spans}
    line_starts = [i + 1 for i, char in enumerate(chunk) if char == "\n"]
    return all(start + (len(chunk[start:]) - len(chunk[start:].lstrip())) in starts for start in line_starts)


def _part(kind: Kind, text: str, line: int, spans: list[tuple[int, int]] | None = None) -> Part:
    """`spans`: the paragraph's sentences when already split."""
    if not kind.translated or not text.strip():
        return Part(kind, text, line, ())
    if kind is Kind.PARAGRAPH:
        spans = split_sentences(text) if spans is None else spans
    else:
        start = len(text) - len(text.lstrip())
        spans = [(start, len(text.rstrip()))]
    return Part(kind, text, line, tuple(Sentence(s, e) for s, e in spans))
