"""Sentence-aligned bitext as TSV (IANA text/tab-separated-values: fields never hold tabs or newlines).

Segments are whitespace-normalised, so no quoting is needed and every spreadsheet and `cut` reads it.
"""

from __future__ import annotations

from dolmetsch.translation import TranslatedDocument, TranslatedSegment

COLUMNS = ("block", "sentence", "kind", "line", "de", "en", "glossary", "flags")


def _flags(segment: TranslatedSegment) -> str:
    flags = ["machine"]
    if segment.truncated:
        flags.append("truncated")
    if segment.missing_terms:
        flags.append("glossary-missing")
    if any(t.how == "replaced" for t in segment.terms):
        flags.append("glossary-replaced")
    return ",".join(flags)


def _clean(value: str) -> str:
    return " ".join(value.split())


def render_bitext(translated: TranslatedDocument) -> str:
    rows = ["\t".join(COLUMNS)]
    for s in translated.segments:
        glossary = "; ".join(f"{t.de} → {t.en} ({t.how})" for t in s.terms)
        fields = (s.segment.block, s.segment.index, s.segment.kind.value, s.segment.line, s.segment.text, s.english, glossary, _flags(s))
        rows.append("\t".join(_clean(str(f)) for f in fields))
    return "\n".join(rows) + "\n"
