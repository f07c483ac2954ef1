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
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from dolmetsch.document.model import Document
from dolmetsch.glossary.dictionary import DingDictionary
from dolmetsch.glossary.exonyms import Exonyms
from dolmetsch.glossary.matcher import GlossaryMatcher
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.glossary.transliterate import Transliterator

TOKEN = re.compile(r"\w+(?:[-‐‑]\w+)*-?|[^\w\s]")
OPENERS = frozenset('.!?:„“"«»‚‘›‹–—(')
BYLINE = re.compile(
    r"^(?i:von|text|autor|autorin|foto|fotos|bild|bilder|grafik)\s*:?\s+(?:[A-ZÄÖÜ][\w.-]*\s*){1,4}(?:[,/(].*)?$"
    r"|^\w{2,6},\s*[\w.]+(?:/[\w.]+)*$"
)
"""`Von Paul Krisai`, `Text: Maria Muster (ORF.at)`, `red, ORF.at/Agenturen`: who wrote a piece."""
BYLINE_MAX_WORDS = 12
NAME_TAGS = ("NE",)
TERM_MAX_ZIPF = 3.6
"""Nouns at least this frequent in general German (Zipf ≥ 3.6: Treffen, Präsident) are everyday words, not terms."""
TERM_MIN_KEYNESS = 3.0
"""occurrences × (6 − Zipf): a word twice in the article at Zipf 4.5, or once at Zipf 3 or rarer."""
ZIPF_CEILING = 6.0
FACILITY_MIN_COUNT = 2
FEMININE_ENDINGS = ("ung", "heit", "keit", "schaft", "ion", "tät", "ik", "ie", "ei", "ur", "enz", "anz", "e", "in")
NEUTER_ENDINGS = ("um", "ment", "chen", "lein", "tum", "nis", "ma", "amt", "haus", "land", "reich", "zentrum", "institut", "gericht", "komitee", "büro", "werk")
ADJECTIVE_ENDINGS = MappingProxyType({"m": "er", "f": "e", "n": "es", "pl": "e"})
"""Strong nominative endings: the base form of an adjective in a name without article (Nationaler Sicherheitsrat)."""
MAX_MODEL_SENTENCES = 3
RESPELLING_SOURCES = ("CLDR", "transliteration", "German exonym", "region", "abbreviation", "the given glossaries")
"""Sources whose English replaces the German spelling, so the German words become forbidden variants."""
MAX_ALTERNATIVES = 3
DEFAULT_COMMENTS = (
    "Proposals from `dolmetsch glossary extract`: status proposed, not enforced until a curator checks",
    "the English, edits the row and sets status to approved. The note says where each suggestion came from.",
)
FUNCTION_WORDS = frozenset("the a an of in on at to for from by with and or as is was be that this his her its their".split())


@dataclass(frozen=True)
class Suggestion:
    english: str
    source: str
    confidence: float


@dataclass
class Candidate:
    """A German term found in the article: its base form, what it is, and where it occurs."""

    de: str
    kind: str  # glossary kind: name, keep or term
    category: str  # what was found: name, acronym, adjective, term
    count: int = 0
    forms: Counter = field(default_factory=Counter)
    sentences: list[int] = field(default_factory=list)
    evidence: str = ""
    keyness: float = 0.0
    words: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # per word: adj, noun, name

    def add(self, form: str, sentence: int) -> None:
        self.count += 1
        self.forms[form] += 1
        if sentence not in self.sentences:
            self.sentences.append(sentence)


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


@dataclass
class _Word:
    text: str
    lemma: str
    pos: str
    start: int
    end: int
    initial: bool
    sentence: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def acronym(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters) and "-" not in self.text


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

    # --- the whole job --------------------------------------------------------------------

    def extract(self, document: Document) -> Extraction:
        started = time.perf_counter()
        sentences, words = self._tagged(document)
        if self.dictionary is not None:  # two passes over the file: the words, then the multi-word candidates
            self.dictionary.prefetch(h for row in words for w in row if w.pos.startswith(("NN", "NE", "ADJ")) for h in _headwords(w))
        candidates = self._candidates(sentences, words)
        if self.dictionary is not None:
            self.dictionary.prefetch(c.de for c in candidates)
        known, fresh = [], []
        for candidate in candidates:
            entry = self.is_known(candidate.de)
            if entry is not None:
                known.append((candidate, entry))
            else:
                fresh.append(candidate)
        renderings = self._model_renderings(fresh, sentences) if self.engine is not None else {}
        proposals = []
        for candidate in fresh:
            suggestions = self.suggest(candidate, renderings.get(candidate.de, Counter()))
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

    # --- tagging --------------------------------------------------------------------------

    def _tagged(self, document: Document) -> tuple[list[str], list[list[_Word]]]:
        sentences: list[str] = []
        words: list[list[_Word]] = []
        for segment in document.segments():
            part = document.blocks[_block_index(document, segment.block)].parts[segment.part]
            if is_byline(part.text):
                continue  # credits never reach here: Document.segments() leaves Kind.CREDIT parts out
            tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(segment.text)]
            if not tokens:
                continue
            tags = self.tagger.tag_sent([t for t, _, _ in tokens], taglevel=1)
            index = len(sentences)
            sentences.append(segment.text)
            row = []
            for position, ((text, start, end), (_, lemma, pos)) in enumerate(zip(tokens, tags)):
                gap = segment.text[tokens[position - 1][2] : start] if position else ""
                previous = tokens[position - 1][0] if position else ""
                initial = position == 0 or any(c in OPENERS for c in gap + previous)
                if text[:1].isalnum():
                    row.append(_Word(text, lemma, pos, start, end, initial, index))
            words.append(row)
        return sentences, words

    # --- candidates -----------------------------------------------------------------------

    def _candidates(self, sentences: list[str], words: list[list[_Word]]) -> list[Candidate]:
        votes: dict[str, Counter] = defaultdict(Counter)
        for row in words:
            for w in row:
                if w.capitalised and not w.acronym:
                    votes[w.text][w.pos in NAME_TAGS] += 1
        name_words = {text for text, vote in votes.items() if vote[True] and vote[True] >= vote[False]}
        runs = self._name_runs(sentences, words, name_words)
        names = self._names(runs, words, name_words)
        facilities = self._facilities(sentences, words, runs, names)
        acronyms = self._acronyms(words, runs)
        adjectives = self._adjectives(words)
        inside_names = {(w.sentence, w.start) for run in runs for w in run}
        terms = self._terms(words, name_words, inside_names)
        names.sort(key=lambda c: (-c.count, c.de))
        return names + facilities + acronyms + adjectives + terms

    def _name_runs(self, sentences, words, name_words) -> list[list[_Word]]:
        """Adjacent name words (an acronym may lead: RIA Nowosti), and names that a capitalised
        adjective starts inside a sentence (Demokratischen Volksrepublik Korea)."""
        runs: list[list[_Word]] = []
        for row in words:
            i = 0
            while i < len(row):
                w = row[i]
                run: list[_Word] = []
                if w.pos.startswith("ADJ") and w.capitalised and not w.initial:
                    j = i
                    while j < len(row) and row[j].pos.startswith("ADJ") and row[j].capitalised and _adjacent(sentences, row, j):
                        j += 1
                    if j < len(row) and row[j].capitalised and not row[j].acronym and (row[j].pos.startswith("NN") or row[j].text in name_words):
                        run = row[i : j + 1]
                        j += 1
                        while j < len(row) and row[j].text in name_words and _adjacent(sentences, row, j - 1):
                            run.append(row[j])
                            j += 1
                elif w.text in name_words or (w.acronym and i + 1 < len(row) and row[i + 1].text in name_words and _adjacent(sentences, row, i)):
                    j = i + 1
                    while j < len(row) and row[j].text in name_words and _adjacent(sentences, row, j - 1):
                        j += 1
                    run = row[i:j]
                if run:
                    runs.append(run)
                    i += len(run)
                else:
                    i += 1
        return self._split_runs(runs)

    def _split_runs(self, runs: list[list[_Word]]) -> list[list[_Word]]:
        """Undo accidental adjacency: a run seen once whose words all stand alone elsewhere
        (…hatte Putin Kim…), or that ends in a country or city (…Sergej Schoigu Nordkorea)."""
        alone = Counter(run[0].text for run in runs if len(run) == 1)
        seen = Counter(tuple(w.text for w in run) for run in runs)
        result: list[list[_Word]] = []
        for run in runs:
            texts = tuple(w.text for w in run)
            if len(run) > 1 and seen[texts] == 1 and run[0].pos == "NE":
                if all(alone[t] for t in texts):
                    result.extend([w] for w in run)
                    continue
                if self.exonyms.name(self._name_base(run[-1])) and not self.exonyms.name(" ".join(texts)):
                    result.append(run[:-1])
                    result.append(run[-1:])
                    continue
            result.append(run)
        return result

    def _names(self, runs, words, name_words) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for run in runs:
            if all(w.acronym for w in run):
                continue
            base, roles = self._run_base(run, words)
            if not base:
                continue
            candidate = found.setdefault(base, Candidate(base, "name", "name", words=tuple(base.split()), roles=roles))
            candidate.add(" ".join(w.text for w in run), run[0].sentence)
        for candidate in found.values():
            if "adj" in candidate.roles:
                candidate.evidence = "starts with a capitalised adjective inside a sentence"
            elif len(candidate.words) > 1:
                candidate.evidence = "adjacent proper nouns (NE)"
            else:
                forms = {w.text for run in runs if len(run) == 1 for w in run if self._name_base(w) == candidate.de}
                tags = Counter(w.pos in NAME_TAGS for row in words for w in row if w.text in forms)
                candidate.evidence = f"tagged as a proper noun (NE) in {tags[True]} of {sum(tags.values())} occurrences"
        return list(found.values())

    def _run_base(self, run: list[_Word], words) -> tuple[str, tuple[str, ...]]:
        """The base form of a name run and each word's role (adj, noun, name); only a run an
        adjective starts has a head noun (a name word the tagger took for a noun stays a name)."""
        roles = []
        parts = []
        led_by_adjective = run[0].pos.startswith("ADJ") and run[0].capitalised and not run[0].initial
        nouns = [w for w in run if w.pos.startswith("NN") and not w.acronym] if led_by_adjective else []
        head = nouns[0] if nouns else None
        gender = self._gender(head, words) if head is not None else None
        for position, w in enumerate(run):
            if w.pos.startswith("ADJ") and head is not None and position < run.index(head):
                roles.append("adj")
                parts.append(_capitalise(w.lemma) + ADJECTIVE_ENDINGS[gender])
            elif w is head:
                roles.append("noun")
                parts.append(self._noun_base(w, gender))
            else:
                roles.append("name")
                parts.append(self._name_base(w) if position == len(run) - 1 else w.text)
        return " ".join(parts), tuple(roles)

    def _name_base(self, w: _Word) -> str:
        """Genitive -s removed when the tagger's lemma or the bare form (seen elsewhere) says so."""
        text = w.text
        if text.endswith("s") and len(text) > 3 and not w.acronym:
            bare = text[:-1]
            if w.lemma == bare or self.exonyms.name(bare):
                return bare
        return text

    def _noun_base(self, w: _Word, gender: str) -> str:
        lemma = _capitalise(w.lemma) if w.lemma else w.text
        if gender == "pl":
            return w.text
        return lemma if w.text.lower().startswith(lemma.lower()[: max(3, len(lemma) - 2)]) else w.text

    def _gender(self, noun: _Word, words) -> str:
        """m, f, n or pl (plural) for the head noun of an adjective + noun name: the dictionary's
        gender, else German noun-ending rules, with a genitive -s ruling out feminine."""
        lemma = _capitalise(noun.lemma) or noun.text
        if self.dictionary is not None:
            sense = self.dictionary.lookup(lemma)
            if sense and sense.gender:
                gender = sense.gender
                return "pl" if gender == "f" and noun.text != lemma else gender
        lower = lemma.lower()
        if noun.text != lemma and not noun.text.endswith("s") and noun.text.lower() != lower + "n":
            return "pl"
        if noun.text == lemma + "s" or noun.text == lemma + "es":
            return "n" if lower.endswith(NEUTER_ENDINGS) else "m"
        if lower.endswith(NEUTER_ENDINGS):
            return "n"
        if lower.endswith(FEMININE_ENDINGS):
            return "f" if noun.text == lemma else "pl"
        return "m"

    def _facilities(self, sentences, words, runs, names) -> list[Candidate]:
        """A common noun before a one-word place name, seen at least twice (Weltraumbahnhof
        Wostotschny); persons (words of a multi-word name) are left out (Präsident Putin)."""
        persons = {w.text for run in runs if len(run) > 1 for w in run}
        single = {run[0].text for run in runs if len(run) == 1}
        pairs: dict[str, Candidate] = {}
        for row in words:
            for i in range(len(row) - 1):
                noun, name = row[i], row[i + 1]
                if not (noun.pos.startswith("NN") and noun.capitalised and not noun.acronym and name.text in single):
                    continue
                if name.text in persons or not _adjacent(sentences, row, i) or self._name_base(name) != name.text:
                    continue  # a person, not adjacent, or a genitive attribute (im Osten Russlands)
                if i + 2 < len(row) and row[i + 2].text in single and _adjacent(sentences, row, i + 1):
                    continue
                base = f"{self._noun_base(noun, 'm')} {self._name_base(name)}"
                candidate = pairs.setdefault(base, Candidate(base, "name", "name", words=tuple(base.split()), roles=("noun", "name")))
                candidate.add(f"{noun.text} {name.text}", noun.sentence)
        found = [c for c in pairs.values() if c.count >= FACILITY_MIN_COUNT and c.de not in {n.de for n in names}]
        for c in found:
            c.evidence = "common noun before a place name, recurring"
        return found

    def _acronyms(self, words, runs) -> list[Candidate]:
        in_runs = Counter(w.text for run in runs if len(run) > 1 for w in run if w.acronym)
        found: dict[str, Candidate] = {}
        for row in words:
            for w in row:
                if w.acronym and w.text.isalpha():
                    c = found.setdefault(w.text, Candidate(w.text, "keep", "acronym", evidence="written in capitals"))
                    c.add(w.text, w.sentence)
        return [c for c in found.values() if c.count > in_runs[c.de]]

    def _adjectives(self, words) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for row in words:
            for w in row:
                if w.pos.startswith("ADJ") and w.lemma and (not w.capitalised or w.initial):
                    lemma = w.lemma.lower()
                    c = found.setdefault(
                        lemma, Candidate(lemma, "term", "adjective", evidence="proposed only when its English is a proper adjective")
                    )
                    c.add(w.text, w.sentence)
        return sorted(found.values(), key=lambda c: (-c.count, c.de))

    def _terms(self, words, name_words, inside_names) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for row in words:
            for w in row:
                if not (w.pos.startswith("NN") and w.capitalised and not w.acronym) or w.text in name_words:
                    continue
                if w.text.endswith("-") or (w.sentence, w.start) in inside_names:
                    continue
                lemma = self._term_lemma(w)
                c = found.setdefault(lemma, Candidate(lemma, "term", "term"))
                c.add(w.text, w.sentence)
        terms = []
        for c in found.values():
            if "-" in c.de and self._names_a_thing(c.de.split("-")[0], name_words):
                c.keyness = c.count * ZIPF_CEILING / 2
                c.evidence = "compound with a name or acronym"
                terms.append(c)
                continue
            zipf = max([self.zipf(c.de)] + [self.zipf(form) for form in c.forms])
            c.keyness = c.count * (ZIPF_CEILING - zipf)
            if zipf < TERM_MAX_ZIPF and c.keyness >= TERM_MIN_KEYNESS:
                c.evidence = f"keyness {c.keyness:.1f}: Zipf {zipf:.1f} in general German"
                terms.append(c)
        return sorted(terms, key=lambda c: (-c.keyness, c.de))

    def _names_a_thing(self, word: str, name_words: set[str]) -> bool:
        """Whether a compound's first part is an acronym or a name (US-Medien, Kreml-Chef)."""
        return (len(word) > 1 and word.isupper()) or word in name_words or self.exonyms.name(word) is not None

    def _term_lemma(self, w: _Word) -> str:
        """The tagger's lemma, or lemma + e where that is the word German uses (it cuts unknown
        compounds short: Interkontinentalraketen → Interkontinentalraket), or the form as written
        where German uses it far more than the lemma (US-Medien, not US-Medium)."""
        surface_parts = w.text.split("-")
        lemma_parts = (w.lemma or w.text).split("-")
        if len(lemma_parts) != len(surface_parts):
            lemma_parts = surface_parts
        last_surface, last_lemma = surface_parts[-1], _case_like(surface_parts[-1], lemma_parts[-1])
        options = [last_lemma]
        if last_surface.startswith(last_lemma + "e") and last_surface != last_lemma:
            options.append(last_lemma + "e")
        best = max(options, key=lambda form: (self.zipf(form), -options.index(form)))
        if not last_surface.startswith(best) and self.zipf(last_surface) >= self.zipf(best) + 0.5:
            best = last_surface  # an irregular plural German prefers (Medien, not Medium)
        return "-".join(surface_parts[:-1] + [best])

    # --- English --------------------------------------------------------------------------

    def suggest(self, candidate: Candidate, rendered: Counter) -> list[Suggestion]:
        """English for a candidate, best first, without duplicates."""
        if candidate.category == "adjective":
            found = self._adjective_suggestions(candidate)
        elif candidate.category == "acronym":
            found = self._acronym_suggestions(candidate)
        elif candidate.category == "term":
            found = self._term_suggestions(candidate)
        else:
            found = self._name_suggestions(candidate)
        if candidate.category == "adjective" and not any(s.english[:1].isupper() for s in found):
            return []  # only an exonym or the dictionary can tell that an adjective comes from a name
        found += self._model_suggestions(candidate, rendered)
        unique: list[Suggestion] = []
        for s in found:
            if s.english and all(s.english != u.english for u in unique):
                unique.append(s)
        return unique

    def _name_suggestions(self, c: Candidate) -> list[Suggestion]:
        found: list[Suggestion] = []
        exonym = self.exonyms.name(c.de)
        if exonym:
            found.append(Suggestion(exonym.english, exonym.source, exonym.confidence))
        composed_name = "noun" in c.roles
        romanised = None if composed_name else self.transliterator.romanise_name(c.de)
        words = c.de.split()
        if not composed_name and any(w in self.known_words for w in words):
            per_word = romanised.english.split() if romanised and len(romanised.english.split()) == len(words) else words
            english = " ".join(self.known_words.get(w, r) for w, r in zip(words, per_word))
            found.append(Suggestion(english, "the given glossaries' renderings of these words", 0.85))
        if romanised is not None:
            how = f"established spelling: {romanised.established}" if romanised.established else "BGN/PCGN rules"
            confidence = 0.9 if romanised.established else min(0.9, 0.55 + 0.05 * romanised.evidence.score)
            language = "Ukrainian" if romanised.language == "uk" else "Russian"
            found.append(Suggestion(romanised.english, f"transliteration: {language} {romanised.cyrillic}, {how}", confidence))
            found += [Suggestion(a, "transliteration: another reading", 0.3) for a in romanised.alternatives[:2]]
        found += self._dictionary_names(c.de)
        if composed_name:
            found += self._composed_name(c)
        elif romanised is None or not romanised.changed:
            found.append(Suggestion(c.de, "as written: names keep their spelling (no exonym, not of Cyrillic origin)", 0.6))
        return found

    def _dictionary_names(self, german: str) -> list[Suggestion]:
        sense = self.dictionary.lookup(german) if self.dictionary is not None else None
        if not sense:
            return []
        return [Suggestion(e, "Ding dictionary (trans-de-en)", 0.7) for e in sense.english[:2] if e[:1].isupper()]

    def _composed_name(self, c: Candidate) -> list[Suggestion]:
        """Adjective + noun (+ name): each word's English, `of` before a trailing name (Islamische
        Republik Iran → Islamic Republic of Iran); noun + place: the place first (Vostochny
        Cosmodrome), or the place alone when the noun's English is unknown."""
        english: list[str | None] = []
        for word, role in zip(c.words, c.roles):
            if role == "name":
                english.append(self._name_word(word))
            else:
                sense = self._lookup_word(word) if role == "noun" else self._lookup_adjective(_adjective_lemma(word))
                english.append(_title(sense) if sense else None)
        if c.roles == ("noun", "name"):
            if english[0] is None:
                return [Suggestion(english[1], f"the place alone (no English found for {c.words[0]})", 0.3)]
            return [Suggestion(f"{english[1]} {english[0]}", "composed: the place, then the English of the noun (dictionary)", 0.5)]
        if any(e is None for e in english):
            return []
        if c.roles[-1] == "name":
            split = c.roles.index("name")
            text = " ".join(english[:split]) + " of " + " ".join(english[split:])
        else:
            text = " ".join(english)
        return [Suggestion(text, "composed from the words' English (dictionary, exonyms)", 0.5)]

    def _name_word(self, word: str) -> str:
        exonym = self.exonyms.name(word)
        if exonym:
            return exonym.english
        romanised = self.transliterator.romanise_name(word)
        return romanised.english if romanised else word

    def _lookup_adjective(self, german: str) -> str | None:
        """The first English adjective (not an -ly adverb) the dictionary gives."""
        sense = self.dictionary.lookup(german) if self.dictionary is not None else None
        return next((e for e in sense.english if not e.endswith("ly")), None) if sense else None

    def _lookup_word(self, german: str) -> str | None:
        sense = self.dictionary.lookup(german) if self.dictionary is not None else None
        return sense.english[0] if sense else None

    def _acronym_suggestions(self, c: Candidate) -> list[Suggestion]:
        exonym = self.exonyms.name(c.de)
        found = []
        if exonym:
            found.append(Suggestion(exonym.english, exonym.source, exonym.confidence))
        found.append(Suggestion(c.de, "as written: acronyms stay unless English abbreviates differently", 0.6))
        return found

    def _adjective_suggestions(self, c: Candidate) -> list[Suggestion]:
        found = []
        demonym = self.exonyms.demonym(c.de)
        if demonym:
            found.append(Suggestion(demonym.english, demonym.source, demonym.confidence))
        sense = self.dictionary.lookup(c.de) if self.dictionary is not None else None
        if sense:
            found += [Suggestion(e, "Ding dictionary (trans-de-en)", 0.7) for e in sense.english[:2] if e[:1].isupper()]
        return found

    def _term_suggestions(self, c: Candidate) -> list[Suggestion]:
        found = []
        sense = self.dictionary.lookup(c.de) if self.dictionary is not None else None
        if sense:
            found += [Suggestion(e, "Ding dictionary (trans-de-en)", 0.7 if i == 0 else 0.4) for i, e in enumerate(sense.english[:3])]
        if "-" in c.de and not found:
            parts = c.de.split("-")
            english = []
            for part in parts:
                exonym = self.exonyms.name(part)
                if exonym:
                    english.append(exonym.english)
                elif part.isupper():
                    english.append(part)
                else:
                    english.append(self._lookup_word(part) or "")
            if all(english):
                found.append(Suggestion(" ".join(english), "composed from the compound's parts (exonyms, dictionary)", 0.5))
        return found

    # --- the model's rendering ----------------------------------------------------------

    def _model_renderings(self, candidates: Sequence[Candidate], sentences: list[str]) -> dict[str, Counter]:
        """How the model renders each candidate in (up to three of) its sentences, read off the
        hypothesis with align.locate_term."""
        from dolmetsch.glossary.align import locate_term

        entries = {c.de: Entry(de=c.de, en=c.de, kind="term" if c.kind == "term" else "name", status="proposed") for c in candidates}
        matcher = GlossaryMatcher(entries.values())
        wanted: dict[int, list[str]] = defaultdict(list)
        for c in candidates:
            for index in c.sentences[:MAX_MODEL_SENTENCES]:
                wanted[index].append(c.de)
        order = sorted(wanted)
        hypotheses = self.engine.translate([sentences[i] for i in order], return_attention=True)
        renderings: dict[str, Counter] = defaultdict(Counter)
        for index, hyps in zip(order, hypotheses):
            if not hyps:
                continue
            hypothesis = hyps[0]
            for match in matcher.match(sentences[index]):
                if match.entry.de not in wanted[index]:
                    continue
                start, end = locate_term(self.engine, sentences[index], hypothesis, match)
                if start is None:
                    continue
                text = self.engine.decode(hypothesis.pieces[start:end]).strip(" ,.;:!?\"'„“”‘’«»()")
                if text:
                    renderings[match.entry.de][text] += 1
        return renderings

    def _model_suggestions(self, c: Candidate, rendered: Counter) -> list[Suggestion]:
        """The model's renderings, most frequent first; function words alone, and lower-case
        renderings of a name, are misalignments rather than renderings."""
        total = sum(rendered.values())
        plausible = [
            (text, n) for text, n in rendered.most_common()
            if not set(text.lower().split()) <= FUNCTION_WORDS and (c.kind == "term" or text[:1].isupper())
        ]
        return [
            Suggestion(text, f"model: rendered so in {n} of {total} sentences", round(0.3 + 0.3 * n / total, 2))
            for text, n in plausible[:2]
        ]


# --- helpers -------------------------------------------------------------------------------

def is_byline(text: str) -> bool:
    """`Von Paul Krisai`, `Text: …`, `red, ORF.at/Agenturen`: who wrote it, not what it says."""
    return len(text.split()) <= BYLINE_MAX_WORDS and bool(BYLINE.search(text.strip()))


def _block_index(document: Document, number: int) -> int:
    for index, block in enumerate(document.blocks):
        if block.number == number:
            return index
    raise KeyError(number)


def _adjacent(sentences: list[str], row: list[_Word], i: int) -> bool:
    """Whether word i and word i+1 are separated by white space only."""
    if i + 1 >= len(row):
        return False
    text = sentences[row[i].sentence]
    return text[row[i].end : row[i + 1].start].isspace()


def _headwords(w: _Word) -> set[str]:
    """The dictionary headwords a word may be looked up under."""
    lemma = w.lemma or w.text
    found = {w.text, lemma, _capitalise(lemma), _adjective_lemma(w.text), *w.text.split("-")}
    found.add(_case_like(w.text, lemma))
    return found


def _case_like(model: str, text: str) -> str:
    """`text` capitalised like `model`'s first letter (HanTa lower-cases lemmas after a hyphen)."""
    return text[:1].upper() + text[1:] if model[:1].isupper() else text


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


def _adjective_lemma(word: str) -> str:
    """nationaler → national, Demokratische → demokratisch (the dictionary's headword)."""
    lower = word.lower()
    for ending in ("es", "er", "e"):
        if lower.endswith(ending) and len(lower) - len(ending) >= 4:
            return lower[: -len(ending)]
    return lower


def _title(text: str) -> str:
    """Capitalise each word but small function words, as English writes names."""
    small = {"of", "the", "and", "for", "in", "on", "at", "to", "a", "an"}
    return " ".join(w if w in small else w[:1].upper() + w[1:] for w in text.split())


def extract_file(
    source: str,
    *,
    known: Glossary | Iterable[Entry] = (),
    engine=None,
    dictionary: DingDictionary | None | bool = True,
) -> Extraction:
    """Read an article (dolmetsch.document.reading.read_document) and extract proposals from it."""
    from dolmetsch.document.reading import read_document

    return Extractor(known=known, engine=engine, dictionary=dictionary).extract(read_document(source))


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
    from dolmetsch.errors import InputError
    from dolmetsch.glossary.tsv import read_tsv

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
