"""GNU gettext's PO layout, computed in this process: the bytes `msgcat` would write for a PO text.

A run lays out every catalogue and template as GNU gettext does, so that `msgcat FILE.po` gives
back the same bytes. Starting `msgcat` once per file cost a batch of short documents more than
everything else a document costs beyond decoding; here the layout is computed in Python, with
the line breaking gettext itself uses (libunistring's `ulc_width_linebreaks_v2`, called through
ctypes), for the gettext release it was checked against (EMULATED_RELEASES, byte for byte in the
tests). Whatever is not covered (another release, no libunistring, plural forms, flags other than
`fuzzy`, control characters) is left to `msgcat` itself: `layout` then returns None.

The input is the text polib writes; it is read as gettext's PO reader reads it (comment lines with
one leading space dropped, references split at white space, strings unescaped), then written as
gettext's `write-po.c` does: translator comments, extracted comments, references wrapped at the
page width, flags, previous strings (`#|`), msgctxt, msgid and msgstr wrapped at break
opportunities, obsolete entries (`#~`) last, those without a translation dropped.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

EMULATED_RELEASES = ("0.21",)
"""GNU gettext releases whose `msgcat` output this module reproduces."""
PAGE_WIDTH = 79
"""msgcat's default page width."""
UC_BREAK_UNDEFINED, UC_BREAK_PROHIBITED, UC_BREAK_POSSIBLE = 0, 1, 2
WRITE_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}
TO_ESCAPE = re.compile("|".join(re.escape(char) for char in WRITE_ESCAPES))
READ_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}
"""The escapes polib writes; a string holding any other is left to msgcat."""
ESCAPED = re.compile(r"\\(.?)", re.DOTALL)
"""A backslash and the character it escapes (none at the end of a string), read left to right."""
KEYWORDS = ("msgctxt", "msgid", "msgstr")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"$')
UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters polib writes unescaped: how msgcat reads them is not reproduced here."""
REFERENCE = re.compile(r"(.*):(\d+)$")


class Unsupported(Exception):
    """The text holds something this layout does not reproduce: msgcat lays it out instead."""


@dataclass
class _Entry:
    translator: list[str] = field(default_factory=list)
    extracted: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False
    previous: dict[str, str] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)


def layout(text: str) -> str | None:
    """The text `msgcat -` writes for the PO `text` (as polib writes it); None when that is not
    reproduced here (see the module docstring), so the caller runs msgcat."""
    breaks = _linebreaker()
    if breaks is None or UNSAFE.search(text):
        return None
    try:
        entries = _read(text)
        _refuse_what_msgcat_would_change(entries)
        blocks = [_write(entry, breaks) for entry in entries if not entry.obsolete]
        blocks += [_write(entry, breaks) for entry in entries if entry.obsolete and entry.strings.get("msgstr")]
    except Unsupported:
        return None
    return "\n".join(blocks)


@lru_cache(maxsize=1)
def _linebreaker():
    """libunistring's line breaking as gettext calls it, when msgcat is one of EMULATED_RELEASES; else None."""
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return None
    try:
        version = subprocess.run([msgcat, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(GNU gettext-tools\) (\d+\.\d+)(?:\.\d+)?\s", version)
    if match is None or match.group(1) not in EMULATED_RELEASES:
        return None
    try:
        library = ctypes.CDLL("libunistring.so.2")
        function = library.ulc_width_linebreaks_v2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                         ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
    function.restype = ctypes.c_int

    def breaks(portion: bytes, width: int, start: int, overrides: bytes) -> bytes:
        result = ctypes.create_string_buffer(len(portion))
        function(portion, len(portion), width, start, 0, overrides, b"UTF-8", result)
        return result.raw

    return breaks


# --- reading: polib's text as gettext's PO reader sees it -----------------------------------------


def _read(text: str) -> list[_Entry]:
    entries = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip("\n")):
        entry, last = _Entry(), None
        for line in chunk.split("\n"):
            last = _read_line(entry, line, last)
        if entry.strings:
            entries.append(entry)
    return entries


def _read_line(entry: _Entry, line: str, last: tuple[dict, str] | None) -> tuple[dict, str] | None:
    """Add one line of polib's text to `entry`; returns where a continued string goes."""
    if line.startswith("#~"):
        entry.obsolete = True
        line = "#|" + line[3:] if line.startswith("#~|") else line[2:].lstrip(" ")
    if line.startswith("#|"):
        return _read_string(entry.previous, line[2:].lstrip(" "), last if last and last[0] is entry.previous else None)
    if line.startswith('"') or line.split(" ", 1)[0] in KEYWORDS:
        return _read_string(entry.strings, line, last if last and last[0] is entry.strings else None)
    if line.startswith("#:"):
        entry.references += line[2:].split()
    elif line.startswith("#,"):
        flags = [flag.strip() for flag in line[2:].split(",") if flag.strip()]
        if any(flag != "fuzzy" for flag in flags):
            raise Unsupported(line)
        entry.fuzzy = entry.fuzzy or bool(flags)
    elif line.startswith("#."):
        entry.extracted.append(_comment_text(line[2:]))
    elif line.startswith("#"):
        entry.translator.append(_comment_text(line[1:]))
    elif line.strip():
        raise Unsupported(line)
    return None


def _comment_text(rest: str) -> str:
    """A comment as gettext stores it: without the one space after the `#` or `#.`."""
    return rest[1:] if rest.startswith(" ") else rest


def _read_string(strings: dict, line: str, last: tuple[dict, str] | None) -> tuple[dict, str]:
    keyword, _, rest = line.partition(" ") if not line.startswith('"') else ("", "", line)
    if keyword and keyword not in KEYWORDS:
        raise Unsupported(line)  # msgid_plural, msgstr[N]
    if not keyword and last is None:
        raise Unsupported(line)
    match = STRING.match(rest.strip())
    if match is None:
        raise Unsupported(line)
    value = _unescape(match.group(1))
    if keyword:
        if keyword in strings:
            raise Unsupported(line)
        strings[keyword] = value
        return strings, keyword
    strings[last[1]] += value
    return last


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw  # most strings hold no escape
    return ESCAPED.sub(_escaped, raw)


def _escaped(match: re.Match) -> str:
    """The character an escape stands for; an escape polib does not write is left to msgcat."""
    char = READ_ESCAPES.get(match.group(1))
    if char is None:
        raise Unsupported(match.string)
    return char


def _refuse_what_msgcat_would_change(entries: list[_Entry]) -> None:
    """msgcat drops or joins some things polib writes; the caller then keeps polib's text instead
    (see `po.gettext_layout`), so those are left to it: a `fuzzy` flag on an untranslated entry, an
    obsolete entry without a translation, a reference given twice, a comment line ending in a
    backslash (a continuation for gettext), two entries with the same key (msgcat refuses them)."""
    keys = set()
    for entry in entries:
        key = (entry.obsolete, entry.strings.get("msgctxt"), entry.strings.get("msgid"))
        if key in keys:
            raise Unsupported("a duplicate entry")
        keys.add(key)
        if entry.fuzzy and not entry.strings.get("msgstr") or entry.obsolete and not entry.strings.get("msgstr"):
            raise Unsupported("an entry msgcat drops or changes")
        if len(set(entry.references)) != len(entry.references):
            raise Unsupported("a reference given twice")
        if any(line.endswith("\\") for line in entry.translator + entry.extracted):
            raise Unsupported("a comment continued on the next line")


# --- writing: gettext's write-po.c ---------------------------------------------------------------


def _write(entry: _Entry, breaks) -> str:
    prefix = "#~ " if entry.obsolete else ""
    lines = [f"#{' ' if text else ''}{text}" for text in entry.translator]
    lines += [f"#.{' ' if text else ''}{text}" for text in entry.extracted]
    lines += _references(entry.references)
    if entry.fuzzy and entry.strings.get("msgstr"):
        lines.append("#, fuzzy")
    previous_prefix = "#~| " if entry.obsolete else "#| "
    for keyword in ("msgctxt", "msgid"):
        if keyword in entry.previous:
            lines += _wrap(previous_prefix, keyword, entry.previous[keyword], breaks)
    if "msgid" not in entry.strings:
        raise Unsupported("an entry without msgid")
    for keyword in KEYWORDS:
        if keyword in entry.strings or keyword == "msgstr":
            lines += _wrap(prefix, keyword, entry.strings.get(keyword, ""), breaks)
    return "\n".join(lines) + "\n"


def _references(tokens: list[str]) -> list[str]:
    """`#:` lines as gettext writes them: each reference `file:line`, a new line before one that would pass the page width."""
    if not tokens:
        return []
    lines, line, column = [], "#:", 2
    for token in tokens:
        match = REFERENCE.match(token)
        name, number = (match.group(1), f":{int(match.group(2))}") if match else (token, "")
        width = len(name.encode("utf-8")) + len(number) + 1
        if column > 2 and column + width > PAGE_WIDTH:
            lines.append(line)
            line, column = "#:", 2
        line += f" {name}{number}"
        column += width
    lines.append(line)
    return lines


def _wrap(prefix: str, name: str, value: str, breaks) -> list[str]:
    """One keyword's string, as write-po.c's `wrap` lays it out: split after each `\\n`, then at the
    break opportunities libunistring finds within the page width."""
    lines: list[str] = []
    first = True
    after_break = len(prefix) + 1
    width = PAGE_WIDTH - 1 - after_break
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    for number, portion in enumerate(portions):
        escaped, overrides = _escape(portion)
        if first:
            start = len(prefix) + len(name) + 2 - after_break
            linebreaks = breaks(escaped, width, start, overrides) if escaped else b""
            more = number < len(portions) - 1
            if escaped and (more or start > width or UC_BREAK_POSSIBLE in linebreaks):
                lines.append(f'{prefix}{name} ""')
                first = False
        if not first:
            linebreaks = breaks(escaped, width, len(prefix) + 1 - after_break, overrides) if escaped else b""
        lines += _cut(escaped, linebreaks, f"{prefix}{name} " if first else prefix, prefix)
        first = False
    return lines


def _escape(portion: str) -> tuple[bytes, bytes]:
    """The portion as it is written between quotes (UTF-8), and the breaks forbidden inside escapes."""
    escaped, overrides = bytearray(), bytearray()
    position = 0
    for match in TO_ESCAPE.finditer(portion):  # the text between escapes a run at a time
        encoded = portion[position : match.start()].encode("utf-8")
        escaped += encoded
        overrides += bytes(len(encoded))
        escaped += b"\\" + WRITE_ESCAPES[match.group()].encode()
        overrides += bytes((UC_BREAK_UNDEFINED, UC_BREAK_PROHIBITED))
        position = match.end()
    encoded = portion[position:].encode("utf-8")
    escaped += encoded
    overrides += bytes(len(encoded))
    if portion.endswith("\n"):
        overrides[-2] = UC_BREAK_PROHIBITED  # no break just before the `\n` that ends the portion
    return bytes(escaped), bytes(overrides)


def _cut(escaped: bytes, linebreaks: bytes, lead: str, prefix: str) -> list[str]:
    """Quoted lines of one portion: the first after `lead`, one more at each break, each after `prefix`."""
    pieces, start = [], 0
    index = linebreaks.find(UC_BREAK_POSSIBLE)
    while index >= 0:
        pieces.append(escaped[start:index])
        start = index
        index = linebreaks.find(UC_BREAK_POSSIBLE, index + 1)
    pieces.append(escaped[start:])
    first, *rest = (piece.decode("utf-8") for piece in pieces)
    return [f'{lead}"{first}"'] + [f'{prefix}"{piece}"' for piece in rest]
