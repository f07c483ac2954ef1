"""The glossary report of a run: per entry, how often it occurred and how each occurrence was honoured."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.formats.base import TRANSLATE, OutputFormat
from dolmetsch.translation import MISSING, STRATEGIES
from dolmetsch.translation import TranslatedDocument


@dataclass
class EntryReport:
    de: str
    en: str
    occurrences: int = 0
    how: Counter = field(default_factory=Counter)
    missing_at: list[str] = field(default_factory=list)


def glossary_report(translated: TranslatedDocument) -> list[EntryReport]:
    entries: dict[tuple[str, str], EntryReport] = {}
    for s in translated.segments:
        for term in s.terms:
            report = entries.setdefault((term.de, term.en), EntryReport(term.de, term.en))
            report.occurrences += 1
            report.how[term.how] += 1
            if term.how == MISSING:
                report.missing_at.append(f"{translated.document.source}:{s.segment.line}")
    return sorted(entries.values(), key=lambda r: (-r.occurrences, r.de))


def totals(reports: list[EntryReport]) -> Counter:
    total: Counter = Counter()
    for report in reports:
        total.update(report.how)
    return total


def render_json(translated: TranslatedDocument) -> str:
    reports = glossary_report(translated)
    total = totals(reports)
    matched = sum(total.values())
    document = {
        "source": translated.document.source,
        "model": translated.model,
        "matched": matched,
        "satisfied": matched - total[MISSING],
        "by_strategy": {name: total[name] for name in STRATEGIES},
        "entries": [
            {
                "de": r.de,
                "en": r.en,
                "occurrences": r.occurrences,
                "by_strategy": {name: r.how[name] for name in STRATEGIES if r.how[name]},
                "missing_at": r.missing_at,
            }
            for r in reports
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_table(translated: TranslatedDocument):
    """A rich table for the terminal."""
    from rich.table import Table  # rich's tables load only when a run prints one

    reports = glossary_report(translated)
    table = Table(title="glossary", title_justify="left", show_edge=False)
    table.add_column("German", overflow="fold")
    table.add_column("English", overflow="fold")
    table.add_column("n", justify="right")
    table.add_column("satisfied by")
    for r in reports:
        how = ", ".join(f"{name} {r.how[name]}" for name in STRATEGIES if r.how[name])
        style = "bold red" if r.how[MISSING] else None
        table.add_row(r.de, r.en, str(r.occurrences), how, style=style)
    total = totals(reports)
    matched = sum(total.values())
    table.caption = f"{matched - total[MISSING]}/{matched} matched terms satisfied"
    return table


class GlossaryReport(OutputFormat):
    name = "glossary-report"
    suffix = ".glossary.json"
    needs_glossary = True
    written_by = (TRANSLATE,)

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_json(translated)
