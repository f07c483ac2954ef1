"""Word documents (DOCX): the paragraphs of every story as units, the package kept as it is.

The package is a zip of XML parts (`[Content_Types].xml` names them); python-docx would rewrite
every part it loads, so the parts are read and written with lxml here, and only the parts that hold
translated text are written anew. Units, in reading order: the document's title and subject
(`docProps/core.xml`), the headers, the body (paragraphs, headings, lists, tables nested or not,
text boxes), footnotes, endnotes, comments, the footers.

A paragraph's runs are read into a flow (`dolmetsch.markup.office`): a run's formatting is its
`w:rPr`, one feature per property element (canonical XML), without `w:lang` and `w:noProof`; the
run's revision ids (`w:rsid*`) are no formatting at all, and spell-check marks (`w:proofErr`) and
the layout cache `w:lastRenderedPageBreak` are dropped, so none of them cuts a sentence. Links
(`w:hyperlink`), tracked insertions (`w:ins`, `w:moveTo`), smart tags and custom XML are containers;
bookmarks and commented ranges are ranges; tabs and breaks are separators; footnote and endnote
references, comment references, fields (`w:fldSimple`, and `w:fldChar` begin … end with all runs
between), pictures, text boxes, symbols, deletions (`w:del`, `w:moveFrom`), content controls and
math are points, kept as they are.

A changed paragraph keeps its `w:pPr` and gets new runs: each stretch of English with the
properties of the elements around it in the translation, in schema order, and `w:lang` English; a
point keeps its own run (or a new run with a copy of its run's properties). A paragraph whose
translation is its German is not rewritten; with a target language its runs' `w:lang` is set.
Text boxes that Word writes twice (DrawingML and the VML fallback, `mc:AlternateContent`) are
translated once and the fallback made a copy of the translated box.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import PurePosixPath

from dolmetsch.document.inline import MarkedText
from dolmetsch.document.model import Document
from dolmetsch.document.reading import SourceFormat
from dolmetsch.errors import InputError
from dolmetsch.markup.document import markup_document
from dolmetsch.markup.office import (
    DC,
    Found,
    Scan,
    Package,
    parse_package,
    ENGLISH,
    Container,
    Leaf,
    Marker,
    Point,
    Text,
    assemble,
    checked,
    english_leaves,
    etree,
    layout,
    parse_part,
    read_member,
    serialize_part,
)
from dolmetsch.markup.sentences import same

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


P, R, RPR, PPR, T = w("p"), w("r"), w("rPr"), w("pPr"), w("t")
LANG = w("lang")
TXBX = w("txbxContent")

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
MAIN_TYPES = frozenset((
    _WML + "document.main+xml",
    _WML + "template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
))
STORY_TYPES = {
    _WML + "header+xml": "header",
    _WML + "footnotes+xml": "footnote",
    _WML + "endnotes+xml": "endnote",
    _WML + "comments+xml": "comment",
    _WML + "footer+xml": "footer",
}
CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
STYLES_TYPE = _WML + "styles+xml"
ORDER = ("core", "header", "document", "footnote", "endnote", "comment", "footer")
"""Reading order of the parts: title and subject, headers, body, notes, comments, footers."""
STORY_KINDS = {"header": "header", "footer": "footer", "footnote": "footnote", "endnote": "footnote", "comment": "comment"}

IGNORED_PROPS = frozenset((LANG, w("noProof")))
"""Run properties that are no formatting: the language (set to English on translated text) and the
spell-check exemption."""
DROPPED = frozenset((w("proofErr"), w("lastRenderedPageBreak"), w("softHyphen")))
"""Left out of a rewritten paragraph: spell-check marks and caches Word makes again."""
CONTAINERS = {
    w("hyperlink"): "link", w("ins"): "insertion", w("moveTo"): "moved", w("smartTag"): "smart tag",
    w("customXml"): "custom XML", w("dir"): "direction", w("bdo"): "direction",
}
CONTAINER_PROPERTIES = frozenset((w("smartTagPr"), w("customXmlPr")))
"""A container's own properties: copied into each copy of it, never text."""
MARKERS = {
    w("bookmarkStart"): ("bookmark", True), w("bookmarkEnd"): ("bookmark", False),
    w("commentRangeStart"): ("comment", True), w("commentRangeEnd"): ("comment", False),
}
SEPARATORS = {w("tab"): "tab", w("ptab"): "tab", w("br"): "line break", w("cr"): "line break"}
POINT_NAMES = {
    w("footnoteReference"): "footnote", w("endnoteReference"): "endnote", w("commentReference"): "comment",
    w("footnoteRef"): "footnote mark", w("endnoteRef"): "endnote mark", w("annotationRef"): "comment mark",
    w("drawing"): "picture", w("pict"): "picture", w("object"): "object", f"{{{MC_NS}}}AlternateContent": "picture",
    w("sym"): "symbol", w("fldSimple"): "field", w("del"): "deletion", w("moveFrom"): "deletion",
    w("sdt"): "content control", w("separator"): "separator", w("continuationSeparator"): "separator",
}
RPR_ORDER = {
    name: index
    for index, name in enumerate(
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
        "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
        "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath".split()
    )
}
"""The order of `w:rPr`'s children in the schema (ECMA-376 CT_RPr); `w:rPrChange` and extensions follow."""
PROP_NAMES = {
    "b": "b", "i": "i", "u": "u", "strike": "s", "dstrike": "s", "rStyle": "style", "vertAlign": "sup",
    "color": "color", "highlight": "mark", "sz": "size", "rFonts": "font", "caps": "caps", "smallCaps": "caps",
}


def parse_docx(data: bytes, where: str) -> Package:
    """Read a Word document; InputError in one line when it is not one or cannot be read."""
    return parse_package(data, where, "DOCX", _Scan)


class _Scan(Scan):
    """The package's parts parsed (fresh trees: writing changes them) and its units found."""

    def __init__(self, archive, where: str):
        super().__init__(archive, where)
        parts = _parts(archive, where)
        styles = _styles(self._tree(parts["styles"][0])) if parts.get("styles") else {}
        for kind in ORDER:
            for name in parts.get(kind, ()):
                tree = self._tree(name)
                if kind == "core":
                    self._metadata(name, tree.getroot())
                else:
                    self._story(name, tree, kind, styles)

    def _story(self, name: str, tree, kind: str, styles: dict) -> None:
        depths: dict[int, int] = {}  # field nesting, by story (the part, or a text box)
        for number, paragraph in enumerate(tree.getroot().iter(P), 1):
            story, in_fallback, in_cell = None, False, False
            for ancestor in paragraph.iterancestors():
                if ancestor.tag == f"{{{MC_NS}}}Fallback":
                    in_fallback = True
                elif ancestor.tag == TXBX and story is None:
                    story = ancestor
                elif ancestor.tag == w("tc") and story is None:
                    in_cell = True
            if in_fallback:
                continue
            key = id(story)
            walker = _Paragraph(paragraph, depths.get(key, 0))
            depths[key] = walker.depth
            flow = layout(walker.items, _describe)
            if flow is None:
                continue
            unit_kind = _kind(paragraph, kind, styles, story is not None, in_cell)
            context = name if kind == "document" else f"{name} ({kind})"
            self.found.append(Found(unit_kind, number, context, name, paragraph, flow))

    def apply(self, translations: Mapping[int, MarkedText], lang: str | None) -> dict[str, bytes]:
        """Write the translations into the trees; the new bytes of each changed part."""
        changed: set[str] = set()
        touched: list = []
        shells: dict[str, _Shells] = {}
        for number, found in enumerate(self.found):
            translation = translations.get(number)
            if translation is None:
                continue
            if found.flow is None:
                self._write_value(found, translation, lang, changed)
                continue
            where = f"{self.where}:{found.line}"
            if same(translation, found.flow.marked):
                if lang is not None:
                    _english_in_place(found.element)
                    changed.add(found.part)
                    touched.append(found.element)
                continue
            leaves = english_leaves(found.flow, checked(found.flow, translation, where))
            if found.part not in shells:
                shells[found.part] = _Shells(self.trees[found.part])
            _rewrite(found.element, leaves, lang is not None, shells[found.part])
            changed.add(found.part)
            touched.append(found.element)
        _mirror_fallbacks(touched)
        if lang is not None:
            for name in changed:
                language = self.trees[name].getroot().find(f"{{{DC}}}language")
                if language is not None:
                    language.text = "-".join(ENGLISH)
        return {name: serialize_part(self.trees[name], self.originals[name]) for name in changed}


def _parts(archive, where: str) -> dict[str, list[str]]:
    """The package's parts by what they hold (see ORDER), from `[Content_Types].xml`."""
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise InputError(where, "a zip, but not a Word document (no [Content_Types].xml)")
    types = parse_part(read_member(archive, "[Content_Types].xml", where), where, "[Content_Types].xml").getroot()
    defaults = {d.get("Extension", "").lower(): d.get("ContentType") for d in types.iter(f"{{{CT_NS}}}Default")}
    overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType") for o in types.iter(f"{{{CT_NS}}}Override")}
    found: dict[str, list[str]] = {}
    for name in archive.namelist():
        kind = overrides.get(name) or defaults.get(PurePosixPath(name).suffix.lstrip(".").lower())
        if kind in MAIN_TYPES:
            found.setdefault("document", []).append(name)
        elif kind in STORY_TYPES:
            found.setdefault(STORY_TYPES[kind], []).append(name)
        elif kind == CORE_TYPE:
            found.setdefault("core", []).append(name)
        elif kind == STYLES_TYPE:
            found.setdefault("styles", []).append(name)
    if len(found.get("document", ())) != 1:
        raise InputError(where, "a zip, but not a Word document (no main document part)")
    for kind in found:
        found[kind].sort(key=_natural)
    return found


def _natural(name: str):
    """`header2.xml` before `header10.xml`."""
    return [int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", name)]


def _styles(tree) -> dict[str, tuple[str, bool]]:
    """Paragraph styles by id: (name in lower case, whether it sets an outline level)."""
    found = {}
    for style in tree.getroot().iter(w("style")):
        if style.get(w("type")) != "paragraph":
            continue
        name = style.find(w("name"))
        outline = style.find(f"{PPR}/{w('outlineLvl')}")
        found[style.get(w("styleId"))] = (
            (name.get(w("val")) if name is not None else "").lower(),
            outline is not None and outline.get(w("val"), "9") not in ("9",),
        )
    return found


def _kind(paragraph, story: str, styles: dict, in_box: bool, in_cell: bool) -> str:
    if story in STORY_KINDS:
        return STORY_KINDS[story]
    properties = paragraph.find(PPR)
    style_id = properties.find(w("pStyle")).get(w("val")) if properties is not None and properties.find(w("pStyle")) is not None else None
    name, outline = styles.get(style_id, ((style_id or "").lower(), False))
    level = properties.find(w("outlineLvl")) if properties is not None else None
    if name in ("title", "titel"):
        return "title"
    if name.startswith(("heading", "überschrift", "subtitle", "untertitel")) or outline or (level is not None and level.get(w("val")) != "9"):
        return "heading"
    if name in ("caption", "beschriftung"):
        return "caption"
    if in_box:
        return "text box"
    if in_cell:
        return "table cell"
    if (properties is not None and properties.find(w("numPr")) is not None) or name.startswith(("list", "liste")):
        return "list item"
    return "paragraph"


class _Paragraph:
    """A paragraph's own content (not that of text boxes inside it) read into a flow's items."""

    def __init__(self, paragraph, depth: int):
        self.paragraph = paragraph
        self.items: list = []
        self.depth = depth
        self.field: Point | None = None
        if depth:
            self._open_field()
        self._walk(paragraph, (), 0)

    def _open_field(self) -> None:
        self.field = Point([], "field")
        self.items.append(self.field)

    def _walk(self, parent, containers: tuple, level: int) -> None:
        for child in parent:
            tag = child.tag
            if tag == PPR and parent is self.paragraph or tag in CONTAINER_PROPERTIES:
                continue
            if tag == R:
                self._run(child, containers)
            elif self.depth:
                self.field.nodes.append(child)
            elif not isinstance(tag, str):
                self.items.append(Point([child], "comment"))
            elif tag in CONTAINERS and _has_text(child):
                self._walk(child, (*containers, Container(child, CONTAINERS[tag], level + 1)), level + 1)
            elif tag in MARKERS:
                name, start = MARKERS[tag]
                self.items.append(Marker(child, (name, child.get(w("id"))), start, name))
            elif tag in DROPPED:
                continue
            else:
                self.items.append(Point([child], POINT_NAMES.get(tag, etree.QName(tag).localname)))

    def _run(self, run, containers: tuple) -> None:
        properties = run.find(RPR)
        props = _props(properties)
        went: list = []  # the Point each child went to (None: text)
        for child in run:
            tag = child.tag
            if tag == RPR:
                continue
            node = ("wrap", run, child)
            if tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    if not self.depth:
                        self._open_field()
                    self.depth += 1
                elif self.field is None:  # an end or separator without a begin: keep it where it is
                    self._open_field()
                self.field.nodes.append(node)
                went.append(self.field)
                if kind == "end" and self.depth:
                    self.depth -= 1
                    if not self.depth:
                        self.field = None
                continue
            if self.depth:
                self.field.nodes.append(node)
                went.append(self.field)
            elif tag == T:
                self.items.append(Text(child.text or "", props, containers))
                went.append(None)
            elif tag == w("noBreakHyphen"):
                self.items.append(Text("\u2011", props, containers))
                went.append(None)
            elif tag in DROPPED:
                continue
            else:
                point = Point([node], SEPARATORS.get(tag) or POINT_NAMES.get(tag, etree.QName(tag).localname if isinstance(tag, str) else "comment"), tag in SEPARATORS)
                self.items.append(point)
                went.append(point)
        if went and went[0] is not None and all(point is went[0] for point in went):
            point = went[0]  # the whole run went to one point: keep the run itself
            del point.nodes[len(point.nodes) - len(went) :]
            point.nodes.append(run)


def _has_text(element) -> bool:
    """Whether a container holds text of its own: in its runs or the containers inside it (not in
    fields, pictures or text boxes)."""
    for child in element:
        if child.tag == R:
            if any(part.text for part in child.iterchildren(T)):
                return True
        elif child.tag in CONTAINERS and _has_text(child):
            return True
    return False


def _props(properties) -> frozenset:
    """A run's formatting: each property element as canonical XML (language and spell-check aside)."""
    if properties is None:
        return frozenset()
    return frozenset(
        etree.tostring(child, method="c14n", exclusive=True)
        for child in properties
        if isinstance(child.tag, str) and child.tag not in IGNORED_PROPS
    )


@lru_cache(maxsize=4096)
def _prop_element(canonical: bytes):
    return etree.fromstring(canonical)


def _rpr_key(element) -> tuple[int, str]:
    name = etree.QName(element).localname if etree.QName(element).namespace == W_NS else "~"
    return (RPR_ORDER.get(name, len(RPR_ORDER) + (0 if name == "rPrChange" else 1)), "")


def _describe(features: frozenset) -> str:
    """A short name for an element's features: what it is around the text (`link`, `bookmark`), else
    its formatting (`b`, `i+u`)."""
    around = sorted({feature[1].name for feature in features if isinstance(feature, tuple)})
    if around:
        return "+".join(around)
    names = set()
    for feature in features:
        local = etree.QName(_prop_element(feature)).localname
        names.add(PROP_NAMES.get(local, local))
    return "+".join(sorted(names))


# --- writing -------------------------------------------------------------------------------------


def _rewrite(paragraph, leaves: list[Leaf], english: bool, shells: "_Shells") -> None:
    properties = paragraph.find(PPR)
    for child in list(paragraph):
        if child is not properties:
            paragraph.remove(child)
    assemble(leaves, paragraph, shells.shell, lambda leaf: _write(leaf, english))
    if english and properties is not None:
        mark = properties.find(f"{RPR}/{LANG}")
        if mark is not None:
            mark.set(w("val"), "-".join(ENGLISH))


class _Shells:
    """Copies of containers without their content (their own properties kept). A tracked change
    cut in two by the English gets a revision id of its own for each further copy, as ids are unique."""

    def __init__(self, tree):
        self.tree = tree
        self.made: set[int] = set()
        self.next_id: int | None = None

    def shell(self, container: Container):
        element = container.element
        shell = element.makeelement(element.tag, dict(element.attrib))
        for child in element:
            if child.tag in CONTAINER_PROPERTIES:
                shell.append(copy.deepcopy(child))
        if id(container) in self.made and shell.get(w("id")) is not None:
            shell.set(w("id"), str(self._new_id()))
        self.made.add(id(container))
        return shell

    def _new_id(self) -> int:
        if self.next_id is None:
            numbers = [int(v) for e in self.tree.getroot().iter() if isinstance(e.tag, str) and (v := e.get(w("id"))) is not None and v.lstrip("-").isdigit()]
            self.next_id = max(numbers, default=0) + 1
        self.next_id += 1
        return self.next_id - 1


def _write(leaf: Leaf, english: bool) -> list:
    if leaf.text is None:
        out = []
        for node in leaf.nodes:
            if isinstance(node, tuple):  # ("wrap", run, child): the child in a run of its own
                _, run, child = node
                holder = run.makeelement(R, dict(run.attrib))
                properties = run.find(RPR)
                if properties is not None:
                    holder.append(copy.deepcopy(properties))
                holder.append(child)
                out.append(holder)
            else:
                node.tail = None
                out.append(node)
        return out
    run = etree.Element(R)
    properties = etree.SubElement(run, RPR)
    children = [copy.deepcopy(_prop_element(prop)) for prop in leaf.props]
    if english:
        lang = etree.Element(LANG)
        lang.set(w("val"), "-".join(ENGLISH))
        children.append(lang)
    for child in sorted(children, key=_rpr_key):
        properties.append(child)
    if not len(properties):
        run.remove(properties)
    text = etree.SubElement(run, T)
    text.text = _xml_text(leaf.text)
    if text.text != text.text.strip(" ") or "  " in text.text:
        text.set(XML_SPACE, "preserve")
    return [run]


def _xml_text(text: str) -> str:
    """Text as XML can hold it: control characters other than tab and line ends left out."""
    return "".join(c for c in text if c >= " " or c in "\t\n\r")


def _english_in_place(paragraph) -> None:
    """The paragraph's own runs with text marked English, nothing else changed."""
    for run in paragraph.iter(R):
        if next(run.iterancestors(P)) is not paragraph or not any(t.text for t in run.iterchildren(T)):
            continue
        properties = run.find(RPR)
        if properties is None:
            properties = run.makeelement(RPR, {})
            run.insert(0, properties)
        lang = properties.find(LANG)
        if lang is None:
            lang = properties.makeelement(LANG, {})
            index = next((i for i, child in enumerate(properties) if _rpr_key(child) > _rpr_key(lang)), len(properties))
            properties.insert(index, lang)
        lang.set(w("val"), "-".join(ENGLISH))


def _mirror_fallbacks(paragraphs: list) -> None:
    """Text boxes Word writes twice: the VML fallback of each changed box becomes a copy of it."""
    done = set()
    for paragraph in paragraphs:
        for ancestor in paragraph.iterancestors(f"{{{MC_NS}}}AlternateContent"):
            if id(ancestor) in done:
                continue
            done.add(id(ancestor))
            choice = ancestor.find(f"{{{MC_NS}}}Choice")
            fallback = ancestor.find(f"{{{MC_NS}}}Fallback")
            if choice is None or fallback is None:
                continue
            boxes, shadows = list(choice.iter(TXBX)), list(fallback.iter(TXBX))
            if len(boxes) != len(shadows):
                continue
            for box, shadow in zip(boxes, shadows):
                for child in list(shadow):
                    shadow.remove(child)
                for child in box:
                    shadow.append(copy.deepcopy(child))


class DocxSource(SourceFormat):
    """A Word document (see the module's docstring)."""

    name = "docx"
    suffixes = (".docx",)

    def parse(self, data: bytes, where: str, name: str) -> Document:
        return markup_document(parse_docx(data, where), name, self.name)
