"""HTML sources: units found, the skeleton kept byte for byte, changed units escaped with their tags."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dolmetsch.errors import InputError
from dolmetsch.markup.document import HtmlSource
from dolmetsch.markup.html import parse_html
from dolmetsch.document.inline import MarkedText, Span
from dolmetsch.sources import read_document
from dolmetsch.markup.sentences import cut, join, sentence_bounds, tighten

from conftest import EXAMPLE


def read_markup(path):
    """The parsed source behind the Document the registry reads from `path` (None for plain text)."""
    return getattr(read_document(str(path)), "markup", None)


def news_page(charset: str = "utf-8", newline: str = "\n") -> str:
    """The bundled article in a realistic CMS page: navigation, scripts, a table, links and bold words
    mid-sentence, meta description and Open Graph tags, a figure, code and a part not to translate."""
    blocks = [b.strip() for b in EXAMPLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    title = blocks[1]
    paragraphs = [b for b in blocks if len(b) > 120 and "\n" not in b]
    first = paragraphs[0].replace(
        "Kim pries unterdessen", 'Kim <a href="/kim?x=1&amp;y=2" title="Mehr über Kim">pries</a> unterdessen'
    ).replace("russischen Truppen", "russischen <b>Truppen</b>")
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs[2:])
    page = f"""<!DOCTYPE html>
<html lang="de" xml:lang="de">
<head>
  <meta charset="{charset}">
  <title>{title} | news.example</title>
  <meta name="description" content="Putin und Kim betonten Zusammenarbeit &amp; Freundschaft">
  <meta property='og:title' content='{title}'>
  <meta property="og:url" content="https://news.example/putin-kim">
  <link rel="stylesheet" href="/site.css">
  <script>window.dataLayer = [{{"page": "<p>Artikel</p>"}}]; if (a < b && c) {{ go(); }}</script>
  <style>p > a {{ color: red; }}</style>
</head>
<body class="article">
<nav aria-label="Hauptnavigation"><ul>
  <li><a href="/">Startseite</a></li><li><a href="/welt">Welt</a></li>
  <li><a href="/suche"><img src="/lupe.svg" alt="Suche"></a></li>
</ul></nav>
<!-- Artikel beginnt -->
<article>
  <h1 class="headline">{title}</h1>
  <figure>
    <img src="/bilder/putin-kim.jpg" alt="Putin und Kim beim Treffen" width=640>
    <figcaption>Putin und Kim am Weltraumbahnhof <small>APA/AFP</small></figcaption>
  </figure>
  <p class="lead"><strong>{paragraphs[1]}</strong></p>
  <p>{first}</p>
  {body}
  <table>
    <caption>Die Staatschefs im Vergleich</caption>
    <tr><th>Land</th><th>Staatschef</th></tr>
    <tr><td>Russland</td><td>Wladimir Putin</td></tr>
    <tr><td>Nordkorea</td><td>Kim Jong Un</td></tr>
  </table>
  <p>Der Befehl lautet <code>kim --start &lt;jetzt&gt;</code> und wird <kbd>Strg</kbd> ausgelöst.</p>
  <pre>  Zitat:   „Einen Toast“
    auf die Freundschaft</pre>
  <p translate="no">Dieser Satz bleibt Deutsch.</p>
  <p class="notranslate">Dieser <b>auch</b>.</p>
  <form><input type="search" placeholder="Suchbegriff eingeben" name=q></form>
</article>
<footer><p>Kontakt: redaktion@news.example &middot; <a href="https://news.example/impressum">Impressum</a></p></footer>
<script src="/app.js"></script>
</body>
</html>
"""
    return page.replace("\n", newline)


FRAGMENT = (
    "<p>Putin und <em>Kim</em> trafen sich am <b>Mittwoch</b>.</p>\n"
    "<ul>\n  <li>Erstens: Zusammenarbeit</li>\n  <li>Zweitens: Freundschaft &amp; Raketen</li>\n</ul>\n"
)


def identity(source):
    return {unit.id: unit.marked for unit in source.units}


def shouted(source):
    """Every unit changed, element spans kept (upper case, one character for one)."""
    def upper(text: str) -> str:
        return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)

    return {unit.id: replace(unit.marked, text=upper(unit.marked.text)) for unit in source.units}


class Tags(HTMLParser):
    """The element sequence of a page: (start/end, name, attributes without the translated ones)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found, self.data, self.starts = [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        kept = [(k, v) for k, v in attrs if k not in ("alt", "title", "aria-label", "placeholder", "content", "lang", "xml:lang")]
        self.found.append(("start", tag, tuple(kept)))
        self.starts.append((tag, tuple(kept)))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.found.append(("end", tag, ()))

    def handle_data(self, data):
        self.data.append(data)


def protected_regions(text: str) -> list[str]:
    pattern = r"<script.*?</script>|<style.*?</style>|<pre.*?</pre>|<code.*?</code>|<kbd.*?</kbd>|<!--.*?-->"
    pattern += r'|<p translate="no">.*?</p>|<p class="notranslate">.*?</p>|https?://[^"\s<]+|redaktion@news\.example'
    return re.findall(pattern, text, re.DOTALL)


# --- byte identity ---


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_page_rendered_as_itself_is_the_source_with_english_declared(newline):
    page = news_page(newline=newline)
    source = parse_html(page.encode("utf-8"), "page.html")
    expected = page.replace('lang="de"', 'lang="en"')
    assert source.render_bytes(identity(source)) == expected.encode("utf-8")
    assert source.render(identity(source), lang=None) == page
    assert source.render({}, lang=None) == page


def test_page_in_windows_1252_keeps_its_bytes_and_encoding():
    page = news_page(charset="windows-1252")
    data = page.encode("cp1252")
    source = parse_html(data, "page.html")
    assert source.encoding == "cp1252"
    assert source.render_bytes(identity(source), lang=None) == data
    out = source.render_bytes({0: MarkedText("Putin — Kim ✓ | news.example")}, lang=None)
    assert "Putin — Kim &#10003; | news.example".encode("cp1252") in out  # no ✓ in the code page


def test_byte_order_mark_and_undeclared_latin_text_kept():
    page = "\ufeff" + FRAGMENT
    source = parse_html(page.encode("utf-8"), "f.html")
    assert source.bom == b"\xef\xbb\xbf"
    assert source.render_bytes(identity(source)) == page.encode("utf-8")
    latin = FRAGMENT.replace("Erstens", "Größtens").encode("cp1252")
    assert parse_html(latin, "f.html").render_bytes({}) == latin


def test_fragment_rendered_as_itself():
    source = parse_html(FRAGMENT.encode(), "f.html")
    assert source.lang is None and not source.lang_values
    assert source.render(identity(source)) == FRAGMENT


# --- units ---


def test_units_of_the_news_page():
    source = parse_html(news_page().encode(), "page.html")
    units = source.units
    assert [u.id for u in units] == list(range(len(units)))
    by_kind = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    assert by_kind["title"][0].marked.text == "Putin und Kim betonten Zusammenarbeit | news.example"
    assert by_kind["heading"][0].marked.text == "Putin und Kim betonten Zusammenarbeit"
    contexts = {u.context: u.marked.text for u in by_kind["attribute"]}
    assert contexts["meta description"] == "Putin und Kim betonten Zusammenarbeit & Freundschaft"
    assert contexts["meta og:title"] == "Putin und Kim betonten Zusammenarbeit"
    assert contexts["img alt"] == "Putin und Kim beim Treffen"
    assert contexts["a title"] == "Mehr über Kim"
    assert contexts["nav aria-label"] == "Hauptnavigation"
    assert contexts["input placeholder"] == "Suchbegriff eingeben"
    assert "meta og:url" not in contexts
    assert [u.marked.text for u in by_kind["table cell"]] == ["Land", "Staatschef", "Russland", "Wladimir Putin", "Nordkorea", "Kim Jong Un"]
    assert [u.marked.text for u in by_kind["caption"]] == ["Putin und Kim am Weltraumbahnhof APA/AFP", "Die Staatschefs im Vergleich"]

    pries = next(u for u in units if "Kim pries" in u.marked.text)
    link, bold = pries.marked.tags
    assert (link.name, link.opening, link.closing, link.void) == ("a", '<a href="/kim?x=1&amp;y=2" title="Mehr über Kim">', "</a>", False)
    spans = {s.id: pries.marked.text[s.start : s.end] for s in pries.marked.spans}
    assert spans == {link.id: "pries", bold.id: "Truppen"}
    assert pries.kind == "paragraph"
    assert pries.line == news_page().count("\n", 0, news_page().index("Kim <a href")) + 1

    code = next(u for u in units if u.marked.text.startswith("Der Befehl"))
    assert code.marked.text == "Der Befehl lautet  und wird  ausgelöst."  # a space each side of each element
    assert [(t.name, t.void) for t in code.marked.tags] == [("code", True), ("kbd", True)]
    assert code.marked.tags[0].opening == "<code>kim --start &lt;jetzt&gt;</code>"

    texts = " ".join(u.marked.text for u in units)
    for never in ("dataLayer", "color: red", "Zitat:", "bleibt Deutsch", "Dieser auch", "Artikel beginnt", "redaktion@", "impressum"):
        assert never not in texts
    footer = next(u for u in units if u.marked.text.startswith("Kontakt"))
    assert [t.name for t in footer.marked.tags] == ["email", "a"]


def test_loose_text_comments_and_unclosed_elements():
    source = parse_html(b"<div>Lose <i>Worte <!-- x --> hier\n<p>Absatz eins<p>Absatz <b>zwei</div>", "d.html")
    texts = [(u.kind, u.marked.text, [t.name for t in u.marked.tags]) for u in source.units]
    assert texts == [("text", "Lose Worte  hier", ["i", "comment"]), ("paragraph", "Absatz eins", []), ("paragraph", "Absatz zwei", ["b"])]
    assert source.units[2].marked.spans == (Span(1, 7, 11),)
    assert source.units[2].marked.tags[0].closing == ""


def test_only_addresses_and_symbols_are_no_units():
    source = parse_html(b'<p>https://example.org/a?b=c</p><p>info@example.org</p><p> | 2024 </p><img alt="2024" src=x>', "u.html")
    assert source.units == ()


# --- changed units ---


def test_changed_page_keeps_tags_urls_and_protected_regions():
    page = news_page()
    source = parse_html(page.encode(), "page.html")
    out = source.render(shouted(source))
    assert Tags(out).found == Tags(page).found
    assert protected_regions(out) == protected_regions(page)
    assert re.findall(r'(?:href|src)="[^"]*"', out) == re.findall(r'(?:href|src)="[^"]*"', page)
    assert '<a href="/kim?x=1&amp;y=2" title="MEHR ÜBER KIM">PRIES</a>' in out
    assert "<b>TRUPPEN</b>" in out
    assert 'alt="PUTIN UND KIM BEIM TREFFEN"' in out
    assert "content=\"PUTIN UND KIM BETONTEN ZUSAMMENARBEIT &amp; FREUNDSCHAFT\"" in out
    assert "content='PUTIN UND KIM BETONTEN ZUSAMMENARBEIT'" in out
    assert '<html lang="en" xml:lang="en">' in out
    reparsed = parse_html(out.encode(), "out.html")
    assert [u.kind for u in reparsed.units] == [u.kind for u in source.units]
    assert [u.marked.text for u in reparsed.units] == [t.text for t in shouted(source).values()]
    for unit in reparsed.units:  # each element once, around the same words
        assert unit.marked.spans == source.units[unit.id].marked.spans


def test_changed_text_and_attributes_are_escaped():
    source = parse_html(b"<p title=alt>Gr&ouml;&szlig;e <b>hier</b></p><p title='a'>Zwei</p>", "e.html")
    title, unit, single, second = source.units
    translations = {
        unit.id: MarkedText('Size <x> & "y" here', (Span(1, 15, 19),), unit.marked.tags),
        title.id: MarkedText('a "b" & c'),
        single.id: MarkedText("it's"),
    }
    out = source.render(translations)
    assert out == ('<p title="a &quot;b&quot; &amp; c">Size &lt;x&gt; &amp; "y" <b>here</b></p>'
                   "<p title='it&#39;s'>Zwei</p>")
    assert [u.marked.text for u in parse_html(out.encode(), "x.html").units][:2] == ['a "b" & c', 'Size <x> & "y" here']


def test_unchanged_unit_keeps_entities_and_line_breaks():
    text = "<p>Gr&ouml;&szlig;e\n   und  <b>Weite</b></p><p>Zwei</p>"
    source = parse_html(text.encode(), "e.html")
    assert source.units[0].marked.text == "Größe und Weite"
    out = source.render({0: source.units[0].marked, 1: MarkedText("Two")})
    assert out == "<p>Gr&ouml;&szlig;e\n   und  <b>Weite</b></p><p>Two</p>"


def test_element_moved_and_edge_space_left_outside():
    source = parse_html(b'<p>Kim <a href="/k">pries</a> die Truppen.</p>', "m.html")
    unit = source.units[0]
    out = source.render({0: MarkedText("Kim praised the troops.", (Span(1, 3, 11),), unit.marked.tags)})
    assert out == '<p>Kim <a href="/k">praised</a> the troops.</p>'


def test_translation_must_use_each_element_once():
    source = parse_html(b'<p>Kim <a href="/k">pries</a> die <b>Truppen</b>.</p>', "m.html")
    tags = source.units[0].marked.tags
    with pytest.raises(ValueError, match="each element once"):
        source.render({0: MarkedText("Kim praised the troops.", (Span(1, 4, 11),), tags)})
    with pytest.raises(ValueError, match="each element once"):
        source.render({0: MarkedText("Kim praised.", (Span(1, 4, 11), Span(1, 0, 3), Span(2, 0, 3)), tags)})
    with pytest.raises(ValueError, match="overlap"):
        source.render({0: MarkedText("Kim praised the troops.", (Span(1, 0, 11), Span(2, 4, 16)), tags)})


def test_lang_only_where_declared_and_german():
    source = parse_html(b'<html lang="fr"><p lang="de-AT">Servus <span lang=de>Wien</span></p></html>', "l.html")
    assert source.lang == "fr"
    assert source.render({}) == '<html lang="fr"><p lang="en">Servus <span lang=en>Wien</span></p></html>'
    assert source.render(shouted(source)) == '<html lang="fr"><p lang="en">SERVUS <span lang=en>WIEN</span></p></html>'


# --- refused input ---


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary"),
        (b"", "empty"),
        (b"<p>Text</p>\n<!-- nie geschlossen\n<p>Mehr</p>", "unterminated comment"),
        (b'<p>Text <a href="x\n<p>Mehr</p>', "unterminated tag"),
        (b"<p>Text</p><script>var x = 1;\n", "<script> is never closed"),
    ],
)
def test_refused_with_one_line(data, problem):
    with pytest.raises(InputError) as raised:
        parse_html(data, "bad.html")
    message = str(raised.value)
    assert problem in message and "\n" not in message and message.startswith("bad.html")


def test_too_large_refused(monkeypatch, tmp_path):
    import dolmetsch.markup.sentences as sentences

    monkeypatch.setattr(sentences, "MAX_SOURCE_BYTES", 1000)
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>Text</p>" * 200)
    with pytest.raises(InputError, match="larger than"):
        read_markup(path)


def test_read_markup_by_suffix(tmp_path):
    (tmp_path / "a.htm").write_text(FRAGMENT, encoding="utf-8")
    assert read_markup(tmp_path / "a.htm").units[0].marked.text == "Putin und Kim trafen sich am Mittwoch."
    (tmp_path / "a.txt").write_text("Text", encoding="utf-8")
    assert read_markup(tmp_path / "a.txt") is None  # a .txt is plain text, with no markup behind it


# --- generated documents ---

WORDS = st.sampled_from(["Putin", "Kim", "pries", "die", "Truppen", "Größe", "&amp;", "&lt;", "&ouml;", "&#8211;", "  ", "\n", "\r\n", "\t", "https://x.de/a?b=1&amp;c", "a@b.de", "2024", "&", "<", ">"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
ATTRS = st.lists(
    st.tuples(st.sampled_from(["href", "title", "alt", "class", "lang", "data-x", "translate"]),
              st.sampled_from(['"', "'", ""]), st.sampled_from(["Text hier", "de", "no", "/a&amp;b", "notranslate", "x"])),
    max_size=3, unique_by=lambda a: a[0],
).map(lambda attrs: "".join(f" {n}={q}{v if q or ' ' not in v else 'x'}{q}" for n, q, v in attrs))


@st.composite
def inline(draw, depth=0):
    kind = draw(st.sampled_from(["text", "text", "elem", "void", "code", "comment"] if depth < 3 else ["text"]))
    if kind == "text":
        return draw(TEXT)
    if kind == "elem":
        name = draw(st.sampled_from(["a", "b", "em", "span", "i", "sup", "strong"]))
        inner = "".join(draw(st.lists(inline(depth + 1), max_size=3)))
        close = draw(st.sampled_from([f"</{name}>", f"</{name.upper()}>", ""]))
        return f"<{name}{draw(ATTRS)}>{inner}{close}"
    if kind == "void":
        return draw(st.sampled_from(["<br>", "<br/>", "<img src=x alt='Ein Bild'>", "<wbr>"]))
    if kind == "code":
        return "<code>a &lt; b</code>"
    return "<!-- Kommentar -->"


@st.composite
def documents(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(["p", "h2", "li", "td", "div", "blockquote", "figcaption", "pre", "script"]))
        content = "".join(draw(st.lists(inline(), min_size=1, max_size=4)))
        if name == "script":
            content = "var a = '<p>x</p>';"
        if name == "pre":
            content = content.replace("</pre", "")
        blocks.append(f"<{name}{draw(ATTRS)}>{content}</{name}>{draw(st.sampled_from(['', chr(10), '  ', chr(13) + chr(10)]))}")
    head = draw(st.sampled_from(["", '<!DOCTYPE html>\n<html lang="de"><body>\n', "<html><head><title>Titel &amp; mehr</title></head><body>"]))
    return head + "".join(blocks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_render_as_themselves(document):
    source = parse_html(document.encode("utf-8"), "g.html")
    assert source.render(identity(source), lang=None) == document
    out = source.render(shouted(source), lang=None)
    # the same elements in the same order; where a point meets a closing tag it follows
    # `MarkedText.events` (`x<a></a></b>` is written `X</b><a></a>`)
    assert Tags(out).starts == Tags(document).starts
    assert Counter(Tags(out).found) == Counter(Tags(document).found)
    assert len(parse_html(out.encode(), "o.html").units) == len(source.units)


# --- sentences of a unit ---


def test_cut_and_join_give_the_unit_back():
    source = parse_html(b'<p>Kim <a href="/k">pries</a> die Truppen. Putin <b>hob das Glas. Dann</b> sprach er.<br> Ende.</p>', "s.html")
    marked = source.units[0].marked
    starts = [marked.text.index(s) for s in ("Kim", "Putin", "Dann", "Ende")]
    ends = [marked.text.index(s) + len(s) for s in ("Truppen.", "Glas.", "er.", "Ende.")]
    bounds = sentence_bounds(marked, list(zip(starts, ends)))
    assert [marked.text[a:b].strip() for a, b in bounds] == ["Kim pries die Truppen.", "Putin hob das Glas. Dann sprach er.", "Ende."]
    parts = [cut(marked, a, b) for a, b in bounds]
    assert [[t.name for t in p.tags] for p in parts] == [["a"], ["b", "br"], []]
    assert parts[1].spans[0] == Span(1, 6, 24)
    assert join(parts) == tighten(marked)
    assert source.render({0: join(parts)}) == source.text


def test_sentences_joined_back_are_the_source_bytes():
    source = parse_html(b"<p><b>Fett </b>und <i> schief</i>.<br>\n Zweiter   Satz.</p>", "s.html")
    marked = source.units[0].marked
    assert marked.text == "Fett und schief. Zweiter Satz."
    assert marked.spans[0] == Span(1, 0, 5)  # the space inside <b> is part of the element
    parts = [cut(marked, a, b) for a, b in sentence_bounds(marked, [(0, 16), (17, 30)])]
    assert [p.text for p in parts] == ["Fett und schief.", "Zweiter Satz."]
    assert source.render({0: join(parts)}) == source.text
    moved = join([MarkedText("Und fett schief.", (Span(1, 4, 8), Span(2, 9, 15), Span(3, 16, 16)), parts[0].tags), parts[1]])
    assert source.render({0: moved}) == "<p>Und <b>fett</b> <i> schief</i>.<br> Zweiter Satz.</p>"  # `<i> ` as written


@given(st.text(alphabet="ab .", min_size=1, max_size=30), st.data())
def test_tighten_keeps_elements_nested_and_inside(text, data):
    starts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
    inner = sorted(data.draw(st.lists(st.integers(starts[0], starts[1]), min_size=2, max_size=2)))
    marked = MarkedText(text, (Span(1, starts[0], starts[1]), Span(2, inner[0], inner[1])))
    tight = {s.id: s for s in tighten(marked).spans}
    outer, nested = tight[1], tight[2]
    for span in (outer, nested):
        piece = text[span.start : span.end]
        assert piece == piece.strip() or not piece.strip()
    if text[inner[0] : inner[1]].strip():
        assert outer.start <= nested.start <= nested.end <= outer.end


MESSY = """<!doctype html>
<!--[if lt IE 9]><html class="ie" lang="de"><![endif]-->
<HTML LANG=de-AT>
<HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=utf-8">
<meta http-equiv="content-language" content="de">
<script type="application/ld+json">{"headline": "Putin & Kim <b>treffen</b> sich"}</script>
<TITLE>Putin &amp Kim &ndash; Treffen</TITLE></HEAD>
<BODY>
<div id=top data-x="a > b">Eilmeldung: <A HREF=/eil TARGET=_blank>Putin trifft Kim</A>&nbsp;&copy 2023
<P>Erster Absatz ohne Ende
<P>Zweiter Absatz mit <svg viewBox="0 0 1 1"><title>Symbol</title><path d="M0 0"/></svg> Symbol & mehr
<template><p>Vorlage bleibt</p></template>
<noscript><p>Bitte JavaScript einschalten</p></noscript>
<iframe src="https://video.example/embed/1" title="Video vom Treffen"></iframe>
<select name=s><option value=1>Erste Wahl<option value=2 selected>Zweite Wahl</select>
<p>Kim <span class=notranslate>Jong Un</span> und <em>Putin<br/>trafen sich</em>.</p>
</div>
</BODY></HTML>
"""


def test_messy_page_kept_and_translated_in_place():
    source = parse_html(MESSY.encode(), "messy.html")
    assert source.lang == "de-AT"
    assert source.render(identity(source)) == MESSY.replace("LANG=de-AT", "LANG=en").replace('content="de"', 'content="en"')
    texts = [u.marked.text for u in source.units]
    assert "Putin & Kim – Treffen" in texts
    assert "Erster Absatz ohne Ende" in texts and "Zweiter Absatz mit  Symbol & mehr" in texts
    assert "Video vom Treffen" in texts and "Erste Wahl" in texts and "Bitte JavaScript einschalten" in texts
    assert "Kim  und Putin trafen sich." in texts
    assert not any("Vorlage" in t or "headline" in t or "Jong" in t for t in texts)
    eil = next(u for u in source.units if u.marked.text.startswith("Eilmeldung"))
    assert eil.marked.text == "Eilmeldung: Putin trifft Kim\u00a0© 2023"
    out = source.render(shouted(source), lang=None)
    assert Tags(out).found == Tags(MESSY).found
    assert "<svg viewBox=\"0 0 1 1\"><title>Symbol</title><path d=\"M0 0\"/></svg> SYMBOL &amp; MEHR" in out
    assert "<TITLE>PUTIN &amp; KIM – TREFFEN</TITLE>" in out
    assert '<span class=notranslate>Jong Un</span> UND <em>PUTIN<br/> TRAFEN SICH</em>.' in out


# --- regressions: sentences, elements at a point, white space (each found by tests/test_markup_properties.py) ---


def through_segments(page: str, change=None):
    """The page read as a Document and written back with each segment's placeholder text (changed by `change`)."""
    document = HtmlSource().parse(page.encode(), "r.html", "r")
    segments = document.segments()
    return segments, document.render({s.key: (change or (lambda t: t))(s.text) for s in segments})


def test_a_point_meeting_an_opening_tag_is_written_as_events_order_it():
    # `<1><2/>Kim</1>`: the line break inside the bold, as `MarkedText.events` reads the placeholders
    document = HtmlSource().parse(b"<p><b>Kim</b> pries die Truppen.<br></p>", "e.html", "e")
    (segment,) = document.segments()
    assert segment.text == "<1>Kim</1> pries die Truppen.<2/>"
    out = document.render({segment.key: "<1><2/>Kim</1> praised the troops."})
    assert out == "<p><b><br>Kim</b> praised the troops.</p>"
    again = HtmlSource().parse(out.encode(), "f.html", "f").segments()
    assert [s.text for s in again] == ["<1><2/>Kim</1> praised the troops."]
    out = document.render({segment.key: "<2/><1>Kim</1> praised the troops."})  # the same spans: the same order
    assert out == "<p><b><br>Kim</b> praised the troops.</p>"


def test_element_of_white_space_between_sentences_is_kept():
    page = "<p>Satz eins.<span class=x> </span>Satz zwei.</p>"
    segments, out = through_segments(page)
    assert [s.text for s in segments] == ["Satz eins.<1></1>", "Satz zwei."]
    assert out == page
    _, out = through_segments(page, str.upper)
    assert out == "<p>SATZ EINS.<span class=x></span> SATZ ZWEI.</p>"


@pytest.mark.parametrize(
    "page",
    [
        "<p>Satz eins.&nbsp;Satz zwei.</p>",  # a no-break space between sentences is no sentence break
        "<p>&nbsp;Text hier.</p>",  # nor trimmed from a sentence
        "<p>Kim&nbsp;<br></p>",  # nor an element after it lost
        "<p>Satz eins. &nbsp;Satz zwei.</p>",
        "<p><a>Kim.&nbsp;<br></a> Kim</p>",  # an element over the space between two sentences keeps them together
        "<p>Kim <a><a>Kim <br></a></a> Kim</p>",
    ],
)
def test_no_break_space_and_edge_white_space_are_kept(page):
    _, out = through_segments(page)
    assert out == page
    _, out = through_segments(page, str.upper)
    assert Tags(out).starts == Tags(page).starts


def test_linked_image_is_one_element():
    # an element around nothing but a point would be written beside it (`MarkedText.events`): one void element
    page = '<p>Text <a href="/x"><img src="y.png" alt="Bild"></a> hier.</p>'
    segments, out = through_segments(page)
    assert [s.text for s in segments] == ["Text <1/> hier.", "Bild"]
    assert out == page
    document = HtmlSource().parse(page.encode(), "i.html", "i")
    text, alt = document.segments()
    out = document.render({text.key: "<1/>Text here.", alt.key: "Picture"})
    assert out == '<p><a href="/x"><img src="y.png" alt="Picture"></a> Text here.</p>'  # the space it took along


def test_white_space_before_a_point_inside_an_element_stays_inside():
    # `<a><br> pries</a>`: tightening the link to `pries` would take the line break out of it
    page = '<p>Kim<a href="/k"><br> pries</a> die Truppen.</p>'
    segments, out = through_segments(page)
    assert [s.text for s in segments] == ["Kim<1><2/> pries</1> die Truppen."]
    assert out == page
    _, out = through_segments(page, str.upper)
    assert out == '<p>KIM<a href="/k"><br> PRIES</a> DIE TRUPPEN.</p>'


def test_element_kept_german_ends_where_a_browser_ends_it():
    page = '<p translate="no">Bleibt.<p lang="de">Kim pries.</p><ul><li class=notranslate>Eins<ul><li>x</ul><li>Zwei</ul>'
    segments, out = through_segments(page, str.upper)
    assert [s.text for s in segments] == ["Kim pries.", "Zwei"]
    assert out == '<p translate="no">Bleibt.<p lang="en">KIM PRIES.</p><ul><li class=notranslate>Eins<ul><li>x</ul><li>ZWEI</ul>'


def test_a_no_break_space_in_changed_text_is_written_as_the_entity():
    source = parse_html("<p title='1.500&nbsp;km'>Sie fuhren 1.500&nbsp;Kilometer.</p>".encode(), "n.html")
    [title, text] = sorted(source.units, key=lambda u: u.kind != "attribute")
    out = source.render({text.id: MarkedText("They drove 1,500\xa0kilometres."), title.id: MarkedText("1,500\xa0km")})
    assert out == "<p title='1,500&nbsp;km'>They drove 1,500&nbsp;kilometres.</p>"


# --- the white space beside a void element is the text's ----------------------------------------


@pytest.mark.parametrize(
    ("page", "german", "english", "written"),
    [
        ('<p>Satz eins. <img src="a.png"> Satz zwei.</p>', ["Satz eins.", "<1/> Satz zwei."],
         ["Sentence one.", "<1/> Sentence two."], '<p>Sentence one. <img src="a.png"> Sentence two.</p>'),
        ("<p>Mehr unter https://orf.at</p>", ["Mehr unter <1/>"], ["More at <1/>"], "<p>More at https://orf.at</p>"),
        ("<p>Mehr unter https://orf.at \n</p>", ["Mehr unter <1/>"], ["More at <1/>"], "<p>More at https://orf.at \n</p>"),
        ('<p><img src="a.png"> Kim kam.</p>', ["<1/> Kim kam."], ["<1/> Kim came."], '<p><img src="a.png"> Kim came.</p>'),
        ('<p>Mehr <img src="x"> <img src="y"> dazu.</p>', ["Mehr <1/> <2/> dazu."], ["More <1/> <2/> on it."],
         '<p>More <img src="x"> <img src="y"> on it.</p>'),
        ("<p>Satz. <br>\nNächste Zeile.</p>", ["Satz.", "<1/> Nächste Zeile."], ["Line.", "<1/> Next line."],
         "<p>Line. <br> Next line.</p>"),
    ],
)
def test_a_void_element_at_a_sentences_edge_keeps_the_space_beside_it(page, german, english, written):
    """A reviewer's spacing around an image or an address is the page's: none doubled, none lost."""
    segments, out = through_segments(page)
    assert [s.text for s in segments] == german and out == page
    document = HtmlSource().parse(page.encode(), "r.html", "r")
    assert document.render(dict(zip((s.key for s in segments), english))) == written


def test_a_void_element_between_spaces_is_not_run_into_the_english_word_after_it():
    """`at <1/>or` (the space left out) still reads `at … or`, as the German had a space each side."""
    document = HtmlSource().parse(b"<p>Bitte an redaktion@orf.at oder anrufen.</p>", "r.html", "r")
    (segment,) = document.segments()
    assert segment.text == "Bitte an <1/> oder anrufen."
    assert document.render({segment.key: "Please write to <1/>or call."}) == "<p>Please write to redaktion@orf.at or call.</p>"
    assert document.render({segment.key: "Please write to <1/>."}) == "<p>Please write to redaktion@orf.at.</p>"
