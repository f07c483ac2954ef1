"""The untranslated check: an empty English, or the German copied into the English.

A copy is fine when the segment holds nothing to translate: only names and `keep` terms of the
glossary, numbers and punctuation, or (glossary or not) only capitalised words, as a caption's
`Paul Krisai` or `Kim Jong Un`. pofilter's `unchanged` test decides what a copy is (case and
surrounding space ignored; all-capitals acronyms pass).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dolmetsch.checks.base import ERROR, WARNING, CheckContext, Finding
from dolmetsch.checks.toolkit import failure, german_english_checker
from dolmetsch.translation import ReviewedSegment
from dolmetsch.glossary.matcher import GlossaryMatcher, tokenize

NAME = "untranslated"
UNTRANSLATABLE_KINDS = ("name", "keep")


def nothing_to_translate(german: str, glossary: GlossaryMatcher | None) -> bool:
    """Whether the German is only names, `keep` terms, numbers and punctuation."""
    rest = german
    if glossary is not None:
        for match in sorted(glossary.match(german), key=lambda m: m.start, reverse=True):
            if match.entry.kind in UNTRANSLATABLE_KINDS or match.entry.en == match.entry.de:
                rest = rest[: match.start] + " " + rest[match.end :]
    words = [token.text for token in tokenize(rest) if any(c.isalpha() for c in token.text)]
    if not words:
        return True
    return len(words) >= 2 and all(word[0].isupper() for word in words)


def untranslated_segments(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Empty English (a warning: not translated yet) and German copied unchanged (an error)."""
    checker = german_english_checker()
    for segment in segments:
        if not segment.en.strip():
            yield Finding(segment.where, NAME, "not translated: the English is empty", WARNING)
        elif failure(checker, "unchanged", segment.de, segment.en) and not nothing_to_translate(segment.de, context.glossary):
            yield Finding(segment.where, NAME, "the English is the German unchanged", ERROR)
