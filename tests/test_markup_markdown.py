"""Markdown sources: units found, the skeleton kept byte for byte, changed units escaped with their markup."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dolmetsch.errors import InputError
from dolmetsch.markup.document import MarkdownSource
from dolmetsch.markup.markdown import parse_markdown
from dolmetsch.document.inline import MarkedText, Span
from dolmetsch.sources import read_document


def read_markup(path):
    """The parsed source behind the Document the registry reads from `path` (None for plain text)."""
    return getattr(read_document(str(path)), "markup", None)



DOCUMENT = """---
title: Putin und Kim
tags: [russland, nordkorea]
---

# Putin und Kim betonten *Zusammenarbeit* #

Bei seinem Treffen mit dem nordkoreanischen Machthaber **Kim Jong Un** hat der russische Präsident
[Wladimir Putin](https://de.wikipedia.org/wiki/Wladimir_Putin "Artikel über Putin") am Mittwoch eine
verstärkte Zusammenarbeit angekündigt. Kim pries die _Truppen_ &amp; die `Raketen` im Osten.\\
Neue Zeile mit Umbruch.

Treffen in Russland
-------------------

> „Einen Toast auf die künftige Stärkung der Zusammenarbeit“, sagte Putin, als er sein
> Glas hob, wie das [Staatsfernsehen][tv] berichtete.

- Der Kreml veröffentlichte ein Video ![Putin und Kim](bilder/kim.jpg "Händeschütteln") davon.
- Mehr unter <https://orf.at/stories/1> oder per E-Mail an redaktion@orf.at.
  1. Eine <b>verschachtelte</b> Liste mit <code>a*b</code> darin
  2. Und ein \\*Sternchen\\* ohne Betonung

| Land | Staatschef |
|------|-----------:|
| Russland | Wladimir **Putin** |
| Nord\\|korea | Kim Jong Un |

```python
print("Kim pries die Truppen")
```

    eingerückter Code bleibt Deutsch

<div class="info">
Ein HTML-Block bleibt, wie er ist.
</div>

<!-- Kommentar -->

[tv]: https://www.1tv.ru "Erster Kanal"

***

Ende des Artikels.
"""


def identity(source):
    return {unit.id: unit.marked for unit in source.units}


def shouted(source):
    def upper(text: str) -> str:
        return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)

    return {unit.id: replace(unit.marked, text=upper(unit.marked.text)) for unit in source.units}


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


class Elements(HTMLParser):
    """The element sequence of rendered HTML, with link and image addresses."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, tuple((k, v) for k, v in attrs if k in ("href", "src", "style", "class"))))

    def handle_endtag(self, tag):
        self.found.append(("/" + tag, ()))


def protected(text: str) -> list[str]:
    pattern = r"\A---\n.*?\n---\n|```.*?```|    eingerückter[^\n]*|<div.*?</div>|<!--.*?-->|\[tv\]:[^\n]*|\]\([^ )]*|`[^`\n]+`|<https?://[^>]+>|redaktion@orf\.at|<code>.*?</code>"
    return re.findall(pattern, text, re.DOTALL)


# --- byte identity ---


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_document_rendered_as_itself(newline):
    document = DOCUMENT.replace("\n", newline)
    source = parse_markdown(document.encode("utf-8"), "a.md")
    assert source.render_bytes(identity(source)) == document.encode("utf-8")
    assert source.render({}) == document


def test_byte_order_mark_and_code_page_kept():
    data = "\ufeff# Größe\n\nText".encode("utf-8")
    source = parse_markdown(data, "a.md")
    assert source.render_bytes(identity(source)) == data
    latin = DOCUMENT.encode("cp1252", "replace")
    assert parse_markdown(latin, "a.md").render_bytes({}) == latin


# --- units ---


def test_units_of_the_document():
    source = parse_markdown(DOCUMENT.encode(), "a.md")
    summary = [(u.kind, u.context, u.marked.text) for u in source.units]
    assert summary[0] == ("heading", "", "Putin und Kim betonten Zusammenarbeit")
    kinds = [kind for kind, _, _ in summary]
    assert kinds.count("heading") == 2 and kinds.count("table cell") == 6 and kinds.count("list item") == 4
    assert ("quote", "", "„Einen Toast auf die künftige Stärkung der Zusammenarbeit“, sagte Putin, als er sein "
            "Glas hob, wie das Staatsfernsehen berichtete.") in summary
    assert ("attribute", "link title", "Artikel über Putin") in summary
    assert ("attribute", "image alt", "Putin und Kim") in summary
    assert ("attribute", "image title", "Händeschütteln") in summary
    assert ("table cell", "", "Nord|korea") in summary
    assert ("list item", "", "Und ein *Sternchen* ohne Betonung") in summary
    assert ("paragraph", "", "Ende des Artikels.") in summary
    texts = " ".join(text for _, _, text in summary)
    for never in ("nordkorea]", "print(", "eingerückter", "HTML-Block", "Kommentar", "Erster Kanal", "orf.at"):
        assert never not in texts

    lead = next(u for u in source.units if u.marked.text.startswith("Bei seinem"))
    assert lead.line == 8 and lead.kind == "paragraph"
    tags = {t.name: t for t in lead.marked.tags}
    assert (tags["strong"].opening, tags["strong"].closing) == ("**", "**")
    assert (tags["link"].opening, tags["link"].closing) == ("[", '](https://de.wikipedia.org/wiki/Wladimir_Putin "Artikel über Putin")')
    assert tags["code"].void and tags["code"].opening == "`Raketen`"  # the space after it is text
    assert tags["br"].void and tags["br"].opening == "\\\n"
    words = {t.name: lead.marked.text[s.start : s.end] for s in lead.marked.spans for t in [lead.marked.tag(s.id)] if not t.void}
    assert words == {"strong": "Kim Jong Un", "link": "Wladimir Putin", "em": "Truppen"}
    assert "Truppen & die  im Osten. Neue Zeile" in lead.marked.text

    nested = next(u for u in source.units if u.marked.text.startswith("Eine"))
    assert [(t.name, t.void) for t in nested.marked.tags] == [("html:b", False), ("code", True)]
    assert nested.marked.tags[1].opening == "<code>a*b</code>"


def test_front_matter_only_at_the_top():
    source = parse_markdown(b"Text davor\n\n---\nkein: Vorspann\n---\n", "a.md")
    assert [u.marked.text for u in source.units] == ["Text davor", "kein: Vorspann"]
    toml = parse_markdown(b"+++\ntitle = \"Titel\"\n+++\n\nText\n", "a.md")
    assert [u.marked.text for u in toml.units] == ["Text"]


# --- changed units ---


def test_changed_document_keeps_structure_and_protected_parts():
    source = parse_markdown(DOCUMENT.encode(), "a.md")
    out = source.render(shouted(source))
    assert protected(out) == protected(DOCUMENT)
    assert Elements(rendered(out)).found == Elements(rendered(DOCUMENT)).found
    again = parse_markdown(out.encode(), "b.md")
    assert [(u.kind, u.marked.text) for u in again.units] == [(u.kind, t.text) for u, t in zip(source.units, shouted(source).values())]
    for before, after in zip(source.units, again.units):
        assert [(t.name, t.void) for t in before.marked.tags] == [(t.name, t.void) for t in after.marked.tags]
    assert '[WLADIMIR PUTIN](https://de.wikipedia.org/wiki/Wladimir_Putin "ARTIKEL ÜBER PUTIN")' in out
    assert '![PUTIN UND KIM](bilder/kim.jpg "HÄNDESCHÜTTELN")' in out


def test_changed_text_is_escaped_where_it_would_become_markup():
    source = parse_markdown(b"# Titel\n\nKim *pries* die Truppen.\n\n| a | b |\n|---|---|\n| c | d |\n", "e.md")
    heading, paragraph, *cells = source.units
    em = paragraph.marked.tags
    translations = {
        heading.id: MarkedText("Kim & Putin #1 #"),
        paragraph.id: MarkedText("1. Kim *praised* the [troops] <b>_x_</b> `y` &amp; \\", (Span(1, 8, 15),), em),
        cells[0].id: MarkedText("x | y"),
        cells[3].id: MarkedText("# not a heading"),
    }
    out = source.render(translations)
    again = parse_markdown(out.encode(), "f.md")
    assert [u.marked.text for u in again.units] == [t.text for t in translations.values()][:2] + ["x | y", "b", "c", "# not a heading"]
    assert [t.name for t in again.units[1].marked.tags] == ["em"]
    assert Elements(rendered(out)).found == Elements(rendered(source.text)).found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab #*_`[]()<>!&;|\\-+=.1~:/\n\t") + ["&amp;", "1. ", "- ", "> ", "ä"]), min_size=1, max_size=25).map("".join))
def test_any_changed_text_reads_back_as_itself(text):
    """Whatever the translation says, the Markdown written for it reads back as that text."""
    source = parse_markdown(b"> - Vorher *Kim* nachher\n\n## Titel\n\n| a |\n|---|\n| b |\n", "p.md")
    item, heading, _, cell = source.units
    plain = " ".join(text.split())
    if not any(c.isalpha() for c in plain):
        return
    translations = {
        item.id: MarkedText(plain + " x", (Span(1, len(plain) + 1, len(plain) + 2),), item.marked.tags),
        heading.id: MarkedText(plain),
        cell.id: MarkedText(plain),
    }
    again = parse_markdown(source.render(translations).encode(), "q.md")
    assert [u.marked.text for u in again.units] == [plain + " x", plain, "a", plain]
    assert [t.name for t in again.units[0].marked.tags] == ["em"]


# --- refused input ---


def test_refused_input(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="binary"):
        parse_markdown(b"\x00\x01\x02\x03binary\x00" * 100, "b.md")
    import dolmetsch.markup.sentences as sentences

    monkeypatch.setattr(sentences, "MAX_SOURCE_BYTES", 1000)
    path = tmp_path / "big.markdown"
    path.write_bytes(b"Ein Absatz.\n\n" * 100)
    with pytest.raises(InputError, match="larger than") as raised:
        read_markup(path)
    assert "\n" not in str(raised.value)


def test_read_markup_by_suffix(tmp_path):
    path = tmp_path / "a.markdown"
    path.write_bytes(DOCUMENT.encode())
    assert read_markup(path).units[0].marked.text == "Putin und Kim betonten Zusammenarbeit"


# --- generated documents ---

WORD = st.sampled_from(["Putin", "Kim", "pries", "Größe", "&amp;", "\\*", "a_b", "2024.", "https://x.de/a_b", "a@b.de", "!", "|", "<", "&"])
INLINE = st.one_of(
    WORD,
    WORD.map(lambda w: f"*{w}*"),
    WORD.map(lambda w: f"**{w} Kim**"),
    WORD.map(lambda w: f"_{w}_"),
    WORD.map(lambda w: f"[{w}](https://x.de/{len(w)} \"Titel {w}\")"),
    WORD.map(lambda w: f"![Bild {w}](b.png)"),
    WORD.map(lambda w: f"`{w}`"),
    WORD.map(lambda w: f"<em>{w}</em>"),
    st.just("<https://orf.at>"),
    st.just("  \n"),
    st.just("\\\n"),
)
LINE = st.lists(INLINE, min_size=1, max_size=5).map(" ".join).map(str.strip)


@st.composite
def markdown_documents(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["para", "heading", "setext", "quote", "list", "ordered", "table", "fence", "indented", "html"]))
        line = draw(LINE).strip("\\ \n") or "Kim"
        if kind == "para":
            blocks.append(line + draw(st.sampled_from(["", "\nFortsetzung *hier*", "  \nUmbruch"])))
        elif kind == "heading":
            blocks.append(draw(st.sampled_from(["# ", "### ", "## "])) + line.replace("\n", " ") + draw(st.sampled_from(["", " ##"])))
        elif kind == "setext":
            blocks.append(line.replace("\n", " ") + "\n" + draw(st.sampled_from(["===", "---"])))
        elif kind == "quote":
            blocks.append("> " + line.replace("\n", "\n> "))
        elif kind in ("list", "ordered"):
            marker = "- " if kind == "list" else "1. "
            blocks.append("\n".join(marker + draw(LINE).replace("\n", " ").strip("\\ ") + " x" for _ in range(draw(st.integers(1, 3)))))
        elif kind == "table":
            cell = line.replace("\n", " ").replace("|", "\\|").strip("\\ ") or "x"
            blocks.append(f"| A | B |\n|---|---|\n| {cell} | Kim |")
        elif kind == "fence":
            blocks.append(f"```\n{line}\n```")
        elif kind == "indented":
            blocks.append("    " + line.replace("\n", "\n    "))
        else:
            blocks.append(f"<div>\n{line}\n</div>")
    separator = draw(st.sampled_from(["\n\n", "\n\n\n", "\r\n\r\n"]))
    return separator.join(blocks) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_documents())
def test_generated_documents_render_as_themselves(document):
    source = parse_markdown(document.encode("utf-8"), "g.md")
    assert source.render(identity(source)) == document
    out = source.render(shouted(source))
    assert Elements(rendered(out)).found == Elements(rendered(document)).found


# --- regressions: markup moved in a changed unit (each found by tests/test_markup_properties.py) ---


def written(document_text: str, translate) -> tuple[list[str], str]:
    """The document read as a Document: its segments' placeholder texts, and the English for `translate(text)`."""
    document = MarkdownSource().parse(document_text.encode(), "r.md", "r")
    segments = document.segments()
    return [s.text for s in segments], document.render({s.key: translate(s.text) for s in segments})


def test_line_break_taken_by_markup_does_not_end_the_block():
    # the line break after the code span went with it; at the end of the heading it made a blank line
    texts, out = written("`kim --start`\n*Kim* pries\n===\n", lambda text: "<2>Kim</2> praised <1/>")
    assert texts == ["<1/> <2>Kim</2> pries"]
    assert out == "*Kim* praised `kim --start`\n===\n"
    assert rendered(out) == "<h1><em>Kim</em> praised <code>kim --start</code></h1>\n"


def test_hard_break_moved_to_the_edge_is_left_out():
    texts, out = written("Kim pries  \ndie Truppen\n===\n", lambda text: "Kim praised the troops<1/>")
    assert texts == ["Kim pries<1/> die Truppen"]
    assert out == "Kim praised the troops\n===\n"
    texts, out = written("- Kim pries  \n  die Truppen\n- Zwei\n", lambda text: "<1/>Kim praised the troops" if "<1/>" in text else "Two")
    assert out == "- Kim praised the troops\n- Two\n"
    assert rendered(out).count("<li>") == 2 and "<p>" not in rendered(out)


def test_shortcut_and_collapsed_reference_links_keep_their_label():
    source = "Siehe [Kim Jong] und [Putin][] heute.\n\n[Kim Jong]: /kj\n[putin]: /p\n"
    texts, out = written(source, lambda text: "See <1>Kim Jong Un</1> and <2>Wladimir Putin</2> today.")
    assert texts == ["Siehe <1>Kim Jong</1> und <2>Putin</2> heute."]
    assert out.startswith("See [Kim Jong Un][Kim Jong] and [Wladimir Putin][Putin] today.\n")
    assert '<a href="/kj">Kim Jong Un</a>' in rendered(out) and '<a href="/p">Wladimir Putin</a>' in rendered(out)
    _, out = written("> Siehe [Kim\n> Jong] heute.\n\n[Kim Jong]: /kj\n", lambda text: "See <1>Kim Jong Un</1> today.")
    assert '<a href="/kj">Kim Jong Un</a>' in rendered(out)


def test_inline_html_that_would_start_an_html_block_follows_the_first_word():
    texts, out = written("Kim pries <!-- Quelle --> die Truppen.\n", lambda text: "<1/>Kim praised the troops.")
    assert texts == ["Kim pries <1/> die Truppen."]
    assert out == "Kim<!-- Quelle -->  praised the troops.\n"  # with the space it took along
    assert rendered(out).startswith("<p>Kim<!-- Quelle -->")  # a paragraph, not an HTML block


def test_linked_image_is_one_element():
    source = "Siehe [![Das Bild](b.png)](https://x.de/bild) hier.\n"
    texts, out = written(source, lambda text: "<1/>See here." if "<1/>" in text else "The picture")
    assert texts == ["Siehe <1/> hier.", "Das Bild"]
    assert out == "[![The picture](b.png)](https://x.de/bild) See here.\n"
    assert Elements(rendered(out)).found == Elements(rendered(source)).found


def test_first_text_after_markup_left_out_is_not_indented():
    # the hard break left out at the start; a space before the text would move the item's content column
    source = "- Kim.  \n  *Kim* pries\n  - *Unterpunkt*\n"
    texts, out = written(source, lambda text: "<1/> Kim." if text == "Kim.<1/>" else text)
    assert texts == ["Kim.<1/>", "<1>Kim</1> pries", "<1>Unterpunkt</1>"]
    assert out == "- Kim. *Kim* pries\n  - *Unterpunkt*\n"
    assert rendered(out).count("<ul>") == 2


def test_a_line_opened_by_a_hard_break_is_escaped_as_a_block_start():
    # after `  ⏎` the text starts a line: `1. …` would start a list, a second break a blank line
    texts, out = written("Punkte:  \nerstens\n", lambda text: "Points:<1/>1. firstly")
    assert texts == ["Punkte:<1/> erstens"]
    assert out == "Points:  \n1\\. firstly\n"
    assert rendered(out) == "<p>Points:<br />\n1. firstly</p>\n"
    _, out = written("Kim  \npries  \nheute\n", lambda text: "Kim<1/> <2/>praised today")
    assert out == "Kim  \npraised today\n"


def test_code_spans_read_with_the_spaces_beside_them():
    """`Siehe <1/> und <2/> hier.`: a reviewer's `See <1/> and <2/> here.` is written as spaced."""
    texts, out = written("Siehe `x` und `y` hier.\n\nMehr unter `code`\n", lambda text: {
        "Siehe <1/> und <2/> hier.": "See <1/> and <2/> here.", "Mehr unter <1/>": "More at <1/>"}[text])
    assert texts == ["Siehe <1/> und <2/> hier.", "Mehr unter <1/>"]
    assert out == "See `x` and `y` here.\n\nMore at `code`\n"
