"""The gettext catalogue reviewers edit in Poedit or Weblate.

Entries are keyed by source text (msgid), with msgctxt only for a sentence that repeats
("occurrence 2", …), so re-runs find the same entry even when paragraphs move. Machine output is
always fuzzy; a re-run keeps every translation a reviewer has confirmed (not fuzzy), and keeps
entries that disappeared from the source as obsolete rather than dropping them.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import polib

from translate import __version__
from translate.errors import InputError
from translate.translation import TranslatedDocument, TranslatedSegment


RUN_FIELDS = ("POT-Creation-Date", "X-Generator", "X-Model")


def occurrence_context(occurrence: int) -> str | None:
    return None if occurrence == 1 else f"occurrence {occurrence}"


def _comment(s: TranslatedSegment) -> str:
    lines = [f"{s.segment.kind.value}, block {s.segment.block}, sentence {s.segment.index}"]
    lines += [f"glossary: {t.found} → {t.en} ({t.how})" for t in s.terms]
    if s.missing_terms:
        lines.append("glossary terms MISSING: review required")
    elif any(t.how == "replaced" for t in s.terms):
        lines.append("glossary terms replaced after decoding: check the wording")
    if s.truncated:
        lines.append("length guard: the machine output was cut")
    return "\n".join(lines)


def build_catalog(translated: TranslatedDocument) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=79)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
    catalog.metadata = {
        "Project-Id-Version": translated.document.name,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": now,
        "PO-Revision-Date": now,
        "Last-Translator": f"dolmetsch {__version__} (machine translation)",
        "Language-Team": "English",
        "Language": "en",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "X-Generator": f"dolmetsch {__version__}",
        "X-Source-Language": "de",
        "X-Model": translated.model,
    }
    seen: Counter[str] = Counter()
    for s in translated.segments:
        seen[s.segment.text] += 1
        catalog.append(
            polib.POEntry(
                msgid=s.segment.text,
                msgstr=s.english,
                msgctxt=occurrence_context(seen[s.segment.text]),
                occurrences=[(translated.document.source, str(s.segment.line))],
                comment=_comment(s),
                flags=["fuzzy"],
            )
        )
    return catalog


_PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*$')


def check_syntax(path: Path, text: str) -> None:
    """polib silently mangles malformed lines, so check every keyword and string line first."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _PO_LINE.match(stripped):
            raise InputError(path, f"not valid PO syntax: {stripped[:60]}", number)


def read_catalog(path: Path) -> polib.POFile:
    """Read an existing catalogue; an unreadable one is an error, never silently replaced."""
    try:
        check_syntax(path, Path(path).read_text(encoding="utf-8"))
        return polib.pofile(str(path), wrapwidth=79)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        line = _line_of(str(exc))
        raise InputError(path, f"cannot read the existing PO file, refusing to overwrite it ({exc})", line) from None


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def merge_reviewed(fresh: polib.POFile, existing: polib.POFile) -> polib.POFile:
    """Carry reviewers' work into a fresh catalogue, like msgmerge: confirmed translations win.

    The header stays the reviewers' (Last-Translator, PO-Revision-Date, …); only the fields that
    describe this run are refreshed.
    """
    header = dict(existing.metadata)
    for field in RUN_FIELDS:
        header[field] = fresh.metadata[field]
    for field, value in fresh.metadata.items():
        header.setdefault(field, value)
    fresh.metadata = header
    fresh.header = existing.header
    previous = {(e.msgctxt, e.msgid): e for e in existing if not e.obsolete}
    used = set()
    for entry in fresh:
        old = previous.get((entry.msgctxt, entry.msgid))
        if old is None:
            continue
        used.add((entry.msgctxt, entry.msgid))
        entry.tcomment = old.tcomment
        if old.msgstr and "fuzzy" not in old.flags:
            entry.msgstr = old.msgstr
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    for key, old in previous.items():
        if key not in used and old.msgstr:
            old.obsolete = True
            fresh.append(old)
    for old in existing:
        if old.obsolete and (old.msgctxt, old.msgid) not in {(e.msgctxt, e.msgid) for e in fresh}:
            fresh.append(old)
    return fresh
