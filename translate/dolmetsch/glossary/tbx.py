"""Exchange glossaries as TBX (ISO 30042), the format terminology tools and Weblate read.

Export writes TBX v3 in the TBX-Basic dialect (`<tbx type="TBX-Basic" style="dca">`, ISO
30042:2019), or on request the TBX 2008 (`<martif>`) form that older tools such as Translate
Toolkit and Weblate read. Import reads both. One entry becomes one concept:

* concept `<note>`: the entry's note;
* German `<termSec>`: the term, `partOfSpeech` = `properNoun` for names, `administrativeStatus`
  = `preferredTerm-admn-sts` (approved) or `admittedTerm-admn-sts` (proposed), and a `<note>`
  `dolmetsch: kind=…; match=…` carrying what TBX-Basic has no data category for;
* English `<termSec>`s: the rendering with the same status, then each forbidden variant with
  `deprecatedTerm-admn-sts`.

So TSV → TBX → TSV keeps every column. Files from other tools import with defaults: kind from
`partOfSpeech` (`properNoun` → name, else term), status approved only for preferred terms,
forbidden variants from deprecated, superseded, `forbidden` or `obsolete` English terms.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from dolmetsch.atomic import write_bytes_atomic
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import DEFAULT_MATCH, KINDS, MATCH_MODES, STATUSES, Entry, Glossary
from dolmetsch.xmlsafe import XML_LANG, parse_untrusted

TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
SOURCE_LANGUAGE = "de"
TARGET_LANGUAGE = "en"
PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
DEPRECATED_VALUES = frozenset({DEPRECATED, "supersededTerm-admn-sts", "deprecated", "forbidden", "obsolete"})
STATUS_TO_TBX = {"approved": PREFERRED, "proposed": ADMITTED}
PROPER_NOUN = "properNoun"
SETTINGS_PREFIX = "dolmetsch:"
XML_MODELS = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBX-Basic_DCA.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)
LEGACY_DOCTYPE = '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">\n'

# Element names in TBX v3 and their TBX 2008 counterparts.
V3 = {"root": "tbx", "header": "tbxHeader", "concept": "conceptEntry", "lang": "langSec", "term": "termSec"}
V2 = {"root": "martif", "header": "martifHeader", "concept": "termEntry", "lang": "langSet", "term": "tig"}
TERM_SECTIONS = frozenset({"termSec", "tig", "ntig"})


# --- export -----------------------------------------------------------------------------------


def to_tbx(glossary: Glossary, *, title: str = "glossary", version: int = 3) -> bytes:
    """The glossary as a TBX document (UTF-8). InputError for values TBX-Basic cannot carry."""
    if version not in (2, 3):
        raise ValueError(f"TBX version must be 2 or 3, not {version}")
    names = V3 if version == 3 else V2
    root = ET.Element(names["root"], {"type": "TBX-Basic"})
    if version == 3:
        root.set("style", "dca")
    root.set(XML_LANG, SOURCE_LANGUAGE)
    if version == 3:
        root.set("xmlns", TBX_NAMESPACE)
    header = ET.SubElement(root, names["header"])
    file_desc = ET.SubElement(header, "fileDesc")
    ET.SubElement(ET.SubElement(file_desc, "titleStmt"), "title").text = title
    ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "p").text = "dolmetsch glossary"
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for number, entry in enumerate(glossary, start=1):
        body.append(_concept(entry, number, names))
    ET.indent(root, space="  ")
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' + (XML_MODELS if version == 3 else LEGACY_DOCTYPE)
    return (prolog + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _concept(entry: Entry, number: int, names: dict[str, str]) -> ET.Element:
    for value, allowed, column in (
        (entry.kind, KINDS, "kind"),
        (entry.status, STATUSES, "status"),
        (entry.match, MATCH_MODES, "match"),
    ):
        if value not in allowed:
            raise InputError(entry.location, f"unknown {column} {value!r}; run `dolmetsch glossary check`")
    if not entry.de.strip() or not entry.en.strip() or not all(v.strip() for v in entry.forbidden):
        raise InputError(entry.location, "empty de, en or forbidden variant; run `dolmetsch glossary check`")
    concept = ET.Element(names["concept"], {"id": f"c{number}"})
    if entry.note:
        ET.SubElement(concept, "note").text = entry.note
    status = STATUS_TO_TBX[entry.status]
    german = _term(concept, names, SOURCE_LANGUAGE, entry.de, status, proper=entry.kind == "name")
    ET.SubElement(german, "note").text = f"{SETTINGS_PREFIX} kind={entry.kind}; match={entry.match}"
    _term(concept, names, TARGET_LANGUAGE, entry.en, status, proper=entry.kind == "name")
    english = concept.findall(names["lang"])[-1]
    for variant in entry.forbidden:
        _term_section(english, names, variant, DEPRECATED, proper=False)
    return concept


def _term(
    concept: ET.Element, names: dict[str, str], language: str, text: str, status: str, *, proper: bool
) -> ET.Element:
    section = ET.SubElement(concept, names["lang"], {XML_LANG: language})
    return _term_section(section, names, text, status, proper=proper)


def _term_section(
    lang_section: ET.Element, names: dict[str, str], text: str, status: str, *, proper: bool
) -> ET.Element:
    section = ET.SubElement(lang_section, names["term"])
    ET.SubElement(section, "term").text = text
    if proper:
        ET.SubElement(section, "termNote", {"type": "partOfSpeech"}).text = PROPER_NOUN
    ET.SubElement(section, "termNote", {"type": "administrativeStatus"}).text = status
    return section


def write_tbx(path: Path | str, glossary: Glossary, *, version: int = 3) -> None:
    """Export atomically; nothing is written if an entry cannot be represented."""
    path = Path(path)
    write_bytes_atomic(path, to_tbx(glossary, title=path.stem, version=version))


# --- import -----------------------------------------------------------------------------------


class _Tree:
    """A parsed document that remembers each element's line, for error messages."""

    def __init__(self, data: bytes, where: Path):
        refuse_entities(data, where)
        self.where = where
        self.lines: dict[ET.Element, int] = {}
        parser = expat.ParserCreate(namespace_separator="}")
        builder = ET.TreeBuilder()

        def qualified(name: str) -> str:
            return "{" + name if "}" in name else name

        def start(name: str, attributes: dict[str, str]) -> None:
            element = builder.start(qualified(name), {qualified(k): v for k, v in attributes.items()})
            self.lines[element] = parser.CurrentLineNumber

        parser.StartElementHandler = start
        parser.EndElementHandler = lambda name: builder.end(qualified(name))
        parser.CharacterDataHandler = builder.data
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise InputError(
                where, f"not well-formed XML: {expat.ErrorString(exc.code)}", exc.lineno
            ) from None
        self.root = builder.close()

    def error(self, element: ET.Element, problem: str) -> InputError:
        return InputError(self.where, problem, self.lines.get(element))


def refuse_entities(data: bytes, where: Path) -> None:
    """Entity declarations (billion laughs) and external entities (file or network reads) are
    refused outright, as defusedxml defines them; a plain DOCTYPE such as TBX 2008's is fine."""
    try:
        parse_untrusted(data, where)
    except ET.ParseError:
        pass  # reported with its line by the parser below


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, *local_names: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) in local_names]


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def parse_tbx(data: bytes, source: Path | str = "<tbx>") -> Glossary:
    """Entries from a TBX v3 or TBX 2008 document; InputError (with line) if it is malformed."""
    tree = _Tree(data, Path(source))
    if _local(tree.root.tag) not in (V3["root"], V2["root"]):
        raise tree.error(tree.root, f"root element is <{_local(tree.root.tag)}>, expected <tbx> or <martif>")
    bodies = [element for element in tree.root.iter() if _local(element.tag) == "body"]
    if not bodies:
        raise tree.error(tree.root, "no <text><body> element")
    entries: list[Entry] = []
    for concept in _children(bodies[0], V3["concept"], V2["concept"]):
        entries.extend(_entries(tree, concept))
    return Glossary(tuple(entries))


def _entries(tree: _Tree, concept: ET.Element) -> list[Entry]:
    notes = [_text(element) for element in _children(concept, "note")]
    note = notes[0] if len(notes) == 1 else "; ".join(n.strip() for n in notes if n.strip())
    german: list[ET.Element] = []
    english: list[ET.Element] = []
    for lang_section in _children(concept, V3["lang"], V2["lang"]):
        language = lang_section.get(XML_LANG, "").lower()
        sections = [s for s in lang_section if _local(s.tag) in TERM_SECTIONS]
        if language.split("-")[0] == SOURCE_LANGUAGE:
            german.extend(sections)
        elif language.split("-")[0] == TARGET_LANGUAGE:
            english.extend(sections)
    label = concept.get("id", "without id")
    renderings = [s for s in english if _status(s) not in DEPRECATED_VALUES]
    if not renderings:
        raise tree.error(concept, f"concept {label} has no English term")
    if len(renderings) > 1:
        raise tree.error(
            renderings[1], f"concept {label} has more than one English term that is not deprecated"
        )
    en = _term_text(tree, renderings[0])
    forbidden = tuple(_term_text(tree, s) for s in english if _status(s) in DEPRECATED_VALUES)
    sources = [s for s in german if _status(s) not in DEPRECATED_VALUES]
    if not sources:
        raise tree.error(concept, f"concept {label} has no German term")
    entries = []
    for section in sources:
        settings = _settings(section)
        kind = settings.get("kind") or (
            "name" if _term_note(section, "partOfSpeech") == PROPER_NOUN else "term"
        )
        entries.append(
            Entry(
                de=_term_text(tree, section),
                en=en,
                kind=kind,
                note=note,
                status="approved" if _status(section) == PREFERRED else "proposed",
                forbidden=forbidden,
                match=settings.get("match", DEFAULT_MATCH),
                source=tree.where,
                line=tree.lines.get(section),
            )
        )
    return entries


def _term_text(tree: _Tree, section: ET.Element) -> str:
    terms = [element for element in section.iter() if _local(element.tag) == "term"]
    if not terms or not _text(terms[0]).strip():
        raise tree.error(section, "term section without a term")
    return _text(terms[0])


def _term_note(section: ET.Element, kind: str) -> str:
    for element in section.iter():
        if _local(element.tag) == "termNote" and element.get("type") == kind:
            return _text(element).strip()
    return ""


def _status(section: ET.Element) -> str:
    return _term_note(section, "administrativeStatus")


def _settings(section: ET.Element) -> dict[str, str]:
    """The `dolmetsch: kind=…; match=…` note written by export, if any."""
    for element in section.iter():
        text = _text(element).strip()
        if _local(element.tag) == "note" and text.startswith(SETTINGS_PREFIX):
            pairs = (part.split("=", 1) for part in text[len(SETTINGS_PREFIX) :].split(";") if "=" in part)
            return {key.strip(): value.strip() for key, value in pairs}
    return {}


def read_tbx(path: Path | str) -> Glossary:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read TBX: {exc.strerror or exc}") from None
    return parse_tbx(data, path)
