"""Review checks over translated segments read back from PO or bitext files.

Adding a check means one module with a function `(segments, context) -> findings` and one line
in CHECKS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dolmetsch.checks.base import ERROR, WARNING, Check, CheckContext, Finding
from dolmetsch.checks.glossary import glossary_terms
from dolmetsch.formats.base import ReviewedSegment

CHECKS: tuple[Check, ...] = (
    Check("glossary", glossary_terms, needs_glossary=True, description="renderings and forbidden variants"),
)


def select_checks(names: Iterable[str] | None = None) -> list[Check]:
    """The checks named (all when None); KeyError for an unknown name."""
    if names is None:
        return list(CHECKS)
    by_name = {check.name: check for check in CHECKS}
    return [by_name[name] for name in names]


def run_checks(
    segments: Sequence[ReviewedSegment], context: CheckContext, checks: Iterable[Check] | None = None
) -> list[Finding]:
    """Findings of every check that can run with `context`, in check order, then file order."""
    findings: list[Finding] = []
    for check in checks if checks is not None else CHECKS:
        if check.needs_glossary and context.glossary is None:
            continue
        findings.extend(check.run(segments, context))
    return findings


__all__ = ["CHECKS", "ERROR", "WARNING", "Check", "CheckContext", "Finding", "run_checks", "select_checks"]
