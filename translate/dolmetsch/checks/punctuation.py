"""The punctuation check: pofilter's tests for end punctuation, brackets, spacing, tabs, newlines and escapes.

The one German→English adjustment: before the ending is compared, quotation marks are taken out
of a segment's trailing punctuation, so German `…neue“.` and English `…new ones."` (or `ones”.`)
both end in `.`, as does a colon-introduced quote `sagte: „… Eile.“` → `said: “… haste.”`; `...`
counts as `…`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dolmetsch.checks.base import ERROR, WARNING, CheckContext, Finding
from dolmetsch.conventions import QUOTE_MARKS
from dolmetsch.checks.toolkit import failure, german_english_checker
from dolmetsch.translation import ReviewedSegment

NAME = "punctuation"
SENTENCE_END = ".!?…:;,"
TESTS = (
    ("brackets", ERROR, "brackets differ: {message}"),
    ("tabs", ERROR, "tab count differs: {german} in the German, {english} in the English"),
    ("newlines", ERROR, "newline count differs: {german} in the German, {english} in the English"),
    ("escapes", ERROR, "backslash escapes differ"),
    ("startwhitespace", WARNING, "leading white space differs"),
    ("endwhitespace", WARNING, "trailing white space differs"),
)
"""pofilter tests used as they are: (test, level, message)."""
COUNTED = {"tabs": "\t", "newlines": "\n"}
"""The character whose counts a test's message names."""


def without_closing_quotes(text: str) -> str:
    """`text` with the quotation marks in its trailing punctuation removed and `...` as `…`."""
    body = text.rstrip()
    tail_start = len(body)
    while tail_start and (body[tail_start - 1] in SENTENCE_END or body[tail_start - 1] in QUOTE_MARKS or body[tail_start - 1].isspace()):
        tail_start -= 1
    tail = "".join(c for c in body[tail_start:] if c not in QUOTE_MARKS and not c.isspace()).replace("...", "…")
    return body[:tail_start] + tail


def ending(text: str) -> str:
    """The trailing punctuation of `text` as compared (see `without_closing_quotes`)."""
    normalised = without_closing_quotes(text)
    return normalised[len(normalised.rstrip(SENTENCE_END)) :]


def punctuation_problems(checker, german: str, english: str) -> Iterator[tuple[str, str]]:
    """(level, message) for each pofilter test the pair fails."""
    if failure(checker, "endpunc", without_closing_quotes(german), without_closing_quotes(english)):
        yield ERROR, f"ending punctuation differs: {ending(german) or 'none'!r} in the German, {ending(english) or 'none'!r} in the English"
    for test, level, template in TESTS:
        message = failure(checker, test, german, english)
        if message:
            char = COUNTED.get(test)
            german_count, english_count = (german.count(char), english.count(char)) if char else ("", "")
            yield level, template.format(message=message, german=german_count, english=english_count)
    if english.count("  ") > german.count("  ") and failure(checker, "doublespacing", german, english):
        yield WARNING, "doubled space in the English"


def punctuation_marks(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Segments whose English differs from the German in end punctuation, brackets, spacing, tabs or newlines."""
    checker = german_english_checker()
    for segment in segments:
        if not segment.en.strip():
            continue  # the untranslated check reports it
        for level, message in punctuation_problems(checker, segment.de, segment.en):
            yield Finding(segment.where, NAME, message, level)
