"""Properties of HTML and Markdown articles read through the real path (`read_document`).

Generated articles (random nesting of blocks, inline elements with all kinds of attribute quoting,
entities, comments, protected regions, CRLF and LF, German sentences that split; HTML now and then
with end tags left out or stray; Markdown with emphasis, links of every kind, code, images, lists,
tables, quotes, code blocks, front matter and hard breaks) must keep the product's promise:

a. identity: with a model that returns its input, the output is the input byte for byte, apart
   from a German `lang` (and `content-language`), which becomes `en`;
b. a translation that changes the words but keeps the placeholders (every letter in upper case, or
   the words of each element in reverse order) renders, well nested, with every element once and
   its attributes, `href` and `src` unchanged;
c. every segment's placeholders read back as its inline markup.

Example counts are small and fixed (derandomized) so the file runs in seconds, the same in CI;
`MARKUP_PROPERTY_EXAMPLES=800` searches harder.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dolmetsch.markup.placeholders import PLACEHOLDER, from_placeholders, to_placeholders
from dolmetsch.sources import read_document

EXAMPLES = int(os.environ.get("MARKUP_PROPERTY_EXAMPLES", "80"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A German `lang` value is written between two § in a generated document: the source drops the
# marks, the expected English output has `en` there.
GERMAN_LANG = re.compile("§[^§]*§")


def source_and_expected(document: str) -> tuple[str, str]:
    return document.replace("§", ""), GERMAN_LANG.sub("en", document)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("articles")


def read(folder, data: bytes, suffix: str):
    path = folder / f"artikel{suffix}"
    path.write_bytes(data)
    return read_document(str(path))


# --- text ------------------------------------------------------------------------------------------

WORDS = ["Kim", "pries", "die", "Truppen", "Putin", "hob", "das", "Glas", "Größe", "über", "Straße", "Zusammenarbeit",
         "Äpfel", "und", "mit", "Raketen", "Öl", "heute"]
CAPITALS = ["Kim", "Putin", "Die", "Das", "Heute", "Zusammenarbeit", "Äpfel", "Öl", "Raketen"]
ENDS = [".", ".", "!", "?", "."]


@st.composite
def sentence_words(draw, extra=()) -> list[str]:
    """Words of a sentence or two: a capital first, an end mark last, now and then more between."""
    words = [draw(st.sampled_from(CAPITALS))]
    for _ in range(draw(st.integers(0, 4))):
        words.append(draw(st.sampled_from(WORDS + list(extra))))
    if draw(st.booleans()):
        words[-1] += draw(st.sampled_from(ENDS))
    return words


# --- HTML ------------------------------------------------------------------------------------------

HTML_EXTRA = ["&amp;", "&auml;rger", "Stra&szlig;e", "&#223;", "&#x2013;", "&lt;Kim&gt;", "&quot;Zitat&quot;", "&copy;",
              "Kim&amp;Co", "a&nbsp;b", "https://example.de/seite?a=1&amp;b=2", "kim@example.de", "2024", "a < b", ">"]
HTML_SPACE = [" ", " ", " ", "  ", "\n", "\n    ", "\t", " \n", "&nbsp;", ""]
VALUES = {
    "class": ["note", "a b", "x", "notranslat"],
    "id": ["k1", "k-2"],
    "title": ["Mehr über Kim", "Kim &amp; Putin", "x", "2024", "Mehr\n  über Kim"],
    "data-x": ["1 &lt; 2", "a > b", "{&quot;k&quot;: 1}", ""],
    "lang": ["§de§", "§de-AT§", "§DE§", "fr", "en"],
    "href": ["/kim?x=1&amp;y=2", "https://example.de/a", "#oben", "mailto:kim@example.de"],
    "style": ["color: red", "font-weight:bold"],
    "aria-label": ["Mehr lesen", "…"],
}
INLINE_NAMES = ["a", "b", "em", "strong", "span", "sup", "i"]


@st.composite
def attributes(draw, name: str) -> str:
    pool = ["class", "id", "title", "data-x", "lang", "style", "hidden", "aria-label"] + (["href"] * 3 if name == "a" else [])
    out = []
    for attribute in draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)):
        spacing = draw(st.sampled_from([" ", " ", "  ", "\n  "]))
        if attribute == "hidden":
            out.append(spacing + "hidden")
            continue
        value = draw(st.sampled_from(VALUES[attribute]))
        quote = draw(st.sampled_from(['"', '"', "'", ""]))
        if not quote and (not value or any(c in value for c in " \"'=<>`&")):
            quote = '"'
        equals = draw(st.sampled_from(["=", "=", "=", " = "]))
        out.append(f"{spacing}{attribute}{equals}{quote}{value}{quote}")
    return "".join(out)


VOIDS = ["<br>", "<br/>", "<br />", "<BR>", "<wbr>", '<IMG SRC="/gross.png" ALT="Gro&szlig;">',
         '<A HREF="/x" TITLE="Mehr">mehr</A>', '<img src="/bild.png" alt="Ein Bild">', "<img src='x.jpg' alt=Bild>",
         "<img src=x.png>", '<img alt="Kim &amp; Putin" src="/k.png" width=64>']
PROTECTED = ["<code>a &lt; b</code>", "<kbd>Strg</kbd>", '<span translate="no">Jong Un</span>', '<b class="notranslate">Name</b>',
             "<!-- Kommentar -->", "<!---->", '<script>x = "<b>";</script>', "<var>n</var>"]
SPECIAL = ["<span> </span>", "<b>\n</b>", "<i></i>", '<a id="oben"></a>', '<a href="/x"><img src="y.png" alt="Pfeil"></a>',
           '<a href="/x">\n  <img src="y.png">\n</a>']


@st.composite
def html_inline(draw, depth: int = 0) -> str:
    """Inline content: words, sentence ends and inline elements, as a list joined by varied spacing."""
    items = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["words", "words", "element", "element", "void", "protected", "special"] if depth < 3 else ["words"]))
        if kind == "words":
            items.append(" ".join(draw(sentence_words(HTML_EXTRA))))
        elif kind == "element":
            name = draw(st.sampled_from(INLINE_NAMES))
            inner = draw(html_inline(depth + 1))
            closing = draw(st.sampled_from([name, name, name.upper()]))
            items.append(f"<{name}{draw(attributes(name))}>{inner}</{closing}>")
        elif kind == "void":
            items.append(draw(st.sampled_from(VOIDS)))
        elif kind == "protected":
            items.append(draw(st.sampled_from(PROTECTED)))
        else:
            items.append(draw(st.sampled_from(SPECIAL)))
    out = items[0]
    for item in items[1:]:
        out += draw(st.sampled_from(HTML_SPACE)) + item
    return out


@st.composite
def html_block(draw, depth: int = 0) -> str:
    kinds = ["p", "p", "h", "list", "quote", "table", "figure", "dl", "pre", "script", "style", "notranslate", "comment"]
    if depth < 2:
        kinds += ["div", "div"]
    kind = draw(st.sampled_from(kinds))
    gap = lambda: draw(st.sampled_from(["\n", "\n  ", "", "\n\n"]))  # noqa: E731
    if kind == "p":
        return f"<p{draw(attributes('p'))}>{draw(html_inline())}</p>"
    if kind == "h":
        level = draw(st.integers(1, 6))
        return f"<h{level}{draw(attributes('h'))}>{draw(html_inline(2))}</h{level}>"
    if kind == "list":
        name = draw(st.sampled_from(["ul", "ol"]))
        items = [
            f"<li>{draw(html_block(depth + 1)) if depth < 2 and draw(st.booleans()) else draw(html_inline(1))}</li>"
            for _ in range(draw(st.integers(1, 3)))
        ]
        return f"<{name}>" + gap() + gap().join(items) + gap() + f"</{name}>"
    if kind == "quote":
        inner = draw(html_block(depth + 1)) if depth < 2 and draw(st.booleans()) else draw(html_inline(1))
        return f"<blockquote>{gap()}{inner}{gap()}</blockquote>"
    if kind == "table":
        rows = []
        for row in range(draw(st.integers(1, 3))):
            cell = "th" if row == 0 and draw(st.booleans()) else "td"
            cells = "".join(f"<{cell}>{draw(html_inline(2))}</{cell}>" for _ in range(draw(st.integers(1, 3))))
            rows.append(f"<tr>{cells}</tr>")
        caption = f"<caption>{draw(html_inline(2))}</caption>" if draw(st.booleans()) else ""
        return f"<table>{caption}{gap()}{gap().join(rows)}{gap()}</table>"
    if kind == "figure":
        return f'<figure>{gap()}<img src="/f.jpg" alt="Das Bild">{gap()}<figcaption>{draw(html_inline(2))}</figcaption>{gap()}</figure>'
    if kind == "dl":
        return f"<dl><dt>{draw(html_inline(2))}</dt>{gap()}<dd>{draw(html_inline(2))}</dd></dl>"
    if kind == "pre":
        return "<pre>  Zitat:   „Einen Toast“\n    auf <b>die</b> Freundschaft &amp; mehr</pre>"
    if kind == "script":
        return '<script>if (a < b && c) { go("</p>"); }</script>'
    if kind == "style":
        return "<style>p > a { color: red; }</style>"
    if kind == "notranslate":
        return draw(st.sampled_from(['<p translate="no">Dieser Satz bleibt.</p>', '<div class="a notranslate"><p>Auch <b>dieser</b>.</p></div>']))
    if kind == "comment":
        return "<!-- Block: <p>nicht übersetzen</p> -->"
    name = draw(st.sampled_from(["div", "section", "article"]))
    parts = [draw(html_block(depth + 1)) if draw(st.integers(0, 3)) else draw(html_inline(1)) for _ in range(draw(st.integers(1, 3)))]
    return f"<{name}{draw(attributes(name))}>{gap()}{gap().join(parts)}{gap()}</{name}>"


@st.composite
def html_documents(draw) -> tuple[str, str]:
    """(encoding, document with German lang values between §); now and then closings are left out or stray."""
    body = "\n".join(draw(html_block()) for _ in range(draw(st.integers(1, 4))))
    shape = draw(st.sampled_from(["page", "page", "fragment", "body"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252"]))
    if shape == "fragment":
        document = body + draw(st.sampled_from(["", "\n"]))
        encoding = encoding if encoding != "cp1252" else "utf-8"
    else:
        doctype = draw(st.sampled_from(["<!DOCTYPE html>\n", "<!doctype html>\n", ""]))
        html_tag = draw(st.sampled_from(['<html lang="§de§">', "<html lang='§de-AT§'>", "<html lang=§de§ xml:lang=\"§de§\">",
                                         '<html lang="en">', "<html>", '<HTML LANG="§de§">']))
        charset = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "windows-1252"}[encoding]
        head = [f'<meta charset="{charset}">']
        if draw(st.booleans()):
            head.append('<meta http-equiv="content-language" content="§de§">')
        head.append(f"<title>{' '.join(draw(sentence_words(HTML_EXTRA)))}</title>")
        if draw(st.booleans()):
            head.append(f'<meta name="description" content="{" ".join(draw(sentence_words()))}">')
        if draw(st.booleans()):
            head.append("<meta property='og:title' content='Putin &amp; Kim'>")
        head.append("<style>p > a { color: red; }</style>")
        if shape == "body":
            document = f"{doctype}{html_tag}\n<head>\n  " + "\n  ".join(head) + f"\n</head>\n<body class=\"artikel\">\n{body}\n</body>\n</html>\n"
        else:
            document = f"{doctype}{html_tag}<head>{''.join(head)}</head><body>{body}</body></html>"
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "mixed"]))
    if newline == "mixed":
        document = re.sub("\n", lambda m: "\r\n" if m.start() % 3 == 0 else "\n", document)
    else:
        document = document.replace("\n", newline)
    if draw(st.integers(0, 3)) == 0:  # as pages are written by hand: closings left out, stray ones
        chance = draw(st.randoms(use_true_random=False))
        # (not the end of an inline element kept German: a browser carries it on, so its lang stays)
        document = re.sub(r"(?<!Name)(?<!Jong Un)</(?:p|li|td|th|dd|b|em|span)>", lambda m: "" if chance.random() < 0.5 else m.group(), document)
        document = re.sub(r"(?<=[a-z])(?<!Jong) (?=[A-Z])", lambda m: " </i>" if chance.random() < 0.2 else " ", document)
    return encoding, document


class Elements(HTMLParser):
    """Start and end tags of a page, attributes that are not translated (nor `lang`) kept; nesting checked."""

    TRANSLATED = ("alt", "title", "aria-label", "placeholder", "content", "lang", "xml:lang")
    VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.starts, self.ends, self.addresses, self.stack, self.badly_nested = [], [], [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, tuple((k, v) for k, v in attrs if k not in self.TRANSLATED)))
        self.addresses += [v for k, v in attrs if k in ("href", "src")]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.starts.append((tag, tuple((k, v) for k, v in attrs if k not in self.TRANSLATED)))
        self.addresses += [v for k, v in attrs if k in ("href", "src")]

    def handle_endtag(self, tag):
        self.ends.append(tag)
        if not self.stack or self.stack[-1] != tag:
            self.badly_nested.append((tag, list(self.stack)))
        else:
            self.stack.pop()


PROTECTED_HTML = re.compile(r"<script.*?</script>|<style.*?</style>|<pre.*?</pre>|<code.*?</code>|<kbd.*?</kbd>|<!--.*?-->"
                            r"|translate=\"no\">.*?<|https://example\.de/seite\?a=1&amp;b=2|kim@example\.de", re.DOTALL)


# --- translations that keep the placeholders ------------------------------------------------------


def shout(text: str) -> str:
    """Every letter in upper case (placeholders hold no letters)."""
    return text.upper()


def reverse_words(text: str) -> str:
    """The words and elements at each level in reverse order, each element still around its own words;
    an element without words (white space, or nothing) as it was."""
    root: list = []
    stack = [root]
    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            stack[-1].append(text[position : match.start()])
        position = match.end()
        closing, number, single = match.groups()
        if single:
            stack[-1].append(match.group())
        elif closing:
            stack.pop()
        else:
            element = [number, []]
            stack[-1].append(element)
            stack.append(element[1])
    if position < len(text):
        stack[-1].append(text[position:])

    def words(items) -> bool:
        return any(isinstance(item, list) and words(item[1]) or isinstance(item, str) and not PLACEHOLDER.fullmatch(item) and item.strip()
                   for item in items)

    def written(items) -> str:
        return "".join(item if isinstance(item, str) else f"<{item[0]}>{written(item[1])}</{item[0]}>" for item in items)

    def reverse(items) -> str:
        pieces = []
        for item in items:
            if isinstance(item, str):
                pieces += item.split() if not PLACEHOLDER.fullmatch(item) else [item]
            else:
                number, inner = item
                pieces.append(f"<{number}>{reverse(inner) if words(inner) else written(inner)}</{number}>")
        return " ".join(reversed(pieces))

    return reverse(root)


def translated(document, change) -> dict:
    return {segment.key: change(segment.text) for segment in document.segments()}


# --- HTML properties ------------------------------------------------------------------------------


@SETTINGS
@given(html_documents())
def test_html_rendered_as_itself_is_the_input(folder, generated):
    encoding, text = generated
    source, expected = source_and_expected(text)
    document = read(folder, source.encode(encoding), ".html")
    out = document.english_file({s.key: s.text for s in document.segments()})
    assert out == expected.encode(encoding)


@SETTINGS
@given(html_documents(), st.sampled_from([shout, reverse_words]))
def test_html_changed_words_keep_every_element(folder, generated, change):
    encoding, text = generated
    source, _ = source_and_expected(text)
    document = read(folder, source.encode(encoding), ".html")
    out = document.render(translated(document, change))
    before, after = Elements(source), Elements(out)
    assert after.badly_nested == before.badly_nested or before.badly_nested  # well nested, unless the German is not
    if change is shout:
        assert after.starts == before.starts
        assert Counter(after.ends) == Counter(before.ends)
    else:
        assert Counter(after.starts) == Counter(before.starts)
        assert Counter(after.ends) == Counter(before.ends)
    assert after.addresses == before.addresses or change is reverse_words and Counter(after.addresses) == Counter(before.addresses)
    assert PROTECTED_HTML.findall(out) == PROTECTED_HTML.findall(source) or change is reverse_words
    assert Counter(PROTECTED_HTML.findall(out)) == Counter(PROTECTED_HTML.findall(source))


@SETTINGS
@given(html_documents())
def test_html_placeholders_read_back(folder, generated):
    encoding, text = generated
    document = read(folder, source_and_expected(text)[0].encode(encoding), ".html")
    for segment in document.segments():
        assert segment.inline.problems() == []
        assert to_placeholders(segment.inline) == segment.text
        assert from_placeholders(to_placeholders(segment.inline), segment.inline) == segment.inline


# --- Markdown -------------------------------------------------------------------------------------

MD_EXTRA = ["&amp;", "&ouml;l", "\\*", "\\_", "a_b", "2024.", "https://example.de/a_b", "kim@example.de", "!", "|", "<", "&", "~"]


@st.composite
def md_words(draw) -> str:
    return " ".join(draw(sentence_words(MD_EXTRA)))


@st.composite
def md_inline(draw, depth: int = 0, breaks: bool = True) -> str:
    items = []
    kinds = ["words", "words", "em", "strong", "link", "code", "image", "html", "auto", "ref"]
    if depth < 2:
        kinds += ["nested"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds if depth < 3 else ["words"]))
        word = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
        if kind == "words":
            items.append(draw(md_words()))
        elif kind == "em":
            mark = draw(st.sampled_from(["*", "_"]))
            items.append(draw(st.sampled_from([f"{mark}{word}{mark}", f"({mark}{word}{mark})", f"{mark}{word}{mark}.", f"Kim*{word}*s",
                                               f"***{word}***"])))
        elif kind == "strong":
            mark = draw(st.sampled_from(["**", "__"]))
            items.append(f"{mark}{word}{mark}")
        elif kind == "nested":
            items.append(f"**{word} *{draw(st.sampled_from(WORDS))}* {draw(st.sampled_from(WORDS))}**"
                         if draw(st.booleans()) else f"[{word} **{draw(st.sampled_from(WORDS))}**](https://example.de/n)")
        elif kind == "link":
            target = draw(st.sampled_from(["https://example.de/a_b", "/x", "<https://example.de/mit leer>", "/kim?a=1&b=2"]))
            title = draw(st.sampled_from(["", ' "Mehr über Kim"', " 'Titel'", " (Klammer)"]))
            items.append(f"[{word}]({target}{title})")
        elif kind == "ref":
            items.append(draw(st.sampled_from([f"[{word}][ref]", "[Kim Jong][]", "[Putin]", f"[{word}][Ref]", "[Kim Jong]",
                                               "[Putin *Wladimir*]"])))
        elif kind == "code":
            items.append(draw(st.sampled_from(["`code`", "``a ` b``", "`<b>`"])))
        elif kind == "image":
            items.append(draw(st.sampled_from(["![Das Bild](b.png)", '![Kim und Putin](/k.png "Bildtitel")', "![](leer.png)",
                                               "[![Bild](b.png)](https://example.de/bild)"])))
        elif kind == "html":
            items.append(draw(st.sampled_from([f"<em>{word}</em>", f'<span class="x">{word}</span>', "<br>", "<!-- k -->",
                                               "<code>x</code>", f'<a href="/h">{word}</a>'])))
        else:
            items.append(draw(st.sampled_from(["<https://orf.at>", "<kim@example.de>"])))
    out = items[0]
    for item in items[1:]:
        spaces = [" ", " ", " ", "\n"] + (["  \n", "\\\n"] if breaks else [])
        out += draw(st.sampled_from(spaces)) + item
    return out


@st.composite
def md_block(draw, depth: int = 0) -> str:
    kinds = ["para", "para", "atx", "setext", "quote", "list", "ordered", "table", "fence", "indented", "html", "rule"]
    kind = draw(st.sampled_from(kinds))
    if kind == "para":
        return draw(md_inline())
    if kind == "atx":
        return "#" * draw(st.integers(1, 6)) + " " + draw(md_inline(1, breaks=False)).replace("\n", " ") + draw(st.sampled_from(["", " ##"]))
    if kind == "setext":
        return draw(md_inline(1, breaks=False)) + "\n" + draw(st.sampled_from(["===", "---", "======"]))
    if kind == "quote":
        inner = draw(md_block(depth + 1)) if depth < 1 and draw(st.booleans()) else draw(md_inline())
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind in ("list", "ordered"):
        lines = []
        for number in range(1, draw(st.integers(1, 3)) + 1):
            marker = draw(st.sampled_from(["- ", "* ", "+ "])) if kind == "list" else f"{number}. "
            item = draw(md_inline(1)).split("\n")
            lines.append(marker + item[0])
            lines += [" " * len(marker) + line for line in item[1:]]
            if depth < 1 and draw(st.integers(0, 3)) == 0:
                lines.append(" " * len(marker) + "- " + draw(md_inline(2, breaks=False)).replace("\n", " "))
            if draw(st.integers(0, 4)) == 0:
                lines.append("")
        return "\n".join(lines).rstrip("\n")
    if kind == "table":
        cell = lambda: draw(st.sampled_from(["`a \\| b`", ""]) | md_inline(2, breaks=False).map(  # noqa: E731
            lambda inline: inline.replace("\n", " ").replace("|", "\\|")))
        rows = [f"| {cell()} | Kim |", draw(st.sampled_from(["|---|---|", "| :-- | --: |", "|:-:|---|"]))]
        rows += [f"| {cell()} | {cell()} |" for _ in range(draw(st.integers(1, 2)))]
        return "\n".join(rows)
    if kind == "fence":
        return draw(st.sampled_from(["```\nKim *pries* die Truppen.\n```", "~~~python\nx = '*Kim*'\n~~~", "```\n<p>Kim</p>\n\n```"]))
    if kind == "indented":
        return "    Kim *pries* die Truppen.\n    zweite Zeile"
    if kind == "html":
        return draw(st.sampled_from(["<div>\n<p>Kim pries die Truppen.</p>\n</div>", "<!-- Kommentar\nüber zwei Zeilen -->"]))
    return draw(st.sampled_from(["***", "---", "___"]))


@st.composite
def md_documents(draw) -> tuple[str, str]:
    blocks = [draw(md_block()) for _ in range(draw(st.integers(1, 4)))]
    front = draw(st.sampled_from(["", "", "---\ntitle: Kim *pries*\nlang: de\n---\n\n", "+++\ntitle = \"Kim\"\n+++\n\n"]))
    separator = "\n\n"
    document = front + separator.join(blocks)
    if re.search(r"\[(ref|Kim Jong|Putin)[] ]", document, re.IGNORECASE):
        document += '\n\n[ref]: https://example.de/ref "Ref Titel"\n[kim jong]: /kim\n[Putin]: <https://example.de/putin>\n[Putin *Wladimir*]: /pw'
    document += draw(st.sampled_from(["", "\n", "\n\n"]))
    document = document.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig"]))
    return encoding, document


MARKDOWN = MarkdownIt("commonmark").enable("table")


@SETTINGS
@given(md_documents())
def test_markdown_rendered_as_itself_is_the_input(folder, generated):
    encoding, text = generated
    document = read(folder, text.encode(encoding), ".md")
    out = document.english_file({s.key: s.text for s in document.segments()})
    assert out == text.encode(encoding)


@SETTINGS
@given(md_documents(), st.sampled_from([shout, reverse_words]))
def test_markdown_changed_words_keep_every_element(folder, generated, change):
    encoding, text = generated
    document = read(folder, text.encode(encoding), ".md")
    out = document.render(translated(document, change))
    before, after = Elements(MARKDOWN.render(text)), Elements(MARKDOWN.render(out))
    assert after.badly_nested == before.badly_nested or before.badly_nested  # raw HTML in the German may not nest
    if change is shout:
        assert after.starts == before.starts
        assert after.addresses == before.addresses
        assert Counter(after.ends) == Counter(before.ends)
    else:  # a hard break moved to the edge of a block is no break in CommonMark
        breaks = Counter(after.starts)[("br", ())]
        assert breaks <= Counter(before.starts)[("br", ())]
        assert Counter(after.starts) + Counter({("br", ()): Counter(before.starts)[("br", ())] - breaks}) == Counter(before.starts)
        assert Counter(after.addresses) == Counter(before.addresses)
        assert Counter(after.ends) == Counter(before.ends)


@SETTINGS
@given(md_documents())
def test_markdown_placeholders_read_back(folder, generated):
    encoding, text = generated
    document = read(folder, text.encode(encoding), ".md")
    for segment in document.segments():
        assert segment.inline.problems() == []
        assert to_placeholders(segment.inline) == segment.text
        assert from_placeholders(to_placeholders(segment.inline), segment.inline) == segment.inline
