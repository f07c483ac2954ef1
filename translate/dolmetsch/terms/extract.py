"""Glossary proposals from an article: names, adjectives derived from names, acronyms and the terms
characteristic of it, each with English suggestions, best first.

Finding candidates (no named-entity model can be downloaded, so the cues are a German
tagger's and the text's own):

* *names*: words the HanTa tagger (Hannover Tagger, a small morphological HMM tagger that ships
  its German model) tags as proper nouns (NE) in most of their occurrences, joined into runs of
  adjacent words (Kim Jong Un, RIA Nowosti); a run seen once whose words all stand alone elsewhere
  (…hatte Putin Kim…) or that ends in a country (…Schoigu Nordkorea) is split. A capitalised
  adjective inside a sentence starts a name (des Nationalen Sicherheitsrats, der Demokratischen
  Volksrepublik Korea); a common noun directly before a place name, recurring, forms one too
  (Weltraumbahnhof Wostotschny). Inflected forms are reduced to the base form: genitive `-s` when
  the bare form occurs or the tagger's lemma says so (Putins → Putin), adjectives to the strong
  nominative of the head noun's gender (Nationaler Sicherheitsrat);
* *adjectives* whose English is a proper adjective: CLDR language and country names (russisch,
  nordkoreanisch), or a dictionary sense that English capitalises (sowjetisch → Soviet);
* *acronyms* (TASS, ORF), kept as written unless English abbreviates differently (USA → US);
* *terms*: common nouns and compounds ranked by keyness — occurrences times how much rarer the
  word is in general German (wordfreq's Zipf scale); frequent everyday words are left out.

Photo credits (Kind.CREDIT) and bylines are skipped. English suggestions come, best first, from
exonyms (`exonyms`: CLDR and cited tables), the given glossaries' own renderings of a name's
words, re-transliteration of Cyrillic-origin names (`transliterate`), the Ding dictionary when
installed (`dictionary`), composition (hyphenated compounds, adjective + noun names) and the
translation model's rendering in context (`--model`, aligned with `align.locate_term`).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.errors import InputError
from dolmetsch.glossary.matcher import GlossaryMatcher
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.glossary.tsv import read_tsv
from dolmetsch.terms.candidates import Candidate, CandidateFinder, headwords
from dolmetsch.terms.dictionary import DingDictionary
from dolmetsch.terms.exonyms import Exonyms
from dolmetsch.terms.suggest import Suggester, Suggestion
from dolmetsch.terms.transliterate import Transliterator

RESPELLING_SOURCES = ("CLDR", "transliteration", "German exonym", "region", "abbreviation", "the given glossaries")
"""Sources whose English replaces the German spelling, so the German words become forbidden variants."""
MAX_ALTERNATIVES = 3
DEFAULT_COMMENTS = (
    "Proposals from `dolmetsch glossary extract`: status proposed, not enforced until a curator checks",
    "the English, edits the row and sets status to approved. The note says where each suggestion came from.",
)


@dataclass(frozen=True)
class Proposal:
    candidate: Candidate
    suggestions: tuple[Suggestion, ...]

    @property
    def english(self) -> str:
        return self.suggestions[0].english if self.suggestions else ""

    def entry(self) -> Entry:
        """The glossary row: status proposed, the note saying where the English came from."""
        c = self.candidate
        note = [f"{c.category}, {c.count}× in the article" + (f" ({c.evidence})" if c.evidence else "")]
        if self.suggestions:
            best = self.suggestions[0]
            note.append(f"en from {best.source}; confidence {best.confidence:.2f}")
            others = [f"{s.english} ({s.source.split(':')[0]})" for s in self.suggestions[1 : 1 + MAX_ALTERNATIVES]]
            if others:
                note.append("also: " + ", ".join(others))
            english = best.english
        else:
            note.append("no English suggestion: en repeats the German as a placeholder; confidence 0.00")
            english = c.de
        kind = "keep" if c.kind == "keep" and english == c.de else ("name" if c.kind == "keep" else c.kind)
        return Entry(
            de=c.de,
            en=english,
            kind=kind,
            note="; ".join(note).replace("\t", " ").replace("\n", " "),
            status="proposed",
            forbidden=self._forbidden(english),
        )

    def _forbidden(self, english: str) -> tuple[str, ...]:
        """For a respelled name, its German words that must not leak into the English (Wostotschny)."""
        best = self.suggestions[0] if self.suggestions else None
        if self.candidate.kind != "name" or best is None or not best.source.startswith(RESPELLING_SOURCES):
            return ()
        english_words = {w.lower() for w in re.split(r"[\s\-]+", english)}
        return tuple(
            dict.fromkeys(
                w for w in re.split(r"[\s\-]+", self.candidate.de)
                if len(w) >= 3 and w[:1].isupper() and w.lower() not in english_words
            )
        )


@dataclass
class Extraction:
    proposals: list[Proposal]
    known: list[tuple[Candidate, Entry]]
    seconds: float


class Extractor:
    """Finds candidates in documents and suggests English for them; every resource (tagger, word
    lists, CLDR, dictionary, model) is loaded on first use and kept for the next document."""

    def __init__(
        self,
        *,
        known: Glossary | Iterable[Entry] = (),
        dictionary: DingDictionary | None | bool = True,
        engine=None,
        transliterator: Transliterator | None = None,
    ):
        self.known = list(known)
        self._dictionary_option = dictionary
        self.engine = engine
        self.transliterator = transliterator or Transliterator()
        self.exonyms = Exonyms()

    @cached_property
    def dictionary(self) -> DingDictionary | None:
        option = self._dictionary_option
        if option is True:
            return DingDictionary.available()
        return option or None

    @cached_property
    def tagger(self):
        from HanTa import HanoverTagger  # loads a 15 MB model: only when extracting

        return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")

    @cached_property
    def known_matcher(self) -> GlossaryMatcher:
        return GlossaryMatcher(self.known)

    @cached_property
    def known_words(self) -> dict[str, str]:
        """Each word of a known name whose rendering respells it (Wladimir → Vladimir)."""
        mapping: dict[str, str] = {}
        for entry in self.known:
            de_words, en_words = entry.de.split(), entry.en.split()
            if entry.kind == "name" and len(de_words) == len(en_words):
                for de_word, en_word in zip(de_words, en_words):
                    if de_word != en_word:
                        mapping.setdefault(de_word, en_word)
        return mapping

    def zipf(self, word: str) -> float:
        return self.transliterator.frequency(word, "de")

    @cached_property
    def finder(self) -> CandidateFinder:
        return CandidateFinder(tagger=self.tagger, exonyms=self.exonyms, dictionary=self.dictionary, zipf=self.zipf)

    @cached_property
    def suggester(self) -> Suggester:
        return Suggester(
            exonyms=self.exonyms,
            transliterator=self.transliterator,
            dictionary=self.dictionary,
            known_words=self.known_words,
            engine=self.engine,
        )

    # --- the whole job --------------------------------------------------------------------

    def extract(self, document: Document) -> Extraction:
        started = time.perf_counter()
        sentences, words = self.finder.tagged(document)
        if self.dictionary is not None:  # two passes over the file: the words, then the multi-word candidates
            self.dictionary.prefetch(h for row in words for w in row if w.pos.startswith(("NN", "NE", "ADJ")) for h in headwords(w))
        candidates = self.finder.candidates(sentences, words)
        if self.dictionary is not None:
            self.dictionary.prefetch(c.de for c in candidates)
        known, fresh = [], []
        for candidate in candidates:
            entry = self.is_known(candidate.de)
            if entry is not None:
                known.append((candidate, entry))
            else:
                fresh.append(candidate)
        renderings = self.suggester.model_renderings(fresh, sentences) if self.engine is not None else {}
        proposals = []
        for candidate in fresh:
            suggestions = self.suggester.suggest(candidate, renderings.get(candidate.de, Counter()))
            if candidate.category == "adjective" and not suggestions:
                continue  # not derived from a name as far as any source knows
            proposals.append(Proposal(candidate, tuple(suggestions)))
        return Extraction(proposals, known, time.perf_counter() - started)

    def is_known(self, german: str) -> Entry | None:
        """The known entry whose German covers all of `german`, inflected forms included."""
        if not self.known:
            return None
        for match in self.known_matcher.match(german):
            if match.start == 0 and match.end == len(german):
                return match.entry
        return None


def merge_proposals(existing: Sequence[Entry], proposals: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Existing rows as they are, then the proposals whose German is not among them; returns
    (merged rows, proposals skipped because the file already has them)."""
    present = GlossaryMatcher(existing)
    merged, skipped = list(existing), []
    for entry in proposals:
        if any(m.start == 0 and m.end == len(entry.de) for m in present.match(entry.de)):
            skipped.append(entry)
        else:
            merged.append(entry)
    return merged, skipped


def read_existing(path: Path) -> tuple[list[Entry], list[str]] | None:
    """The rows and leading comments of an existing proposals file; None if there is none.

    InputError if the file exists but is not a glossary (so it is never overwritten).
    """
    if not path.exists():
        return None
    if path.is_dir():
        raise InputError(path, "is a folder, cannot write the proposals there")
    try:
        entries = read_tsv(path)
    except InputError as exc:
        raise InputError(path, f"exists and is not a glossary ({exc.problem}); refusing to overwrite it") from None
    comments = []
    for line in path.read_text(encoding="utf-8-sig").split("\n"):
        if not line.startswith("#"):
            break
        comments.append(line[1:].removeprefix(" "))
    return entries, comments
