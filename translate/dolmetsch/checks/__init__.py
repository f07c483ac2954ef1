"""Review checks: pure functions over translated segments (ReviewedSegment), wherever those came
from (a PO or bitext read back by `dolmetsch.output.read_segments`, or a run's own sentences on
the review page). Checks read no files and know no format.

Adding a check means one module with a function `(segments, context) -> findings` and one line
in CHECKS. A check with `across_files=True` gets the segments of every file of a run at once;
the others get one file's segments at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dolmetsch.checks.base import ERROR, WARNING, Check, CheckContext, Finding
from dolmetsch.checks.consistency import consistent_renderings
from dolmetsch.checks.glossary import glossary_terms
from dolmetsch.checks.markup import placeholders_paired, without_placeholders
from dolmetsch.checks.numbers import numbers_in_english
from dolmetsch.checks.punctuation import punctuation_marks
from dolmetsch.checks.quotes import quotation_marks
from dolmetsch.checks.summary import has_errors, summarise
from dolmetsch.checks.untranslated import untranslated_segments
from dolmetsch.translation import ReviewedSegment

CHECKS: tuple[Check, ...] = (
    Check("glossary", glossary_terms, needs_glossary=True, description="renderings and forbidden variants"),
    Check("numbers", numbers_in_english, description="every German number in the English, same value, English notation"),
    Check("quotes", quotation_marks, description="German quotation marks left, unbalanced quotes"),
    Check("punctuation", punctuation_marks, description="end punctuation, brackets, spacing, tabs and newlines as in the German"),
    Check("untranslated", untranslated_segments, description="empty English, German copied unchanged"),
    Check("markup", placeholders_paired, sees_markup=True, description="placeholders of inline markup: each of the German's once, well nested"),
    Check("consistency", consistent_renderings, across_files=True, description="one German sentence or noun, one rendering, in every file"),
)


def select_checks(names: Iterable[str] | None = None) -> list[Check]:
    """The checks named (all when None); KeyError for an unknown name."""
    if names is None:
        return list(CHECKS)
    by_name = {check.name: check for check in CHECKS}
    return [by_name[name] for name in names]


def runnable(checks: Iterable[Check], context: CheckContext) -> list[Check]:
    """The checks that can run with `context` (those needing a glossary need one)."""
    return [check for check in checks if not (check.needs_glossary and context.glossary is None)]


def run_checks(
    segments: Sequence[ReviewedSegment], context: CheckContext, checks: Iterable[Check] | None = None
) -> list[Finding]:
    """Findings of every check that can run with `context` over one file's segments, in check order, then file order."""
    return check_files([segments], context, checks)


def check_files(
    files: Sequence[Sequence[ReviewedSegment]], context: CheckContext, checks: Iterable[Check] | None = None
) -> list[Finding]:
    """Findings over several files' segments: per file, except `across_files` checks, which see them all together."""
    findings: list[Finding] = []
    plain = [without_placeholders(segments) for segments in files]
    for check in runnable(checks if checks is not None else CHECKS, context):
        shown = files if check.sees_markup else plain
        if check.across_files:
            findings.extend(check.run([s for segments in shown for s in segments], context))
        else:
            for segments in shown:
                findings.extend(check.run(segments, context))
    return findings


__all__ = [
    "CHECKS", "ERROR", "WARNING", "Check", "CheckContext", "Finding", "check_files", "has_errors", "run_checks", "runnable",
    "select_checks", "summarise",
]
