"""Finding glossary candidates in an article: names, adjectives derived from names, acronyms, terms.

No named-entity model can be downloaded, so the cues are a German tagger's (HanTa) and the
text's own; see `dolmetsch.terms.extract` for the whole method.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType

from dolmetsch.document.model import Document
from dolmetsch.terms.dictionary import DingDictionary
from dolmetsch.terms.exonyms import Exonyms

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


@dataclass
class Word:
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


class CandidateFinder:
    """Tags an article's sentences and finds its candidates; `zipf` is a word's frequency in general German."""

    def __init__(self, *, tagger, exonyms: Exonyms, dictionary: DingDictionary | None, zipf: Callable[[str], float]):
        self.tagger = tagger
        self.exonyms = exonyms
        self.dictionary = dictionary
        self.zipf = zipf

    def tagged(self, document: Document) -> tuple[list[str], list[list[Word]]]:
        sentences: list[str] = []
        words: list[list[Word]] = []
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
                    row.append(Word(text, lemma, pos, start, end, initial, index))
            words.append(row)
        return sentences, words

    def candidates(self, sentences: list[str], words: list[list[Word]]) -> list[Candidate]:
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

    def _name_runs(self, sentences, words, name_words) -> list[list[Word]]:
        """Adjacent name words (an acronym may lead: RIA Nowosti), and names that a capitalised
        adjective starts inside a sentence (Demokratischen Volksrepublik Korea)."""
        runs: list[list[Word]] = []
        for row in words:
            i = 0
            while i < len(row):
                w = row[i]
                run: list[Word] = []
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

    def _split_runs(self, runs: list[list[Word]]) -> list[list[Word]]:
        """Undo accidental adjacency: a run seen once whose words all stand alone elsewhere
        (…hatte Putin Kim…), or that ends in a country or city (…Sergej Schoigu Nordkorea)."""
        alone = Counter(run[0].text for run in runs if len(run) == 1)
        seen = Counter(tuple(w.text for w in run) for run in runs)
        result: list[list[Word]] = []
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

    def _run_base(self, run: list[Word], words) -> tuple[str, tuple[str, ...]]:
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
                parts.append(capitalise(w.lemma) + ADJECTIVE_ENDINGS[gender])
            elif w is head:
                roles.append("noun")
                parts.append(self._noun_base(w, gender))
            else:
                roles.append("name")
                parts.append(self._name_base(w) if position == len(run) - 1 else w.text)
        return " ".join(parts), tuple(roles)

    def _name_base(self, w: Word) -> str:
        """Genitive -s removed when the tagger's lemma or the bare form (seen elsewhere) says so."""
        text = w.text
        if text.endswith("s") and len(text) > 3 and not w.acronym:
            bare = text[:-1]
            if w.lemma == bare or self.exonyms.name(bare):
                return bare
        return text

    def _noun_base(self, w: Word, gender: str) -> str:
        lemma = capitalise(w.lemma) if w.lemma else w.text
        if gender == "pl":
            return w.text
        return lemma if w.text.lower().startswith(lemma.lower()[: max(3, len(lemma) - 2)]) else w.text

    def _gender(self, noun: Word, words) -> str:
        """m, f, n or pl (plural) for the head noun of an adjective + noun name: the dictionary's
        gender, else German noun-ending rules, with a genitive -s ruling out feminine."""
        lemma = capitalise(noun.lemma) or noun.text
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

    def _term_lemma(self, w: Word) -> str:
        """The tagger's lemma, or lemma + e where that is the word German uses (it cuts unknown
        compounds short: Interkontinentalraketen → Interkontinentalraket), or the form as written
        where German uses it far more than the lemma (US-Medien, not US-Medium)."""
        surface_parts = w.text.split("-")
        lemma_parts = (w.lemma or w.text).split("-")
        if len(lemma_parts) != len(surface_parts):
            lemma_parts = surface_parts
        last_surface, last_lemma = surface_parts[-1], case_like(surface_parts[-1], lemma_parts[-1])
        options = [last_lemma]
        if last_surface.startswith(last_lemma + "e") and last_surface != last_lemma:
            options.append(last_lemma + "e")
        best = max(options, key=lambda form: (self.zipf(form), -options.index(form)))
        if not last_surface.startswith(best) and self.zipf(last_surface) >= self.zipf(best) + 0.5:
            best = last_surface  # an irregular plural German prefers (Medien, not Medium)
        return "-".join(surface_parts[:-1] + [best])


# --- helpers -------------------------------------------------------------------------------

def is_byline(text: str) -> bool:
    """`Von Paul Krisai`, `Text: …`, `red, ORF.at/Agenturen`: who wrote it, not what it says."""
    return len(text.split()) <= BYLINE_MAX_WORDS and bool(BYLINE.search(text.strip()))


def _block_index(document: Document, number: int) -> int:
    for index, block in enumerate(document.blocks):
        if block.number == number:
            return index
    raise KeyError(number)


def _adjacent(sentences: list[str], row: list[Word], i: int) -> bool:
    """Whether word i and word i+1 are separated by white space only."""
    if i + 1 >= len(row):
        return False
    text = sentences[row[i].sentence]
    return text[row[i].end : row[i + 1].start].isspace()


def headwords(w: Word) -> set[str]:
    """The dictionary headwords a word may be looked up under."""
    lemma = w.lemma or w.text
    found = {w.text, lemma, capitalise(lemma), adjective_lemma(w.text), *w.text.split("-")}
    found.add(case_like(w.text, lemma))
    return found


def case_like(model: str, text: str) -> str:
    """`text` capitalised like `model`'s first letter (HanTa lower-cases lemmas after a hyphen)."""
    return text[:1].upper() + text[1:] if model[:1].isupper() else text


def capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


def adjective_lemma(word: str) -> str:
    """nationaler → national, Demokratische → demokratisch (the dictionary's headword)."""
    lower = word.lower()
    for ending in ("es", "er", "e"):
        if lower.endswith(ending) and len(lower) - len(ending) >= 4:
            return lower[: -len(ending)]
    return lower
