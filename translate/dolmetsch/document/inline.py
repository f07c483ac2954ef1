"""Text with inline markup, as the model and the reviewers see it: plain text plus numbered elements.

A sentence such as `Kim <a href="/kim">pries</a> die <b>Truppen</b>.` is translated as the plain
text `Kim pries die Truppen.`; where the elements sat is kept as spans over that text, each with
the source's own markup for it (`Tag`), so the real tags are restored from the source and never
pass through a model or a reviewer. Reviewers see numbered placeholders instead
(`Kim <1>pries</1> die <2>Truppen</2>.`, see `dolmetsch.markup.placeholders`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    """One inline element: its number (1, 2, … in source order) and its markup as the source writes it.

    `opening`/`closing` are the source's exact text (`<a href="/kim">` and `</a>`, or `**` and `**`,
    or `[` and `](https://…)`); a void element (`<br>`, `<img …>`, a footnote reference) has only
    `opening` and sits at a point.
    """

    id: int
    opening: str
    closing: str = ""
    void: bool = False
    name: str = ""
    """The element's name for people (`a`, `b`, `strong`, `link`, `code`), for messages."""


@dataclass(frozen=True)
class Span:
    """Where element `id` sits in a text: [start, end) in characters; start == end for a void element."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class MarkedText:
    """Plain text and the inline elements over it.

    `spans` are well nested (two spans either nest or do not overlap), sorted by (start, -end, id);
    `tags` holds each span's Tag, by id. An element that is empty in the source (`<a></a>`) has
    start == end but is not void.
    """

    text: str
    spans: tuple[Span, ...] = ()
    tags: tuple[Tag, ...] = ()

    def tag(self, id: int) -> Tag:
        return next(t for t in self.tags if t.id == id)

    @property
    def plain(self) -> bool:
        """No inline markup at all."""
        return not self.spans

    def problems(self) -> list[str]:
        """What makes this not a valid MarkedText (empty when valid): for tests and for checking a projection."""
        found: list[str] = []
        ids = [s.id for s in self.spans]
        tag_ids = [t.id for t in self.tags]
        if len(set(ids)) != len(ids):
            found.append(f"an element has more than one span: {sorted(ids)}")
        if set(ids) != set(tag_ids) or len(set(tag_ids)) != len(tag_ids):
            found.append(f"spans {sorted(ids)} do not match tags {sorted(tag_ids)}")
        if list(self.spans) != sorted(self.spans, key=lambda s: (s.start, -s.end, s.id)):
            found.append("spans are not sorted by (start, -end, id)")
        voids = {t.id for t in self.tags if t.void}
        open_: list[Span] = []
        for s in sorted(self.spans, key=lambda s: (s.start, -s.end, s.id)):
            if not 0 <= s.start <= s.end <= len(self.text):
                found.append(f"element {s.id} lies outside the text: {s.start}..{s.end}")
            if s.id in voids and s.start != s.end:
                found.append(f"void element {s.id} covers text")
            if s.start == s.end:
                continue
            while open_ and open_[-1].end <= s.start:
                open_.pop()
            if open_ and s.end > open_[-1].end:
                found.append(f"elements {open_[-1].id} and {s.id} overlap without nesting")
            open_.append(s)
        return found

    def events(self) -> list[tuple[int, str, Tag]]:
        """The elements' tags in reading order: (position, "open" | "close" | "point", tag).

        Spans alone leave the order open where elements meet at one position; this is the single
        convention every writer (HTML, Markdown, placeholders) follows:
        - elements that end there close first, innermost first;
        - then elements that start there open, outermost first (equal spans: lower id outside);
        - a zero-width element (void, or empty like `<a id="x"></a>`) sits inside the elements that
          open at its position with a lower id (they came first in the source) and after those
          that close there, so `x<br></b>` reads back as `x</b><br>`; an empty element contains
          nothing (a reader that must keep `<a href="…"><img></a>` together makes it one void Tag).
        A void element gives one "point" event, an empty one an "open" and a "close".
        """
        tags = {t.id: t for t in self.tags}
        opening: dict[int, list[Span]] = {}
        closing: dict[int, list[Span]] = {}
        points: dict[int, list[Span]] = {}
        for s in self.spans:
            if s.start == s.end:
                points.setdefault(s.start, []).append(s)
            else:
                opening.setdefault(s.start, []).append(s)
                closing.setdefault(s.end, []).append(s)
        result: list[tuple[int, str, Tag]] = []
        for p in sorted(opening.keys() | closing.keys() | points.keys()):
            for s in sorted(closing.get(p, ()), key=lambda s: (-s.start, -s.id)):
                result.append((p, "close", tags[s.id]))
            opens = sorted(opening.get(p, ()), key=lambda s: (-s.end, s.id))
            placed: list[tuple[int, int]] = []
            for z in points.get(p, ()):
                j = max((k + 1 for k, o in enumerate(opens) if o.id < z.id), default=0)
                placed.append((j, z.id))
            placed.sort()
            i = 0
            for j in range(len(opens) + 1):
                while i < len(placed) and placed[i][0] == j:
                    tag = tags[placed[i][1]]
                    if tag.void:
                        result.append((p, "point", tag))
                    else:
                        result += [(p, "open", tag), (p, "close", tag)]
                    i += 1
                if j < len(opens):
                    result.append((p, "open", tags[opens[j].id]))
        return result


def render(marked: MarkedText, escape: Callable[[str], str] = lambda text: text) -> str:
    """The text with each element's own markup put back around its span; `escape` prepares the text between tags."""
    out: list[str] = []
    last = 0
    for position, kind, tag in marked.events():
        out.append(escape(marked.text[last:position]))
        last = position
        out.append(tag.closing if kind == "close" else tag.opening)
    out.append(escape(marked.text[last:]))
    return "".join(out)
