"""English for glossary candidates, best first: exonyms, the given glossaries' renderings,
re-transliteration of Cyrillic-origin names, the Ding dictionary, composition, and the model's
rendering in context."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dolmetsch.glossary.matcher import GlossaryMatcher
from dolmetsch.glossary.model import Entry
from dolmetsch.terms.candidates import Candidate, adjective_lemma
from dolmetsch.terms.dictionary import DingDictionary
from dolmetsch.terms.exonyms import Exonyms
from dolmetsch.terms.transliterate import Transliterator

MAX_MODEL_SENTENCES = 3
FUNCTION_WORDS = frozenset("the a an of in on at to for from by with and or as is was be that this his her its their".split())


@dataclass(frozen=True)
class Suggestion:
    english: str
    source: str
    confidence: float


class Suggester:
    """Suggests English for candidates; `known_words` maps words of known names to their English."""

    def __init__(
        self,
        *,
        exonyms: Exonyms,
        transliterator: Transliterator,
        dictionary: DingDictionary | None,
        known_words: Mapping[str, str],
        engine=None,
    ):
        self.exonyms = exonyms
        self.transliterator = transliterator
        self.dictionary = dictionary
        self.known_words = known_words
        self.engine = engine

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
                sense = self._lookup_word(word) if role == "noun" else self._lookup_adjective(adjective_lemma(word))
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

    def model_renderings(self, candidates: Sequence[Candidate], sentences: list[str]) -> dict[str, Counter]:
        """How the model renders each candidate in (up to three of) its sentences, read off the
        hypothesis with align.locate_term."""
        from dolmetsch.enforce.align import locate_term  # the engine side: only with --model

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


def _title(text: str) -> str:
    """Capitalise each word but small function words, as English writes names."""
    small = {"of", "the", "and", "for", "in", "on", "at", "to", "a", "an"}
    return " ".join(w if w in small else w[:1].upper() + w[1:] for w in text.split())
