"""A bilingual review page: one self-contained HTML file, German left, English right, sentence by sentence.

Every sentence sits beside its translation; glossary terms are marked on both sides with how each
was satisfied; each sentence carries its review state, what the run did to it (replaced terms,
truncation, post-edit) and the findings of the same checks `dolmetsch check` runs, with the PO
entry and source line a reviewer looks it up by. A header counts it all; filters and the keys
j/k (next/previous finding) help to work through it. CSS and JavaScript are inline and nothing is
fetched, so the file opens from disk anywhere. The page is built from a plain view model
(`review_view`) and a Jinja2 template with autoescape, which loads only when a page is rendered.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dolmetsch.atomic import write_bytes_atomic
from dolmetsch.cache import user_cache_dir
from dolmetsch.document.model import Kind
from dolmetsch.errors import InputError
from dolmetsch.formats.base import OutputFormat, RenderContext
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.translation import KEPT, MISSING, STRATEGIES, TermOutcome
from dolmetsch.translation import REVIEWED, TranslatedDocument, TranslatedSegment

TEMPLATE, STYLESHEET, SCRIPT = "review.html.j2", "review.css", "review.js"
TEMPLATE_CACHE_SUFFIX = ".checked.cache"
SHA256_BYTES = 32
FUZZY_STATE, REVIEWED_STATE = "fuzzy", "reviewed"
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


def _pieces(text: str, spans: list[tuple[int, int, int, bool]], terms: dict[int, "TermView"]) -> tuple[Piece, ...]:
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


def _entries_by_rendering(glossary) -> dict[tuple[str, str], object]:
    return {(e.de, e.required): e for e in glossary} if glossary is not None else {}


def _term_views(s: TranslatedSegment, terms: tuple[TermOutcome, ...], entries: dict, start: int):
    """Views of a sentence's terms, with where each sits in the German and in the English."""
    from dolmetsch.glossary.constraints import forbidden_spans, rendering_spans
    from dolmetsch.glossary.model import Entry

    views, de_spans, en_spans, taken = [], [], [], []
    for offset, term in enumerate(terms):
        index = start + offset
        entry = entries.get((term.de, term.en)) or Entry(term.de, term.en)
        de_spans.append((term.start, term.end, index, False))
        placed = False
        for a, b in rendering_spans(entry, s.english):
            if not any(a < y and x < b for x, y in taken):
                en_spans.append((a, b, index, False))
                taken.append((a, b))
                placed = True
                break
        variants = []
        for a, b in forbidden_spans(entry, s.english):
            if not any(a < y and x < b for x, y in taken):
                en_spans.append((a, b, index, True))
                taken.append((a, b))
            variants.append(s.english[a:b])
        views.append(TermView(
            index, f"{entry.de} → {entry.required}", entry.de, entry.required, term.found, term.how, entry.note, entry.kind,
            entry.location if entry.source is not None else "", tuple(dict.fromkeys(variants)), placed,
        ))
    return views, de_spans, en_spans


def _po_lines(text: str | None) -> dict[tuple[str | None, str], int]:
    """Line of each live entry of a PO text, by (msgctxt, msgid)."""
    if not text:
        return {}
    import polib

    try:
        catalog = polib.pofile(text)
    except (OSError, ValueError):
        return {}
    return {(e.msgctxt, e.msgid): e.linenum for e in catalog if not e.obsolete and e.msgid}


def review_view(translated: TranslatedDocument, context: RenderContext | None = None) -> ReviewView:
    """Everything the page shows, as plain values."""
    from dolmetsch.checks import CheckContext, run_checks
    from dolmetsch.translation import ReviewedSegment
    from dolmetsch.formats.po import with_contexts
    from dolmetsch.glossary.matcher import GlossaryMatcher

    context = context or RenderContext()
    document = translated.document
    glossary = context.glossary
    po_path = context.paths.get("po")
    po_text = context.rendered.get("po")
    if po_text is None and po_path is not None and Path(po_path).is_file():
        try:
            po_text = Path(po_path).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            po_text = None
    lines = _po_lines(po_text)
    po_name = Path(po_path).name if po_path is not None else ""
    enforcer = GlossaryEnforcer(glossary) if glossary is not None and not translated.glossary_enforced else None
    entries = _entries_by_rendering(glossary)

    # each segment's PO entry as `dolmetsch check` names it (file:line); the checks run on the page's
    # own keys, unique even where a source line holds several sentences, and their messages name the PO entry
    po_refs = []
    for s, msgctxt in with_contexts(translated.segments):
        line = lines.get((msgctxt, s.segment.text))
        po_refs.append(f"{po_name}:{line}" if line is not None else "")
    wheres = [ref or f"{document.source}:{s.segment.line}, sentence {number}" for number, (s, ref) in enumerate(zip(translated.segments, po_refs), start=1)]
    reviewed = [ReviewedSegment(s.segment.text, s.english, where) for s, where in zip(translated.segments, wheres)]
    matcher = GlossaryMatcher(glossary) if glossary is not None else None
    findings = run_checks(reviewed, CheckContext(glossary=matcher))
    by_where: dict[str, list[FindingView]] = {}
    for finding in findings:
        by_where.setdefault(finding.where, []).append(FindingView(finding.check, finding.level, finding.message))
    placed_wheres = set(wheres)

    sentences: dict[tuple[int, int, int], SentenceView] = {}
    term_count = 0
    strategies: Counter = Counter()
    met: Counter = Counter()
    for number, (s, where, po_ref) in enumerate(zip(translated.segments, wheres, po_refs), start=1):
        terms = s.terms if s.terms or enforcer is None else enforcer.review(s.segment.text, s.english)
        views, de_spans, en_spans = _term_views(s, tuple(terms), entries, term_count)
        term_count += len(views)
        strategies.update(t.how for t in views)
        met.update(t.key for t in views)
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
        badges += [("note", note) for note in s.notes]
        sentences[s.segment.key] = SentenceView(
            number,
            s.segment.kind.value,
            _pieces(s.segment.text, de_spans, {t.index: t for t in views}),
            _pieces(s.english, en_spans, {t.index: t for t in views}),
            REVIEWED_STATE if s.origin == REVIEWED else FUZZY_STATE,
            s.origin,
            tuple(views),
            tuple(by_where.get(where, ())),
            tuple(badges),
            po_ref,
            f"{document.source}:{s.segment.line}",
        )

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

    states = Counter(v.state for v in sentences.values())
    levels = Counter(f.level for f in findings)
    by_check: dict[str, Counter] = {}
    for finding in findings:
        by_check.setdefault(finding.check, Counter())[finding.level] += 1
    counts = {
        "segments": len(translated.segments),
        "words": sum(len(s.segment.text.split()) for s in translated.segments),
        "fuzzy": states[FUZZY_STATE],
        "reviewed": states[REVIEWED_STATE],
        "terms": term_count,
        "strategies": [(name, strategies[name]) for name in STRATEGIES if strategies[name]],
        "findings": len(findings),
        "levels": [(level, levels[level]) for level in ("error", "warning") if levels[level]],
        "by_check": [(check, sum(c.values())) for check, c in by_check.items()],
        "with_findings": sum(1 for v in sentences.values() if v.findings),
    }
    glossaries = tuple(sorted({str(e.source) for e in glossary if e.source is not None})) if glossary is not None else ()
    unplaced = tuple(FindingView(f.check, f.level, f"{f.where}: {f.message}") for f in findings if f.where not in placed_wheres)
    return ReviewView(
        document.name, document.source, translated.model, _relative_to_page(po_path, context.paths.get(ReviewPage.name)),
        glossaries, tuple(blocks), counts, tuple(sorted(met.items())), unplaced,
    )


def _relative_to_page(path: Path | None, page: Path | None) -> str:
    """`path` as seen from the page's folder, so the page reads the same wherever the run's folders are."""
    if path is None:
        return ""
    if page is None:
        return str(path)
    return os.path.relpath(Path(path).absolute(), Path(page).absolute().parent)


@lru_cache(maxsize=1)
def _environment():
    # Jinja2 loads only when a page is rendered, so `dolmetsch --help` and the other formats never pay for it
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("dolmetsch.formats", "templates"),
        bytecode_cache=_bytecode_cache(jinja2),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _bytecode_cache(jinja2):
    """The compiled template, kept in the user cache: compiling it costs a re-run 0.2 s."""
    return _checked_bytecode_cache_class(jinja2)(user_cache_dir("templates"))


def _checked_bytecode_cache_class(jinja2):
    """A Jinja2 bytecode cache whose files carry a SHA-256 of what they hold (made when Jinja2 loads).

    Jinja2's own file cache unpickles a file before it can tell that the file is damaged, and lets
    a full disk or unwritable folder fail the render. Here a file is used only when its digest
    matches; anything else, and any failure to read or write, only means compiling the template
    again. The digest catches what crashes and disks do, not deliberate edits.
    """

    class CheckedBytecodeCache(jinja2.BytecodeCache):
        def __init__(self, folder: Path):
            self.folder = folder

        def _path(self, bucket) -> Path:
            return self.folder / f"{bucket.key}{TEMPLATE_CACHE_SUFFIX}"

        def load_bytecode(self, bucket) -> None:
            try:
                data = self._path(bucket).read_bytes()
            except OSError:
                return
            digest, payload = data[:SHA256_BYTES], data[SHA256_BYTES:]
            if not payload or hashlib.sha256(payload).digest() != digest:
                return
            try:
                bucket.bytecode_from_string(payload)
            except Exception:  # noqa: BLE001 - whatever a file that matches its digest still fails on, compile again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                payload = bucket.bytecode_to_string()
                self.folder.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(self._path(bucket), hashlib.sha256(payload).digest() + payload)
            except (OSError, InputError):  # an unwritable or full cache: the next run compiles again
                pass

    return CheckedBytecodeCache


def render_page(view: ReviewView) -> str:
    """The page's HTML; the stylesheet and script beside the template go in verbatim (not as templates)."""
    from markupsafe import Markup

    environment = _environment()
    css, js = (Markup(environment.loader.get_source(environment, name)[0]) for name in (STYLESHEET, SCRIPT))
    return environment.get_template(TEMPLATE).render(view=view, REVIEWED=REVIEWED_STATE, css=css, js=js)


class ReviewPage(OutputFormat):
    name = "review-page"
    suffix = ".review.html"

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_page(review_view(translated))

    def render_in(self, translated: TranslatedDocument, existing: Path | None, context: RenderContext) -> str:
        return render_page(review_view(translated, context))
