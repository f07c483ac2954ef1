"""Where each entry of a PO text starts, as polib numbers it, read without parsing the catalogue.

The review page names each sentence by its PO entry (`S.po:LINE`, as `dolmetsch check` prints it).
Parsing a whole catalogue with polib for those numbers cost a batch of short documents more than
anything else on the page; a catalogue a run has just laid out is plain enough to be scanned line
by line instead. polib numbers an entry by its first line after the previous entry's msgstr (the
first entry, the header, by 0). Anything the scan does not follow exactly as polib would (obsolete
entries, plural forms, a comment line polib skips, an unescaped quote, a file without a header)
makes it give up: the caller then parses with polib as before.
"""

from __future__ import annotations

import re

import polib

UNESCAPED_QUOTE = re.compile(r'([^\\]|^)"')
"""A double quote polib refuses inside a string (the test polib's reader applies)."""
KEYWORDS = ("msgctxt", "msgid", "msgstr")
SKIPPED = ("#.", "#:", "#,", "#|")
"""Comment lines polib passes over when they hold nothing else: an entry does not start there for it."""


class _GiveUp(Exception):
    """The text holds something the scan does not follow as polib would."""


def entry_lines(text: str) -> dict[tuple[str | None, str], int] | None:
    """Line of each live entry by (msgctxt, msgid), as polib's `linenum`; None where polib must parse."""
    try:
        return _scan(text)
    except _GiveUp:
        return None


def _scan(text: str) -> dict[tuple[str | None, str], int]:
    found: dict[tuple[str | None, str], int] = {}
    first, strings, current = 0, {}, None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(("#~", "msgstr[", "msgid_plural")) or line in SKIPPED:
            raise _GiveUp(line)
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None:
                raise _GiveUp(line)
            strings[current] += _string(line)
            continue
        if "msgstr" in strings:  # the previous entry is complete: this line starts the next one
            _add(found, first, strings)
            first, strings = number, {}
        current = None
        if keyword in KEYWORDS:
            if keyword in strings:
                raise _GiveUp(line)
            current, strings[keyword] = keyword, _string(rest.strip())
    if strings:
        _add(found, first, strings)
    return found


def _add(found: dict, first: int, strings: dict[str, str]) -> None:
    if "msgid" not in strings or "msgstr" not in strings or (first == 0) != (strings["msgid"] == ""):
        raise _GiveUp("an entry without msgid or msgstr, or no header first")
    if strings["msgid"]:
        found[(strings.get("msgctxt"), strings["msgid"])] = first


def _string(token: str) -> str:
    if len(token) < 2 or not token.startswith('"') or not token.endswith('"') or UNESCAPED_QUOTE.search(token[1:-1]):
        raise _GiveUp(token)
    return polib.unescape(token[1:-1])
