"""LibreOffice (OpenDocument) text documents (ODT): every paragraph a reader sees as a unit.

The package's parts are read and written with lxml (odfpy would write every part anew). Units, in
reading order: the document's title and subject (`meta.xml`), the headers of the master pages
(`styles.xml`), the body (`content.xml`: paragraphs and headings, lists, tables nested or not, text
boxes and shapes, footnotes and endnotes where they are cited, comments where they sit), the
footers. Deleted text kept for tracked changes and generated indexes are not translated.

A paragraph's content is mixed XML (text between elements), read into a flow
(`dolmetsch.markup.office`): the formatting of a character is what the `text:span`s around it say,
their styles resolved (an automatic style's `style:text-properties`, one feature per attribute,
and its parent style; a named character style as such), nested spans merged; revision ids
(`officeooo:rsid`) and language attributes are no formatting, so LibreOffice's spans that differ
only in them do not cut a sentence. Links (`text:a`) and annotated text (`text:meta`) are
containers; bookmarks, reference marks and commented ranges (`office:annotation` …
`office:annotation-end`) are ranges; `text:tab` and `text:line-break` are separators; `text:s` is
spaces; notes, fields (page numbers, dates, titles, cross-references), frames and pictures, change
marks and anything else are points, kept as they are.

A changed paragraph (or, with a target language, any translated one) gets new content: each
stretch of English in a `text:span` whose automatic style (added to the part) holds the formatting
of the elements around it and `fo:language`/`fo:country` English; points keep their elements, inside
copies of the spans they sat in.
"""

from __future__ import annotations

from collections.abc import Mapping

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

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
OFFICEOOO = "http://openoffice.org/2009/office"

MIMETYPES = ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template")


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


TEXT_P, TEXT_H, SPAN = q(TEXT, "p"), q(TEXT, "h"), q(TEXT, "span")
STYLE_NAME = q(TEXT, "style-name")
CONTAINERS = {q(TEXT, "a"): "link", q(TEXT, "meta"): "meta"}
SEPARATORS = {q(TEXT, "tab"): "tab", q(TEXT, "line-break"): "line break"}
DROPPED = frozenset((q(TEXT, "soft-page-break"),))
"""A layout cache LibreOffice makes again: left out of a rewritten paragraph."""
MARKERS = {
    q(TEXT, "bookmark-start"): ("bookmark", True, q(TEXT, "name")),
    q(TEXT, "bookmark-end"): ("bookmark", False, q(TEXT, "name")),
    q(TEXT, "reference-mark-start"): ("reference", True, q(TEXT, "name")),
    q(TEXT, "reference-mark-end"): ("reference", False, q(TEXT, "name")),
    q(OFFICE, "annotation"): ("comment", True, q(OFFICE, "name")),
    q(OFFICE, "annotation-end"): ("comment", False, q(OFFICE, "name")),
    q(TEXT, "change-start"): ("change", True, q(TEXT, "change-id")),
    q(TEXT, "change-end"): ("change", False, q(TEXT, "change-id")),
}
POINT_NAMES = {
    q(TEXT, "note"): "footnote", q(DRAW, "frame"): "picture", q(TEXT, "bookmark"): "bookmark",
    q(TEXT, "page-number"): "field", q(TEXT, "page-count"): "field", q(TEXT, "date"): "field", q(TEXT, "time"): "field",
    q(TEXT, "sequence"): "field", q(TEXT, "title"): "field", q(TEXT, "subject"): "field", q(TEXT, "chapter"): "field",
    q(TEXT, "change"): "change",
}
IGNORED = frozenset((
    q(OFFICEOOO, "rsid"), q(OFFICEOOO, "paragraph-rsid"), q(FO, "language"), q(FO, "country"), q(FO, "script"),
    q(STYLE, "rfc-language-tag"),
))
"""Text properties that are no formatting: revision ids and the (Western) language."""
SKIPPED = frozenset((q(TEXT, "tracked-changes"), q(TEXT, "index-body")))
"""Paragraphs inside these are not translated: deleted text of tracked changes, generated indexes."""
HEADERS = frozenset(q(STYLE, name) for name in ("header", "header-left", "header-first"))
FOOTERS = frozenset(q(STYLE, name) for name in ("footer", "footer-left", "footer-first"))
PROP_NAMES = {
    "font-weight": "b", "font-style": "i", "text-underline-style": "u", "text-line-through-style": "s",
    "text-position": "sup", "color": "color", "background-color": "mark", "font-size": "size", "font-name": "font",
    "@style": "style",
}
STYLE_PROP = "@style"
"""The feature for a span's named (parent) character style."""


def parse_odt(data: bytes, where: str) -> Package:
    """Read an ODT; InputError in one line when it is not one or cannot be read."""
    return parse_package(data, where, "ODT", _Scan)


class _Scan(Scan):
    """The package's parts parsed (fresh trees: writing changes them), their automatic styles, and
    its units found: the metadata, then styles.xml's headers, the body, and the footers last."""

    def __init__(self, archive, where: str):
        super().__init__(archive, where)
        names = set(archive.namelist())
        self._check(names)
        self.styles: dict[str, dict] = {}
        footers: list[Found] = []
        if "meta.xml" in names:
            meta = self._tree("meta.xml").getroot().find(q(OFFICE, "meta"))
            if meta is not None:
                self._metadata("meta.xml", meta)
        if "styles.xml" in names:
            for found in self._paragraphs("styles.xml"):
                (footers if found.kind == "footer" else self.found).append(found)
        self.found.extend(self._paragraphs("content.xml"))
        self.found.extend(footers)

    def _check(self, names: set[str]) -> None:
        if "mimetype" in names:
            mimetype = read_member(self.archive, "mimetype", self.where).decode("ascii", "replace").strip()
            if mimetype not in MIMETYPES:
                raise InputError(self.where, f"a zip, but not an OpenDocument text (its mimetype is {mimetype[:80]!r})")
        elif "content.xml" not in names:
            raise InputError(self.where, "a zip, but not an OpenDocument text (no mimetype, no content.xml)")
        if "META-INF/manifest.xml" in names:
            manifest = parse_part(read_member(self.archive, "META-INF/manifest.xml", self.where), self.where, "META-INF/manifest.xml")
            if manifest.getroot().find(f".//{q(MANIFEST, 'encryption-data')}") is not None:
                raise InputError(self.where, "encrypted (password-protected): save it as ODT without a password")
        if "content.xml" not in names:
            raise InputError(self.where, "a zip, but not an OpenDocument text (no content.xml)")

    def _tree(self, name: str):
        if name not in self.trees:
            self.styles[name] = _automatic_styles(super()._tree(name))
        return self.trees[name]

    def _paragraphs(self, name: str) -> list[Found]:
        tree = self._tree(name)
        styles = self.styles[name]
        found = []
        for number, paragraph in enumerate(tree.getroot().iter(TEXT_P, TEXT_H), 1):
            kind = _kind(paragraph, styles, name == "styles.xml")
            if kind is None:
                continue
            walker = _Paragraph(paragraph, styles)
            flow = layout(walker.items, _describe)
            if flow is None:
                continue
            context = name if kind in ("paragraph", "heading", "title") else f"{name} ({kind})"
            found.append(Found(kind, number, context, name, paragraph, flow))
        return found

    def apply(self, translations: Mapping[int, MarkedText], lang: str | None) -> dict[str, bytes]:
        changed: set[str] = set()
        writers: dict[str, _Styles] = {}
        for number, found in enumerate(self.found):
            translation = translations.get(number)
            if translation is None:
                continue
            if found.flow is None:
                self._write_value(found, translation, lang, changed)
                continue
            if same(translation, found.flow.marked):
                if lang is None:
                    continue
                translation = found.flow.marked  # written anew all the same, to carry the language
            leaves = english_leaves(found.flow, checked(found.flow, translation, f"{self.where}:{found.line}"))
            if found.part not in writers:
                writers[found.part] = _Styles(self.trees[found.part], self.styles[found.part], found.part, lang is not None)
            _rewrite(found.element, leaves, writers[found.part])
            changed.add(found.part)
        if lang is not None and "meta.xml" in changed:
            language = self.trees["meta.xml"].getroot().find(f"{q(OFFICE, 'meta')}/{q(DC, 'language')}")
            if language is not None:
                language.text = "-".join(ENGLISH)
        return {name: serialize_part(self.trees[name], self.originals[name]) for name in changed}


def _automatic_styles(tree) -> dict[str, tuple[str, str | None, dict]]:
    """The part's automatic styles by name: (family, parent style, text properties)."""
    found = {}
    holder = tree.getroot().find(q(OFFICE, "automatic-styles"))
    if holder is None:
        return found
    for style in holder.iter(q(STYLE, "style")):
        properties = style.find(q(STYLE, "text-properties"))
        found[style.get(q(STYLE, "name"))] = (
            style.get(q(STYLE, "family")),
            style.get(q(STYLE, "parent-style-name")),
            dict(properties.attrib) if properties is not None else {},
        )
    return found


def _kind(paragraph, styles: dict, in_styles: bool) -> str | None:
    """The unit kind of a paragraph, None when it is not translated."""
    place = None
    for ancestor in paragraph.iterancestors():
        tag = ancestor.tag
        if tag in SKIPPED:
            return None
        if place is not None:
            continue
        if tag == q(OFFICE, "annotation"):
            place = "comment"
        elif tag == q(TEXT, "note-body"):
            place = "footnote"
        elif isinstance(tag, str) and tag.startswith(f"{{{DRAW}}}"):
            place = "text box"
        elif tag in (q(TABLE, "table-cell"), q(TABLE, "covered-table-cell")):
            place = "table cell"
        elif tag in (q(TEXT, "list-item"), q(TEXT, "list-header")):
            place = "list item"
        elif tag in HEADERS:
            place = "header"
        elif tag in FOOTERS:
            place = "footer"
    if in_styles and place not in ("header", "footer"):
        return None
    if place in ("comment", "footnote", "header", "footer"):
        return place
    name = paragraph.get(STYLE_NAME) or ""
    if name in styles and styles[name][1]:
        name = styles[name][1]
    name = name.replace("_20_", " ").lower()
    if name in ("title", "titel"):
        return "title"
    if paragraph.tag == TEXT_H or name.startswith(("heading", "überschrift", "subtitle", "untertitel")):
        return "heading"
    if name in ("caption", "illustration", "figure", "drawing", "beschriftung", "abbildung"):
        return "caption"
    return place or "paragraph"


class _Paragraph:
    """A paragraph's own content (not that of notes, comments or frames inside it) as flow items."""

    def __init__(self, paragraph, styles: dict):
        self.paragraph = paragraph
        self.styles = styles
        self.items: list = []
        self._walk(paragraph, (), (), 0)

    def _walk(self, parent, spans: tuple, containers: tuple, level: int) -> None:
        props = _span_props(spans, self.styles)
        if parent.text:
            self.items.append(Text(parent.text, props, containers))
        for child in parent:
            tag = child.tag
            if tag == SPAN and _has_text(child):
                self._walk(child, (*spans, child), containers, level)
            elif tag in CONTAINERS and _has_text(child):
                self._walk(child, spans, (*containers, Container(child, CONTAINERS[tag], level + 1)), level + 1)
            elif tag == q(TEXT, "s"):
                self.items.append(Text(" " * _count(child), props, containers))
            elif tag in DROPPED:
                pass
            elif tag in MARKERS:
                name, start, key = MARKERS[tag]
                node = ("wrap", spans, child) if spans else child
                self.items.append(Marker(node, (name, child.get(key)) if child.get(key) else object(), start, name))
            elif not isinstance(tag, str):
                self.items.append(Point([("wrap", spans, child) if spans else child], "comment"))
            else:
                self.items.append(Point([("wrap", spans, child) if spans else child], _point_name(child), tag in SEPARATORS))
            if child.tail:
                self.items.append(Text(child.tail, props, containers))


def _point_name(element) -> str:
    """What a point is, for people: a span or link without text of its own is named by what it holds."""
    tag = element.tag
    if tag == SPAN or tag in CONTAINERS:
        inner = next((child for child in element if isinstance(child.tag, str)), None)
        return _point_name(inner) if inner is not None else CONTAINERS.get(tag, "span")
    return SEPARATORS.get(tag) or POINT_NAMES.get(tag) or etree.QName(tag).localname


def _count(element) -> int:
    try:
        return max(1, min(int(element.get(q(TEXT, "c"), "1")), 1000))
    except ValueError:
        return 1


def _has_text(element) -> bool:
    """Whether a span or link holds text of its own, spaces included (not only notes, frames or fields)."""
    if element.text:
        return True
    for child in element:
        if child.tail or child.tag == q(TEXT, "s"):
            return True
        if (child.tag == SPAN or child.tag in CONTAINERS) and _has_text(child):
            return True
    return False


def _span_props(spans: tuple, styles: dict) -> frozenset:
    """The formatting the spans around a text give it: (attribute, value) pairs, and the named style."""
    merged: dict = {}
    for span in spans:
        name = span.get(STYLE_NAME)
        if name is None:
            continue
        if name in styles:
            _, parent, properties = styles[name]
            if parent:
                merged[STYLE_PROP] = parent
            merged.update((key, value) for key, value in properties.items() if key not in IGNORED)
        else:
            merged[STYLE_PROP] = name
    return frozenset(merged.items())


def _describe(features: frozenset) -> str:
    """A short name for an element's features: what it is around the text (`link`, `bookmark`), else
    its formatting (`b`, `i+u`, `style`)."""
    around = sorted({f[1].name for f in features if isinstance(f, tuple) and len(f) == 2 and f[0] in ("container", "range")})
    if around:
        return "+".join(around)
    names = set()
    for key, _ in features:
        local = key if key == STYLE_PROP else etree.QName(key).localname
        for ending in ("-asian", "-complex"):
            local = local.removesuffix(ending)
        names.add(PROP_NAMES.get(local, local))
    return "+".join(sorted(names))


# --- writing -------------------------------------------------------------------------------------


class _Styles:
    """The automatic text styles a part's English needs, made once each (named `Den1`, `Den2` …)."""

    def __init__(self, tree, existing: dict, part: str, english: bool):
        self.root = tree.getroot()
        self.english = english
        self.taken = set(existing) | {s.get(q(STYLE, "name")) for s in self.root.iter(q(STYLE, "style"))}
        self.made: dict[frozenset, str] = {}
        self.prefix = "Den" if part == "content.xml" else "DenM"
        self.holder = None

    def name(self, props: frozenset) -> str | None:
        if not props and not self.english:
            return None
        if props in self.made:
            return self.made[props]
        number = len(self.made) + 1
        while f"{self.prefix}{number}" in self.taken:
            number += 1
        name = f"{self.prefix}{number}"
        self.taken.add(name)
        values = dict(props)
        style = etree.SubElement(self._holder(), q(STYLE, "style"))
        style.set(q(STYLE, "name"), name)
        style.set(q(STYLE, "family"), "text")
        if STYLE_PROP in values:
            style.set(q(STYLE, "parent-style-name"), values.pop(STYLE_PROP))
        properties = etree.SubElement(style, q(STYLE, "text-properties"))
        for key in sorted(values):
            properties.set(key, values[key])
        if self.english:
            properties.set(q(FO, "language"), ENGLISH[0])
            properties.set(q(FO, "country"), ENGLISH[1])
        self.made[props] = name
        return name

    def _holder(self):
        if self.holder is None:
            self.holder = self.root.find(q(OFFICE, "automatic-styles"))
            if self.holder is None:
                self.holder = self.root.makeelement(q(OFFICE, "automatic-styles"), {})
                after = [q(OFFICE, name) for name in ("scripts", "font-face-decls", "styles")]
                index = max((i + 1 for i, child in enumerate(self.root) if child.tag in after), default=0)
                self.root.insert(index, self.holder)
        return self.holder


def _rewrite(paragraph, leaves: list[Leaf], styles: _Styles) -> None:
    paragraph.text = None
    for child in list(paragraph):
        paragraph.remove(child)
    assemble(leaves, paragraph, _shell, lambda leaf: _write(leaf, styles), _add)


def _add(parent, node) -> None:
    if isinstance(node, str):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + node
        else:
            parent.text = (parent.text or "") + node
    else:
        parent.append(node)


def _shell(container: Container):
    element = container.element
    return element.makeelement(element.tag, dict(element.attrib))


def _write(leaf: Leaf, styles: _Styles) -> list:
    if leaf.text is None:
        out = []
        for node in leaf.nodes:
            if isinstance(node, tuple):  # ("wrap", spans, element): the element inside copies of its spans
                _, spans, element = node
                outer = inner = None
                for span in spans:
                    copy_ = span.makeelement(span.tag, dict(span.attrib))
                    if inner is None:
                        outer = copy_
                    else:
                        inner.append(copy_)
                    inner = copy_
                element.tail = None
                inner.append(element)
                out.append(outer)
            else:
                node.tail = None
                out.append(node)
        return out
    pieces = _spaced(leaf.text)
    name = styles.name(leaf.props)
    if name is None:
        return pieces
    span = etree.Element(SPAN)
    span.set(STYLE_NAME, name)
    for piece in pieces:
        _add(span, piece)
    return [span]


def _spaced(text: str) -> list:
    """Text as ODF keeps it: a space that starts a stretch or follows a space is `text:s`."""
    text = "".join(c for c in text if c >= " " or c in "\t\n\r").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    out: list = []
    plain: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == " " and (index == 0 or text[index - 1] == " "):
            end = index
            while end < len(text) and text[end] == " ":
                end += 1
            if plain:
                out.append("".join(plain))
                plain = []
            element = etree.Element(q(TEXT, "s"))
            if end - index > 1:
                element.set(q(TEXT, "c"), str(end - index))
            out.append(element)
            index = end
            continue
        plain.append(char)
        index += 1
    if plain:
        out.append("".join(plain))
    return out


class OdtSource(SourceFormat):
    """A LibreOffice (OpenDocument) text document (see the module's docstring)."""

    name = "odt"
    suffixes = (".odt",)

    def parse(self, data: bytes, where: str, name: str) -> Document:
        return markup_document(parse_odt(data, where), name, self.name)
