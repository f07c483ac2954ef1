"""Markdown sources (CommonMark with GFM tables): text blocks as units, every other character kept.

markdown-it-py finds the blocks and their inline tokens; its line maps and the tokens' own markup
are matched back against the source lines, so each unit knows the source characters of its text,
of each emphasis delimiter, link bracket and destination, and the skeleton stays exact.

Units: paragraphs (in list items: "list item", in block quotes: "quote"), ATX and setext headings,
table cells, and as attribute units the alt text of images ("image alt") and the titles of inline
links and images ("link title", "image title": shown as tooltips, so human text).

Inline elements: `*…*`/`_…_` (em), `**…**`/`__…__` (strong), `[…](…)` and reference links (the
text translated, `](destination "title")` kept as the closing markup), inline HTML tags paired into
elements; void elements keeping their characters: images (alt text a unit of its own), code spans,
autolinks, hard breaks, inline HTML comments and protected HTML elements (`<code>…</code>` …).

Never touched: code blocks (fenced and indented), front matter (`---` YAML or `+++` TOML at the
top), HTML blocks, reference definitions, link destinations, URLs and e-mail addresses. A block
whose inline tokens cannot be matched to its source characters (an exotic tab layout) is kept
untranslated rather than risk its bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dolmetsch.document.inline import Tag
from dolmetsch.markup.html import PROTECTED, VOID
from dolmetsch.markup.sentences import (
    Built,
    LineIndex,
    MarkupSource,
    Piece,
    Region,
    Syntax,
    build_unit,
    decode_source,
    plain_unit,
    with_openings,
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_FRONT_MATTER = {"---": ("---", "..."), "+++": ("+++",)}
_BREAK = re.compile(r"[ \t]*\\?\n[ \t]*")
_MD_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?>\Z", re.DOTALL)
_HTML_CLOSE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>\Z")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SPACE = " \t"
_HTML_BLOCK = re.compile(
    r"<(?:!--|\?|![A-Za-z]|!\[CDATA\[|(?:script|pre|style|textarea)(?:[\s>]|$)|/?(?:address|article|aside|base|basefont|"
    r"blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|"
    r"frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|"
    r"p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[\s/>]|$))",
    re.IGNORECASE,
)
"""What starts an HTML block (CommonMark kinds 1 to 6) at the start of a line."""
_LABEL_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t>]*")
"""A line break in a link label, with the indentation or block-quote marks of the next line: one space to the label."""


@lru_cache(maxsize=1)
def _parser():
    """CommonMark with GFM tables; built once, on first use."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def parse_markdown(data: bytes, where: str) -> MarkupSource:
    """Cut a Markdown document into units and skeleton."""
    text, encoding, bom = decode_source(data, where)
    lines = [m.group() for m in _LINE.finditer(text)][: text.count("\n") + text.count("\r") - text.count("\r\n") + 1]
    starts, position = [], 0
    for line in lines:
        starts.append(position)
        position += len(line)
    bodies = [line.rstrip("\r\n") for line in lines]
    skipped = _front_matter(bodies)
    parsed = "\n".join("" if number < skipped else body for number, body in enumerate(bodies))
    env: dict = {}
    tokens = _parser().parse(parsed, env)
    walker = _Walker(text, bodies, starts, env)
    walker.walk(tokens)
    index = LineIndex(text.replace("\r\n", " \n").replace("\r", "\n"))  # lines as markdown-it counts them
    return MarkupSource.of_found(
        walker.found,
        index.line,
        where=where,
        text=text,
        encoding=encoding,
        bom=bom,
        syntax=_MarkdownSyntax(),
    )


def _front_matter(bodies: list[str]) -> int:
    """How many lines of front matter open the document (0 when none)."""
    if not bodies or bodies[0].rstrip() not in _FRONT_MATTER:
        return 0
    closers = _FRONT_MATTER[bodies[0].rstrip()]
    for number in range(1, len(bodies)):
        if bodies[number].rstrip() in closers:
            return number + 1
    return 0


class _MarkdownSyntax(Syntax):
    def text(self, text: str, region: Region, first: bool, last: bool) -> str:
        text = re.sub(r"[\r\n]+", " ", text)
        text = re.sub(r"([\\`*_\[\]<~])", r"\\\1", text)
        text = _MD_ENTITY.sub(lambda m: "\\" + m.group(), text)
        if region.style == "md-cell":
            text = text.replace("|", "\\|")
        if first and region.style == "md-block":
            text = text.lstrip()
            text = re.sub(r"^([#>+=-])", r"\\\1", text)
            text = re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", text)
        if last and region.style == "md-atx" and text.endswith("#"):
            text = text[:-1] + "\\#"
        return text

    def markup(self, lead: str, own: str, tail: str, tag: Tag, first: bool, last: bool, content: str = "") -> str:
        """Markup moved in a changed unit must not make block syntax, nor lose a link:

        - white space that joined it across a line break becomes one space (a line break before
          translated text could start a list or a heading; at the end of the unit a blank line would
          end the block), and none opens a line (four spaces would start code);
        - a hard break that would open a line (a blank line: the block would end) or end the unit
          (where CommonMark ignores it, and `Kim  ⏎` would end a setext heading or leave a closing
          `**` alone on a line) is left out;
        - a shortcut or collapsed reference link (`[Kim Jong]`, `[Kim Jong][]`), whose text is its
          label, is closed with its German label (`[Kim Jong Un][Kim Jong]`), so it still links.
        """
        if tag.void and tag.name == "br" and (first or last):
            return ""
        if tag.name == "link" and own in ("]", "][]") and content:
            own = "][" + _LABEL_BREAK.sub(" ", content) + "]"
        lead = "" if first and not lead.strip() else " " if re.search(r"[\r\n]", lead) else lead
        tail = " " if re.search(r"[\r\n]", tail) else tail
        return lead + own + tail

    def leads(self, markup: str, region: Region) -> bool:
        """Inline HTML that would start an HTML block (a comment, `<div>` …) cannot open a line of a paragraph."""
        return region.style != "md-block" or not _HTML_BLOCK.match(markup.lstrip(" "))

    def value(self, text: str, region: Region) -> str:
        text = re.sub(r"[\r\n]+", " ", text)
        cell = region.style.endswith("-cell")  # in a table cell, `|` must be escaped (and only there)
        if region.style.startswith("md-title"):
            text = re.sub(r"([\\\"'()|])" if cell else r"([\\\"'()])", r"\\\1", text)
            return _MD_ENTITY.sub(lambda m: "\\" + m.group(), text)
        return self.text(text, Region(0, 0, style="md-cell" if cell else "md-inline"), False, False)


class _Mismatch(Exception):
    """The inline tokens do not match the source characters: keep the block untranslated."""


class _Walker:
    """Walks markdown-it's block tokens, matching each inline token to its source characters."""

    def __init__(self, text: str, bodies: list[str], starts: list[int], env: dict):
        self.text, self.bodies, self.starts, self.env = text, bodies, starts, env
        self.found: list[tuple[Built, str, str]] = []

    def walk(self, tokens) -> None:
        containers: list[str] = []
        row: tuple[int, int, list[tuple[int, int]]] | None = None  # (line, next cell, cell ranges)
        for index, token in enumerate(tokens):
            if token.nesting == 1 and token.type not in ("paragraph_open", "heading_open"):
                containers.append(token.type)
            elif token.nesting == -1 and token.type not in ("paragraph_close", "heading_close") and containers:
                containers.pop()
            if token.type != "inline":
                continue
            opener = tokens[index - 1]
            try:
                if opener.type in ("th_open", "td_open"):
                    line = token.map[0]
                    if row is None or row[0] != line:
                        row = (line, 0, _cells(self.bodies[line]))
                    cell = _next_cell(self.bodies[line], row[2], row[1], token.content)
                    row = (line, cell + 1, row[2])
                    raw, where = self._single(line, *row[2][cell])
                    self._unit(token, raw, where, "table cell", "md-cell")
                elif opener.type == "heading_open" and opener.markup.startswith("#"):
                    line = token.map[0]
                    body = self.bodies[line]
                    marks = re.match(r"[^#]*#+[ \t]*", body)
                    lo = body.find(token.content, marks.end() if marks else 0) if token.content else -1
                    if lo < 0:
                        continue
                    raw, where = self._single(line, lo, lo + len(token.content))
                    self._unit(token, raw, where, "heading", "md-atx")
                else:
                    raw, where = self._lines(token)
                    kind = "heading" if opener.type == "heading_open" else (
                        "list item" if containers and containers[-1] == "list_item_open"
                        else "quote" if containers and containers[-1] == "blockquote_open" else "paragraph"
                    )
                    self._unit(token, raw, where, kind, "md-block")
            except _Mismatch:
                continue

    # --- the source characters of an inline token ---

    def _single(self, line: int, lo: int, hi: int) -> tuple[str, list[int]]:
        start = self.starts[line]
        return self.bodies[line][lo:hi], list(range(start + lo, start + hi + 1))

    def _lines(self, token) -> tuple[str, list[int]]:
        """The token's content as source characters, with the source offset of each (and of its end)."""
        content_lines = token.content.split("\n")
        first = token.map[0]
        raw_lines, where = [], []
        for number, content in enumerate(content_lines):
            line = first + number
            if line >= len(self.bodies):
                raise _Mismatch
            body = self.bodies[line]
            end = len(body) if number < len(content_lines) - 1 else len(body.rstrip())
            if not body[:end].endswith(content):
                raise _Mismatch
            lo = end - len(content)
            raw_lines.append(body[lo:end])
            where.extend(range(self.starts[line] + lo, self.starts[line] + end))
            last = number == len(content_lines) - 1
            where.append(self.starts[line] + (end if last else len(body)))  # the line end, or the end
        return "\n".join(raw_lines), where

    def _unit(self, token, raw: str, where: list[int], kind: str, style: str) -> None:
        matcher = _Matcher(raw, where, self.env, "-cell" if style == "md-cell" else "")
        matcher.match(token.children or [])
        if raw[matcher.position :].strip():
            raise _Mismatch
        built = build_unit(matcher.pieces, style)
        if built is not None:
            self.found.append((with_openings(built, self.text), kind, ""))
        self.found.extend(matcher.attributes)


def _cells(body: str) -> list[tuple[int, int]]:
    """Ranges of a table row's cells (stripped), split at pipes not escaped."""
    edges = [-1] + [m.start() for m in re.finditer(r"(?<!\\)(?:\\\\)*\|", body)]
    edges = [e if e < 0 or body[e] == "|" else body.index("|", e) for e in edges] + [len(body)]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        lo += 1
        while lo < hi and body[lo] in _SPACE:
            lo += 1
        while hi > lo and body[hi - 1] in _SPACE:
            hi -= 1
        out.append((lo, hi))
    return out


def _next_cell(body: str, ranges: list[tuple[int, int]], cell: int, content: str) -> int:
    """The number of the first cell from `cell` on whose source reads as `content`."""
    for number in range(cell, len(ranges)):
        lo, hi = ranges[number]
        if body[lo:hi].replace("\\|", "|") == content:
            return number
    raise _Mismatch


class _Matcher:
    """Matches inline tokens to the source characters of their block, gathering the unit's pieces."""

    def __init__(self, raw: str, where: list[int], env: dict, suffix: str):
        self.raw, self.where, self.env, self.suffix = raw, where, env, suffix
        self.position = 0
        self.pieces: list[Piece] = []
        self.attributes: list[tuple[Built, str, str]] = []

    def _at(self, position: int) -> int:
        return self.where[position]

    def match(self, children) -> None:
        index = 0
        while index < len(children):
            token = children[index]
            index += 1
            kind = token.type
            if kind == "text":
                self._text(token.content)
            elif kind in ("softbreak", "hardbreak"):
                found = _BREAK.match(self.raw, self.position)
                if found is None:
                    raise _Mismatch
                lo, hi = self._at(found.start()), self._at(found.end())
                if kind == "softbreak":
                    self.pieces.append(Piece("text", lo, hi, segments=((lo, hi, "\n"),)))
                else:
                    self.pieces.append(Piece("void", lo, hi, name="br"))
                self.position = found.end()
            elif kind in ("em_open", "strong_open", "em_close", "strong_close"):
                self._expect(token.markup)
                name = kind.split("_")[0]
                self._piece("open" if kind.endswith("open") else "close", len(token.markup), name)
            elif kind == "code_inline":
                self._expect(token.markup)
                ticks = re.escape(token.markup)
                close = re.compile(f"(?<!`){ticks}(?!`)").search(self.raw, self.position + len(token.markup))
                if close is None:
                    raise _Mismatch
                self._piece("void", close.end() - self.position, "code")
            elif kind == "link_open" and token.markup == "autolink":
                end = self.raw.find(">", self.position)
                self._expect("<")
                self._piece("void", end + 1 - self.position, "url")
                while index < len(children) and children[index - 1].type != "link_close":
                    index += 1
            elif kind == "link_open":
                self._expect("[")
                self.links = getattr(self, "links", [])
                self.links.append((self._end_of("link"), token.attrGet("title")))
                self._piece("open", 1, "link")
            elif kind == "link_close":
                end, title = self.links.pop()
                self._expect("]")
                self._title(self.position, end, title, "link title")
                self._piece("close", end - self.position, "link")
            elif kind == "image":
                self._image(token)
            elif kind == "html_inline":
                index = self._html(token, children, index)
            else:
                raise _Mismatch

    def _expect(self, markup: str) -> None:
        if not self.raw.startswith(markup, self.position):
            raise _Mismatch

    def _piece(self, kind: str, length: int, name: str) -> None:
        lo, hi = self._at(self.position), self._at(self.position + length)
        self.pieces.append(Piece(kind, lo, hi, name=name))
        self.position += length

    def _text(self, expected: str) -> None:
        """Source characters for the text `expected`: literal, backslash-escaped or a reference."""
        import html

        raw, p, k, segments = self.raw, self.position, 0, []
        while k < len(expected):
            char = expected[k]
            if raw.startswith("\\", p) and raw[p + 1 : p + 2] == char and char in _PUNCTUATION:
                segments.append((self._at(p), self._at(p + 1) + 1, char))
                p, k = p + 2, k + 1
                continue
            entity = _MD_ENTITY.match(raw, p) if raw.startswith("&", p) else None
            if entity is not None and expected.startswith(html.unescape(entity.group()), k):
                decoded = html.unescape(entity.group())
                segments.append((self._at(p), self._at(entity.end() - 1) + 1, decoded))
                p, k = entity.end(), k + len(decoded)
                continue
            if raw[p : p + 1] != char:
                raise _Mismatch
            lo = self._at(p)
            if segments and segments[-1][1] == lo and segments[-1][1] - segments[-1][0] == len(segments[-1][2]):
                previous = segments.pop()
                segments.append((previous[0], lo + 1, previous[2] + char))
            else:
                segments.append((lo, lo + 1, char))
            p, k = p + 1, k + 1
        if segments:
            self.pieces.append(Piece("text", segments[0][0], segments[-1][1], segments=tuple(segments)))
        self.position = p

    def _end_of(self, rule: str) -> int:
        """Where the link or image starting here ends, as markdown-it's own rule reads it."""
        from markdown_it.rules_inline import image, link
        from markdown_it.rules_inline.state_inline import StateInline

        state = StateInline(self.raw, _parser(), self.env, [])
        state.pos = self.position
        if not (link if rule == "link" else image)(state, True):
            raise _Mismatch
        return state.pos

    def _title(self, position: int, end: int, title: str | None, context: str) -> None:
        """An inline link's or image's title (`](dest "Titel")`) as an attribute unit."""
        if not title:
            return
        tail = self.raw[position:end]
        found = re.search(r"""[ \t\n]("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))[ \t\n]*\)\Z""", tail, re.DOTALL)
        if found is None:
            return
        lo, hi = position + found.start(1) + 1, position + found.end(1) - 1
        source_lo, source_hi = self._at(lo), self._at(hi - 1) + 1 if hi > lo else self._at(lo)
        if source_hi - source_lo != hi - lo:  # the title runs over a line break: leave it
            return
        built = plain_unit(source_lo, source_hi, title, "md-title" + self.suffix, self.raw[lo - 1])
        if built is not None:
            self.attributes.append((built, "attribute", context))

    def _image(self, token) -> None:
        self._expect("![")
        end = self._end_of("image")
        label = token.content
        if self.raw.startswith(label, self.position + 2) and self.raw.startswith("]", self.position + 2 + len(label)):
            lo, hi = self.position + 2, self.position + 2 + len(label)
            source_lo, source_hi = self._at(lo), (self._at(hi - 1) + 1 if hi > lo else self._at(lo))
            alt = _parser().renderer.renderInlineAsText(token.children, _parser().options, self.env)
            if source_hi - source_lo == hi - lo:
                built = plain_unit(source_lo, source_hi, alt, "md-alt" + self.suffix)
                if built is not None:
                    self.attributes.append((built, "attribute", "image alt"))
            self._title(hi + 1, end, token.attrGet("title"), "image title")
        self._piece("void", end - self.position, "image")

    def _html(self, token, children, index: int) -> int:
        """Inline HTML: a tag pair becomes an element, a protected element or anything else one void."""
        content = token.content
        self._expect(content)
        opening, closing = _HTML_OPEN.match(content), _HTML_CLOSE.match(content)
        if opening and opening.group(1).lower() in PROTECTED:
            name = opening.group(1).lower()
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(self.raw, self.position + len(content))
            if close is not None:
                self._piece("void", close.end() - self.position, name)
                while index < len(children):
                    index += 1
                    done = children[index - 1]
                    if done.type == "html_inline" and (_HTML_CLOSE.match(done.content) or [None, ""])[1].lower() == name:
                        break
                return index
        if opening and not content.endswith("/>") and opening.group(1).lower() not in VOID:
            self._piece("open", len(content), "html:" + opening.group(1).lower())
        elif closing:
            self._piece("close", len(content), "html:" + closing.group(1).lower())
        else:
            self._piece("void", len(content), "html")
        return index
