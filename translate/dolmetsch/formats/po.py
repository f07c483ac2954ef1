"""The gettext catalogue reviewers edit in Poedit or Weblate.

Entries are keyed by source text (msgid), with msgctxt only for a sentence that repeats
("occurrence 2", …), so re-runs find the same entry even when paragraphs move. Machine output is
always fuzzy; a re-run keeps every translation a reviewer has confirmed (not fuzzy), and keeps
entries that disappeared from the source as obsolete rather than dropping them.

A catalogue is input people edit, so it is read like a source: only a regular file, at most
MAX_CATALOGUE_BYTES, no string over MAX_ENTRY_CHARS. One that would be misread is refused in one
line rather than merged: a duplicate entry (one of the two would be lost), or a header that
declares a Western code page for a text that is UTF-8 (every umlaut would become mojibake).
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import polib

from dolmetsch.version import __version__
from dolmetsch.document.model import Document
from dolmetsch.document.reading import MAX_CATALOGUE_BYTES, MAX_SENTENCE_CHARS, read_regular_file
from dolmetsch.errors import InputError
from dolmetsch.formats.base import LOCALES, TRANSLATE, OutputFormat, RenderContext
from dolmetsch.formats import po_lines
from dolmetsch.formats.gettext_layout import layout
from dolmetsch.markup.placeholders import markup_problems
from dolmetsch.translation import ReviewedSegment
from dolmetsch.formats.po_merge import (
    FUZZY,
    MACHINE_DRAFT,
    MACHINE_MARK,
    NEAREST_REVIEWED,
    confirmed,
    edited_by_reviewer,
    entry_key,
    machine_fingerprint,
    merge_catalogs,
    recorded_fingerprint,
)
from dolmetsch.translation import (
    DRAFT,
    MACHINE,
    MISSING,
    NATURAL,
    NBEST,
    PREFIX,
    REPLACED,
    REVIEWED,
    KnownTranslation,
    MachineRecord,
    Origin,
    TermOutcome,
    TranslatedDocument,
    TranslatedSegment,
    has_words,
)


ISOLATE_START, ISOLATE_END = "\u2068", "\u2069"
"""GNU gettext wraps a `#:` file name holding spaces in these, so it stays one reference."""


def occurrence_context(occurrence: int) -> str | None:
    return None if occurrence == 1 else f"occurrence {occurrence}"


TERM_NOTE = re.compile(rf"^glossary: (.+) → (.+) \(({'|'.join(re.escape(h) for h in (NATURAL, NBEST, PREFIX, REPLACED, MISSING))})\)$")
MISSING_NOTE = "glossary terms MISSING: review required"
REPLACED_NOTE = "glossary terms replaced after decoding: check the wording"
TRUNCATED_NOTE = "length guard: the machine output was cut"
POST_EDITED_NOTE = "post-edited to English conventions: "
MERGE_NOTES = (MACHINE_DRAFT, NEAREST_REVIEWED)
"""Comment lines the merge adds beside a machine output: no part of what its decoding run knew."""


def _comment(s: TranslatedSegment) -> str:
    lines = [f"{s.segment.kind.value}, block {s.segment.block}, sentence {s.segment.index}"]
    if s.origin == MACHINE:
        lines.append(f"{MACHINE_MARK}{machine_fingerprint(s.english)}")
    lines += [f"glossary: {t.found} → {t.en} ({t.how})" for t in s.terms]
    if s.missing_terms:
        lines.append(MISSING_NOTE)
    elif s.replaced_terms:
        lines.append(REPLACED_NOTE)
    if s.truncated:
        lines.append(TRUNCATED_NOTE)
    if s.post_edited:
        lines.append(f"{POST_EDITED_NOTE}{', '.join(s.post_edited)}")
    lines += s.notes
    return "\n".join(lines)


COMMENT_PREFIX = "#. "
LINE_STARTS = (MACHINE_MARK, "glossary: ", MISSING_NOTE, REPLACED_NOTE, TRUNCATED_NOTE, POST_EDITED_NOTE, "memory", *MERGE_NOTES)
"""How the `#.` lines a run writes begin (notes aside): a wrapped piece that begins so starts a line."""


def _wrapped(line: str, width: int = 79) -> list[str]:
    """A `#.` line as polib writes it at `width`: cut at spaces and after hyphens (textwrap) when too long."""
    if len(line) + len(COMMENT_PREFIX) <= width:
        return [line]
    pieces = textwrap.wrap(line, width, initial_indent=COMMENT_PREFIX, subsequent_indent=COMMENT_PREFIX, break_long_words=False)
    return [piece[len(COMMENT_PREFIX) :] for piece in pieces]


def comment_lines(comment: str, width: int = 79) -> list[str] | None:
    """The lines a comment was written from, before polib wrapped the long ones (a comment not
    wrapped at all is its own lines); None where they cannot be told. A piece that ends in a
    hyphen is joined to the next without a space (`pytest-of-` `root`), as textwrap cuts
    hyphenated words; a line that had a space there reads back otherwise, which `settles` sees."""
    groups: list[list[str]] = []
    for piece in comment.split("\n"):
        if groups and not piece.startswith(LINE_STARTS):
            if len(COMMENT_PREFIX) + len(groups[-1][-1]) + 1 + len(piece.split(" ", 1)[0]) > width:
                groups[-1].append(piece)  # it would not have fitted on the line before: a wrapped piece
                continue
        groups.append([piece])
    lines = []
    for group in groups:
        line = "".join(piece if piece.endswith("-") else f"{piece} " for piece in group[:-1]) + group[-1]
        if len(group) > 1 and _wrapped(line, width) != group:
            line = " ".join(group)
            if _wrapped(line, width) != group:
                return None
        lines.append(line)
    return lines


def as_written(comment: str, width: int = 79) -> str:
    """A comment as it reads back from the file polib writes (long lines wrapped)."""
    return "\n".join(piece for line in comment.split("\n") for piece in _wrapped(line, width))


def machine_record(entry: polib.POEntry, segment, *, unwritten: bool = False) -> MachineRecord | None:
    """What the run that decoded an untouched machine draft knew of it, read back from the `#.`
    lines `_comment` wrote (polib wraps the long ones): term outcomes, truncation, post-edits,
    notes. None when the comment is not exactly what a run writes for that output (an older
    layout, a line the merge added), so the entry is taken as a draft, as before. An `unwritten`
    entry (one of a catalogue not yet written) is read as it will read back from the file."""
    comment = entry.comment or ""
    lines = comment_lines(as_written(comment) if unwritten else comment)
    if lines is None:
        return None
    if len(lines) < 2 or lines[1] != f"{MACHINE_MARK}{machine_fingerprint(entry.msgstr)}":
        return None
    rest = lines[2:]
    terms = []
    while rest and (term := TERM_NOTE.match(rest[0])):
        terms.append(term.groups())
        rest = rest[1:]
    if rest and rest[0] in (MISSING_NOTE, REPLACED_NOTE):
        rest = rest[1:]
    truncated = bool(rest) and rest[0] == TRUNCATED_NOTE
    rest = rest[1:] if truncated else rest
    post_edited: tuple[str, ...] = ()
    if rest and rest[0].startswith(POST_EDITED_NOTE):
        post_edited = tuple(rest[0][len(POST_EDITED_NOTE) :].split(", "))
        rest = rest[1:]
    if any(not note or note.startswith(MERGE_NOTES) for note in rest):
        return None
    record = MachineRecord(truncated, tuple(terms), post_edited, tuple(rest))
    again = TranslatedSegment(
        segment, entry.msgstr, truncated, tuple(TermOutcome("", en, found, 0, 0, how) for found, en, how in terms), MACHINE, record.notes, post_edited
    )
    return record if _comment(again).split("\n")[1:] == lines[1:] else None


def reference_name(source: str) -> str:
    """A source file name as a `#:` reference: wrapped in Unicode isolates when it holds white space."""
    return f"{ISOLATE_START}{source}{ISOLATE_END}" if any(c.isspace() for c in source) else source


def source_references(entry: polib.POEntry) -> list[tuple[str, str]]:
    """The entry's `#:` references as (file, line), file names with spaces joined back together.

    polib splits references at white space, so `⁨Bericht über Kim.txt⁩:3` arrives in three pieces.
    """
    tokens = [f"{name}:{line}" if line else name for name, line in entry.occurrences]
    joined, current = [], None
    for token in tokens:
        current = token if current is None else f"{current} {token}"
        if ISOLATE_START not in current or ISOLATE_END in current:
            joined.append(current)
            current = None
    if current is not None:
        joined.append(current)
    references = []
    for reference in joined:
        name, _, line = reference.rpartition(":") if reference.rpartition(":")[2].isdigit() else (reference, "", "")
        references.append((name.replace(ISOLATE_START, "").replace(ISOLATE_END, ""), line))
    return references


def keep_isolated_references_whole(text: str) -> str:
    """polib wraps `#:` lines at spaces, also inside an isolated file name; join those pieces again."""
    lines: list[str] = []
    for line in text.split("\n"):
        previous = lines[-1] if lines else ""
        if line.startswith("#: ") and previous.startswith("#: ") and previous.count(ISOLATE_START) > previous.count(ISOLATE_END):
            lines[-1] = f"{previous} {line[3:]}"
        else:
            lines.append(line)
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
        "X-Glossary": translated.glossary or "none",
    }
    for s, context in with_contexts(translated.segments):
        catalog.append(
            polib.POEntry(
                msgid=s.segment.text,
                msgstr=s.english,
                msgctxt=context,
                occurrences=[(reference_name(translated.document.source), str(s.segment.line))],
                comment=_comment(s),
                flags=[] if s.origin == REVIEWED else [FUZZY],
            )
        )
    return catalog


def with_contexts(segments):
    """Each translated segment with its msgctxt: None, or "occurrence N" for the Nth repeat of a sentence."""
    seen: Counter[str] = Counter()
    for s in segments:
        seen[s.segment.text] += 1
        yield s, occurrence_context(seen[s.segment.text])


_PO_STRING = r'"(?:[^"\\]++|\\[\\"abfnrtv?\']|\\[0-7]{1,3}|\\x[0-9A-Fa-f]+)*+"'
"""Possessive (`*+`, `++`): a string line is matched in one pass, with no backtracking state per character."""
_PO_LINE = re.compile(rf"^(?:(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?({_PO_STRING})\s*$")
MAX_ENTRY_CHARS = MAX_SENTENCE_CHARS
"""The longest msgid, msgstr, msgctxt or plural form read back: no sentence a run writes is longer,
and a longer one (a pasted dump) would cost minutes and gigabytes in the merge."""
RAW_PER_CHAR = 4
"""The most characters one character takes in a PO string (`\\x41`, `\\101`)."""
MAX_LINE_CHARS = RAW_PER_CHAR * MAX_ENTRY_CHARS + 1024
"""The longest line: a string with every character escaped, or a comment quoting two entries
(`#. nearest reviewed …: German → English`)."""
_CHARSET = re.compile(rb'"?Content-Type:.+? charset=([\w_\-:\.]+)')
"""Where the header declares its charset, as polib looks for it."""
WESTERN_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "iso8859-15", "mac-roman", "cp850", "cp437"})
"""Declared charsets (codecs names) that UTF-8 bytes would silently turn into mojibake."""


def check_syntax(path: Path, text: str) -> None:
    """polib silently mangles malformed lines, so check every keyword and string line first, and
    that no line or string is so long that parsing and merging it would exhaust the machine."""
    open_msgid = None  # line of a msgid still waiting for its msgstr
    keyword, keyword_line, raw_length = "", 0, 0  # the string being continued, where it began, its escaped length
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if len(stripped) > MAX_LINE_CHARS:
            raise InputError(path, f"a line of {len(stripped):,} characters, more than {MAX_LINE_CHARS:,}", number)
        if not stripped or stripped.startswith("#"):
            continue
        match = _PO_LINE.match(stripped)
        if not match:
            raise InputError(path, f"not valid PO syntax: {stripped[:60]}", number)
        if match.group(1):
            keyword, keyword_line, raw_length = match.group(1), number, 0
        raw_length += len(match.group(2)) - 2
        if raw_length > RAW_PER_CHAR * MAX_ENTRY_CHARS:  # surely too long, before polib parses it
            raise InputError(path, f"{keyword} longer than {MAX_ENTRY_CHARS:,} characters", keyword_line)
        if match.group(1) == "msgid":
            if open_msgid is not None:
                raise InputError(path, "msgid without msgstr", open_msgid)
            open_msgid = number
        elif (match.group(1) or "").startswith("msgstr"):
            open_msgid = None
    if open_msgid is not None:
        raise InputError(path, "msgid without msgstr", open_msgid)


class _Lines(str):
    """PO text that polib splits at line breaks only, as it splits a file it opens itself
    (`str.splitlines` would also split inside a string holding U+2028 or a form feed)."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        return self.split("\n")


def declared_charset(path: Path, data: bytes) -> str:
    """The header's charset (UTF-8 when none is declared, as for polib); refused when it names a
    Western code page but the text is UTF-8, which would turn every umlaut into mojibake."""
    for match in _CHARSET.finditer(data):
        charset = match.group(1).decode("ascii", "replace")
        try:
            name = codecs.lookup(charset).name
        except LookupError:
            continue
        if name in WESTERN_SINGLE_BYTE and not data.isascii() and _is_utf8(data):
            raise InputError(
                path,
                f"the header declares charset={charset}, but the text is UTF-8: correct the header to charset=UTF-8",
                data.count(b"\n", 0, match.start()) + 1,
            )
        return charset
    return "utf-8"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_entries(path: Path, catalog: polib.POFile) -> None:
    """Refuse a string over MAX_ENTRY_CHARS and a duplicate entry: a catalogue keyed by msgid
    would silently keep one of the two (msgfmt refuses duplicates as well)."""
    first: dict[tuple, int] = {}
    for entry in catalog:
        strings = {"msgctxt": entry.msgctxt or "", "msgid": entry.msgid, "msgid_plural": entry.msgid_plural, "msgstr": entry.msgstr}
        strings.update({f"msgstr[{n}]": text for n, text in entry.msgstr_plural.items()})
        for keyword, text in strings.items():
            if len(text) > MAX_ENTRY_CHARS:
                raise InputError(path, f"{keyword} of {len(text):,} characters, more than {MAX_ENTRY_CHARS:,}", entry.linenum)
        key = (entry.obsolete, entry_key(entry))
        if key in first:
            context = f" (msgctxt {entry.msgctxt!r})" if entry.msgctxt is not None else ""
            raise InputError(
                path, f"duplicate entry for {entry.msgid[:60]!r}{context}, first at line {first[key]}: keep one of them", entry.linenum
            )
        first[key] = entry.linenum


def load_catalog(path: Path, *, for_merging: bool = True) -> tuple[polib.POFile, str]:
    """A catalogue and its text, read in the charset its header declares; an unreadable one is an
    error, never silently replaced. Only a regular file is read, and at most MAX_CATALOGUE_BYTES."""
    return parse_catalog(path, read_regular_file(path, MAX_CATALOGUE_BYTES), for_merging=for_merging)


def parse_catalog(path: Path, data: bytes, *, for_merging: bool = True) -> tuple[polib.POFile, str]:
    """The catalogue held in `data` (the bytes of the file at `path`) and its text; see load_catalog."""
    what = "cannot read the existing PO file, refusing to overwrite it" if for_merging else "cannot read the PO file"
    charset = declared_charset(path, data)
    try:
        text = data.decode(charset).replace("\r\n", "\n").replace("\r", "\n")
        check_syntax(path, text)
        catalog = polib.pofile(_Lines(text), wrapwidth=79, encoding=charset)
    except LookupError as exc:
        raise InputError(path, f"{what}: unknown charset ({exc})") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # polib reports bad syntax as OSError
        line = _line_of(str(exc))
        raise InputError(path, f"{what} ({exc})", line) from None
    check_entries(path, catalog)
    return catalog, data.decode(charset)


def read_catalog(path: Path, *, for_merging: bool = True) -> polib.POFile:
    """The catalogue at `path` (see load_catalog)."""
    return load_catalog(path, for_merging=for_merging)[0]


class Catalogues:
    """The catalogues one run reads, each parsed once: a file is parsed again only when its bytes
    changed (a reviewer's save), so the checks before the run, the known translations, the memory,
    the merge and the review page share one parse of it. Callers must not change what they get.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, polib.POFile, str]] = {}
        self._texts: dict[str, dict] = {}
        self._settled: dict[str, tuple[str, bool]] = {}

    def note_settled(self, source: str, text: str, settled: bool) -> None:
        """Record whether the catalogue text rendered for document `source` gives every segment back
        as the run had it (see settles)."""
        self._settled[source] = (text, settled)

    def settled(self, source: str, text: str | None) -> bool:
        """Whether `text`, rendered this run for document `source`, gives a re-run back every
        segment as this run had it, so that the re-run would write the same outputs."""
        noted = self._settled.get(source)
        return noted is not None and text is not None and noted[0] == text and noted[1]

    def release(self, source: str, paths: Iterable[Path]) -> None:
        """Forget what was kept for document `source` and its files once they are written, so a
        batch holds one document's catalogues at a time, not every one of them."""
        noted = self._settled.pop(source, None)
        texts = {noted[0]} if noted is not None else set()
        for path in paths:
            kept = self._files.pop(os.path.realpath(path), None)
            if kept is not None:
                texts.add(kept[2])
        for text in texts:
            self._texts.pop(text, None)

    def load(self, path: Path, *, for_merging: bool = True, keep: bool = True) -> tuple[polib.POFile, str]:
        """The catalogue at `path` and its text (see load_catalog), parsed anew only when its bytes
        changed; one parsed anew is kept for later readers unless `keep` is false (the memory reads
        every catalogue of a tree, most of them no output of this run)."""
        data = read_regular_file(path, MAX_CATALOGUE_BYTES)
        key = os.path.realpath(path)
        cached = self._files.get(key)
        if cached is not None and cached[0] == data:
            return cached[1], cached[2]
        catalog, text = parse_catalog(path, data, for_merging=for_merging)
        if keep:
            self._files[key] = (data, catalog, text)
        return catalog, text

    def read(self, path: Path, *, for_merging: bool = True, keep: bool = True) -> polib.POFile:
        return self.load(path, for_merging=for_merging, keep=keep)[0]

    def entry_lines(self, text: str | None) -> dict[tuple[str | None, str], int]:
        """Line of each live entry of a PO text, by (msgctxt, msgid); the parse of a file that
        holds this very text is reused. A text polib cannot read has none."""
        if not text:
            return {}
        if text not in self._texts:
            catalog = next((c for _, c, known in self._files.values() if known == text), None)
            scanned = po_lines.entry_lines(text) if catalog is None else None  # a run's own layout: no parse needed
            self._texts[text] = scanned if scanned is not None else _entry_lines(catalog if catalog is not None else _lenient(text))
        return self._texts[text]


def _lenient(text: str) -> polib.POFile | None:
    try:
        return polib.pofile(_Lines(text), wrapwidth=79)
    except (OSError, ValueError):
        return None


def _entry_lines(catalog: polib.POFile | None) -> dict[tuple[str | None, str], int]:
    if catalog is None:
        return {}
    return {(e.msgctxt, e.msgid): e.linenum for e in catalog if not e.obsolete and e.msgid}


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


OTHER_DOCUMENT_SHARE = 0.5
"""A catalogue whose references name other files, and of whose live entries fewer than this share
occur in the source, belongs to another document."""


def refuse_other_documents(catalog: polib.POFile, path: Path, document: Document) -> None:
    """Merging another article's catalogue would turn all of its work obsolete: refuse it, saying how to go on."""
    live = [e for e in catalog if not e.obsolete and e.msgid]
    sentences = {s.text for s in document.segments()}
    found = sum(1 for e in live if e.msgid in sentences)
    sources = sorted({file for e in live for file, _ in source_references(e)})
    if not live or found >= OTHER_DOCUMENT_SHARE * len(live) or not sources or document.source in sources:
        return  # the same document, however much it was edited
    raise InputError(
        path,
        f"belongs to another document ({', '.join(sources[:3])}): only {found} of its {len(live)} entries occur "
        f"in {document.source}; give this document another --name, or another --locales folder",
    )


def read_po_segments(path: Path, catalogues: Catalogues | None = None) -> list[ReviewedSegment]:
    """The live entries of a catalogue as segments, each with the file:line of its entry and its review state."""
    return [segment for segment, _ in po_segments(path, (catalogues or Catalogues()).read(path, for_merging=False))]


def po_segments(path: Path, catalog: polib.POFile) -> list[tuple[ReviewedSegment, polib.POEntry]]:
    """Each live entry as a segment, with the entry; obsolete ones (`#~`) are no part of the document."""
    return [
        (ReviewedSegment(e.msgid, e.msgstr, f"{path}:{e.linenum}", Origin.of_entry(FUZZY in e.flags).state(e.msgstr)), e)
        for e in catalog
        if not e.obsolete and e.msgid
    ]


def same_content(a: polib.POFile, b: polib.POFile) -> bool:
    """Equal entries and header, whatever the order or the line wrapping."""

    def content(catalog: polib.POFile) -> set[tuple]:
        return {
            (e.msgctxt, e.msgid, e.msgstr, frozenset(e.flags), e.comment, e.tcomment, tuple(e.occurrences),
             e.previous_msgctxt, e.previous_msgid, e.obsolete, e.msgid_plural, tuple(sorted(e.msgstr_plural.items())))
            for e in catalog
        }

    return a.metadata == b.metadata and a.header == b.header and content(a) == content(b)


def gettext_layout(text: str) -> str:
    """The catalogue as GNU gettext writes it (`msgcat` wraps and escapes its own way), when msgcat is
    installed, so after a run `msgcat FILE.po` gives back the same bytes; polib's text otherwise.

    msgcat drops flags it does not know (Weblate's `max-length:80`, `read-only`): when its text
    would lose anything, polib's is kept.
    """
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        return text
    try:
        done = subprocess.run([msgcat, "-"], input=text.encode("utf-8"), capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return text
    if done.returncode != 0 or not done.stdout:
        return text
    laid_out = done.stdout.decode("utf-8")
    return laid_out if same_content(polib.pofile(laid_out), polib.pofile(text)) else text


def po_text(catalog: polib.POFile) -> str:
    """The file's text: GNU gettext's layout, with isolated file names whole (gettext before 0.22
    wraps inside them). The layout is computed in this process where it reproduces msgcat's bytes
    (`gettext_layout.layout`), else msgcat lays it out."""
    if _comments_fit(catalog):
        laid_out = layout(_unwrapped_text(catalog))
        if laid_out is not None:
            return keep_isolated_references_whole(laid_out)
    text = str(catalog) + "\n"
    laid_out = layout(text)
    return keep_isolated_references_whole(laid_out if laid_out is not None else gettext_layout(text))


def _comments_fit(catalog: polib.POFile) -> bool:
    """Whether polib writes every comment line of `catalog` unwrapped: then its wrapping of the
    strings, which the layout undoes, is the only wrapping it does, and may be left out."""
    width = catalog.wrapwidth
    for entry in catalog:
        comments = (("# ", entry.tcomment),) if entry.obsolete else (("# ", entry.tcomment), ("#. ", entry.comment))
        for prefix, text in comments:
            if width > 0 and text and any(len(line) + len(prefix) > width for line in text.split("\n")):
                return False
    return True


def _unwrapped_text(catalog: polib.POFile) -> str:
    """polib's text of `catalog` with every string on one line: the layout reads a string's lines as
    one and wraps it anew, so it lays this text out exactly as the wrapped one, without the wrapping."""
    width = catalog.wrapwidth
    catalog.wrapwidth = 0
    try:
        return str(catalog) + "\n"
    finally:
        catalog.wrapwidth = width


def known_translations(
    catalog: polib.POFile, document: Document, model: str, glossary: str, *, unwritten: bool = False, path: Path | str = "the PO catalogue"
) -> dict:
    """Segments whose translation the catalogue already holds, so they need no decoding.

    Reviewed entries (confirmed, or a draft the reviewer edited; for a repeated sentence any
    confirmed copy) count always; an untouched machine draft only while the catalogue was made with
    the same model and glossary (X-Model, X-Glossary), and then it is the machine's output: MACHINE,
    with what its decoding run recorded (see machine_record). A translation whose placeholders do
    not fit its sentence's markup is refused (InputError naming `path` and the entry's line).
    """
    live = {entry_key(e): e for e in catalog if not e.obsolete}
    shared = {e.msgid: e for e in live.values() if confirmed(e)}
    current = catalog.metadata.get("X-Model") == model and catalog.metadata.get("X-Glossary") == (glossary or "none")
    known: dict = {}
    seen: Counter[str] = Counter()
    for segment in document.segments():
        seen[segment.text] += 1
        entry = live.get((occurrence_context(seen[segment.text]), segment.text))
        if entry is not None and entry.msgstr:
            fitting_markup(path, entry, segment)
            if confirmed(entry):
                known[segment.key] = KnownTranslation(entry.msgstr, REVIEWED)
            elif edited_by_reviewer(entry):
                known[segment.key] = KnownTranslation(entry.msgstr, DRAFT)
            elif current and recorded_fingerprint(entry):
                record = machine_record(entry, segment, unwritten=unwritten)
                known[segment.key] = KnownTranslation(entry.msgstr, DRAFT if record is None else MACHINE, machine=record)
        if segment.key not in known and segment.text in shared:
            fitting_markup(path, shared[segment.text], segment)
            known[segment.key] = KnownTranslation(shared[segment.text].msgstr, REVIEWED)
    return known


def fitting_markup(path: Path | str, entry: polib.POEntry, segment) -> None:
    """Refuse, in one line naming the entry, a translation whose placeholders do not pair up with
    its sentence's inline elements: the English page could not be written from it."""
    if segment.inline is None:
        return
    problems = markup_problems(entry.msgstr, segment.inline)
    if problems:
        raise InputError(path, f"msgstr of {segment.text[:50]!r}: {problems[0]}; its placeholders must pair up with the msgid's", entry.linenum)


def reviewed_translations(path: Path | None, document: Document, catalogues: Catalogues | None = None) -> tuple[dict, str]:
    """Every segment's translation from the catalogue at `path` (confirmed: REVIEWED, fuzzy: DRAFT),
    and the model it names; InputError when the catalogue is missing, another document's, or lacks a sentence."""
    if path is None or not path.is_file():
        raise InputError(path or "--locales", "no PO catalogue for this document: run `dolmetsch translate` first")
    catalog = (catalogues or Catalogues()).read(path, for_merging=False)
    refuse_other_documents(catalog, path, document)
    live = {entry_key(e): e for e in catalog if not e.obsolete}
    known: dict = {}
    missing = []
    seen: Counter[str] = Counter()
    for segment in document.segments():
        seen[segment.text] += 1
        entry = live.get((occurrence_context(seen[segment.text]), segment.text))
        if entry is None or not entry.msgstr:
            if any(char.isalpha() for char in segment.text):
                missing.append(segment)
            continue
        fitting_markup(path, entry, segment)
        known[segment.key] = KnownTranslation(entry.msgstr, REVIEWED if confirmed(entry) else DRAFT)
    if missing:
        first = missing[0]
        raise InputError(
            path,
            f"{len(missing)} sentence(s) of {document.source} have no translation here, the first from line {first.line}: "
            f"{first.text[:60]!r}; run `dolmetsch translate` first",
        )
    return known, catalog.metadata.get("X-Model", "")


def render_po(translated: TranslatedDocument, existing: Path | None, catalogues: Catalogues | None = None) -> str:
    """The catalogue's new text: this run's entries, merged into the file at `existing` when there is one.
    A merge that changes nothing gives back the file's own text, which the writer then leaves alone."""
    catalog = build_catalog(translated)
    if existing is None or not existing.exists():
        text = po_text(catalog)
    else:
        previous, text = (catalogues or Catalogues()).load(existing)
        catalog = merge_catalogs(catalog, previous)
        if not same_content(catalog, previous):
            text = po_text(catalog)  # else not rewritten: the writer skips equal bytes
    if catalogues is not None:
        catalogues.note_settled(translated.document.source, text, settles(catalog, translated))
    return text


def settles(catalog: polib.POFile, translated: TranslatedDocument) -> bool:
    """Whether a re-run reading `catalog` would take every segment back exactly as `translated`
    has it (the same English, origin, term outcomes, flags and notes), and so decode nothing and
    write the same outputs: not so where the merge put a reviewer's work or a note beside a machine
    output, or a segment came from the translation memory."""
    known = known_translations(catalog, translated.document, translated.model, translated.glossary, unwritten=True)
    for s in translated.segments:
        take = known.get(s.segment.key)
        if take is None:
            if has_words(s.segment.text) or s != TranslatedSegment(s.segment, s.segment.text):
                return False
        elif take.english != s.english or take.origin != s.origin:
            return False
        elif take.machine is not None:
            record = MachineRecord(s.truncated, tuple((t.found, t.en, t.how) for t in s.terms), s.post_edited, s.notes)
            if take.machine != record:
                return False
        elif s.notes != tuple(filter(None, [take.note])) or s.truncated or s.post_edited:
            return False
    return True


class GettextCatalog(OutputFormat):
    name = "po"
    suffix = ".po"
    folder = LOCALES
    readable = True
    merges_existing = True
    written_by = (TRANSLATE,)

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_po(translated, existing)

    def render_in(self, translated: TranslatedDocument, existing: Path | None, context: RenderContext) -> str:
        return render_po(translated, existing, context.catalogues)

    def check_existing(self, path: Path, document: Document, catalogues: Catalogues | None = None) -> None:
        refuse_other_documents((catalogues or Catalogues()).read(path), path, document)

    def known_translations(self, path: Path, document: Document, model: str, glossary: str, catalogues: Catalogues | None = None) -> dict:
        return known_translations((catalogues or Catalogues()).read(path), document, model, glossary, path=path)

    def read_segments(self, path: Path) -> list[ReviewedSegment]:
        return read_po_segments(path)
