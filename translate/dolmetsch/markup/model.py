"""Text with inline markup, as the model and the reviewers see it: plain text plus numbered elements.

A sentence such as `Kim <a href="/kim">pries</a> die <b>Truppen</b>.` is translated as the plain
text `Kim pries die Truppen.`; where the elements sat is kept as spans over that text, each with
the source's own markup for it (`Tag`), so the real tags are restored from the source and never
pass through a model or a reviewer. Reviewers see numbered placeholders instead
(`Kim <1>pries</1> die <2>Truppen</2>.`, see `dolmetsch.markup.placeholders`).
"""

from __future__ import annotations

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
