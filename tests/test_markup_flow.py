"""HTML and Markdown end to end: the CLI, the tiny real model, real msgfmt and a real chromium.

Each bundled example (`examples/putin-kim.html`, `examples/putin-kim.md`) is translated once per
module into a folder of its own; tests that change a catalogue work on a copy of that folder. The
tiny model's English is poor: these tests judge the tooling (skeleton, placeholders, review loop,
refusals), never the translation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import ROOT, TINY_MODEL, msgfmt_or_skip
from dolmetsch.cli import app

HTML_EXAMPLE = ROOT / "examples" / "putin-kim.html"
MD_EXAMPLE = ROOT / "examples" / "putin-kim.md"
GLOSSARY = ROOT / "glossary"

LEDE = (
    "Bei seinem Treffen mit dem nordkoreanischen Machthaber <1>Kim Jong Un</1> hat der russische Präsident "
    "<2>Wladimir Putin</2> am Mittwoch eine verstärkte Zusammenarbeit zwischen beiden Staaten angekündigt."
)
"""A sentence both examples share, with two elements: bold/strong, and a link."""
ALWAYS = "Nordkorea werde <1>immer</1> hinter den Entscheidungen von Putin stehen."
"""A sentence both examples share, with one element: emphasis."""
PUTIN_HREF = {".html": "/stories/thema/wladimir-putin/", ".md": "https://orf.at/stories/thema/wladimir-putin/"}

TEXT_ATTRIBUTES = frozenset(("alt", "title", "aria-label", "placeholder"))
"""Attribute values the HTML reader translates (see dolmetsch.markup.html), like `meta` content below."""
META_TEXT = frozenset(("description", "og:title", "og:description", "twitter:title", "twitter:description"))
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
INLINE_WITH_TEXT = frozenset("a abbr b cite em i q small span strong sub sup time u".split())
INLINE = INLINE_WITH_TEXT | frozenset("bdi bdo br code data del dfn img ins kbd mark s samp var wbr".split())
"""Elements that sit inside a sentence: the English may put them in another order within their block."""


# --- running the CLI ---------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def translate(sources, root: Path, *extra):
    sources = sources if isinstance(sources, (list, tuple)) else [sources]
    return run(
        "translate", *sources, "--model", TINY_MODEL, "--offline", "-g", GLOSSARY, "--beam", "1",
        "-o", root / "out", "--locales", root / "locales", "-q", *extra,
    )


def build(source: Path, root: Path):
    return run("build", source, "-g", GLOSSARY, "-o", root / "out", "--locales", root / "locales", "-q")


@dataclass(frozen=True)
class Run:
    """A translated example: its folder, the German, and the files translate wrote."""

    root: Path
    source: Path

    @property
    def stem(self) -> str:
        return self.source.stem

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def english(self) -> Path:
        return self.out / f"{self.stem}.en{self.source.suffix}"

    @property
    def po(self) -> Path:
        return self.root / "locales" / "en" / "LC_MESSAGES" / f"{self.stem}.po"

    @property
    def pot(self) -> Path:
        return self.root / "locales" / f"{self.stem}.pot"

    def copy(self, target: Path) -> "Run":
        """The same run in another folder, for a test that edits the catalogue."""
        shutil.copytree(self.root, target)
        return Run(target, target / self.source.name)


@contextmanager
def isolated_home(tmp_path_factory, shared_wordforms):
    """What conftest's `isolated_argos` does per test, for a module-scoped run."""
    home = tmp_path_factory.mktemp("markup-home")
    (home / "cache" / "dolmetsch").mkdir(parents=True)
    (home / "cache" / "dolmetsch" / "wordforms").symlink_to(shared_wordforms, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_DATA_HOME", str(home / "data"))
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.setenv("ARGOS_PACKAGES_DIR", str(home / "packages"))
        patch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")
        yield


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared_wordforms) -> dict[str, Run]:
    """Each example translated once (a folder each: both have the stem putin-kim), by suffix."""
    found = {}
    with isolated_home(tmp_path_factory, shared_wordforms):
        for example in (HTML_EXAMPLE, MD_EXAMPLE):
            root = tmp_path_factory.mktemp(f"markup-{example.suffix[1:]}")
            source = root / example.name
            shutil.copyfile(example, source)
            result = translate(source, root)
            assert result.exit_code == 0, result.output
            found[example.suffix] = Run(root, source)
    return found


@pytest.fixture(scope="module")
def html_run(runs) -> Run:
    return runs[".html"]


@pytest.fixture(scope="module")
def md_run(runs) -> Run:
    return runs[".md"]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def review(po: Path, edits: dict[str, str]) -> None:
    """A reviewer confirms translations (every occurrence of each msgid): fuzzy flag removed."""
    catalog = polib.pofile(str(po))
    for msgid, msgstr in edits.items():
        entries = [e for e in catalog if e.msgid == msgid and not e.obsolete]
        assert entries, msgid
        for entry in entries:
            entry.msgstr = msgstr
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save(str(po))


# --- reading HTML ------------------------------------------------------------------------------


@dataclass
class Element:
    name: str
    attrs: dict
    raw: str  # from the start tag to the end of the end tag, as in the file
    text: str  # its text content (entities resolved)


class Page(HTMLParser):
    """A page as the standard html.parser reads it: its tags in order, its elements and comments."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.source = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tags: list[tuple] = []
        self.elements: list[Element] = []
        self.comments: list[str] = []
        self._open: list[tuple[str, dict, int, list[str]]] = []
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self.tags.append(("start", tag, tuple(attrs)))
        if tag not in VOID:
            self._open.append((tag, dict(attrs), self._offset(), []))

    def handle_startendtag(self, tag, attrs):
        self.tags.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tags.append(("end", tag))
        start = self._offset()
        end = self.source.index(">", start) + 1
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                name, attrs, lo, text = self._open[index]
                del self._open[index:]
                self.elements.append(Element(name, attrs, self.source[lo:end], "".join(text)))
                break

    def handle_data(self, data):
        for _, _, _, text in self._open:
            text.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    # views

    def named(self, *names: str) -> list[Element]:
        return sorted((e for e in self.elements if e.name in names), key=lambda e: self.source.index(e.raw))

    def untranslatable(self) -> list[Element]:
        return [
            e for e in self.elements
            if (e.attrs.get("translate") or "").lower() == "no" or "notranslate" in (e.attrs.get("class") or "").split()
        ]

    def urls(self) -> list[tuple[str, str, str]]:
        return [(tag[1], name, value) for tag in self.tags if tag[0] == "start" for name, value in tag[2] if name in ("href", "src")]

    def skeleton(self) -> list[tuple]:
        """The tags with their attributes (values the reader translates, and `lang`, as '*'), in order;
        the inline tags between two block tags as a multiset, as a translation may reorder them."""
        out: list[tuple] = []
        inline: list[tuple] = []
        for tag in self.tags:
            if tag[0] == "start":
                _, name, attrs = tag
                values = dict(attrs)
                meta = name == "meta" and ((values.get("name") or "").lower() in META_TEXT or (values.get("property") or "").lower() in META_TEXT)
                tag = ("start", name, tuple((a, "*" if a in TEXT_ATTRIBUTES | {"lang"} or (meta and a == "content") else v) for a, v in attrs))
            if tag[1] in INLINE:
                inline.append(tag)
                continue
            if inline:
                out.append(("inline", tuple(sorted(inline, key=repr))))
                inline = []
            out.append(tag)
        if inline:
            out.append(("inline", tuple(sorted(inline, key=repr))))
        return out

    def translated_values(self) -> list[tuple[str, str, str | None]]:
        out = []
        for tag in self.tags:
            if tag[0] == "start":
                values = dict(tag[2])
                meta = tag[1] == "meta" and ((values.get("name") or "").lower() in META_TEXT or (values.get("property") or "").lower() in META_TEXT)
                out.extend((tag[1], a, v) for a, v in tag[2] if a in TEXT_ATTRIBUTES or (meta and a == "content"))
        return out


def html_lang(page: Page) -> str | None:
    return next(dict(tag[2]).get("lang") for tag in page.tags if tag[0] == "start" and tag[1] == "html")


# --- reading Markdown --------------------------------------------------------------------------


def markdown(text: str):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(text)


def md_urls(tokens) -> list[tuple[str, str]]:
    out = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                out.append(("href", child.attrGet("href")))
            elif child.type == "image":
                out.append(("src", child.attrGet("src")))
    return out


def md_elements(tokens) -> list[tuple[str, str | None, str]]:
    """Each em, strong and link as (kind, href, its text) in reading order."""
    found, stack = [], []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("em_open", "strong_open", "link_open"):
                stack.append([child.type[:-5], child.attrGet("href"), ""])
            elif child.type in ("em_close", "strong_close", "link_close"):
                found.append(tuple(stack.pop()))
            elif child.type in ("text", "code_inline", "softbreak"):
                for open_element in stack:
                    open_element[2] += child.content if child.type != "softbreak" else " "
    return found


def front_matter(text: str) -> str:
    lines = text.splitlines(keepends=True)
    assert lines[0] == "---\n"
    end = next(i for i in range(1, len(lines)) if lines[i] == "---\n")
    return "".join(lines[: end + 1])


def fence_lines(text: str, tokens) -> list[str]:
    lines = text.splitlines(keepends=True)
    return ["".join(lines[t.map[0] : t.map[1]]) for t in tokens if t.type in ("fence", "code_block")]


def code_spans(text: str, tokens) -> list[str]:
    """The raw characters of every inline code span (fenced code taken out first)."""
    lines = text.splitlines(keepends=True)
    for token in tokens:
        if token.type in ("fence", "code_block"):
            for number in range(*token.map):
                lines[number] = "\n"
    return re.findall(r"(?<!`)`[^`\n]+`(?!`)", "".join(lines))


# --- 1. HTML: the English page keeps the German's skeleton -----------------------------------


@pytest.fixture(scope="module")
def pages(html_run):
    german = Page(html_run.source.read_text(encoding="utf-8"))
    english = Page(html_run.english.read_text(encoding="utf-8"))
    return german, english


def test_translate_writes_every_output_of_an_html_page(html_run):
    for name in ("putin-kim.en.html", "putin-kim.de-en.tsv", "putin-kim.de-en.md", "putin-kim.review.html", "putin-kim.glossary.json"):
        assert (html_run.out / name).is_file(), name
    assert html_run.po.is_file() and html_run.pot.is_file()
    assert not (html_run.out / "putin-kim.en.txt").exists()
    assert html_run.english.read_bytes() != html_run.source.read_bytes()


def test_the_english_page_has_the_same_tags_and_attributes(pages):
    german, english = pages
    assert len(german.tags) > 200
    assert english.skeleton() == german.skeleton()
    assert html_lang(german) == "de" and html_lang(english) == "en"


def test_every_href_and_src_is_kept(pages):
    german, english = pages
    assert len(german.urls()) >= 15
    assert Counter(english.urls()) == Counter(german.urls())


def test_translated_attribute_values_are_text_and_every_other_value_is_kept(pages):
    german, english = pages
    before, after = german.translated_values(), english.translated_values()
    assert [(t, a) for t, a, _ in after] == [(t, a) for t, a, _ in before]
    assert all(value and value.strip() for _, _, value in after)
    assert sum(a != b for a, b in zip(before, after)) >= 5  # they are translated, not skipped


def test_script_style_code_pre_and_comments_are_byte_identical(pages):
    german, english = pages
    kept = german.named("script", "style", "code", "pre")
    assert [e.name for e in kept] == ["style", "script", "code"]
    assert [e.raw for e in english.named("script", "style", "code", "pre")] == [e.raw for e in kept]
    assert len(german.comments) == 2
    assert english.comments == german.comments


def test_elements_not_to_translate_are_byte_identical(pages):
    german, english = pages
    protected = german.untranslatable()
    assert len(protected) == 3  # RIA Nowosti, TASS, the source line
    assert [e.raw for e in english.untranslatable()] == [e.raw for e in protected]
    assert english.source.count(">RIA Nowosti<") == 1 and english.source.count(">TASS<") == 1


def test_each_inline_element_is_there_once_around_text(pages):
    german, english = pages
    for opening in ("<a ", "<b>", "<strong>", "<em>", "<i>", "<sup>", "<span ", "<abbr ", "<cite>", "<time ", "<br>"):
        assert english.source.count(opening) == german.source.count(opening) > 0, opening
    inline = [e for e in english.elements if e.name in INLINE_WITH_TEXT]
    assert len(inline) == len([e for e in german.elements if e.name in INLINE_WITH_TEXT]) > 25
    assert all(e.text.strip() for e in german.elements if e.name in INLINE_WITH_TEXT)
    assert [e.raw for e in inline if not e.text.strip()] == []


def test_every_msgstr_pairs_up_with_its_german_elements(html_run, md_run):
    from dolmetsch.markup.placeholders import markup_problems
    from dolmetsch.sources import read_document

    for translated in (html_run, md_run):
        segments: dict[str, list] = {}
        for segment in read_document(str(translated.source)).segments():
            segments.setdefault(segment.text, []).append(segment)
        entries = [e for e in polib.pofile(str(translated.po)) if not e.obsolete]
        assert {e.msgid for e in entries} == set(segments)
        with_elements = [e for e in entries if not segments[e.msgid][0].inline.plain]
        assert len(with_elements) >= 10
        for entry in with_elements:
            assert entry.msgstr
            for segment in segments[entry.msgid]:
                assert markup_problems(entry.msgstr, segment.inline) == [], (entry.msgid, entry.msgstr)
        result = run("check", "-c", "markup", translated.po)
        assert result.exit_code == 0, result.output
        assert " markup: " not in result.stdout


# --- 2. msgfmt ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_msgfmt_accepts_the_po_and_the_pot(runs, suffix):
    msgfmt = msgfmt_or_skip()
    for catalog in (runs[suffix].po, runs[suffix].pot):
        checked = subprocess.run([msgfmt, "-c", "--check-format", "-o", "/dev/null", str(catalog)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


# --- 3. Markdown: the English document keeps the German's blocks ------------------------------


@pytest.fixture(scope="module")
def documents(md_run):
    german = md_run.source.read_text(encoding="utf-8")
    english = md_run.english.read_text(encoding="utf-8")
    return german, english, markdown(german), markdown(english)


def test_translate_writes_every_output_of_a_markdown_document(md_run):
    for name in ("putin-kim.en.md", "putin-kim.de-en.tsv", "putin-kim.de-en.md", "putin-kim.review.html"):
        assert (md_run.out / name).is_file(), name
    assert md_run.po.is_file() and md_run.pot.is_file()
    assert not (md_run.out / "putin-kim.en.txt").exists() and not (md_run.out / "putin-kim.en.html").exists()


def test_the_markdown_blocks_links_and_images_are_kept(documents):
    german, english, before, after = documents
    assert [(t.type, t.tag) for t in after] == [(t.type, t.tag) for t in before]
    assert {"table_open", "blockquote_open", "fence", "bullet_list_open", "ordered_list_open"} <= {t.type for t in before}
    assert len(md_urls(before)) >= 8
    assert md_urls(after) == md_urls(before)
    assert english != german


def test_each_markdown_inline_element_is_there_once_around_text(documents):
    german, english, before, after = documents
    inline_before = [t for t in before if t.type == "inline"]
    inline_after = [t for t in after if t.type == "inline"]
    assert len(inline_after) == len(inline_before)

    def elements(token):
        return Counter((c.type, c.content if c.type in ("html_inline", "code_inline") else "") for c in token.children if c.type not in ("text", "softbreak"))

    for de, en in zip(inline_before, inline_after):
        assert elements(en) == elements(de), (de.content, en.content)
    found = md_elements(after)
    assert len(found) == len(md_elements(before)) >= 10
    assert [f for f in found if not f[2].strip()] == []


def test_code_and_front_matter_are_byte_identical(documents):
    german, english, before, after = documents
    assert front_matter(english) == front_matter(german)
    assert len(fence_lines(german, before)) == 1
    assert fence_lines(english, after) == fence_lines(german, before)
    assert code_spans(german, before) == ['`<iframe src="https://orf.at/embed/3330000">`']
    assert code_spans(english, after) == code_spans(german, before)
    code = [c.content for t in before for c in t.children or () if c.type == "code_inline"]
    assert [c.content for t in after for c in t.children or () if c.type == "code_inline"] == code


# --- 4. identity through the review loop -------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_a_review_that_keeps_the_german_builds_the_source_itself(runs, tmp_path, suffix):
    work = runs[suffix].copy(tmp_path / "work")
    catalog = polib.pofile(str(work.po))
    for entry in catalog:
        entry.msgstr = entry.msgid
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save(str(work.po))
    before = work.english.read_bytes()

    result = build(work.source, work.root)
    assert result.exit_code == 0, result.output
    source = work.source.read_bytes()
    if suffix == ".html":
        assert source.count(b'lang="de"') == 1
        source = source.replace(b'lang="de"', b'lang="en"')
    assert work.english.read_bytes() != before
    assert work.english.read_bytes() == source


# --- 5. the reviewer moves an element --------------------------------------------------------


MOVED = {
    LEDE: "At his meeting with <2>the North Korean ruler</2> <1>Kim Jong Un</1>, the Russian president Vladimir Putin announced closer cooperation.",
    ALWAYS: "North Korea would always stand behind the decisions of <1>Putin</1>.",
}


def test_build_wraps_the_reviewers_words_in_the_html_page(html_run, tmp_path):
    work = html_run.copy(tmp_path / "work")
    review(work.po, MOVED)
    result = build(work.source, work.root)
    assert result.exit_code == 0, result.output
    page = Page(work.english.read_text(encoding="utf-8"))
    [link] = [e for e in page.elements if e.name == "a" and e.attrs.get("href") == PUTIN_HREF[".html"]]
    assert link.text == "the North Korean ruler"
    lede = next(e for e in page.elements if e.name == "p" and e.attrs.get("class") == "lede")
    assert lede.raw.startswith(
        '<p class="lede">At his meeting with <a href="/stories/thema/wladimir-putin/">the North Korean ruler</a> '
        "<strong>Kim Jong Un</strong>, the Russian president Vladimir Putin announced closer cooperation. "
    )
    assert lede.raw.endswith(" North Korea would always stand behind the decisions of <em>Putin</em>.</p>")
    assert Page(work.source.read_text(encoding="utf-8")).skeleton() == page.skeleton()


def test_build_wraps_the_reviewers_words_in_the_markdown_document(md_run, tmp_path):
    work = md_run.copy(tmp_path / "work")
    review(work.po, MOVED)
    result = build(work.source, work.root)
    assert result.exit_code == 0, result.output
    english = work.english.read_text(encoding="utf-8")
    [lede] = [line for line in english.splitlines() if line.startswith("At his meeting")]
    found = md_elements(markdown(lede))
    assert found == [("link", PUTIN_HREF[".md"], "the North Korean ruler"), ("strong", None, "Kim Jong Un"), ("em", None, "Putin")]
    assert lede.startswith("At his meeting with [the North Korean ruler](https://orf.at/stories/thema/wladimir-putin/ ")
    assert "**Kim Jong Un**, the Russian president Vladimir Putin announced closer cooperation." in lede
    assert lede.endswith(" North Korea would always stand behind the decisions of *Putin*.")


# --- 6. refusals -------------------------------------------------------------------------------


BROKEN = {
    "dropped": (
        "At his meeting with <1>Kim Jong Un</1>, the Russian president Vladimir Putin announced closer cooperation.",
        "placeholder <2> is missing",
    ),
    "added": (
        "At his meeting with <1>Kim Jong Un</1>, the Russian president <2>Vladimir Putin</2> announced <9>closer</9> cooperation.",
        "placeholder <9> is not in the German",
    ),
    "repeated": (
        "At his meeting with <1>Kim</1> <1>Jong Un</1>, the Russian president <2>Vladimir Putin</2> announced closer cooperation.",
        "placeholder <1> appears twice",
    ),
    "crossed": (
        "At his meeting, <1><2>Kim Jong Un and Vladimir Putin</1></2> announced closer cooperation.",
        "<1> is closed before <2>",
    ),
}


@pytest.mark.parametrize("suffix", [".html", ".md"])
@pytest.mark.parametrize("kind", list(BROKEN))
def test_build_refuses_placeholders_that_do_not_pair_up_and_writes_nothing(runs, tmp_path, suffix, kind):
    work = runs[suffix].copy(tmp_path / "work")
    msgstr, problem = BROKEN[kind]
    review(work.po, {LEDE: msgstr})
    [entry] = [e for e in polib.pofile(str(work.po)) if e.msgid == LEDE]
    text = work.po.read_text(encoding="utf-8").splitlines()
    msgstr_line = next(n for n in range(entry.linenum, len(text) + 1) if text[n - 1].startswith("msgstr"))
    entry_start = entry.linenum
    while entry_start > 1 and text[entry_start - 2].strip():
        entry_start -= 1
    before = snapshot(work.out)
    po_before = work.po.read_bytes()

    result = build(work.source, work.root)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    found = re.fullmatch(rf"dolmetsch: error: {re.escape(str(work.po))}:(\d+): msgstr of .*", line)
    assert found, line
    assert entry_start <= int(found.group(1)) <= msgstr_line
    assert problem in line
    assert snapshot(work.out) == before
    assert work.po.read_bytes() == po_before

    checked = run("check", "-c", "markup", work.po)
    assert checked.exit_code == 1
    errors = [l for l in checked.stdout.splitlines() if " markup: " in l]
    assert errors == [f"{work.po}:{found.group(1)}: error markup: {problem}"]


# --- 7. bad input ------------------------------------------------------------------------------


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16 + b"\x00\x00<p>Kim</p>")


def _unterminated_comment(path: Path) -> None:
    path.write_text('<!DOCTYPE html>\n<html lang="de">\n<body>\n<p>Kim besuchte Russland.</p>\n<!-- Kommentar ohne Ende\n<p>Putin traf Kim.</p>\n</body>\n</html>\n', encoding="utf-8")


def _unclosed_script(path: Path) -> None:
    path.write_text('<html lang="de">\n<body>\n<p>Kim besuchte Russland.</p>\n<script>var x = 1;\n<p>Putin traf Kim.</p>\n</body>\n</html>\n', encoding="utf-8")


def _too_large(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse; zero bytes, so binary too: the size is checked first


BAD = {
    "binary": ("page.html", _binary, "binary"),
    "comment": ("page.html", _unterminated_comment, "unterminated comment"),
    "script": ("page.html", _unclosed_script, "<script> is never closed"),
    "too large": ("article.md", _too_large, "larger than"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(tmp_path, kind):
    name, make, message = BAD[kind]
    source = tmp_path / "in" / name
    source.parent.mkdir()
    make(source)
    result = translate(source, tmp_path)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"dolmetsch: error: {source}")
    assert message in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


# --- 8. chromium -------------------------------------------------------------------------------


ORIGIN = "http://dolmetsch.test/stories/"


def rendered(browser, page_bytes: bytes) -> dict:
    """The page as chromium shows it, served from a made-up origin; everything else it asks for is an empty 200."""
    url = ORIGIN + "page.html"
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        others: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))

        def answer(route):
            if route.request.url == url:
                route.fulfill(status=200, body=page_bytes, content_type="text/html")
            else:
                others.append(route.request.url)
                route.fulfill(status=200, body=b"", content_type="text/css" if route.request.resource_type == "stylesheet" else "application/octet-stream")

        page.route("**/*", answer)
        page.goto(url)
        shown = page.evaluate(
            """() => ({
                elements: Array.from(document.querySelectorAll('*'), e => [e.tagName, Array.from(e.attributes, a => a.name).join(' ')]),
                lang: document.documentElement.lang,
                ran: Array.isArray(window.orfStats) && window.orfStats.length,
            })"""
        )
        return {**shown, "errors": errors, "requests": others}
    finally:
        context.close()


def in_blocks(elements: list[list[str]]) -> list:
    """Elements in document order, the inline ones between two others as a multiset (see Page.skeleton)."""
    out, inline = [], []
    for element in elements:
        if element[0].lower() in INLINE:
            inline.append(tuple(element))
            continue
        out.extend([sorted(inline), tuple(element)] if inline else [tuple(element)])
        inline = []
    return out + ([sorted(inline)] if inline else [])


def test_chromium_shows_the_english_page_with_the_german_pages_elements(browser, html_run):
    german = rendered(browser, html_run.source.read_bytes())
    english = rendered(browser, html_run.english.read_bytes())
    assert german["errors"] == [] and english["errors"] == []
    assert german["lang"] == "de" and english["lang"] == "en"
    assert len(german["elements"]) > 100
    assert in_blocks(english["elements"]) == in_blocks(german["elements"])
    assert sorted(english["elements"]) == sorted(german["elements"])
    assert english["ran"] == german["ran"] > 0  # the page's script ran, as in the German
    assert any(r.endswith("static/css/story.css") for r in english["requests"])
    assert sorted(english["requests"]) == sorted(german["requests"])


# --- 9. a folder of formats --------------------------------------------------------------------


def test_a_folder_of_html_markdown_and_text_gives_each_its_own_format(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "seite.html").write_text(
        '<!DOCTYPE html>\n<html lang="de">\n<head><title>Treffen in Russland</title></head>\n'
        '<body>\n<p>Kim besuchte <b>Russland</b>. Putin traf <a href="/kim/">Kim</a>.</p>\n</body>\n</html>\n', encoding="utf-8")
    (articles / "notiz.md").write_text("# Treffen in Russland\n\nKim besuchte *Russland*. Putin traf [Kim](https://orf.at/kim/).\n", encoding="utf-8")
    (articles / "meldung.txt").write_text("Treffen in Russland\n\nKim besuchte Russland. Putin traf Kim.\n", encoding="utf-8")
    result = translate(articles, tmp_path)
    assert result.exit_code == 0, result.output

    out = tmp_path / "out"
    english = sorted(p.name for p in out.iterdir() if ".en." in p.name)
    assert english == ["meldung.en.txt", "notiz.en.md", "seite.en.html"]
    for stem in ("meldung", "notiz", "seite"):
        assert (tmp_path / "locales" / "en" / "LC_MESSAGES" / f"{stem}.po").is_file()
        assert (out / f"{stem}.de-en.tsv").is_file()

    page = Page((out / "seite.en.html").read_text(encoding="utf-8"))
    assert page.skeleton() == Page((articles / "seite.html").read_text(encoding="utf-8")).skeleton()
    assert html_lang(page) == "en" and page.urls() == [("a", "href", "/kim/")]
    assert [e.name for e in page.elements if e.name in ("b", "a")] == ["b", "a"]

    notiz = (out / "notiz.en.md").read_text(encoding="utf-8")
    german = markdown((articles / "notiz.md").read_text(encoding="utf-8"))
    assert [t.type for t in markdown(notiz)] == [t.type for t in german]
    assert md_urls(markdown(notiz)) == [("href", "https://orf.at/kim/")]
    assert sorted(kind for kind, _, _ in md_elements(markdown(notiz))) == ["em", "link"]

    text = (out / "meldung.en.txt").read_text(encoding="utf-8")
    assert text.strip() and "<" not in text and "*" not in text and "[" not in text
    assert "Treffen" not in text


def test_translate_also_refuses_a_confirmed_msgstr_whose_placeholders_do_not_pair_up(html_run, tmp_path):
    work = html_run.copy(tmp_path / "work")
    review(work.po, {LEDE: BROKEN["dropped"][0]})
    before, po_before = snapshot(work.out), work.po.read_bytes()
    result = translate(work.source, work.root)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"dolmetsch: error: {work.po}:") and BROKEN["dropped"][1] in line
    assert snapshot(work.out) == before and work.po.read_bytes() == po_before


# --- spacing around void elements ------------------------------------------------------------


def test_a_void_element_is_not_glued_to_the_english_word_before_it(tmp_path):
    from dolmetsch.markup.placeholders import to_placeholders
    from dolmetsch.markup.project import Alignment, project, word_ranges
    from dolmetsch.sources import read_document

    source = tmp_path / "glue.html"
    source.write_text('<p>Das meldete die Agentur <span translate="no">RIA Nowosti</span>.</p>\n', encoding="utf-8")
    document = read_document(str(source))
    [segment] = document.segments()
    assert segment.text == "Das meldete die Agentur <1/>."
    english = "This was reported by the agency."
    # Das→This, meldete→reported, die→the, Agentur→agency: every German word aligned, confidently
    alignment = Alignment.from_pairs(word_ranges(segment.inline.text), word_ranges(english), [(0, 0), (1, 2), (2, 4), (3, 5)])
    projection = project(segment.inline, english, alignment)
    page = document.render({segment.key: to_placeholders(projection.marked)})
    assert '<p>This was reported by the agency <span translate="no">RIA Nowosti</span>.</p>' in page


def test_a_reviewers_spacing_around_a_void_element_is_kept(html_run, tmp_path):
    work = html_run.copy(tmp_path / "work")
    review(work.po, {
        "Hinweise an die Redaktion bitte an <1/> oder über das Formular unter <2/> senden.":
            "Please send notes to the newsroom at <1/> or via the form at <2/>.",
    })
    result = build(work.source, work.root)
    assert result.exit_code == 0, result.output
    assert "<p>Please send notes to the newsroom at redaktion@orf.at or via the form at https://orf.at/kontakt/.</p>" in work.english.read_text(encoding="utf-8")


@pytest.mark.parametrize("english", ["- Putin met Kim.", "# Putin met Kim."])
def test_markdown_text_after_a_hard_break_cannot_start_a_block(tmp_path, english):
    source = tmp_path / "umbruch.md"
    source.write_text("Kim besuchte Russland.  \nPutin traf Kim.\n", encoding="utf-8")
    assert translate(source, tmp_path).exit_code == 0
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "umbruch.po"
    assert {e.msgid for e in polib.pofile(str(po))} == {"Kim besuchte Russland.<1/>", "Putin traf Kim."}
    review(po, {"Kim besuchte Russland.<1/>": "Kim visited Russia.<1/>", "Putin traf Kim.": english})
    result = build(source, tmp_path)
    assert result.exit_code == 0, result.output
    built = (tmp_path / "out" / "umbruch.en.md").read_text(encoding="utf-8")
    assert [t.type for t in markdown(built)] == [t.type for t in markdown(source.read_text(encoding="utf-8"))]
    [paragraph] = [t for t in markdown(built) if t.type == "inline"]
    assert [c.type for c in paragraph.children] == ["text", "hardbreak", "text"]
    assert paragraph.children[-1].content.strip() == english


def test_check_accepts_a_correct_msgstr_when_the_german_text_says_a_placeholder(tmp_path):
    source = tmp_path / "liste.html"
    source.write_text("<p>Die Liste &lt;2&gt; zeigt <b>Kim</b>.</p>\n", encoding="utf-8")
    assert translate(source, tmp_path).exit_code == 0
    po = tmp_path / "locales" / "en" / "LC_MESSAGES" / "liste.po"
    msgid = "Die Liste \\<2> zeigt <1>Kim</1>."
    assert [e.msgid for e in polib.pofile(str(po))] == [msgid]
    review(po, {msgid: "The list \\<2> shows <1>Kim</1>."})
    built = build(source, tmp_path)
    assert built.exit_code == 0, built.output
    assert "<p>The list &lt;2&gt; shows <b>Kim</b>.</p>" in (tmp_path / "out" / "liste.en.html").read_text(encoding="utf-8")
    checked = run("check", "-c", "markup", po)
    assert checked.exit_code == 0, checked.stdout
    assert " markup: " not in checked.stdout
