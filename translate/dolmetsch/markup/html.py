"""HTML sources: block text and human-readable attributes as units, every other character kept.

The standard library's `html.parser` tokenizes the page (it tolerates what browsers tolerate and
reports where each token starts); each token's characters are taken from the source itself, so the
skeleton keeps attribute order, quoting, entities, white space and line ends exactly.

A unit is the text of a block (`p`, `h1`–`h6`, `li`, `td`/`th`, `figcaption`, `blockquote`, `dt`/`dd`,
`caption`, `title`, or text loose in a `div`, `section` …) with its inline elements (`a`, `b`, `em`,
`span`, `sup`, `br`, `img` …) as Tags; any other element starts a new unit. The values of `alt`,
`title`, `aria-label` and `placeholder`, and the `content` of `<meta name="description">` and of
`og:title`/`og:description` (and their `twitter:` twins), are units of their own.

Never translated: `script`, `style`, `code`, `pre`, `kbd`, `samp`, `var`, `template`, `textarea`,
`svg`, `math`, elements with `translate="no"` or `class="notranslate"`, with all they contain;
comments, the doctype and processing instructions; URLs and e-mail addresses. Inside a sentence
such an element (or a comment) is one void Tag holding its characters, so the model never sees it.

Refused with an InputError (one line, exit 2), since a browser would swallow the rest of the file
into it and no skeleton of the page as shown could be kept: an unterminated comment or tag, and a
`script`/`style` that is never closed. Binary data is refused while decoding.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from dolmetsch.errors import InputError
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
    text_piece,
    with_openings,
)

INLINE = frozenset(
    "a abbr b bdi bdo big cite data del dfn em font i ins label mark nobr picture q rp rt ruby s small "
    "span strike strong sub sup time tt u".split()
)
"""Elements that sit inside a sentence and become Tags around its words."""
INLINE_VOID = frozenset("br img wbr input source".split())
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
PROTECTED = frozenset("script style code pre kbd samp var template textarea svg math".split())
PROTECTED_INLINE = frozenset("script style code kbd samp var textarea svg math".split())
"""Protected elements that may sit inside a sentence: one void Tag there."""
KINDS = {
    "title": "title", "p": "paragraph", "li": "list item", "td": "table cell", "th": "table cell",
    "figcaption": "caption", "caption": "caption", "blockquote": "quote", "dt": "term", "dd": "definition",
    **{f"h{level}": "heading" for level in range(1, 7)},
}
_P_ENDS = frozenset(
    "address article aside blockquote details dialog dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hgroup hr li main menu nav ol p pre search section table ul".split()
)
_IMPLIED_END = {
    "p": (_P_ENDS, frozenset()),
    "li": (frozenset(("li",)), frozenset(("ul", "ol", "menu"))),
    "dt": (frozenset(("dt", "dd")), frozenset(("dl",))),
    "dd": (frozenset(("dt", "dd")), frozenset(("dl",))),
    "td": (frozenset(("td", "th", "tr", "tbody", "thead", "tfoot")), frozenset(("table",))),
    "th": (frozenset(("td", "th", "tr", "tbody", "thead", "tfoot")), frozenset(("table",))),
    "tr": (frozenset(("tr", "tbody", "thead", "tfoot")), frozenset(("table",))),
}
"""Elements whose end tag may be left out: (start tags that end them, containers inside them whose own items do not)."""
TEXT_ATTRIBUTES = frozenset(("alt", "title", "aria-label", "placeholder"))
META_TEXT = frozenset(("description", "og:title", "og:description", "twitter:title", "twitter:description"))
_GERMAN = re.compile(r"de(?:-[a-z0-9]+)*", re.IGNORECASE)
_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BROKEN_START = re.compile(r"<[A-Za-z/!?]")
_ENTITY = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
"""The references `html.unescape` resolves (its own pattern), to map text back to its source."""
_TAG_NAME = re.compile(r"<[^\s/>]+")
_ATTRIBUTE = re.compile(
    r"""(?:[\s/]*)(?P<name>[^\s/>][^\s/=>]*)(?:\s*=+\s*(?P<value>'[^']*'|"[^"]*"|(?!['"])[^>\s]*))?"""
)


def parse_html(data: bytes, where: str) -> MarkupSource:
    """Cut an HTML page or fragment into units and skeleton; InputError when none can be kept."""
    head = data[:4096]
    declared = _CHARSET.search(head)
    text, encoding, bom = decode_source(data, where, declared.group(1).decode("ascii") if declared else None)
    lines = LineIndex(text)
    tokens = _tokens(text, where, lines)
    walker = _Walker(text, tokens, lines, where)
    walker.walk()
    return MarkupSource.of_found(
        walker.found,
        lines.line,
        where=where,
        text=text,
        encoding=encoding,
        bom=bom,
        syntax=_HtmlSyntax(),
        lang=walker.lang,
        lang_values=tuple(sorted(walker.lang_values)),
    )


class _HtmlSyntax(Syntax):
    """Changed text escaped as little as HTML needs; a no-break space is written `&nbsp;`, as
    pages write it, so it stays visible to whoever edits the English page."""

    def text(self, text: str, region: Region, first: bool, last: bool) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")

    def value(self, text: str, region: Region) -> str:
        text = text.replace("&", "&amp;").replace("\xa0", "&nbsp;")
        if region.quote == "'":
            return text.replace("'", "&#39;")
        escaped = text.replace('"', "&quot;")
        return escaped if region.quote == '"' else f'"{escaped}"'


@dataclass
class _Token:
    kind: str  # "start", "end", "text", "other"
    start: int
    end: int = -1  # exclusive; set once the next token's start is known
    name: str = ""
    attrs: tuple = ()
    raw: str = ""  # a start tag's text
    closed: bool = False  # written self-closing (`<br/>`)
    text: str = ""  # decoded text


class _Tokenizer(HTMLParser):
    def __init__(self, lines: LineIndex):
        super().__init__(convert_charrefs=True)
        self.lines = lines
        self.found: list[_Token] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self.lines.offset(line, column)

    def handle_starttag(self, tag, attrs):
        self.found.append(_Token("start", self._at(), name=tag, attrs=tuple(attrs), raw=self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):
        self.found.append(
            _Token("start", self._at(), name=tag, attrs=tuple(attrs), raw=self.get_starttag_text(), closed=True)
        )

    def handle_endtag(self, tag):
        self.found.append(_Token("end", self._at(), name=tag))

    def handle_data(self, data):
        kind = "other" if self.cdata_elem else "text"  # script and style content is never text
        self.found.append(_Token(kind, self._at(), text=data))

    def handle_comment(self, data):
        self.found.append(_Token("other", self._at()))

    handle_decl = handle_pi = unknown_decl = handle_comment


def _tokens(text: str, where: str, lines: LineIndex) -> list[_Token]:
    """The page's tokens, covering every character: ranges run to the next token, and characters the
    parser skips (`</>`) become tokens of their own."""
    tokenizer = _Tokenizer(lines)
    tokenizer.feed(text)
    tokenizer.close()
    if tokenizer.cdata_elem:
        start = next(t.start for t in reversed(tokenizer.found) if t.kind == "start")
        raise InputError(where, f"<{tokenizer.cdata_elem}> is never closed", lines.line(start))
    found = tokenizer.found
    out: list[_Token] = []
    for index, token in enumerate(found):
        following = found[index + 1].start if index + 1 < len(found) else len(text)
        if token.kind == "text" and _BROKEN_START.match(text, token.start):
            what = "comment" if text.startswith("<!--", token.start) else "tag"
            raise InputError(where, f"unterminated {what}: a browser would swallow the rest of the file", lines.line(token.start))
        if token.kind == "start":
            exact = token.start + len(token.raw)
        elif token.kind == "end":
            close = text.find(">", token.start, following)
            exact = close + 1 if close >= 0 else following
        else:
            exact = following
        if token.kind == "text" and out and out[-1].kind == "text" and out[-1].end == token.start:
            out[-1].end, out[-1].text = following, out[-1].text + token.text  # `a < b` arrives in pieces
            continue
        token.end = exact
        out.append(token)
        if exact < following:
            out.append(_Token("other", exact, following))
    if out and out[0].start > 0:
        out.insert(0, _Token("other", 0, out[0].start))
    for token in out:
        if token.kind == "text" and html.unescape(text[token.start : token.end]) != token.text:
            token.kind = "other"  # not the text its characters say: keep it, do not translate it
    return out


def _segments(raw: str, start: int) -> list[tuple[int, int, str]]:
    """(source start, source end, characters) stretches of a text: plain runs and each reference."""
    out, position = [], 0
    for match in _ENTITY.finditer(raw):
        if match.start() > position:
            out.append((start + position, start + match.start(), raw[position : match.start()]))
        out.append((start + match.start(), start + match.end(), html.unescape(match.group())))
        position = match.end()
    if position < len(raw):
        out.append((start + position, start + len(raw), raw[position:]))
    return out


class _Walker:
    """Walks the tokens, gathering a block's pieces into units and attribute values into their own."""

    def __init__(self, text: str, tokens: list[_Token], lines: LineIndex, where: str):
        self.text, self.tokens, self.lines, self.where = text, tokens, lines, where
        self.found: list[tuple[Built, str, str]] = []
        self.stack: list[str] = []
        self.pieces: list[Piece] = []
        self.kind = "text"
        self.lang: str | None = None
        self.lang_values: list[tuple[int, int]] = []

    def walk(self) -> None:
        index = 0
        while index < len(self.tokens):
            token = self.tokens[index]
            index += 1
            if token.kind == "text":
                self._add(text_piece(token.start, "", _segments(self.text[token.start : token.end], token.start)))
            elif token.kind == "other":
                if self.pieces:  # a comment inside a sentence
                    self._add(Piece("void", token.start, token.end, name="comment"))
            elif token.kind == "start":
                index = self._start(token, index)
            else:
                self._end(token)
        self._flush()

    def _start(self, token: _Token, index: int) -> int:
        name = token.name
        classes = dict(token.attrs).get("class") or ""
        protected = (
            name in PROTECTED
            or (dict(token.attrs).get("translate") or "").strip().lower() == "no"
            or "notranslate" in classes.split()
        )
        void = name in VOID or token.closed
        if protected:
            after = index if void else self._skip(name, index)
            end = self.tokens[after].start if after < len(self.tokens) else len(self.text)
            if name in PROTECTED_INLINE or name in INLINE or name in INLINE_VOID:
                self._add(Piece("void", token.start, end, name=name))
            else:
                self._flush()
            return after
        self._attributes(token)
        if void:
            if name in INLINE_VOID:
                self._add(Piece("void", token.start, token.end, name=name))
            else:
                self._flush()
        elif name in INLINE:
            self._add(Piece("open", token.start, token.end, name=name))
            self.stack.append(name)
        else:
            self._flush()
            self.stack.append(name)
        return index

    def _end(self, token: _Token) -> None:
        name = token.name
        if name in INLINE:
            self._add(Piece("close", token.start, token.end, name=name))
        else:
            self._flush()
        if name in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(name) :]

    def _skip(self, name: str, index: int) -> int:
        """Index of the token after a protected element opened just before `index`: its own end tag,
        or the end tag of an element around it (which closes it, as in a browser), or the start tag
        that ends it where its end tag is left out (`<p>` at the next block, `<li>` at the next item),
        or the end."""
        depth = 1
        nested = 0  # lists, definition lists or tables opened inside it, whose items it does not end at
        implied = _IMPLIED_END.get(name)
        while index < len(self.tokens):
            token = self.tokens[index]
            if implied and token.kind == "start" and token.name in implied[0] and nested == 0:
                return index  # `<p translate="no">…<p>`: a browser ends it here (HTML's implied end tags)
            if implied and token.name in implied[1] and not token.closed:
                nested += 1 if token.kind == "start" else -1 if token.kind == "end" and nested else 0
            if token.kind == "start" and token.name == name and not token.closed:
                depth += 1
            elif token.kind == "end" and token.name == name:
                depth -= 1
                if depth == 0:
                    return index + 1
            elif token.kind == "end" and token.name in self.stack:
                return index
            index += 1
        return index

    def _add(self, piece: Piece) -> None:
        if not self.pieces:
            self.kind = next((KINDS[name] for name in reversed(self.stack) if name in KINDS), "text")
        self.pieces.append(piece)

    def _flush(self) -> None:
        if self.pieces:
            built = build_unit(self.pieces, "html")
            if built is not None:
                self.found.append((with_openings(built, self.text), self.kind, ""))
            self.pieces = []

    def _attributes(self, token: _Token) -> None:
        """Units for the tag's human-readable attribute values; German language declarations noted."""
        located = _locate_attributes(token)
        if located is None:
            return
        values = {name: value for name, value, _, _, _ in located}
        meta = token.name == "meta" and (
            (values.get("name") or "").lower() in META_TEXT or (values.get("property") or "").lower() in META_TEXT
        )
        for name, value, start, end, quote in located:
            if value is None:
                continue
            if name in ("lang", "xml:lang") and _GERMAN.fullmatch(value) and self.text[start:end] == value:
                self.lang_values.append((start, end))
            if token.name == "html" and name in ("lang", "xml:lang") and self.lang is None:
                self.lang = value
            if (
                token.name == "meta"
                and name == "content"
                and (values.get("http-equiv") or "").lower() == "content-language"
                and _GERMAN.fullmatch(value)
                and self.text[start:end] == value
            ):
                self.lang_values.append((start, end))
            if name in TEXT_ATTRIBUTES or (meta and name == "content"):
                built = plain_unit(start, end, value, "attribute", quote)
                if built is not None:
                    context = f"meta {values.get('name') or values.get('property')}" if meta else f"{token.name} {name}"
                    self.found.append((built, "attribute", context.lower()))


def _locate_attributes(token: _Token) -> list[tuple[str, str | None, int, int, str]] | None:
    """(name, decoded value, value start, value end, quote) for each attribute of a start tag, found
    in its source; None when this reading disagrees with the parser's (then nothing is touched)."""
    raw = token.raw
    head = _TAG_NAME.match(raw)
    if head is None:
        return None
    position, out = head.end(), []
    limit = len(raw) - (2 if raw.endswith("/>") else 1)
    while position < limit:
        match = _ATTRIBUTE.match(raw, position, limit)
        if match is None or match.end() == position:
            break
        name, value = match.group("name").lower(), match.group("value")
        if value is None:
            out.append((name, None, 0, 0, ""))
        else:
            quote = value[0] if value[:1] in ("'", '"') else ""
            lo = token.start + match.start("value") + len(quote)
            hi = token.start + match.end("value") - len(quote)
            out.append((name, html.unescape(value[len(quote) : len(value) - len(quote)]), lo, hi, quote))
        position = match.end()
    if [(name, value) for name, value, *_ in out] != [(n, v) for n, v in token.attrs]:
        return None
    return out
