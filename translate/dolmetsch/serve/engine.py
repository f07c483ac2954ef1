"""The server's one door into the translation machinery.

Every call the server makes into dolmetsch's pipeline (finding and loading the model, the glossary,
sentence splitting, batched decoding with enforcement, the translation memory) goes through this
module, so that a change in the library's API is adapted here and nowhere else.

A request's text becomes a `Skeleton` (the document model of `dolmetsch translate`: blocks,
parts, sentences and the gaps between them; for `format=html` and HTML or Markdown files, the page's
skeleton, its sentences with numbered placeholders for their inline markup); its sentences are translated in batches shared with
other requests as one synthetic document through `translate_documents`, with the same glossary
enforcement and post-edit as `translate`; the skeleton then renders the English around them.

The server's main pair is German→English, where the glossary, the memory and the German→English
post-edit apply. Every other installed pair (English→German, so that Weblate's configuration check
is answered by a real model) is a `Backend` of its own, decoded as the model gives it: no glossary,
no memory, no post-edit (`Backend.plain`).

A DeepL API request may name an uploaded glossary: it comes here as an object with an `enforcer`
and a `reviewer` (`dolmetsch.serve.glossaries.Enforced`: the uploaded entries merged with the
server's glossary), used instead of the server's own for that request's sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.api import find_package, run_glossary, start_engine
from dolmetsch.models.package import DEFAULT_PAIR, ArgosPackage, installed_packages
from dolmetsch.models.resolve import open_package_file
from dolmetsch.document.model import Document, Kind, Segment
from dolmetsch.document.reading import parse_text
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.errors import InputError
from dolmetsch.memory import catalogues_under, load_memory
from dolmetsch.pipeline import translate_documents
from dolmetsch.markup.document import MarkupDocument
from dolmetsch.markup.placeholders import PLACEHOLDER, elements_of
from dolmetsch.postedit import TYPOGRAPHIC, post_edit
from dolmetsch.sources import source_format
from dolmetsch.options import RunOptions
from dolmetsch.translation import DocumentJob, TermOutcome, has_words

PLACEABLE = re.compile(r"\[X\d+X\]")
"""Weblate's stand-ins for placeables (`[X12X]`): they must come back exactly as sent."""
MASK_BASE = 7301
"""Placeables are offered to the model as numbers from here on (models copy numbers); a mask that
does not come back exactly once falls back to translating the text around the placeables."""

MACHINE, CACHED, MEMORY = "machine", "cache", "memory"
"""Where a sentence's English came from, as the response's `dolmetsch` field says."""


@dataclass(frozen=True)
class Rendered:
    """One sentence's English, the glossary terms it honours and where it came from."""

    english: str
    terms: tuple[TermOutcome, ...] = ()
    origin: str = MACHINE
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skeleton:
    """A request's text split as `translate` splits an article; renders the English around its sentences."""

    document: Document | None
    text: str
    keys: tuple = ()
    sentences: tuple[str, ...] = ()

    def render(self, english: Sequence[str]) -> str:
        if self.document is None:
            return self.text
        given = dict(zip(self.keys, english))
        return self.document.render({s.key: given.get(s.key, s.text) for s in self.document.segments()})

    def file(self, english: Sequence[str]) -> bytes:
        """The English as a file: an HTML, Markdown, DOCX or ODT file in its own format, text as UTF-8."""
        if not isinstance(self.document, MarkupDocument):
            return self.render(english).encode("utf-8")
        given = dict(zip(self.keys, english))
        return self.document.english_file({s.key: given.get(s.key, s.text) for s in self.document.segments()})


@dataclass
class Backend:
    """A loaded model, the glossary it enforces and the reviewed translations it may answer from."""

    engine: object
    glossary: object | None = None
    glossary_paths: tuple[Path, ...] = ()
    memory: object | None = None
    enforcer: GlossaryEnforcer | None = field(default=None, repr=False)
    reviewer: GlossaryEnforcer | None = field(default=None, repr=False)
    """A second enforcer for glossary reviews outside the decoding thread (matchers keep caches)."""
    quotes: str | None = TYPOGRAPHIC
    """The German→English post-edit's quote style; None: the model's English is taken as it is
    (another pair's, whose conventions the post-edit does not know)."""

    @classmethod
    def load(
        cls,
        options: RunOptions,
        *,
        locales: Path | None = None,
        engine: Callable[[object, RunOptions], object] | None = None,
        package: ArgosPackage | None = None,
    ) -> "Backend":
        """Load everything once: model, glossary, memory. Raises InputError for bad input.

        `engine(package, options)` loads what decodes (`dolmetsch serve --ray` gives a stand-in
        holding only the tokenizer: its replicas decode); `package` is the German→English package
        (default: `options.model`, else the installed one)."""
        enforced, paths = run_glossary(options.glossary, no_glossary=options.no_glossary)
        tm = options.memory_files
        memory = load_memory(catalogues_under(locales), tm) if (locales is not None or tm) else None
        package = package or find_package(options.model, offline=options.offline)
        engine = (engine or start_engine)(package, options)
        enforcer = GlossaryEnforcer(enforced) if enforced is not None else None
        reviewer = GlossaryEnforcer(enforced) if enforced is not None else None
        return cls(engine, enforced, paths, memory, enforcer, reviewer)

    @classmethod
    def plain(cls, package: ArgosPackage, options: RunOptions) -> "Backend":
        """Another pair's package, decoded as its model gives it: no glossary, memory or post-edit."""
        return cls(start_engine(package, options), quotes=None)

    @property
    def model_name(self) -> str:
        return self.engine.package.name

    @property
    def pair(self) -> tuple[str, str]:
        return self.engine.package.codes

    def skeleton(self, text: str | bytes, format: str = "text", name: str = "request") -> Skeleton:
        """The sentences of `text` (those with letters) and how to put the English back around them.

        `format` is "text" or "html" for a request's `q`; a file's bytes are read by the source
        format its `name`'s suffix names (format "file"). InputError for what cannot be read."""
        if format == "file":
            document = source_format(name).parse(text, name, "request")
            text = ""
        elif not text.strip():
            return Skeleton(None, text)
        elif format == "html":
            document = source_format("q.html").parse(text.encode("utf-8"), "q", "request")
        else:
            document = parse_text(text, name="request")
        wordy = [s for s in document.segments() if has_words(s.plain)]
        return Skeleton(document, text, tuple(s.key for s in wordy), tuple(s.text for s in wordy))

    def cost(self, sentence: str) -> int:
        """Source pieces of a sentence: what the batch's token budget counts."""
        return len(self.engine.encode(sentence)) or 1

    def remembered(self, sentence: str, glossary=None) -> Rendered | None:
        """A reviewed translation of exactly this sentence from the memory, if it holds one; with
        a request's glossary, only one that honours every term of it (else the sentence is decoded)."""
        if self.memory is None:
            return None
        hit = self.memory.exact(sentence)
        if hit is None:
            return None
        reviewer = glossary.reviewer if glossary is not None else self.reviewer
        terms = reviewer.review(sentence, hit.english) if reviewer is not None else ()
        if glossary is not None and any(t.missing for t in terms):
            return None
        return Rendered(hit.english, terms, MEMORY)

    def translate(self, sentences: Sequence[str], alternatives: int = 0, glossary=None) -> list[Rendered]:
        """Decode sentences in one batched pass with the glossary enforced, as `translate` does
        (`glossary`: a request's glossary, enforced instead of the server's).

        Placeables are masked as numbers; a sentence whose masks do not come back exactly once is
        translated again in pieces around its placeables, so they are always returned untouched.
        """
        enforcer = glossary.enforcer if glossary is not None else self.enforcer
        reviewer = glossary.reviewer if glossary is not None else self.reviewer
        masked = [_mask(s) for s in sentences]
        first = self._decode([m for m, _ in masked], enforcer)
        results: list[Rendered | None] = []
        retry: dict[int, list[str]] = {}
        for i, ((text, marks), done) in enumerate(zip(masked, first)):
            restored = _unmask(done.english, marks)
            if restored is None:
                retry[i] = _pieces(sentences[i])
                results.append(None)
            else:
                results.append(Rendered(restored, done.terms))
        if retry:
            wordy = [p for pieces in retry.values() for p in pieces if has_words(p) and not PLACEABLE.fullmatch(p)]
            decoded = dict(zip(wordy, self._decode(wordy, enforcer))) if wordy else {}
            for i, pieces in retry.items():
                english = "".join(decoded[p].english if p in decoded else p for p in pieces)
                terms = tuple(t for p in pieces if p in decoded for t in decoded[p].terms)
                results[i] = Rendered(english, terms)
        if alternatives > 0:
            for i, alt in enumerate(self._alternatives(sentences, alternatives, reviewer)):
                results[i] = Rendered(results[i].english, results[i].terms, MACHINE, alt)
        return results

    def _decode(self, sentences: Sequence[str], enforcer: GlossaryEnforcer | None) -> list[Rendered]:
        """The pipeline of `translate` on a synthetic document holding one paragraph per sentence."""
        if not sentences:
            return []
        document = _synthetic(sentences)
        [done] = translate_documents([DocumentJob(document)], self.engine, enforcer=enforcer, model=self.model_name, quotes=self.quotes)
        by_key = {s.segment.key: s for s in done.segments}
        return [Rendered(by_key[s.key].english, by_key[s.key].terms) for s in document.segments()]

    def _alternatives(self, sentences: Sequence[str], n: int, reviewer: GlossaryEnforcer | None) -> list[tuple[str, ...]]:
        """Up to `n` other hypotheses per sentence (post-edited, placeables intact, none losing a
        glossary term the best one keeps)."""
        found = []
        hypotheses = self.engine.translate(list(sentences), num_hypotheses=n + 1, beam_size=max(n + 1, self.engine.options.beam_size))
        for sentence, options in zip(sentences, hypotheses):
            kept = []
            if PLACEHOLDER.search(sentence):  # inline markup: only the best translation carries it
                found.append(())
                continue
            for hypothesis in options[1:]:
                english = post_edit(hypothesis.text, quotes=self.quotes)[0] if self.quotes else hypothesis.text
                if any(p not in english for p in PLACEABLE.findall(sentence)):
                    continue
                if reviewer is not None and any(t.missing for t in reviewer.review(sentence, english)):
                    continue
                kept.append(english)
            found.append(tuple(kept))
        return found


def served_packages(models: Sequence[Path], *, offline: bool = False) -> list[tuple[Path | None, ArgosPackage]]:
    """The packages a server serves, its German→English one first, one per pair, each with the
    `--model` it was given as (None: an installed one).

    `models` are the .argosmodel files or package folders given with `--model`; one of them must
    translate German→English. Without any, the installed German→English package (installed from
    the index first unless `offline`) and every other installed pair (the newest package of each).
    InputError for a package that cannot be read, or two for one pair."""
    if not models:
        main = find_package(None, offline=offline)
        others: dict[tuple[str, str], ArgosPackage] = {}
        for package in installed_packages():
            if package.codes != main.codes and (package.codes not in others or package.version_key > others[package.codes].version_key):
                others[package.codes] = package
        return [(None, main), *((None, p) for p in others.values())]
    found: dict[tuple[str, str], tuple[Path, ArgosPackage]] = {}
    for model in models:
        package = _package_at(Path(model))
        if package.codes in found:
            raise InputError(model, f"translates {package.pair}, as {found[package.codes][0]} does: give one package per pair")
        found[package.codes] = (Path(model), package)
    if DEFAULT_PAIR not in found:
        raise InputError(models[0], "none of the --model packages translates de→en, the pair the glossary applies to")
    main = found.pop(DEFAULT_PAIR)
    return [main, *found.values()]


def _package_at(model: Path) -> ArgosPackage:
    return ArgosPackage.from_dir(model) if model.is_dir() else open_package_file(model)


def _synthetic(sentences: Sequence[str]) -> Document:
    """One segment per sentence, so each is translated as it is, never re-split or re-classified; a
    sentence with placeholders (from an HTML request) carries the elements they stand for."""
    segments = tuple(
        Segment(number, 0, 1, Kind.PARAGRAPH, 1, text, elements_of(text) if PLACEHOLDER.search(text) else None)
        for number, text in enumerate(sentences, start=1)
    )
    return MarkupDocument("request", "request", "utf_8", (), (), marked=segments)


def _mask(sentence: str) -> tuple[str, list[tuple[str, str]]]:
    """The sentence with each placeable replaced by a number that occurs nowhere in it, and the pairs."""
    marks = []
    number = MASK_BASE
    text = sentence
    for placeable in dict.fromkeys(PLACEABLE.findall(sentence)):
        while str(number) in sentence:
            number += 1
        marks.append((placeable, str(number)))
        text = text.replace(placeable, str(number))
        number += 1
    return text, marks


def _unmask(english: str, marks: list[tuple[str, str]]) -> str | None:
    """The English with the placeables back, or None when a mask is lost or repeated."""
    for placeable, mask in marks:
        if len(re.findall(rf"(?<!\d){mask}(?!\d)", english)) != 1:
            return None
    for placeable, mask in marks:
        english = re.sub(rf"(?<!\d){mask}(?!\d)", lambda _: placeable, english)
    return english


def _pieces(sentence: str) -> list[str]:
    """The sentence cut around its placeables, whitespace kept with the placeables."""
    pieces = []
    last = 0
    for found in PLACEABLE.finditer(sentence):
        start, end = found.span()
        before = sentence[last:start]
        core = before.rstrip()
        pieces += [core, before[len(core) :]] if core else [before]
        pieces.append(found.group())
        last = end
    rest = sentence[last:]
    core = rest.lstrip()
    pieces += [rest[: len(rest) - len(core)], core] if core else [rest]
    return [p for p in pieces if p]


__all__ = ["Backend", "Rendered", "Skeleton", "InputError", "MACHINE", "CACHED", "MEMORY"]
