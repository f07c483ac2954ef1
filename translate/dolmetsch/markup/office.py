"""Word (DOCX) and LibreOffice (ODT) articles: what the two have in common.

Both are zip packages of XML parts. A package is read in memory and checked (`open_package`); its
text parts are parsed with lxml (no DTD, no entities, no network); `rezip` writes the package back
with every member in its place and every member that was not changed byte for byte.

A paragraph's content is read by the format (`dolmetsch.markup.docx`, `dolmetsch.markup.odt`) into
a flow of items: `Text` (characters with their formatting and the elements around them), `Point`
(something that sits at a place: a tab, a footnote reference, a field, a picture) and `Marker` (the
start or end of a range: a bookmark, a commented stretch). `layout` makes the paragraph's unit of
it, written here by hand as no library does it:

- runs merge by *effective* formatting: a feature is one formatting property (bold, a character
  style, a font size), an element around the text (a link, a tracked insertion) or a marked range;
  revision ids, spell-check marks and language tags are no features, so they never cut a sentence;
- what every character of the paragraph has is the base (not shown); every other feature spans the
  characters that have it, features with the same span are one element, and elements that cross
  are cut where the other begins or ends (ranges first, then links, then formatting), so they nest;
- points become void elements; those before the first or after the last character stay outside the
  unit; white space collapses as in HTML, a tab or line break parts words as a space.

`english_leaves` turns a translation (MarkedText with the unit's elements placed on the English)
into leaves for the format to write: text with the formatting of the elements around it, points
and range markers where the translation puts them, each with the elements (links) it sits in.
`assemble` builds the element tree of such leaves, one copy of a link for each stretch inside it.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from dolmetsch.document.inline import MarkedText, Span, Tag
from dolmetsch.document.reading import MAX_SOURCE_BYTES
from dolmetsch.errors import InputError
from dolmetsch.markup.sentences import Unit, tighten

ENGLISH = ("en", "GB")
"""The language tag translated text gets (`w:lang` en-GB; `fo:language` en, `fo:country` GB): the
post-edit writes British dates (13 September)."""
MAX_UNPACKED_BYTES = 10 * MAX_SOURCE_BYTES
"""What a package may unpack to, all members together: XML compresses about tenfold."""
MAX_MEMBERS = 10_000

_SPACES = re.compile(r"[ \t\n\r]+")
"""White space as a paragraph's unit collapses it (other spaces, such as no-break ones, are text)."""


class _LazyEtree:
    """`lxml.etree`, imported when a package is first read: a run without DOCX or ODT never loads lxml."""

    def __getattr__(self, name: str):
        from lxml import etree as module

        value = getattr(module, name)
        setattr(self, name, value)  # found here from now on
        return value


etree = _LazyEtree()


# --- the package ---------------------------------------------------------------------------------


def open_package(data: bytes, where: str, what: str) -> zipfile.ZipFile:
    """The zip archive of a DOCX or ODT file (`what` names the format), or InputError in one line:
    too large, an encrypted Office file, not a zip, encrypted members, a zip bomb."""
    if len(data) > MAX_SOURCE_BYTES:
        raise InputError(where, f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputError(where, f"an encrypted (password-protected) or old binary Office file, not a {what} package: save it as {what} without a password")
    if not data.startswith(b"PK"):
        raise InputError(where, f"not a {what} file (a {what} file is a zip package)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(where, f"not a readable {what} file (broken zip: {exc})") from None
    if len(members) > MAX_MEMBERS:
        raise InputError(where, f"a zip of {len(members):,} members: not a {what} article")
    if any(info.flag_bits & 0x1 for info in members):
        raise InputError(where, f"encrypted zip members: save the {what} without a password")
    if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise InputError(where, f"unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB")
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise InputError(where, "a zip with two members of the same name")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, where: str) -> bytes:
    """A member's bytes; a broken one (bad CRC, bad deflate data) is refused in one line."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(where, f"{name} in the package is corrupt ({exc})") from None


def parse_part(data: bytes, where: str, name: str):
    """An XML part as an lxml tree: no DTD is loaded, no entity resolved, no network used; a part
    with a DOCTYPE (entity declarations) or malformed XML is refused in one line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(where, f"{name} in the package is not well-formed XML ({exc.msg})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError(where, f"refusing {name} in the package: XML with a DOCTYPE (entity declarations)")
    return tree


def serialize_part(tree, original: bytes) -> bytes:
    """The part's new bytes: its own XML declaration kept as it was, the tree in UTF-8 after it."""
    encoding = (tree.docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF8"):
        return etree.tostring(tree, encoding=encoding, xml_declaration=True)
    head = b""
    if original.startswith(b"<?xml"):
        end = original.find(b"?>") + 2
        while end < len(original) and original[end : end + 1] in b" \t\r\n":
            end += 1
        head = original[:end]
    return head + etree.tostring(tree.getroot(), encoding="UTF-8")


def rezip(archive: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    """The package with the `replaced` members' new bytes: every member in its place, with its name,
    date, compression and attributes; the others' bytes as they were."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as target:
        target.comment = archive.comment
        for info in archive.infolist():
            data = replaced[info.filename] if info.filename in replaced else archive.read(info)
            clone = copy.copy(info)
            clone.extra = _without_zip64(info.extra)
            target.writestr(clone, data)
    return out.getvalue()


def _without_zip64(extra: bytes) -> bytes:
    """A member's extra field without its zip64 record, which the writer makes anew where needed."""
    kept, position = [], 0
    while position + 4 <= len(extra):
        kind = int.from_bytes(extra[position : position + 2], "little")
        size = int.from_bytes(extra[position + 2 : position + 4], "little")
        if kind != 0x0001:
            kept.append(extra[position : position + 4 + size])
        position += 4 + size
    return b"".join(kept)


# --- a paragraph's flow --------------------------------------------------------------------------


@dataclass(eq=False)
class Container:
    """An element around runs whose English must sit in it too (a link, a tracked insertion): each
    stretch of English inside gets a copy of it (`element` without its content)."""

    element: object
    name: str
    depth: int
    """How deep it sits in the paragraph: containers nest by depth."""


@dataclass(eq=False)
class Point:
    """Something at a place in the text, kept as it is: `nodes` are the format's own (elements)."""

    nodes: list
    name: str
    separator: bool = False
    """A tab or line break: it parts words as a space does."""
    space_after: bool = False
    """White space on both sides in the source (`Seite <field> von` reads `Seite <1/> von`): the
    English is not run into it on either side."""


@dataclass(eq=False)
class Marker:
    """The start or end of a range (a bookmark, a commented stretch), paired by `key`."""

    node: object
    key: Hashable
    start: bool
    name: str


@dataclass(eq=False)
class Text:
    text: str
    props: frozenset
    """Formatting features, each a hashable the format can write back (a canonical rPr child, an
    attribute and its value)."""
    containers: tuple[Container, ...] = ()


@dataclass(eq=False)
class Range:
    """A pair of markers around English text."""

    start: object
    end: object
    name: str


Item = Text | Point | Marker


@dataclass
class Flow:
    """A paragraph's unit and what writing its English needs."""

    marked: MarkedText
    prefix: Point | None
    """Points before the first character and after the last: kept outside the unit."""
    suffix: Point | None
    base: frozenset
    """Features of every character (formatting, containers, ranges)."""
    features: dict[int, frozenset]
    """The features of each element with text, by tag id."""
    points: dict[int, Point]
    """Each void element, by tag id."""
    prefix_space: bool = False
    suffix_space: bool = False
    """White space between the prefix (suffix) and the text in the source, which the unit leaves out."""


def layout(items: Sequence[Item], describe: Callable[[frozenset], str]) -> Flow | None:
    """The paragraph's unit, or None when its text holds no letter (see the module's docstring).
    `describe(features)` names an element for people (`b`, `link`, `bookmark`)."""
    read = _FlowReader(list(items))
    chars, feats, order = read.chars, read.feats, read.order
    suffix_space = any(position > len(chars) for position, _, _ in read.points)
    if not any(char.isalpha() for char in chars):
        return None
    _share_separators(feats)
    base = frozenset.intersection(*feats)
    prefix, suffix, inner, prefix_space = _outside(read.points, len(chars))
    entries = _entries(feats, base, order, inner)
    spans, tags, by_id, point_of = [], [], {}, {}
    for number, (_, start, end, what) in enumerate(entries, 1):
        spans.append(Span(number, start, end))
        if isinstance(what, Point):
            tags.append(Tag(number, what.name, void=True, name=what.name))
            point_of[number] = what
        else:
            name = describe(what)
            tags.append(Tag(number, name, "/" + name, name=name))
            by_id[number] = what
    spans.sort(key=lambda s: (s.start, -s.end, s.id))
    marked = tighten(MarkedText("".join(chars), tuple(spans), tuple(tags)))
    return Flow(marked, prefix, suffix, base, by_id, point_of, prefix_space, suffix_space)


class _FlowReader:
    """A paragraph's items read into characters, white space collapsed and trailing white space
    dropped: each character's features (None for a separator's space) and item index, and the
    points by position ([position, Point, item index]). Reading text needs the ranges open at it
    and the points just met, so the state is kept together."""

    def __init__(self, items: list[Item]):
        self.ranges = _ranges(items)
        self.chars: list[str] = []
        self.feats: list[frozenset | None] = []
        self.order: list[int] = []  # each character's item index
        self.points: list[list] = []  # [position, Point, item index]
        self.active: dict[int, Range] = {}
        for index, item in enumerate(items):
            if isinstance(item, Marker):
                item = self._marker(item)
                if item is None:
                    continue
            if isinstance(item, Point):
                self._point(item, index)
            else:
                self._text(item, index)
        while self.chars and self.chars[-1] == " ":
            self.chars.pop(), self.feats.pop(), self.order.pop()

    def _marker(self, item: Marker) -> Point | None:
        """A marker that pairs up opens or closes its range (None); one that does not is a point."""
        paired = self.ranges.get(id(item))
        if paired is None:
            return Point([item.node], item.name)
        if item.start:
            self.active[id(paired)] = paired
        else:
            self.active.pop(id(paired), None)
        return None

    def _point(self, item: Point, index: int) -> None:
        """A point at the current character (merged into one already there); a separator is a space."""
        points, chars = self.points, self.chars
        if points and points[-1][0] == len(chars):
            merged = points[-1][1]
            points[-1][1] = Point(merged.nodes + item.nodes, merged.name, merged.separator or item.separator, merged.space_after)
        else:
            points.append([len(chars), item, index])
        if item.separator and chars and chars[-1] != " ":
            chars.append(" ")
            self.feats.append(None)
            self.order.append(index)

    def _text(self, item: Text, index: int) -> None:
        """A text item's characters, white space collapsed, with its features and the open ranges."""
        chars, points = self.chars, self.points
        features = frozenset(item.props | {("container", c) for c in item.containers} | {("range", r) for r in self.active.values()})
        text = _SPACES.sub(" ", item.text)
        if text.startswith(" ") and (not chars or chars[-1] == " "):
            if chars and points and points[-1][0] == len(chars) and not points[-1][1].separator:
                points[-1][1].space_after = True  # a space each side of it: the text's (`Seite <1/> von`)
            else:
                text = text[1:]
        chars.extend(text)
        self.feats.extend([features] * len(text))
        self.order.extend([index] * len(text))


def _share_separators(feats: list[frozenset | None]) -> None:
    """Give each separator's space (None) what the characters around it share, so it cuts no element."""
    length = len(feats)
    for position, value in enumerate(feats):
        if value is None:
            before = next((feats[i] for i in range(position - 1, -1, -1) if feats[i] is not None), frozenset())
            after = next((feats[i] for i in range(position + 1, length) if feats[i] is not None), before)
            feats[position] = before & after


def _outside(points: list[list], length: int) -> tuple[Point | None, Point | None, list, bool]:
    """The points before the first character (prefix) and after the last (suffix), kept outside the
    unit, the points inside as (position, Point, item index), and whether the prefix had white
    space after it."""
    prefix = suffix = None
    inner = []
    prefix_space = False
    for position, point, index in points:
        position = min(position, length)
        if position == 0:
            prefix_space = point.space_after
            prefix = point if prefix is None else Point(prefix.nodes + point.nodes, prefix.name)
        elif position == length:
            suffix = point if suffix is None else Point(suffix.nodes + point.nodes, suffix.name)
        else:
            inner.append((position, point, index))
    return prefix, suffix, inner, prefix_space


def _entries(feats: list[frozenset], base: frozenset, order: list[int], inner: list) -> list[tuple]:
    """The unit's elements in order, each (sort key, span start, span end, features or Point): the
    features beyond the base made to nest, a range that cannot nest as two points, and the points."""
    placed, broken = _laminar(_groups(feats, base))
    for position, marker_range in broken:  # a range that crosses another: its markers as points
        inner.append((position[0], Point([marker_range.start], marker_range.name), order[position[0]]))
        inner.append((position[1], Point([marker_range.end], marker_range.name), order[position[1] - 1] + 0.5))
    inner.sort(key=lambda entry: (entry[0], entry[2]))
    entries = []
    for (start, end), features in placed:
        entries.append(((start, order[start], -(end - start)), start, end, features))
    for position, point, index in inner:
        entries.append(((position, index, 0), position, position, point))
    entries.sort(key=lambda entry: entry[0])
    return entries


def _ranges(items: list[Item]) -> dict[int, Range]:
    """Markers that pair up in this paragraph around some text, each mapped to its Range (by id)."""
    found: dict[int, Range] = {}
    opened: dict[Hashable, tuple[Marker, bool]] = {}  # key → (start marker, text seen since)
    for item in items:
        if isinstance(item, Text) and item.text.strip():
            opened = {key: (marker, True) for key, (marker, _) in opened.items()}
        elif isinstance(item, Marker):
            if item.start:
                opened[item.key] = (item, False)
            elif item.key in opened:
                start, seen = opened.pop(item.key)
                if seen:
                    pair = Range(start.node, item.node, item.name)
                    found[id(start)] = found[id(item)] = pair
    return found


def _groups(feats: list[frozenset], base: frozenset) -> dict[tuple[int, int], set]:
    """The features beyond the base, each over the maximal stretches that have it; features with
    the same stretch together."""
    groups: dict[tuple[int, int], set] = {}
    started: dict[Hashable, int] = {}
    previous: frozenset = frozenset()
    position, length = 0, len(feats)
    while position <= length:
        value = feats[position] if position < length else frozenset()
        extra = value - base
        if extra != previous:
            for feature in previous - extra:
                groups.setdefault((started.pop(feature), position), set()).add(feature)
            for feature in extra - previous:
                started[feature] = position
            previous = extra
        end = position + 1  # characters of one item share one set: skip over them
        while end < length and feats[end] is value:
            end += 1
        position = end
    return groups


def _rank(features) -> int:
    kinds = {feature[0] if isinstance(feature, tuple) and feature and feature[0] in ("range", "container") else "prop" for feature in features}
    return 0 if "range" in kinds else 1 if "container" in kinds else 2


def _laminar(groups: dict[tuple[int, int], set]):
    """Stretches that nest: each is cut where an earlier placed one (ranges, then containers, then
    formatting; longer first) begins or ends inside it. A range is never cut: where it would be,
    its markers become points (returned as `broken`)."""
    pending = sorted(groups.items(), key=lambda entry: (_rank(entry[1]), -(entry[0][1] - entry[0][0]), entry[0][0]))
    placed: dict[tuple[int, int], set] = {}
    broken = []
    for (start, end), features in pending:
        cuts = sorted({edge for span in placed for edge in span if start < edge < end})
        if cuts:
            for feature in [f for f in features if isinstance(f, tuple) and f and f[0] == "range"]:
                features = features - {feature}
                broken.append(((start, end), feature[1]))
            if not features:
                continue
        edges = [start, *cuts, end]
        for a, b in zip(edges, edges[1:]):
            placed.setdefault((a, b), set()).update(features)
    return [(span, frozenset(features)) for span, features in placed.items()], broken


# --- writing the English of a flow ---------------------------------------------------------------


@dataclass
class Leaf:
    """What the format writes, in order: text with its formatting (`props`), or nodes of its own
    (a point, a range marker); `containers` are the elements it sits in, outermost first."""

    text: str | None
    props: frozenset
    containers: tuple[Container, ...]
    nodes: list = field(default_factory=list)


def checked(flow: Flow, translation: MarkedText, where: str) -> MarkedText:
    """The translation with the unit's tags, void elements at a point, nested; ValueError otherwise."""
    source = flow.marked
    ids = sorted(span.id for span in translation.spans)
    if ids != sorted(tag.id for tag in source.tags):
        raise ValueError(f"{where}: the translation must hold each element once, has {ids}")
    text = translation.text
    spans = []
    for span in translation.spans:
        if not 0 <= span.start <= span.end <= len(text):
            raise ValueError(f"{where}: element {span.id} lies outside the text")
        spans.append(Span(span.id, span.start, span.start) if span.id in flow.points else span)
    marked = MarkedText(text, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.id))), source.tags)
    crossing = [problem for problem in marked.problems() if "overlap" in problem]
    if crossing:
        raise ValueError(f"{where}: {crossing[0]}")
    return tighten(marked)


def english_leaves(flow: Flow, translation: MarkedText) -> list[Leaf]:
    """The leaves of the paragraph's English (see `Leaf`): `translation` as `checked` gives it."""
    text = translation.text
    writer = _LeafWriter(flow, text, _separator_spaces(flow, translation))
    leaves = writer.leaves
    if flow.prefix is not None:
        leaves.append(Leaf(None, frozenset(), (), list(flow.prefix.nodes)))
        if flow.prefix_space and not text.startswith(" "):
            leaves.append(Leaf(" ", writer.base_props, ()))
    for marker_range in writer.base_ranges:
        leaves.append(Leaf(None, frozenset(), (), [marker_range.start]))
    position = 0
    for at, kind, tag in translation.events():
        if at > position:
            writer.text(position, at)
            position = at
        if kind == "point":
            writer.point(at, flow.points[tag.id])
        elif tag.id in flow.features:
            writer.edge(tag.id, kind == "open")
    writer.text(position, len(text))
    for marker_range in reversed(writer.base_ranges):
        leaves.append(Leaf(None, frozenset(), (), [marker_range.end]))
    if flow.suffix is not None:
        if flow.suffix_space and not text.endswith(" "):
            leaves.append(Leaf(" ", writer.base_props, ()))
        leaves.append(Leaf(None, frozenset(), (), list(flow.suffix.nodes)))
    return leaves


def _separator_spaces(flow: Flow, translation: MarkedText) -> set[int]:
    """The spaces of the English left out: a tab or line break takes the place of a space beside it."""
    text = translation.text
    skip: set[int] = set()
    for span in translation.spans:
        point = flow.points.get(span.id)
        if point is not None and point.separator:
            if text[span.start : span.start + 1] == " ":
                skip.add(span.start)
            elif span.start and text[span.start - 1] == " ":
                skip.add(span.start - 1)
    return skip


class _LeafWriter:
    """The leaves of a flow's English as they are written: each piece of text gets the formatting and
    containers of the base and of the elements open around it, so those are tracked here."""

    def __init__(self, flow: Flow, text: str, skip: set[int]):
        self.flow, self.english, self.skip = flow, text, skip
        self.base_props = frozenset(f for f in flow.base if _kind(f) == "prop")
        self.base_containers = tuple(sorted((f[1] for f in flow.base if _kind(f) == "container"), key=lambda c: c.depth))
        self.base_ranges = [f[1] for f in flow.base if _kind(f) == "range"]
        self.leaves: list[Leaf] = []
        self.open: list[int] = []

    def state(self) -> tuple[frozenset, tuple[Container, ...]]:
        """The formatting and the containers (outermost first) of text written now."""
        props = set(self.base_props)
        containers = list(self.base_containers)
        for id in self.open:
            for feature in self.flow.features[id]:
                if _kind(feature) == "prop":
                    props.add(feature)
                elif _kind(feature) == "container":
                    containers.append(feature[1])
        return frozenset(props), tuple(sorted(containers, key=lambda c: c.depth))

    def text(self, lo: int, hi: int) -> None:
        """The English in [lo, hi), the spaces a separator took left out."""
        text, skip = self.english, self.skip
        chunk = "".join(char for i, char in enumerate(text[lo:hi], lo) if i not in skip) if skip else text[lo:hi]
        if chunk:
            props, containers = self.state()
            self.leaves.append(Leaf(chunk, props, containers))

    def point(self, at: int, point: Point) -> None:
        """A point at `at`, with a space on each side where the German had one and the English has none."""
        text = self.english
        props, containers = self.state()
        if point.space_after and at and text[at - 1] != " ":  # spaced on both sides in the German: so in the English
            self.leaves.append(Leaf(" ", props, containers))
        self.leaves.append(Leaf(None, frozenset(), containers, list(point.nodes)))
        if point.space_after and text[at : at + 1] not in ("", " "):
            self.leaves.append(Leaf(" ", props, containers))

    def edge(self, id: int, opening: bool) -> None:
        """Element `id` opens or closes: its formatting starts or stops, its ranges' markers are written."""
        ranges = [f[1] for f in self.flow.features[id] if _kind(f) == "range"]
        if opening:
            if ranges:
                self.leaves.append(Leaf(None, frozenset(), self.state()[1], [r.start for r in ranges]))
            self.open.append(id)
        else:
            if id in self.open:
                self.open.remove(id)
            if ranges:
                self.leaves.append(Leaf(None, frozenset(), self.state()[1], [r.end for r in ranges]))


def _kind(feature) -> str:
    if isinstance(feature, tuple) and len(feature) == 2 and feature[0] in ("container", "range"):
        return feature[0]
    return "prop"


def assemble(
    leaves: Sequence[Leaf],
    root,
    shell: Callable[[Container], object],
    write: Callable[[Leaf], list],
    add: Callable[[object, object], None] = lambda parent, node: parent.append(node),
) -> None:
    """Append the elements of `leaves` to `root` in order: each run of leaves inside the same
    container goes into one copy of it (`shell(container)`, the element without its content);
    `write(leaf)` gives a leaf's own nodes, which `add(parent, node)` puts in place."""
    stack: list[tuple[Container, object]] = []
    for leaf in _merged(leaves):
        path = leaf.containers
        keep = 0
        while keep < len(stack) and keep < len(path) and stack[keep][0] is path[keep]:
            keep += 1
        del stack[keep:]
        for container in path[keep:]:
            element = shell(container)
            add(stack[-1][1] if stack else root, element)
            stack.append((container, element))
        for node in write(leaf):
            add(stack[-1][1] if stack else root, node)


def _merged(leaves: Sequence[Leaf]) -> list[Leaf]:
    """Adjacent text leaves with the same formatting and containers as one."""
    out: list[Leaf] = []
    for leaf in leaves:
        last = out[-1] if out else None
        if (
            leaf.text is not None and last is not None and last.text is not None and last.props == leaf.props
            and len(last.containers) == len(leaf.containers) and all(a is b for a, b in zip(last.containers, leaf.containers))
        ):
            out[-1] = Leaf(last.text + leaf.text, leaf.props, leaf.containers)
        else:
            out.append(leaf)
    return out


@dataclass
class Found:
    """A unit as a package's scan finds it: its kind, line, context, part and element, and its
    paragraph's flow (None for a metadata value, whose text is the element's)."""

    kind: str
    line: int
    context: str
    part: str
    element: object
    flow: Flow | None = None

    @property
    def marked(self) -> MarkedText:
        return self.flow.marked if self.flow is not None else MarkedText(" ".join(self.element.text.split()))


DC = "http://purl.org/dc/elements/1.1/"
METADATA = (("title", "document title"), ("subject", "document subject"))
"""Dublin Core values of a package that are translated as units, with their context."""


class Scan:
    """What a package format's scan shares: each part read and parsed once per scan (fresh trees,
    since writing changes them), its document title and subject as units, and writing those back."""

    def __init__(self, archive, where: str):
        self.where = where
        self.archive = archive
        self.originals: dict[str, bytes] = {}
        self.trees: dict[str, object] = {}
        self.found: list[Found] = []

    def _tree(self, name: str):
        if name not in self.trees:
            self.originals[name] = read_member(self.archive, name, self.where)
            self.trees[name] = parse_part(self.originals[name], self.where, name)
        return self.trees[name]

    def _metadata(self, name: str, holder) -> None:
        """The title and subject under `holder` (an element of part `name`) that hold words."""
        for tag, context in METADATA:
            element = holder.find(f"{{{DC}}}{tag}")
            if element is not None and element.text and any(c.isalpha() for c in element.text):
                self.found.append(Found("attribute", 1, context, name, element))

    @staticmethod
    def _write_value(found: Found, translation: MarkedText, lang: str | None, changed: set[str]) -> None:
        """A metadata unit's translation into its element; the part changes with the language too."""
        if translation.text != found.marked.text:
            found.element.text = translation.text
            changed.add(found.part)
        elif lang is not None:
            changed.add(found.part)


@dataclass(frozen=True, eq=False)
class Package:
    """A parsed DOCX or ODT: its units, and how to write it back with some of them translated.

    `scan(archive, where)` finds the units of a package of this `kind` and writes translations
    into fresh trees of its parts (`apply`); each write parses the parts anew, so a package is
    never changed by writing it."""

    where: str
    data: bytes = field(repr=False)
    units: tuple
    kind: str
    scan: Callable = field(repr=False)
    unused: list = field(default_factory=list, repr=False)
    """The reading's own scan, until the first write takes it (a run writes a package once;
    scanning it again would cost as much as reading it)."""

    def render_bytes(self, translations, *, lang: str | None = "en") -> bytes:
        """The package with each unit in `translations` written in; every part without translated
        text byte for byte. ValueError for a translation whose elements do not fit its unit."""
        if self.unused:
            archive, scanned = self.unused.pop()
        else:
            archive = open_package(self.data, self.where, self.kind)
            scanned = self.scan(archive, self.where)
        return rezip(archive, scanned.apply(translations, lang))


def parse_package(data: bytes, where: str, kind: str, scan: Callable) -> Package:
    """Read a package of `kind` ("DOCX", "ODT") with its `scan`; InputError in one line when it is
    not one or cannot be read."""
    archive = open_package(data, where, kind)
    scanned = scan(archive, where)
    units = tuple(Unit(number, f.kind, f.line, f.marked, f.context) for number, f in enumerate(scanned.found))
    return Package(where, data, units, kind, scan, [(archive, scanned)])
