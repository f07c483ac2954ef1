"""translate-toolkit's pofilter tests, run one by one on (German, English) pairs.

Only the tests that hold for German→English as they are get called (brackets, spacing, tabs,
newlines, escapes, end punctuation on quote-normalised text); `doublequoting` and `numbers` are
not used: they flag correct English quotes for „…“ and a correct 1,500 for 1.500.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def german_english_checker():
    """A pofilter StandardChecker whose language conventions are English (there are none for
    German→English); made once, as its tests keep no state between calls."""
    # imported on use: translate-toolkit stays out of `dolmetsch --help` and the commands that need no checks
    from translate.filters.checks import CheckerConfig, StandardChecker

    return StandardChecker(checkerconfig=CheckerConfig(targetlanguage="en"))


def failure(checker, test: str, german: str, english: str) -> str | None:
    """pofilter test `test`'s message for the pair, or None when the pair passes it."""
    from translate.filters.checks import FilterFailure

    try:
        getattr(checker, test)(german, english)
    except FilterFailure as exc:
        return str(exc)
    return None
