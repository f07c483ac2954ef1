"""XLIFF 1.2: a document's PO entries as the exchange file for a CAT tool, and the tool's work read back.

The PO stays the record of review; the XLIFF carries it out and back.

Written (`render_xliff`): one `<file>` (`original` the source, `source-language="de"`,
`target-language="en"`, `datatype` of the source format), one `<group>` per block (`restype` its
kind), one `<trans-unit>` per sentence. A unit's `id` is a hash of its PO key (gettext's
`msgctxt\\x04msgid`), so it names the same entry however the catalogue is laid out; `resname` is the
German. The PO's review state becomes the target's `state` (see STATES), confirmed entries are
`approved="yes"`; `extradata` records a fingerprint of the state and translation the file was
written with, so an import can tell what the CAT tool changed from what changed in the PO since.
The `#.` lines (glossary decisions, MISSING terms, the machine draft of a changed sentence, memory
origins) become `<note from="dolmetsch">`, the reviewers' `#` comments `<note from="translator">`;
the source file and line a `<context-group purpose="location">`. Numbered placeholders become inline
codes: `<1>…</1>` a `<g id="1">`, `<2/>` an `<x id="2"/>`; a `\\<` escape is plain text. Glossary
terms are marked in the source as `<mrk mtype="term">`.

Read (`read_xliff`): entity declarations and DTDs are refused (defusedxml), so are another
language pair and anything but XLIFF 1.x. Any namespace prefix, indentation, line ends and BOM,
`<alt-trans>`, `<seg-source>`, `<mrk>` segments and extension namespaces (SDLXLIFF, MQXLIFF) are
accepted: only the units' ids, sources, targets, states and notes are read.

Merged (`merge_xliff`): see its docstring.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import polib

from dolmetsch.document.inline import Tag
from dolmetsch.document.model import Document, Kind, Segment
from dolmetsch.errors import InputError
from dolmetsch.formats.base import OUT, OutputFormat
from dolmetsch.formats.po import (
    MAX_ENTRY_CHARS,
    MISSING_NOTE,
    REPLACED_NOTE,
    TERM_NOTE,
    TRUNCATED_NOTE,
    comment_lines,
    occurrence_context,
    source_references,
)
from dolmetsch.formats.po_merge import FUZZY, MACHINE_MARK, edited_by_reviewer, entry_key, reviewer_work
from dolmetsch.markup.placeholders import Token, elements_of, markup_problems, tokens, untokens
from dolmetsch.translation import MISSING, REPLACED, TranslatedDocument
from dolmetsch.version import __version__

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
READ_NAMESPACES = (XLIFF_NS, "urn:oasis:names:tc:xliff:document:1.1", "urn:oasis:names:tc:xliff:document:1.0", "")
"""The namespaces a file's XLIFF elements may be in (1.1 and 1.0 files, and files that lost theirs, are read too)."""
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOOL = "dolmetsch"
NOTE_FROM_RUN = TOOL
"""`from` of the notes a run's `#.` lines become: the PO's own, not read back."""
NOTE_FROM_REVIEWER = "translator"
"""`from` of the note the reviewers' `#` comments become (translate-toolkit reads it as a translator comment too)."""
FINAL = "final"
"""The PO flag (`#, final`) for a translation past its final review: XLIFF's `state="final"`.
gettext has no such state; the flag only counts on a confirmed entry."""
BEFORE_IMPORT = "in the PO before the XLIFF import: "
"""Translator comment keeping a reviewer's translation that an XLIFF import replaced after both changed."""
EARLIER_GERMAN = "translated for the earlier German: "
"""Note beside a draft offered for a changed sentence (the PO's `#| msgid`)."""
FINGERPRINT = "dolmetsch:"
"""`extradata` prefix: the fingerprint of the state and target the unit was exported with."""

DATATYPES = {"text": "plaintext", "html": "html"}
"""XLIFF `datatype` by source format (dolmetsch.sources); others are `x-` + the format's name."""

# review states of a PO entry
EMPTY, DRAFT_STATE, CONFIRMED, FINAL_STATE = "empty", "fuzzy", "confirmed", "final"

STATES = {EMPTY: "new", DRAFT_STATE: "needs-review-translation", CONFIRMED: "translated", FINAL_STATE: "final"}
"""The target `state` a PO entry's review state is exported as."""
DRAFT_STATES = frozenset(
    {"new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-translation", "needs-review-adaptation", "needs-review-l10n"}
)
DONE_STATES = {"translated": CONFIRMED, "signed-off": CONFIRMED, "final": FINAL_STATE}

RESTYPES = {Kind.TITLE: "x-title", Kind.HEADING: "heading", Kind.PARAGRAPH: "x-paragraph", Kind.CAPTION: "caption", Kind.CREDIT: "x-credit"}
FIGURE = "x-figure"
G_CTYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underlined", "a": "link", "link": "link"}
X_CTYPES = {"img": "image", "image": "image", "br": "lb"}
_CTYPE_NAME = re.compile(r"[A-Za-z][\w.-]*")
_STRUCTURE_LINE = re.compile(rf"^(?:{'|'.join(kind.value for kind in Kind)}), block \d+, sentence \d+$")
"""The first `#.` line of a run's entry (its kind and place): the unit's group and restype say it."""
_WARNINGS = (MISSING_NOTE, REPLACED_NOTE, TRUNCATED_NOTE, "markup placed without a confident alignment")
INLINE_CODES = frozenset({"g", "x", "bx", "ex", "bpt", "ept", "ph", "it", "sub"})


def po_state(entry: polib.POEntry) -> str:
    """An entry's review state: no translation, fuzzy draft, confirmed, or confirmed and final."""
    if not entry.msgstr:
        return EMPTY
    if FUZZY in entry.flags:
        return DRAFT_STATE
    return FINAL_STATE if FINAL in entry.flags else CONFIRMED


def xliff_state(state: str | None, approved: str | None) -> str:
    """The PO review state a target with this `state` and its unit's `approved` comes back as.

    A `state` decides where it is given: `new` and `needs-*` are drafts (fuzzy) even when approved;
    `translated`, `signed-off` and `final` are confirmed (`final` with the `final` flag) unless the
    unit says `approved="no"`. Without a (known) state, `approved="yes"` confirms and anything else
    is a draft.
    """
    if state in DRAFT_STATES:
        return DRAFT_STATE
    if state in DONE_STATES:
        return DRAFT_STATE if approved == "no" else DONE_STATES[state]
    return CONFIRMED if approved == "yes" else DRAFT_STATE


def unit_id(msgctxt: str | None, msgid: str) -> str:
    """The unit id of a PO entry: a hash of its key as gettext writes it into an MO file."""
    key = msgid if msgctxt is None else f"{msgctxt}\x04{msgid}"
    return "s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def fingerprint(state: str, text: str) -> str:
    """What `extradata` records of a unit's review state and target (text as read back from XLIFF)."""
    return FINGERPRINT + hashlib.sha1(f"{state}\n{text}".encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# placeholders ⇄ inline codes

def canonical(text: str, markup: bool = True) -> str:
    """A PO string as it comes back from XLIFF (`<01>` is `<1>`); the same string for a plain-text
    source, whose sentences have no placeholders (a `<1>` there is text)."""
    return untokens(tokens(text)) if markup else text


def codes(text: str, markup: bool = True) -> dict[int, str]:
    """The inline codes of a text with placeholders: element number → "g" or "x"."""
    if not markup:
        return {}
    return {int(value): ("x" if kind == "point" else "g") for kind, value in tokens(text) if kind in ("open", "point")}


# ---------------------------------------------------------------------------------------------
# writing


class XliffExport(OutputFormat):
    """Where `dolmetsch xliff export` writes a document's XLIFF (no run writes it by itself)."""

    name = "xliff"
    suffix = ".de-en.xlf"
    folder = OUT
    written_by = ()

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        raise NotImplementedError("the XLIFF is written from the PO: dolmetsch.exchange.export_xliff")


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def render_xliff(document: Document, entries: Sequence[tuple[Segment, polib.POEntry]]) -> str:
    """The XLIFF 1.2 text of `document`: one unit per (segment, PO entry), in document order."""
    from lxml import etree

    root = etree.Element(_q("xliff"), {"version": "1.2"}, nsmap={None: XLIFF_NS})
    attributes = {"original": document.source, "source-language": "de", "target-language": "en", "datatype": datatype(document.format), "tool-id": TOOL}
    file = etree.SubElement(root, _q("file"), attributes)
    header = etree.SubElement(file, _q("header"))
    etree.SubElement(header, _q("tool"), {"tool-id": TOOL, "tool-name": TOOL, "tool-version": __version__})
    body = etree.SubElement(file, _q("body"))
    blocks = {block.number: block for block in document.blocks}
    group = None
    for segment, entry in entries:
        if group is None or group.get("id") != f"block-{segment.block}":
            group = etree.SubElement(body, _q("group"), {"id": f"block-{segment.block}", "restype": _block_restype(blocks.get(segment.block), segment)})
        _unit(group, document, segment, entry)
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"


def datatype(source_format: str) -> str:
    return DATATYPES.get(source_format, f"x-{source_format}")


def _block_restype(block, segment: Segment) -> str:
    if block is not None and any(part.kind is Kind.CREDIT for part in block.parts):
        return FIGURE
    return RESTYPES[segment.kind]


def _unit(group, document: Document, segment: Segment, entry: polib.POEntry) -> None:
    from lxml import etree

    state = po_state(entry)
    markup = segment.inline is not None
    tags = {tag.id: tag for tag in segment.inline.tags} if markup else {}
    lines = _comment_lines(entry)
    attributes = {"id": unit_id(entry.msgctxt, entry.msgid), "resname": entry.msgid, "restype": RESTYPES[segment.kind]}
    if state in (CONFIRMED, FINAL_STATE):
        attributes["approved"] = "yes"
    unit = etree.SubElement(group, _q("trans-unit"), attributes)
    unit.set(XML_SPACE, "preserve")
    source = etree.SubElement(unit, _q("source"))
    write_content(source, entry.msgid, markup=markup, tags=tags, terms=_terms(lines))
    target = etree.SubElement(unit, _q("target"), {"state": STATES[state]})
    qualifier = _qualifier(entry, lines) if state == DRAFT_STATE else None
    if qualifier:
        target.set("state-qualifier", qualifier)
    write_content(target, entry.msgstr, markup=markup, tags=tags)
    unit.set("extradata", fingerprint(state, read_content(target, markup=markup)[0]))
    location = etree.SubElement(unit, _q("context-group"), {"purpose": "location"})
    etree.SubElement(location, _q("context"), {"context-type": "sourcefile"}).text = document.source
    etree.SubElement(location, _q("context"), {"context-type": "linenumber"}).text = str(segment.line)
    if entry.msgctxt is not None:
        information = etree.SubElement(unit, _q("context-group"), {"purpose": "information"})
        etree.SubElement(information, _q("context"), {"context-type": "x-po-msgctxt"}).text = entry.msgctxt
    if entry.previous_msgid is not None and state == DRAFT_STATE:
        lines = [*lines, f"{EARLIER_GERMAN}{entry.previous_msgid}"]
    for line in lines:
        note = etree.SubElement(unit, _q("note"), {"from": NOTE_FROM_RUN, "priority": "1" if _warning(line) else "5"})
        note.text = line
    if entry.tcomment:
        etree.SubElement(unit, _q("note"), {"from": NOTE_FROM_REVIEWER}).text = entry.tcomment


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry."""


def not_xml(entry: polib.POEntry) -> str | None:
    """What of an entry XML cannot carry (a control character), as a problem; None when all of it can go."""
    for field_name, text in (("msgid", entry.msgid), ("msgstr", entry.msgstr), ("msgctxt", entry.msgctxt or ""), ("comment", entry.tcomment or ""), ("comment", entry.comment or "")):
        found = _NOT_XML.search(text)
        if found:
            return f"{field_name} of {_short(entry.msgid)} holds {found.group(0)!r}, which XML cannot carry"
    return None


def _comment_lines(entry: polib.POEntry) -> list[str]:
    """The `#.` lines worth a note: all but the position (it is the group and the context) and the machine fingerprint."""
    comment = entry.comment or ""
    lines = comment_lines(comment) or comment.split("\n")
    return [line for line in lines if line and not _STRUCTURE_LINE.match(line) and not line.startswith(MACHINE_MARK)]


def _warning(line: str) -> bool:
    term = TERM_NOTE.match(line)
    return line.startswith(_WARNINGS) or (term is not None and term.group(3) in (MISSING, REPLACED))


def _terms(lines: list[str]) -> list[tuple[str, str]]:
    """The German forms of the glossary terms the `#.` lines name, with what the `<mrk>` says of each."""
    found = []
    for line in lines:
        term = TERM_NOTE.match(line)
        if term:
            german, english, how = term.groups()
            found.append((german, f"glossary: {english}" + (" (MISSING in the English)" if how == MISSING else "")))
    return found


def _qualifier(entry: polib.POEntry, lines: list[str]) -> str | None:
    if any(line.startswith("memory: ") for line in lines):
        return "leveraged-tm"
    if entry.previous_msgid is not None:
        return "fuzzy-match"
    if not edited_by_reviewer(entry):
        return "leveraged-mt"
    return None


def write_content(element, text: str, *, markup: bool = True, tags: dict[int, Tag] | None = None, terms: Iterable[tuple[str, str]] = ()) -> None:
    """Put a PO string into a `<source>` or `<target>` (the inverse of `read_content`): text, a
    `<g>` for each `<n>…</n>`, an `<x/>` for each `<n/>` (for a plain-text source, `markup` false,
    all of it is text); `tags` (the source's elements, by number) give each code its `ctype`. The
    first whole-word occurrence of each of `terms` (German form, comment) within one run of text is
    wrapped in `<mrk mtype="term">`."""
    from lxml import etree

    tags = tags or {}
    pending = list(terms)
    stack = [element]
    for kind, value in tokens(text) if markup else [("text", text)]:
        if kind == "text":
            for piece, comment in _with_terms(str(value), pending):
                if comment is None:
                    _append_text(stack[-1], piece)
                else:
                    etree.SubElement(stack[-1], _q("mrk"), {"mtype": "term", "comment": comment}).text = piece
        elif kind == "open":
            stack.append(etree.SubElement(stack[-1], _q("g"), _code_attributes(int(value), tags, G_CTYPES)))
        elif kind == "close":
            if len(stack) > 1:
                stack.pop()
        else:
            etree.SubElement(stack[-1], _q("x"), _code_attributes(int(value), tags, X_CTYPES))


def _code_attributes(number: int, tags: dict[int, Tag], ctypes: dict[str, str]) -> dict[str, str]:
    attributes = {"id": str(number)}
    name = tags[number].name.lower() if number in tags else ""
    if name in ctypes:
        attributes["ctype"] = ctypes[name]
    elif _CTYPE_NAME.fullmatch(name):
        attributes["ctype"] = f"x-{name}"
    return attributes


def _with_terms(text: str, pending: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """`text` in pieces, those that are a pending term's first whole-word occurrence with its comment
    (a term found is taken off `pending`)."""
    pieces: list[tuple[str, str | None]] = []
    while text:
        best = None
        for number, (german, comment) in enumerate(pending):
            match = re.search(rf"(?<!\w){re.escape(german)}(?!\w)", text)
            if match and (best is None or match.start() < best[0].start()):
                best = (match, number, comment)
        if best is None:
            break
        match, number, comment = best
        del pending[number]
        if match.start():
            pieces.append((text[: match.start()], None))
        pieces.append((match.group(0), comment))
        text = text[match.end() :]
    if text:
        pieces.append((text, None))
    return pieces


def _append_text(element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


STRUCTURE = frozenset({"xliff", "file", "header", "body", "group", "trans-unit", "context-group"})
"""Elements with element-only content, indented; text-bearing ones (`source`, `target`, `note`) never are."""


def _indent(element, level: int = 0) -> None:
    from lxml import etree

    children = [child for child in element if etree.QName(child).localname]
    if etree.QName(element).localname not in STRUCTURE or not children:
        return
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    element.text = inner
    for child in children:
        child.tail = inner
        _indent(child, level + 1)
    children[-1].tail = outer


# ---------------------------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class Unit:
    """A trans-unit as read back: its source and target as the PO writes them (text with placeholders)."""

    id: str
    line: int | None
    source: str
    target: str | None
    """None: no target, or an empty one (a CAT tool that drops a target erases nothing)."""
    state: str | None
    approved: str | None
    notes: tuple[tuple[str | None, str], ...]
    """(from, text) of each `<note>` of the unit."""
    msgctxt: str | None
    base: str | None
    """The fingerprint the unit was exported with (`extradata`), when the CAT tool kept it."""
    target_codes: tuple[tuple[str, str], ...] = ()
    """The target's `<g>` and `<x>` in order: (kind, id)."""
    target_problems: tuple[str, ...] = ()
    """Inline codes no placeholder stands for (`<ph>`, `<bpt>` …, any code of a plain-text source)."""

    @property
    def review_state(self) -> str:
        return xliff_state(self.state, self.approved)


@dataclass(frozen=True)
class XliffFile:
    where: str
    original: str
    datatype: str
    units: tuple[Unit, ...]

    @property
    def markup(self) -> bool:
        """Whether the document has inline markup (its units placeholders); a plain-text one has none."""
        return self.datatype != DATATYPES["text"]


def read_xliff(data: bytes, where: Path | str) -> XliffFile:
    """The one `<file>` of an XLIFF 1.x document and its units; InputError (one line, with the line
    where known) for entity declarations or a DTD, malformed XML, anything but XLIFF 1.x, no or
    several `<file>`s, another language pair, a unit without an id or one id twice."""
    root = _parse(data, str(where))
    namespace, name = _split(root.tag)
    version = root.get("version", "")
    if name == "xliff" and (version.startswith("2") or ":2." in namespace):
        raise InputError(where, f"XLIFF {version or '2'} is not read; dolmetsch exchanges XLIFF 1.2", root.sourceline)
    if name != "xliff" or namespace not in READ_NAMESPACES:
        raise InputError(where, f"the root element is <{name}>{f' in {namespace}' if namespace else ''}, not XLIFF 1.2's <xliff>", root.sourceline)
    files = [child for child in root if _xliff(child, namespace) == "file"]
    if len(files) != 1:
        raise InputError(
            where, f"holds {len(files)} <file> elements; an XLIFF dolmetsch exports holds one document: import each document's file on its own"
        )
    file = files[0]
    source_language, target_language = file.get("source-language", ""), file.get("target-language", "")
    if _primary(source_language) != "de" or (target_language and _primary(target_language) != "en"):
        raise InputError(
            where,
            f"is for {source_language or '?'}→{target_language or '?'}, not German→English (source-language=\"de\", target-language=\"en\")",
            file.sourceline,
        )
    original = file.get("original", "")
    if not original:
        raise InputError(where, "the <file> has no original: it names no document", file.sourceline)
    markup = file.get("datatype", "") != DATATYPES["text"]
    units: list[Unit] = []
    first: dict[str, int | None] = {}
    for element in file.iter():
        if _xliff(element, namespace) != "trans-unit" or _inside_alt_trans(element, namespace):
            continue
        unit = _read_unit(element, namespace, str(where), markup)
        if unit.id in first:
            raise InputError(where, f"unit id {unit.id!r} appears twice, first at line {first[unit.id]}", unit.line)
        first[unit.id] = unit.line
        units.append(unit)
    return XliffFile(str(where), original, file.get("datatype", ""), tuple(units))


def _parse(data: bytes, where: str):
    """The document's root (lxml, for line numbers), after defusedxml has refused any DTD or entity declaration."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml.ElementTree import fromstring
    from lxml import etree

    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        found = data.find(b"<!DOCTYPE")
        line = data.count(b"\n", 0, found) + 1 if found >= 0 else None
        raise InputError(where, f"refusing XML with a DTD or entity declarations ({type(exc).__name__}): an XLIFF file needs neither", line) from None
    except ParseError as exc:
        message = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise InputError(where, f"not well-formed XML ({message})", exc.position[0]) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(where, f"not well-formed XML ({exc.msg})", exc.lineno) from None


def _split(tag) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _xliff(element, namespace: str) -> str | None:
    """The element's name when it is an XLIFF element (in the root's namespace), else None."""
    if not isinstance(element.tag, str):
        return None
    own, name = _split(element.tag)
    return name if own == namespace else None


def _inside_alt_trans(element, namespace: str) -> bool:
    return any(_xliff(ancestor, namespace) == "alt-trans" for ancestor in element.iterancestors())


def _primary(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


def _read_unit(element, namespace: str, where: str, markup: bool) -> Unit:
    line = element.sourceline
    identifier = element.get("id")
    if not identifier:
        raise InputError(where, "a <trans-unit> without an id", line)
    children = {}
    notes = []
    msgctxt = None
    for child in element:
        name = _xliff(child, namespace)
        if name in ("source", "target") and name not in children:
            children[name] = child
        elif name == "note":
            notes.append((child.get("from"), "".join(child.itertext())))
        elif name == "context-group":
            for context in child:
                if _xliff(context, namespace) == "context" and context.get("context-type") == "x-po-msgctxt":
                    msgctxt = "".join(context.itertext())
    if "source" not in children:
        raise InputError(where, f"unit {identifier} has no <source>", line)
    source = read_content(children["source"], namespace, markup=markup)[0]
    target, target_codes, problems, state = None, [], [], None
    if "target" in children:
        state = children["target"].get("state")
        target, target_codes, problems = read_content(children["target"], namespace, markup=markup)
    extradata = element.get("extradata") or ""
    return Unit(
        identifier, line, source, target or None, state, element.get("approved"), tuple(notes), msgctxt,
        extradata if extradata.startswith(FINGERPRINT) else None, tuple(target_codes), tuple(problems),
    )


def read_content(element, namespace: str = XLIFF_NS, *, markup: bool = True) -> tuple[str, list[tuple[str, str]], list[str]]:
    """A `<source>` or `<target>` as the PO writes it (text with placeholders; plain text for a
    plain-text source), its `<g>`/`<x>` in order (kind, id), and the inline codes no placeholder
    can stand for. `<mrk>` (terms, segments, comments) and elements of other namespaces give their
    text; comments and processing instructions are left out."""
    found: list[Token] = []
    seen: list[tuple[str, str]] = []
    problems: list[str] = []

    def text(value: str | None) -> None:
        if value:
            found.append(("text", value))

    def walk(parent) -> None:
        text(parent.text)
        for child in parent:
            own, name = _split(child.tag)
            code = name if own == namespace and name in INLINE_CODES else None
            identifier = child.get("id", "") if code else ""
            if code in ("g", "x"):
                seen.append((code, identifier))
            if markup and code in ("g", "x") and identifier.isdigit() and identifier.isascii():
                number = int(identifier)
                found.append(("open", number) if code == "g" else ("point", number))
                walk(child)
                if code == "g":
                    found.append(("close", number))
            else:
                if code in ("g", "x"):
                    problems.append(f'<{code} id="{identifier}"> is not in the source')
                elif code is not None:
                    problems.append(f"<{code}> is not in the source")
                if isinstance(child.tag, str):
                    walk(child)  # <mrk>, another namespace's element, or a refused code: its text
            text(child.tail)

    walk(element)
    return (untokens(found) if markup else "".join(str(value) for _, value in found)), seen, problems


# ---------------------------------------------------------------------------------------------
# merging into the PO


@dataclass
class Merged:
    """What an import does to a catalogue: the new catalogue and what changed, for the report."""

    catalog: polib.POFile
    translations: int = 0
    states: int = 0
    notes: int = 0
    kept_obsolete: int = 0
    stale: list[str] = field(default_factory=list)
    """One line per unit whose source is no sentence of the PO any more (`LINE: …`)."""
    conflicts: list[str] = field(default_factory=list)
    """One line per unit changed both in the PO since the export and in the XLIFF."""

    @property
    def unchanged(self) -> bool:
        return not (self.translations or self.states or self.notes or self.kept_obsolete)


def belongs(catalog: polib.POFile, xliff: XliffFile) -> tuple[bool, list[str]]:
    """Whether `xliff` is the XLIFF of the document `catalog` holds: its `original` is a file the
    entries' references name (the same path, or the same file name: a path spelled from another
    folder), and the files they name. Shared sentences prove nothing: the same article as text and
    as HTML has them."""
    sources = sorted({name for e in catalog if not e.obsolete and e.msgid for name, _ in source_references(e)})
    original = os.path.normpath(xliff.original)
    same = any(os.path.normpath(name) == original or os.path.basename(name) == os.path.basename(original) for name in sources)
    return same, sources


def merge_xliff(catalog: polib.POFile, xliff: XliffFile) -> Merged:
    """`catalog` with the CAT tool's work of `xliff` carried in (a copy; `catalog` is not changed).

    - A unit is its PO entry by id, and only while its source is still the entry's German; any
      other unit is reported (`stale`) and its translation, where the tool changed it, kept as an
      obsolete entry (`#~`), never given to another sentence.
    - Every unit's `<g>`/`<x>` must pair up with its source's (each once, `<g>` for `<g>`, `<x>`
      for `<x>`, nothing invented, the PO's placeholder rules met): InputError for the first unit
      that does not, before anything is changed.
    - A target the tool left as exported (its fingerprint in `extradata`) changes nothing, so a PO
      edited since the export keeps its edits. A changed target or state becomes the entry's
      translation and review state (see `xliff_state`); when a reviewer changed the PO's entry since
      the export too (or the tool dropped `extradata` and the entry is reviewer work), the XLIFF's
      translation goes in as a fuzzy draft and the reviewer's is kept in a translator comment
      (`conflicts`). A missing or empty target changes nothing.
    - Notes other than dolmetsch's own come back as translator comments (a `from` other than
      "translator" before the text), each once: a note the comment already holds is not added again.
    """
    merged = Merged(copy.deepcopy(catalog))
    live = {unit_id(e.msgctxt, e.msgid): e for e in merged.catalog if not e.obsolete and e.msgid}
    pairs = []
    for unit in xliff.units:
        entry = live.get(unit.id)
        matched = entry is not None and not entry.msgid_plural and canonical(entry.msgid, xliff.markup) == unit.source
        _check_codes(xliff, unit, entry.msgid if matched else unit.source)
        pairs.append((unit, entry, matched))
    live_keys = {entry_key(e) for e in live.values()}
    obsolete = {entry_key(e): e for e in merged.catalog if e.obsolete}
    for unit, entry, matched in pairs:
        if matched:
            _carry(merged, entry, unit, xliff.markup)
        else:
            _keep_stale(merged, unit, entry, live_keys, obsolete)
    if not merged.unchanged:
        merged.catalog.metadata["PO-Revision-Date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
    return merged


def _check_codes(xliff: XliffFile, unit: Unit, german: str) -> None:
    if unit.target is None:
        return
    if len(unit.target) > MAX_ENTRY_CHARS:
        raise InputError(xliff.where, f"unit {unit.id}: a target of {len(unit.target):,} characters, more than a PO entry holds ({MAX_ENTRY_CHARS:,})", unit.line)
    expected = codes(german, xliff.markup)
    problems = list(unit.target_problems) + _pairing(expected, unit.target_codes)
    if not problems and xliff.markup:
        marked = elements_of(german)
        problems = markup_problems(unit.target, marked) if marked is not None else []
    if problems:
        raise InputError(
            xliff.where,
            f"unit {unit.id} ({_short(german)}): {problems[0]}; its <g> and <x> must pair up with the source's, so nothing was imported",
            unit.line,
        )


def _pairing(expected: dict[int, str], seen: Sequence[tuple[str, str]]) -> list[str]:
    problems = []
    counted = Counter(identifier for _, identifier in seen)
    for kind, identifier in seen:
        number = int(identifier) if identifier.isdigit() and identifier.isascii() else None
        written = f'<g id="{identifier}">' if kind == "g" else f'<x id="{identifier}"/>'
        if number is None or number not in expected:
            problems.append(f"{written} is not in the source")
        elif expected[number] != kind:
            other = f'<g id="{number}">' if expected[number] == "g" else f'<x id="{number}"/>'
            problems.append(f"{written} stands where the source has {other}")
        elif counted[identifier] > 1:
            problems.append(f"{written} appears {counted[identifier]} times")
    for number, kind in expected.items():
        if str(number) not in counted:
            problems.append(f'<g id="{number}"> of the source is missing' if kind == "g" else f'<x id="{number}"/> of the source is missing')
    return list(dict.fromkeys(problems))


def _short(text: str) -> str:
    return repr(text if len(text) <= 50 else text[:49] + "…")


def _carry(merged: Merged, entry: polib.POEntry, unit: Unit, markup: bool) -> None:
    if unit.target is not None:
        new = (unit.review_state, unit.target)
        current = (po_state(entry), canonical(entry.msgstr, markup))
        if unit.base is not None and fingerprint(*new) == unit.base:
            pass  # as exported: whatever the PO holds now stays
        elif new == current:
            pass
        elif (unit.base is not None and fingerprint(*current) == unit.base) or not reviewer_work(entry) or new[1] == current[1]:
            _apply(merged, entry, *new)  # the PO as exported, a machine draft, or only the review state changed
        else:
            before = entry.msgstr
            _apply(merged, entry, DRAFT_STATE, unit.target)
            merged.notes += _add_comment(entry, f"{BEFORE_IMPORT}{before}")
            merged.conflicts.append(
                f"{unit.line}: unit {unit.id} ({_short(entry.msgid)}): changed in the PO since the export and in the XLIFF; "
                "the XLIFF's translation is now a fuzzy draft, the PO's is kept in a translator comment"
            )
    merged.notes += _add_notes(entry, unit.notes)


def _apply(merged: Merged, entry: polib.POEntry, state: str, text: str) -> None:
    if entry.msgstr != text:
        entry.msgstr = text
        merged.translations += 1
    wanted = [flag for flag in entry.flags if flag not in (FUZZY, FINAL)]
    if state == DRAFT_STATE:
        wanted = [FUZZY, *wanted]
    elif state == FINAL_STATE:
        wanted = [*wanted, FINAL]
    if set(wanted) != set(entry.flags):
        entry.flags = wanted
        merged.states += 1
    if state != DRAFT_STATE:  # confirmed: the earlier German it was offered for is settled (Poedit clears it too)
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None


def _add_comment(entry: polib.POEntry, line: str) -> int:
    entry.tcomment = f"{entry.tcomment}\n{line}" if entry.tcomment else line
    return 1


def _add_notes(entry: polib.POEntry, notes: Iterable[tuple[str | None, str]]) -> int:
    added = 0
    for author, text in notes:
        text = text.strip()
        if author == NOTE_FROM_RUN or not text:
            continue
        line = text if author in (None, "", NOTE_FROM_REVIEWER) else f"{author}: {text}"
        held = " ".join((entry.tcomment or "").split())
        if " ".join(text.split()) in held or " ".join(line.split()) in held:
            continue
        added += _add_comment(entry, line)
    return added


def _keep_stale(merged: Merged, unit: Unit, entry: polib.POEntry | None, live_keys: set, obsolete: dict) -> None:
    """A unit that is no entry of the PO (any more): reported; its translation, where the tool changed it, kept as obsolete."""
    msgctxt = entry.msgctxt if entry is not None else unit.msgctxt
    key = (msgctxt, unit.source)
    what = f"{unit.line}: unit {unit.id} ({_short(unit.source)}): " + (
        "its source is no longer the German of its entry" if entry is not None else "its source is no sentence of the PO any more"
    )
    changed = unit.target is not None and (unit.base is None or fingerprint(unit.review_state, unit.target) != unit.base)
    if not changed:
        merged.stale.append(f"{what}; it was not changed in the XLIFF, so nothing of it is kept")
        return
    if key in live_keys:
        merged.stale.append(f"{what}, and its id is not that sentence's; not applied")
        return
    kept = obsolete.get(key)
    if kept is None:
        kept = polib.POEntry(msgid=unit.source, msgstr="", msgctxt=msgctxt, obsolete=True)
        merged.catalog.append(kept)
        obsolete[key] = kept
    counts = (merged.translations, merged.states, merged.notes)
    _apply(merged, kept, unit.review_state, unit.target)
    merged.notes += _add_notes(kept, unit.notes)
    if (merged.translations, merged.states, merged.notes) != counts:
        merged.kept_obsolete += 1  # counted as kept, not as translations of the document
        merged.translations, merged.states, merged.notes = counts
    merged.stale.append(f"{what}; its translation is kept in the PO as obsolete (#~)")


def sentence_entries(document: Document, catalog: polib.POFile) -> tuple[list[tuple[Segment, polib.POEntry]], list[Segment]]:
    """Each of the document's sentences with its live PO entry, and the sentences with letters that have none."""
    live = {entry_key(e): e for e in catalog if not e.obsolete}
    seen: Counter[str] = Counter()
    found, missing = [], []
    for segment in document.segments():
        seen[segment.text] += 1
        entry = live.get((occurrence_context(seen[segment.text]), segment.text))
        if entry is None:
            if any(char.isalpha() for char in segment.text):
                missing.append(segment)
            continue
        found.append((segment, entry))
    return found, missing
