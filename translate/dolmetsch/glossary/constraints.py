"""Check an English translation against the glossary entries matched in its German source.

`rendering_present` is deliberately tolerant of what English grammar does to a rendering
(possessive `'s`, a capitalised first letter at sentence start or as a title before a name,
the plural of a term: of its head noun, so `heads of state` and `Kremlin spokesmen` count), and
strict about everything else: words, order and spelling. Plurals come from lemminflect, through
the word-form memo (`wordforms`). `forbidden_found` reports listed variants that occur outside the allowed rendering.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Iterable

from dolmetsch.glossary.model import Entry
from dolmetsch.glossary.wordforms import english_plurals

MISSING_RENDERING = "missing"
FORBIDDEN_VARIANT = "forbidden"
APOSTROPHES = "'’"
BEFORE_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*|[\"“”„«»‘’]\s*)$")


@dataclass(frozen=True)
class Violation:
    """An entry whose rendering is missing from, or whose forbidden variant is in, a translation."""

    entry: Entry
    kind: str
    """`missing` or `forbidden`."""
    text: str
    """The required rendering that is missing, or the forbidden variant that was found."""

    def __str__(self) -> str:
        if self.kind == MISSING_RENDERING:
            return f"{self.entry.de!r}: must be rendered {self.text!r}"
        return f"{self.entry.de!r}: forbidden variant {self.text!r} (use {self.entry.required!r})"


PREPOSITIONS = frozenset("of for in on at to from with by against between under over without".split())
"""A multi-word rendering's head noun is the word before its first preposition (`head of state`)."""


def _phrase_pattern(phrase: str) -> str:
    """Regex body for `phrase`: any white space between words, either apostrophe."""
    parts = []
    for char in phrase:
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _head_index(words: list[str]) -> int:
    """The word that takes the plural: the last one, or the one before the first preposition."""
    for index, word in enumerate(words[1:], start=1):
        if word.casefold() in PREPOSITIONS:
            return index - 1
    return len(words) - 1


@lru_cache(maxsize=4096)
def plural_forms(phrase: str) -> tuple[str, ...]:
    """English plurals of `phrase`, preferred first, inflecting its head noun (`heads of state`)."""
    words = phrase.split()
    if not words:
        return ()
    head = _head_index(words)
    if not words[head][-1:].isalpha():
        return ()
    plurals = english_plurals(words[head]) or (words[head] + "s",)
    return tuple(" ".join(words[:head] + [plural] + words[head + 1 :]) for plural in plurals if plural != words[head])


def plural_rendering(entry: Entry) -> str:
    """What `entry` must become for a plural German occurrence: the plural of a term's rendering
    (`heads of state`); names and `keep` entries stay as they are."""
    if entry.kind != "term":
        return entry.required
    forms = plural_forms(entry.en.strip())
    return forms[0] if forms else entry.en.strip()


@lru_cache(maxsize=4096)
def _compiled(phrase: str, plural: bool, flags: int) -> re.Pattern:
    forms = [phrase, *plural_forms(phrase)] if plural else [phrase]
    alternatives = "|".join(_phrase_pattern(form) for form in sorted(set(forms), key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", flags)


def _occurrences(phrase: str, english: str, *, plural: bool, flags: int = 0) -> list[re.Match]:
    """Whole-word occurrences; a following possessive 's is fine since ' is not a word character."""
    if not phrase.strip():
        return []
    return list(_compiled(phrase.strip(), plural, flags).finditer(english))


def rendering_spans(entry: Entry, english: str) -> list[tuple[int, int]]:
    """Where an acceptable rendering of `entry` occurs in `english`."""
    forms = [entry.en]
    if entry.kind == "keep" and entry.de != entry.en:
        forms.append(entry.de)
    spans: list[tuple[int, int]] = []
    plural = entry.kind == "term"
    for form in forms:
        form = form.strip()
        if not form:
            continue
        variants = [form]
        if form[0].islower():
            variants.append(form[0].upper() + form[1:])
        for variant in variants:
            for found in _occurrences(variant, english, plural=plural):
                capitalised = variant is not form
                if capitalised and not _capital_allowed(entry, english, found.start()):
                    continue
                spans.append(found.span())
    return spans


def _capital_allowed(entry: Entry, english: str, start: int) -> bool:
    """A capitalised first letter is fine at sentence start, and for terms used as titles."""
    return entry.kind == "term" or bool(BEFORE_SENTENCE_START.search(english[:start]))


def rendering_present(entry: Entry, english: str) -> bool:
    """Whether the entry's English rendering (for `keep`: also the German form) is in `english`."""
    return bool(rendering_spans(entry, english))


def forbidden_found(entry: Entry, english: str) -> list[str]:
    """The entry's forbidden variants that occur in `english` (case-insensitive, whole words),
    ignoring any that lie inside an occurrence of the allowed rendering."""
    allowed = rendering_spans(entry, english)
    found: list[str] = []
    for variant in entry.forbidden:
        for occurrence in _occurrences(variant, english, plural=False, flags=re.IGNORECASE):
            start, end = occurrence.span()
            if not any(a <= start and end <= b for a, b in allowed):
                found.append(variant)
                break
    return found


def forbidden_spans(entry: Entry, english: str) -> list[tuple[int, int]]:
    """Where the entry's forbidden variants occur in `english`, as `forbidden_found` finds them."""
    allowed = rendering_spans(entry, english)
    spans = []
    for variant in entry.forbidden:
        for occurrence in _occurrences(variant, english, plural=False, flags=re.IGNORECASE):
            start, end = occurrence.span()
            if not any(a <= start and end <= b for a, b in allowed):
                spans.append((start, end))
    return sorted(spans)


def satisfied(entry: Entry, english: str) -> bool:
    """The rendering is there and no forbidden variant is."""
    return rendering_present(entry, english) and not forbidden_found(entry, english)


def violations(entries: Iterable[Entry], english: str) -> list[Violation]:
    """Missing renderings and forbidden variants for each distinct entry (e.g. from matches)."""
    result: list[Violation] = []
    seen: set[Entry] = set()
    for entry in entries:
        if entry in seen:
            continue
        seen.add(entry)
        if not rendering_present(entry, english):
            result.append(Violation(entry, MISSING_RENDERING, entry.required))
        for variant in forbidden_found(entry, english):
            result.append(Violation(entry, FORBIDDEN_VARIANT, variant))
    return result
