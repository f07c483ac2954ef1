"""Numbered placeholders: how a sentence with inline markup reads in a PO file.

Syntax (stable; reviewers and CAT tools edit it):

    Kim <1>pries</1> die <2>Truppen</2>.<3/>

- `<n>` … `</n>` wrap the text of element n; `<n/>` is a void element (`<br>`, `<img>`, a code
  span) at a point. Elements are numbered 1, 2, … in source order; an element that is empty in the
  source is written `<n></n>`. Tags meet in the order of `MarkedText.events`.
- The real markup (attributes, URLs, Markdown delimiters) never appears: it is restored from the
  source by number.
- Escape: a `<` of the text that would read as a placeholder (`<` + optional `/` + digits + optional
  `/` + `>`, e.g. a text that really says `<1>`) is written `\\<`, and a run of backslashes directly
  before it is doubled, as is one directly before a real placeholder. Nothing else is escaped, so
  ordinary text such as `a < b`, `<Kim>`, `\\<b>` or `C:\\Temp` stays as it is.
  Reading back: k backslashes before something that reads as a placeholder stand for k//2
  backslashes, and when k is odd it is text; backslashes elsewhere are text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dolmetsch.document.inline import MarkedText, Span, Tag

PLACEHOLDER = re.compile(r"<(/?)([0-9]+)(/?)>")
"""What reads as a placeholder; `</1/>` matches too and is reported as malformed."""

_ESCAPABLE = re.compile(r"(\\*)<(?=/?[0-9]+/?>)")
_TOKEN = re.compile(r"(\\*)(<(/?)([0-9]+)(/?)>)")


class MarkupError(ValueError):
    """A translation whose placeholders do not fit the source's elements; `problems` lists each in a short line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def to_placeholders(marked: MarkedText) -> str:
    """The sentence as reviewers see it: text with `<n>…</n>` and `<n/>` where the elements sit."""
    out: list[str] = []
    last = 0
    for position, kind, tag in marked.events():
        out.append(_escape(marked.text[last:position], markup_follows=True))
        last = position
        out.append(f"</{tag.id}>" if kind == "close" else f"<{tag.id}/>" if kind == "point" else f"<{tag.id}>")
    out.append(_escape(marked.text[last:], markup_follows=False))
    return "".join(out)


def _escape(text: str, *, markup_follows: bool) -> str:
    text = _ESCAPABLE.sub(lambda match: match.group(1) * 2 + "\\<", text)
    if markup_follows:
        stripped = text.rstrip("\\")
        text = stripped + (len(text) - len(stripped)) * 2 * "\\"
    return text


def markup_problems(text: str, source: MarkedText) -> list[str]:
    """Every way the placeholders of `text` (a translation) do not fit `source`'s elements; empty when fine."""
    return _parse(text, source)[1]


def from_placeholders(text: str, source: MarkedText) -> MarkedText:
    """The translation as MarkedText with `source`'s tags; raises MarkupError listing every problem."""
    marked, problems = _parse(text, source)
    if problems:
        raise MarkupError(problems)
    return marked


def _parse(text: str, source: MarkedText) -> tuple[MarkedText, list[str]]:
    """The translation `text` read against `source`'s elements, and every problem found (each once)."""
    reader = _Reader(source)
    last = 0
    for match in _TOKEN.finditer(text):
        reader.add(text[last : match.start()])
        last = match.end()
        reader.token(match)
    reader.add(text[last:])
    return reader.result()


class _Reader:
    """A translation read placeholder by placeholder (`_parse`): the plain text so far, the elements
    open and placed, and the problems met; a placeholder's meaning depends on those before it."""

    def __init__(self, source: MarkedText):
        self.source = source
        self.tags = {t.id: t for t in source.tags}
        self.problems: list[str] = []
        self.plain: list[str] = []
        self.length = 0
        self.stack: list[tuple[int, int]] = []  # (id, start) of open elements, outermost first
        self.spans: dict[int, Span] = {}
        self.seen: set[int] = set()
        self.skip_close: dict[int, int] = {}  # closings that belong to an opening already reported
        self.stray: list[int] = []  # closings met before any opening of their element

    def report(self, problem: str) -> None:
        """Note a problem, once."""
        if problem not in self.problems:
            self.problems.append(problem)

    def add(self, literal: str) -> None:
        """Text of the translation."""
        self.plain.append(literal)
        self.length += len(literal)

    def token(self, match: re.Match) -> None:
        """Something that reads as a placeholder, with the backslashes before it."""
        backslashes = len(match.group(1))
        self.add("\\" * (backslashes // 2))
        if backslashes % 2:
            self.add(match.group(2))
            return
        closing, number, self_closing = match.group(3), int(match.group(4)), match.group(5)
        raw = match.group(2)
        if closing and self_closing:
            self.report(f"{raw} is malformed: write <{number}/> or </{number}>")
            return
        tag = self.tags.get(number)
        if tag is None:
            self.report(f"placeholder <{number}> is not in the German")
        elif closing:
            self._close(number)
        else:
            self._open(number, tag, bool(self_closing))

    def _close(self, number: int) -> None:
        """`</n>`: ends element n where it is open; else it is stray, or a problem."""
        ids = [i for i, _ in self.stack]
        if self.skip_close.get(number):
            self.skip_close[number] -= 1
        elif number in ids:
            inner = ids[ids.index(number) + 1 :]
            if inner:
                self.report(f"<{number}> is closed before <{inner[-1]}>")
            start = self.stack.pop(ids.index(number))[1]
            self.spans[number] = Span(number, start, self.length)
        elif number in self.seen:
            self.report(f"</{number}> has no matching <{number}>")
        else:
            self.stray.append(number)

    def _open(self, number: int, tag: Tag, self_closing: bool) -> None:
        """`<n>` or `<n/>`: opens element n, or places a void one; a second one is a problem."""
        if number in self.seen:
            self.report(f"placeholder <{number}> appears twice")
            if not self_closing and not tag.void:
                self.skip_close[number] = self.skip_close.get(number, 0) + 1
            return
        self.seen.add(number)
        if tag.void:
            if not self_closing:
                self.report(f"<{number}> is a single element: write <{number}/>")
                self.skip_close[number] = self.skip_close.get(number, 0) + 1
            self.spans[number] = Span(number, self.length, self.length)
        elif self_closing:
            self.report(f"<{number}> encloses text: write <{number}>…</{number}>, not <{number}/>")
        else:
            self.stack.append((number, self.length))

    def result(self) -> tuple[MarkedText, list[str]]:
        """The translation read, and its problems, those only the whole shows included."""
        seen, stray, tags = self.seen, self.stray, self.tags
        for number in stray:
            self.report(f"</{number}> comes before <{number}>" if number in seen else f"</{number}> has no opening <{number}>")
        for number, _ in self.stack:
            if number not in stray:
                self.report(f"<{number}> is never closed")
        for number in sorted(tags.keys() - seen - set(stray)):
            self.report(f"placeholder <{number}> is missing")
        given = {s.id: s for s in self.source.spans}
        for number, span in self.spans.items():
            german = given.get(number)
            if span.start == span.end and not tags[number].void and german is not None and german.start != german.end:
                self.report(f"<{number}> encloses no text")
        ordered = tuple(sorted(self.spans.values(), key=lambda s: (s.start, -s.end, s.id)))
        return MarkedText("".join(self.plain), ordered, self.source.tags), self.problems


Token = tuple[str, "str | int"]
"""("text", str), or ("open" | "close" | "point", element number): a text with placeholders, read."""


def tokens(text: str) -> list[Token]:
    """A text with placeholders as text and tags, read as `from_placeholders` reads it (k
    backslashes before a placeholder stand for k // 2, and an odd k makes it text); needs no source."""
    found: list[Token] = []
    last = 0
    for match in _TOKEN.finditer(text):
        backslashes = len(match.group(1))
        literal = text[last : match.start()] + "\\" * (backslashes // 2)
        last = match.end()
        if backslashes % 2 or (match.group(3) and match.group(5)):  # escaped, or `</1/>`: text
            found.append(("text", literal + match.group(2)))
            continue
        found.append(("text", literal))
        kind = "close" if match.group(3) else "point" if match.group(5) else "open"
        found.append((kind, int(match.group(4))))
    found.append(("text", text[last:]))
    return _merged(found)


def untokens(found: Iterable[Token]) -> str:
    """Text and tags back as text with placeholders, escaped as `to_placeholders` escapes."""
    found = _merged(found)
    out = []
    for index, (kind, value) in enumerate(found):
        if kind == "text":
            follows = index + 1 < len(found) and found[index + 1][0] != "text"
            out.append(_escape(str(value), markup_follows=follows))
        else:
            out.append(f"</{value}>" if kind == "close" else f"<{value}/>" if kind == "point" else f"<{value}>")
    return "".join(out)


def without_placeholders(text: str) -> str:
    """The text alone: placeholders dropped, escapes resolved (`<1>Putin</1>` is `Putin`, `\\<1>` is `<1>`)."""
    return "".join(str(value) for kind, value in tokens(text) if kind == "text")


def _merged(found: Iterable[Token]) -> list[Token]:
    merged: list[Token] = []
    for token in found:
        if token[0] == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", str(merged[-1][1]) + str(token[1]))
        elif token != ("text", ""):
            merged.append(token)
    return merged


def elements_of(text: str) -> MarkedText | None:
    """The elements a text's own placeholders stand for (`<n/>` a void one), as MarkedText: what a
    translation of it must pair up with when the source's markup is not at hand (a PO read back, an
    XLIFF, a request). None when it has none, or they are broken themselves."""
    voids: dict[int, bool] = {}
    for kind, value in tokens(text):
        if kind != "text":
            voids[int(value)] = voids.get(int(value), False) or kind == "point"
    if not voids:
        return None
    tags = tuple(Tag(number, f"<{number}>", f"</{number}>", void=void) for number, void in sorted(voids.items()))
    try:
        return from_placeholders(text, MarkedText("", (), tags))
    except MarkupError:
        return None
