"""What the review page shows, as plain values: the view model and how it is made from a run.

`review_view` turns a TranslatedDocument into a ReviewView: each sentence beside its translation,
its glossary terms placed on both sides, its review state, what the run did to it, the findings
of the checks `dolmetsch check` runs (named by the PO entry a reviewer looks it up by), and the
counts the header shows. The template (`review/page.py`) only lays these values out.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.checks import CheckContext, Finding, run_checks
from dolmetsch.document.model import Document, Kind
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.formats.base import RenderContext
from dolmetsch.formats.po import Catalogues, with_contexts
from dolmetsch.glossary.constraints import forbidden_spans, rendering_spans
from dolmetsch.glossary.matcher import GlossaryMatcher, shared_matcher
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.translation import (
    FUZZY,
    KEPT,
    MISSING,
    REVIEWED_STATE,
    STRATEGIES,
    Origin,
    ReviewedSegment,
    TermOutcome,
    TranslatedDocument,
    TranslatedSegment,
)

PAGE_FORMAT = "review-page"
"""The review page's format name, under which the run's context says where the page goes."""
HOW_SAID = {
    "natural": "the first translation already had it",
    "n-best": "found among the other hypotheses of the beam",
    "prefix": "the decoder was led to it through a forced prefix",
    "replaced": "put in after decoding: check the wording around it",
    KEPT: "present in a translation taken from the catalogue",
    MISSING: "MISSING from the English",
}


@dataclass(frozen=True)
class Piece:
    """A run of a sentence's text; `term` is the term it marks (None: plain text)."""

    text: str
    term: "TermView | None" = None
    forbidden: bool = False


@dataclass(frozen=True)
class TermView:
    index: int
    key: str
    """`de → en`, what the glossary filter selects."""
    de: str
    en: str
    found: str
    how: str
    note: str = ""
    kind: str = "term"
    source: str = ""
    forbidden: tuple[str, ...] = ()
    """Forbidden variants of this entry present in the English."""
    in_english: bool = False

    @property
    def missing(self) -> bool:
        return self.how == MISSING

    @property
    def tip(self) -> str:
        lines = [f"{self.de} → {self.en} ({self.kind})", f"{self.how}: {HOW_SAID.get(self.how, '')}"]
        if self.found != self.de:
            lines.append(f"in the German as: {self.found}")
        if self.note:
            lines.append(f"note: {self.note}")
        if self.forbidden:
            lines.append(f"forbidden variant in the English: {', '.join(self.forbidden)}")
        if self.source:
            lines.append(f"entry: {self.source}")
        return "\n".join(lines)


@dataclass(frozen=True)
class FindingView:
    check: str
    level: str
    message: str


@dataclass(frozen=True)
class SentenceView:
    number: int
    kind: str
    de: tuple[Piece, ...]
    en: tuple[Piece, ...]
    state: str
    origin: str
    terms: tuple[TermView, ...]
    findings: tuple[FindingView, ...]
    badges: tuple[tuple[str, str], ...]
    """(class, label) of each badge besides the review state and the findings."""
    po_ref: str
    source_ref: str

    @property
    def term_keys(self) -> str:
        return "|" + "|".join(sorted({t.key for t in self.terms})) + "|"


@dataclass(frozen=True)
class PartView:
    kind: str
    sentences: tuple[SentenceView, ...] = ()
    text: str = ""
    """A part that is not translated (a photo credit), shown as it is on both sides."""


@dataclass(frozen=True)
class BlockView:
    number: int
    figure: bool
    parts: tuple[PartView, ...]


@dataclass(frozen=True)
class ReviewView:
    name: str
    source: str
    model: str
    po: str
    glossaries: tuple[str, ...]
    blocks: tuple[BlockView, ...]
    counts: dict = field(default_factory=dict)
    entries: tuple[tuple[str, int], ...] = ()
    """Each glossary entry met (`de → en`) and how often, for the filter."""
    unplaced: tuple[FindingView, ...] = ()
    """Findings that name no sentence of the page."""


@dataclass
class _Tally:
    """What the sentences add up to, for the header and the glossary filter."""

    terms: int = 0
    strategies: Counter = field(default_factory=Counter)
    met: Counter = field(default_factory=Counter)

    def add(self, views: Sequence[TermView]) -> None:
        self.terms += len(views)
        self.strategies.update(t.how for t in views)
        self.met.update(t.key for t in views)


def _pieces(text: str, spans: list[tuple[int, int, int, bool]], terms: dict[int, TermView]) -> tuple[Piece, ...]:
    """`text` cut at non-overlapping (start, end, term index, forbidden) spans; later overlapping spans are dropped."""
    pieces, position = [], 0
    for start, end, index, forbidden in sorted(spans):
        term = terms[index]
        if start < position or end <= start:
            continue
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], term, forbidden))
        position = end
    if position < len(text) or not pieces:
        pieces.append(Piece(text[position:]))
    return tuple(pieces)


def _entries_by_rendering(glossary) -> dict[tuple[str, str], Entry]:
    return {(e.de, e.required): e for e in glossary} if glossary is not None else {}


def _free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    return not any(a < y and x < b for x, y in taken)


def _term_views(s: TranslatedSegment, terms: Sequence[TermOutcome], entries: Mapping, start: int):
    """Views of a sentence's terms, with where each sits in the German and in the English."""
    views, de_spans, en_spans, taken = [], [], [], []
    for offset, term in enumerate(terms):
        index = start + offset
        entry = entries.get((term.de, term.en)) or Entry(term.de, term.en)
        de_spans.append((term.start, term.end, index, False))
        placed = False
        for a, b in rendering_spans(entry, s.english):
            if _free(taken, a, b):
                en_spans.append((a, b, index, False))
                taken.append((a, b))
                placed = True
                break
        variants = []
        for a, b in forbidden_spans(entry, s.english):
            if _free(taken, a, b):
                en_spans.append((a, b, index, True))
                taken.append((a, b))
            variants.append(s.english[a:b])
        views.append(TermView(
            index, f"{entry.de} → {entry.required}", entry.de, entry.required, term.found, term.how, entry.note, entry.kind,
            entry.location if entry.source is not None else "", tuple(dict.fromkeys(variants)), placed,
        ))
    return views, de_spans, en_spans


def _po_refs(translated: TranslatedDocument, context: RenderContext) -> list[str]:
    """Each segment's PO entry as `dolmetsch check` names it (`S.po:line`), '' where the catalogue has none."""
    po_path = context.paths.get("po")
    if po_path is None:
        return [""] * len(translated.segments)
    lines = (context.catalogues or Catalogues()).entry_lines(context.text_of("po"))
    refs = []
    for s, msgctxt in with_contexts(translated.segments):
        line = lines.get((msgctxt, s.segment.text))
        refs.append(f"{Path(po_path).name}:{line}" if line is not None else "")
    return refs


def _findings(translated: TranslatedDocument, wheres: Sequence[str], glossary) -> list[Finding]:
    """The findings `dolmetsch check` would print for these segments, each named by its `where`.

    The checks run on the page's own keys, unique even where a source line holds several
    sentences, and their messages name the PO entry."""
    reviewed = [ReviewedSegment(s.segment.text, s.english, where) for s, where in zip(translated.segments, wheres)]
    return run_checks(reviewed, CheckContext(glossary=_matcher(glossary)))


def _matcher(glossary) -> GlossaryMatcher | None:
    """The run's matcher of the glossary, the one the enforcer used: its cache of word keys (each a
    lemma lookup) already holds every word of the document, instead of starting empty for each page."""
    if glossary is None:
        return None
    return shared_matcher(glossary) if isinstance(glossary, Glossary) else GlossaryMatcher(glossary)


def _badges(s: TranslatedSegment, views: Sequence[TermView]) -> tuple[tuple[str, str], ...]:
    """What the run did to the sentence and what is wrong with its terms, as (class, label)."""
    badges = []
    if s.replaced_terms:
        badges.append(("replaced", f"replaced: {', '.join(t.en for t in s.replaced_terms)}"))
    if s.truncated:
        badges.append(("truncated", "truncated by the length guard"))
    if s.post_edited:
        badges.append(("post-edited", f"post-edited: {', '.join(s.post_edited)}"))
    if any(t.missing for t in views):
        badges.append(("missing", f"term missing: {', '.join(t.en for t in views if t.missing)}"))
    if any(t.forbidden for t in views):
        badges.append(("forbidden", f"forbidden variant: {', '.join(v for t in views for v in t.forbidden)}"))
    return tuple(badges + [("note", note) for note in s.notes])


def _sentences(translated, wheres, po_refs, findings, glossary, tally: _Tally) -> dict:
    """Each segment's view by segment key; the tally counts their terms."""
    enforcer = GlossaryEnforcer(glossary) if glossary is not None and not translated.glossary_enforced else None
    entries = _entries_by_rendering(glossary)
    by_where: dict[str, list[FindingView]] = {}
    for finding in findings:
        by_where.setdefault(finding.where, []).append(FindingView(finding.check, finding.level, finding.message))
    sentences = {}
    for number, (s, where, po_ref) in enumerate(zip(translated.segments, wheres, po_refs), start=1):
        terms = s.terms if s.terms or enforcer is None else enforcer.review(s.segment.text, s.english)
        views, de_spans, en_spans = _term_views(s, tuple(terms), entries, tally.terms)
        tally.add(views)
        by_index = {t.index: t for t in views}
        sentences[s.segment.key] = SentenceView(
            number, s.segment.kind.value, _pieces(s.segment.text, de_spans, by_index), _pieces(s.english, en_spans, by_index),
            REVIEWED_STATE if Origin(s.origin).confirmed else FUZZY, s.origin, tuple(views), tuple(by_where.get(where, ())),
            _badges(s, views), po_ref, f"{translated.document.source}:{s.segment.line}",
        )
    return sentences


def _blocks(document: Document, sentences: Mapping) -> tuple[BlockView, ...]:
    """The document's blocks and parts, each translated part with its sentences' views in order."""
    blocks = []
    for block in document.blocks:
        parts = []
        index = 0
        for part_number, part in enumerate(block.parts):
            if not part.kind.translated:
                parts.append(PartView(part.kind.value, text=part.text))
                continue
            found = []
            for _ in part.sentences:
                index += 1
                view = sentences.get((block.number, part_number, index))
                if view is not None:
                    found.append(view)
            parts.append(PartView(part.kind.value, tuple(found)))
        figure = any(p.kind in (Kind.CREDIT.value, Kind.CAPTION.value) for p in parts)
        blocks.append(BlockView(block.number, figure, tuple(parts)))
    return tuple(blocks)


def _counts(translated: TranslatedDocument, sentences: Mapping, findings: Sequence[Finding], tally: _Tally) -> dict:
    """The header's figures: segments, words, states, terms by strategy, findings by level and check."""
    states = Counter(v.state for v in sentences.values())
    levels = Counter(f.level for f in findings)
    by_check: dict[str, Counter] = {}
    for finding in findings:
        by_check.setdefault(finding.check, Counter())[finding.level] += 1
    return {
        "segments": len(translated.segments),
        "words": sum(len(s.segment.text.split()) for s in translated.segments),
        "fuzzy": states[FUZZY],
        "reviewed": states[REVIEWED_STATE],
        "terms": tally.terms,
        "strategies": [(name, tally.strategies[name]) for name in STRATEGIES if tally.strategies[name]],
        "findings": len(findings),
        "levels": [(level, levels[level]) for level in ("error", "warning") if levels[level]],
        "by_check": [(check, sum(c.values())) for check, c in by_check.items()],
        "with_findings": sum(1 for v in sentences.values() if v.findings),
    }


def review_view(translated: TranslatedDocument, context: RenderContext | None = None) -> ReviewView:
    """Everything the page shows, as plain values."""
    context = context or RenderContext()
    document, glossary = translated.document, context.glossary
    po_refs = _po_refs(translated, context)
    wheres = [
        ref or f"{document.source}:{s.segment.line}, sentence {number}"
        for number, (s, ref) in enumerate(zip(translated.segments, po_refs), start=1)
    ]
    findings = _findings(translated, wheres, glossary)
    tally = _Tally()
    sentences = _sentences(translated, wheres, po_refs, findings, glossary, tally)
    glossaries = tuple(sorted({str(e.source) for e in glossary if e.source is not None})) if glossary is not None else ()
    placed = set(wheres)
    unplaced = tuple(FindingView(f.check, f.level, f"{f.where}: {f.message}") for f in findings if f.where not in placed)
    po = _relative_to_page(context.paths.get("po"), context.paths.get(PAGE_FORMAT))
    return ReviewView(
        document.name, document.source, translated.model, po, glossaries, _blocks(document, sentences),
        _counts(translated, sentences, findings, tally), tuple(sorted(tally.met.items())), unplaced,
    )


def _relative_to_page(path: Path | None, page: Path | None) -> str:
    """`path` as seen from the page's folder, so the page reads the same wherever the run's folders are."""
    if path is None:
        return ""
    if page is None:
        return str(path)
    return os.path.relpath(Path(path).absolute(), Path(page).absolute().parent)
