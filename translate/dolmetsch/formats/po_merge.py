"""Merging a run's fresh catalogue into the one reviewers edited, as `msgmerge --previous` would.

Nothing a reviewer wrote is lost:

- a confirmed entry (not fuzzy) keeps its translation and stays confirmed; an identical German
  sentence elsewhere in the article shares it, whatever their order;
- a fuzzy draft the reviewer edited keeps the edit; an untouched machine draft is refreshed (each
  entry records a fingerprint of the machine output, `#. machine output: …`, to tell the two apart);
- a changed sentence whose nearest earlier sentence (rapidfuzz ratio ≥ SIMILAR_ENOUGH) holds
  reviewer work is offered that translation as a fuzzy draft with `#| msgid` (the old German) and
  the new machine draft in a `#.` comment; a less similar one (≥ NEAREST_NOTE) is only named;
- every flag, translator comment and `#|` line is kept; only `fuzzy` is decided here;
- reviewer work whose sentence vanished stays as `#~` and returns with the sentence; untouched
  machine drafts of vanished sentences are dropped; an entry a reviewer added by hand (a
  `msgid_plural` entry, say) that is none of the document's sentences is reviewer work as well;
- the header stays the reviewers'; only RUN_FIELDS are refreshed, and POT-Creation-Date only when
  the set of sentences changed.
"""

from __future__ import annotations

import copy
import hashlib
import re

import polib
from rapidfuzz import fuzz, process

RUN_FIELDS = ("X-Model", "X-Glossary", "Content-Type", "Content-Transfer-Encoding")
"""Header fields a run owns: the model and glossary of its drafts, and the encoding (always UTF-8).
X-Generator is not one: after a reviewer's save it names their editor (Poedit), and stays."""
MACHINE_MARK = "machine output: "
"""+ fingerprint, in a `#.` comment, so a re-run can tell a reviewer's edit from its own text."""
MACHINE_DRAFT = "machine draft: "
"""+ the new machine output, beside an earlier reviewed translation offered for a changed sentence."""
NEAREST_REVIEWED = "nearest reviewed"
SIMILAR_ENOUGH = 80.0
"""rapidfuzz `fuzz.ratio` (0–100) from which an earlier reviewed translation is offered as the draft."""
NEAREST_NOTE = 50.0
"""… and from which the nearest reviewed translation is at least named in a comment."""
FUZZY = "fuzzy"

Key = tuple[str | None, str]


def entry_key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def machine_fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def recorded_fingerprint(entry: polib.POEntry) -> str | None:
    found = re.search(rf"^{MACHINE_MARK}(\w+)$", entry.comment or "", re.MULTILINE)
    return found.group(1) if found else None


def edited_by_reviewer(entry: polib.POEntry) -> bool:
    """Whether a fuzzy entry's msgstr is no longer the machine output recorded with it."""
    recorded = recorded_fingerprint(entry)
    return recorded is None or recorded != machine_fingerprint(entry.msgstr)


def confirmed(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) and FUZZY not in entry.flags


def reviewer_work(entry: polib.POEntry) -> bool:
    """A confirmed translation, a draft a reviewer edited, or an entry with plural forms (no run
    writes one, so a reviewer added it): what a merge must never lose."""
    if entry.msgid_plural:
        return True
    return bool(entry.msgstr) and (FUZZY not in entry.flags or edited_by_reviewer(entry))


def merge_catalogs(fresh: polib.POFile, existing: polib.POFile) -> polib.POFile:
    """`fresh` (this run's catalogue, every entry fuzzy) with the reviewers' work of `existing` carried
    in; `existing` itself is left unchanged."""
    live = {entry_key(e): e for e in existing if not e.obsolete}
    obsolete = {entry_key(e): e for e in existing if e.obsolete}
    fresh_keys = {entry_key(e) for e in fresh}
    _merge_header(fresh, existing, unchanged=fresh_keys == set(live))
    shared = {}
    for old in list(live.values()) + list(obsolete.values()):
        if confirmed(old):
            shared.setdefault(old.msgid, old)
    fresh_msgids = {e.msgid for e in fresh}
    # earlier sentences that no longer occur: candidates for the nearest match of a changed one
    candidates = {
        key: old
        for key, old in {**obsolete, **live}.items()
        if key not in fresh_keys and old.msgid not in fresh_msgids and reviewer_work(old) and not old.msgid_plural
    }
    used: set[Key] = set()
    for entry in fresh:
        old = live.get(entry_key(entry)) or obsolete.get(entry_key(entry))
        if old is not None:
            _carry(entry, old)
        elif entry.msgid in shared:
            _share(entry, shared[entry.msgid])
        else:
            nearest = _nearest(entry, candidates, used)
            if nearest is not None:
                if _offer(entry, *nearest):
                    used.add(entry_key(nearest[0]))
    for key, old in live.items():
        if key not in fresh_keys and key not in used and reviewer_work(old):
            kept = copy.copy(old)  # `existing` stays as it was read: a run may merge into it again
            kept.obsolete = True
            fresh.append(kept)
    for key, old in obsolete.items():
        if key not in fresh_keys and key not in used:
            fresh.append(old)
    return fresh


def _merge_header(fresh: polib.POFile, existing: polib.POFile, *, unchanged: bool) -> None:
    header = dict(existing.metadata)
    for field in RUN_FIELDS:
        if field in fresh.metadata:
            header[field] = fresh.metadata[field]
    if not unchanged or "POT-Creation-Date" not in existing.metadata:
        header["POT-Creation-Date"] = fresh.metadata["POT-Creation-Date"]
    for field, value in fresh.metadata.items():
        header.setdefault(field, value)
    fresh.metadata = header
    fresh.header = existing.header


def _kept_flags(old: polib.POEntry, fuzzy: bool) -> list[str]:
    """The reviewer's and Weblate's flags (`no-wrap`, `max-length:80`, …); `fuzzy` as decided."""
    return ([FUZZY] if fuzzy else []) + [flag for flag in old.flags if flag != FUZZY]


def _carry(entry: polib.POEntry, old: polib.POEntry) -> None:
    """The same sentence as before: keep what the reviewer did with it."""
    entry.tcomment = old.tcomment
    if MACHINE_MARK not in (entry.comment or ""):  # the run took the translation from this catalogue
        entry.comment = old.comment
    fuzzy = not confirmed(old)
    if old.msgstr and (not fuzzy or edited_by_reviewer(old)):
        entry.msgstr = old.msgstr
    entry.flags = _kept_flags(old, fuzzy)
    if fuzzy:
        entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
    if old.msgid_plural:  # a reviewer gave the sentence plural forms: they stay as they are
        entry.msgid_plural, entry.msgstr_plural = old.msgid_plural, dict(old.msgstr_plural)


def _share(entry: polib.POEntry, reviewed: polib.POEntry) -> None:
    """An identical German sentence elsewhere was confirmed: so is this one."""
    entry.msgstr = reviewed.msgstr
    entry.tcomment = reviewed.tcomment
    entry.flags = _kept_flags(reviewed, fuzzy=False)


def _nearest(entry: polib.POEntry, candidates: dict[Key, polib.POEntry], used: set[Key]) -> tuple[polib.POEntry, float] | None:
    choices = {key: old.msgid for key, old in candidates.items() if key not in used}
    found = process.extractOne(entry.msgid, choices, scorer=fuzz.ratio, score_cutoff=NEAREST_NOTE)
    if found is None:
        return None
    _, score, key = found
    return candidates[key], score


def _offer(entry: polib.POEntry, old: polib.POEntry, score: float) -> bool:
    """A changed sentence: its earlier reviewed translation as the draft (True), or, less similar, a note."""
    if score >= SIMILAR_ENOUGH:
        machine = entry.msgstr
        entry.msgstr = old.msgstr
        entry.tcomment = old.tcomment
        entry.flags = _kept_flags(old, fuzzy=True)
        entry.previous_msgctxt, entry.previous_msgid = old.msgctxt, old.msgid
        entry.comment = "\n".join(filter(None, [entry.comment, f"{MACHINE_DRAFT}{machine}"]))
        return True
    note = f"{NEAREST_REVIEWED} ({score:.0f} %): {old.msgid} → {old.msgstr}"
    entry.comment = "\n".join(filter(None, [entry.comment, note]))
    return False
