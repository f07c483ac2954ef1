"""The review page (out/S.review.html): what it holds, and how it behaves in a real browser.

The page is made by the real pipeline (tiny model, the repository's glossary) from the bundled
article, plus a small article whose German holds markup. The browser tests drive Debian's
chromium (`apt-get install chromium`) through Playwright: one browser for the session. With CI
set they fail when chromium is missing; elsewhere they skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from conftest import EXAMPLE, ROOT, PageVisit

FLAGS_DE, FLAGS_EN = "Länderfahnen vor dem russischen Weltraumbahnhof Wostotschny", "Flags in front of the Russian Wostotschny spaceport"
EVIL = "Kim sagte <script>window.pwned=1</script> in Wladiwostok.\n\nPutin & Kim <img src=x onerror=\"window.pwned=2\"> trafen sich.\n"


# --- the pages, made once by the real pipeline ------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory, tiny_package_dir):
    """translate of the bundled article and of an article holding markup, with the repository's glossary."""
    from dolmetsch.api import translate_files
    from dolmetsch.engine.engine import DecodingOptions
    from dolmetsch.options import RunOptions

    root = tmp_path_factory.mktemp("review")
    source = root / "putin-kim.txt"
    shutil.copy(EXAMPLE, source)
    evil = root / "evil.txt"
    evil.write_text(EVIL, encoding="utf-8")
    options = RunOptions(glossary=[ROOT / "glossary"], model=tiny_package_dir, threads=1, decoding=DecodingOptions(beam_size=2))
    translator, results, failures = translate_files(
        [str(source), str(evil)], out_dir=root / "out", locales_dir=root / "locales", options=options, keep_going=True
    )
    assert not failures
    return root, translator, {r.translated.document.name: r for r in results}


@pytest.fixture(scope="module")
def page_path(run) -> Path:
    return run[0] / "out" / "putin-kim.review.html"


@pytest.fixture(scope="module")
def built(run, tmp_path_factory):
    """A reviewer confirms one edited entry in a copy of the catalogue; build writes the page from it."""
    from dolmetsch.api import build_files

    root = run[0]
    work = tmp_path_factory.mktemp("built")
    shutil.copytree(root / "locales", work / "locales")
    catalog_path = work / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(catalog_path))
    entry = next(e for e in catalog if e.msgid == "Treffen in Russland")
    entry.msgstr = "A meeting in Russia, reviewed by hand"
    entry.flags.remove("fuzzy")
    # and leaves a draft that misses a glossary rendering and uses a forbidden variant
    draft = next(e for e in catalog if e.msgid == FLAGS_DE)
    draft.msgstr = FLAGS_EN
    catalog.save(str(catalog_path))
    [result] = build_files([str(root / "putin-kim.txt")], out_dir=work / "out", locales_dir=work / "locales", glossary=[ROOT / "glossary"])
    return work / "out" / "putin-kim.review.html", result


# --- plain tests -------------------------------------------------------------------------------


def test_translate_and_build_write_the_page(run, built):
    root, _, results = run
    assert root / "out" / "putin-kim.review.html" in results["putin-kim"].written
    assert root / "out" / "evil.review.html" in results["evil"].written
    path, result = built
    assert path in result.written and path.is_file()


EXTERNAL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<[^>]*\s(?:src|href|srcset|action)\s*=|<link\b|@import|url\(|<iframe|<object|<embed", re.IGNORECASE)
"""Anything that could make a browser fetch: URLs, src/href attributes, stylesheets, frames (escaped text holds no `<`)."""


def test_the_page_is_one_file_that_refers_to_nothing_outside(page_path, built):
    for path in (page_path, built[0]):
        html = path.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert EXTERNAL.findall(html) == []
        assert html.count("<style>") == 1 and html.count("<script>") == 1  # inline, once each
        assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_markup_in_the_source_is_escaped(run):
    html = (run[0] / "out" / "evil.review.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "<script>window.pwned" not in html and "<img" not in html
    assert EXTERNAL.findall(html) == []


def test_each_sentence_names_its_po_entry_and_source_line(run):
    from dolmetsch.formats.base import RenderContext
    from dolmetsch.review import review_view

    root, translator, results = run
    po = root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    entries = {e.linenum: e for e in polib.pofile(str(po))}
    context = RenderContext({"po": po}, {}, translator.glossary)
    view = review_view(results["putin-kim"].translated, context)
    sentences = [s for b in view.blocks for p in b.parts for s in p.sentences]
    assert len(sentences) == 52
    for s in sentences:
        name, line = s.po_ref.split(":")
        assert name == "putin-kim.po"
        entry = entries[int(line)]
        assert entry.msgid == "".join(p.text for p in s.de)
        assert f"{s.source_ref.split('/')[-1]}" in [f"{Path(f).name}:{n}" for f, n in entry.occurrences]
    html = (root / "out" / "putin-kim.review.html").read_text(encoding="utf-8")
    assert f">{sentences[5].po_ref}<" in html and f"source {sentences[5].source_ref}<" in html


@pytest.mark.parametrize("which", ["translated", "built"])
def test_findings_are_those_of_dolmetsch_check(run, built, which):
    """The page's findings are the ones `dolmetsch check S.po --glossary glossary/` prints."""
    page, po = (
        (run[0] / "out" / "putin-kim.review.html", run[0] / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po")
        if which == "translated" else (built[0], built[0].parent.parent / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po")
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dolmetsch"), "check", str(po), "--glossary", str(ROOT / "glossary"), "--format", "json"],
        capture_output=True, text=True,
    )
    expected = sorted((f"putin-kim.po:{f['line']}", f["check"], f["message"]) for f in map(json.loads, done.stdout.splitlines()))
    assert expected, done.stderr  # the tiny model's English always gives the checks something to say
    if which == "built":  # the reviewer's draft: a missing rendering and a forbidden variant
        assert {check for _, check, _ in expected} >= {"glossary"}
    html = page.read_text(encoding="utf-8")
    shown = []
    for block in re.split(r'(?=<div class="row sent)', html)[1:]:
        ref = re.search(r'<span class="ref po"[^>]*>([^<]*)</span>', block).group(1)
        for check, message in re.findall(r'data-check="([^"]*)"><span aria-hidden="true">. </span><b>[^<]*</b> ([^<]*)</span>', block):
            shown.append((ref, check, _unescape(message)))
    assert sorted(shown) == expected
    assert f'id="count-findings">{len(expected)} ' in html


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_the_compiled_template_is_kept_in_the_user_cache(tmp_path, tiny_package_dir):
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    command = [str(Path(sys.executable).parent / "dolmetsch"), "translate", str(source), "--model", str(tiny_package_dir),
               "--no-glossary", "-q", "-o", str(tmp_path / "out"), "--locales", str(tmp_path / "locales")]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "a.review.html").is_file()
    assert [p.suffix for p in (cache / "dolmetsch" / "templates").iterdir()] == [".cache"]


def test_help_does_not_load_jinja():
    code = (
        "import sys; from dolmetsch.cli import app; from typer.testing import CliRunner; "
        "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['build', '--help']); import dolmetsch.output; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


# --- in the browser ------------------------------------------------------------------------------


class Visit(PageVisit):
    """A review page opened from disk."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 900):
        super().__init__(browser, path.resolve().as_uri(), width, height)

    def visible_rows(self) -> int:
        return self.js("[...document.querySelectorAll('.row.sent')].filter(r => r.offsetParent !== null).length")


@pytest.fixture
def visit(browser):
    opened = []

    def open_page(path: Path, **size) -> Visit:
        opened.append(Visit(browser, path, **size))
        return opened[-1]

    yield open_page
    for v in opened:
        v.context.close()


def test_each_german_sentence_has_one_english_partner_that_lights_up(visit, page_path):
    v = visit(page_path)
    pairs = v.js("""[...document.querySelectorAll('.de .seg')].map(de => {
        const partners = document.querySelectorAll('#' + de.dataset.partner);
        return [partners.length, partners.length === 1 && partners[0].closest('.en') !== null && partners[0].dataset.partner === de.id];
    })""")
    assert len(pairs) == 52 and all(pair == [1, True] for pair in pairs)
    assert v.js("document.querySelectorAll('.en .seg').length") == 52
    for number in (1, 7, 52):
        background = v.js(f"getComputedStyle(document.getElementById('en-s{number}')).backgroundColor")
        v.page.hover(f"#de-s{number}")
        assert v.js(f"document.getElementById('en-s{number}').classList.contains('hl')")
        assert v.js(f"getComputedStyle(document.getElementById('en-s{number}')).backgroundColor") != background
        assert v.js("document.querySelectorAll('.seg.hl').length") == 2
        v.page.mouse.move(1270, 5)
        assert v.js("document.querySelectorAll('.seg.hl').length") == 0
    # the keyboard does the same: focus the English, the German lights up
    v.page.focus("#en-s3")
    assert v.js("document.getElementById('de-s3').classList.contains('hl')")
    assert v.errors == []


def test_glossary_terms_marked_are_the_matches_of_the_glossary_report(visit, page_path, run):
    report = json.loads((run[0] / "out" / "putin-kim.glossary.json").read_text(encoding="utf-8"))
    v = visit(page_path)
    assert v.js("document.querySelectorAll('.de mark.term').length") == report["matched"] > 100
    assert v.js("document.querySelectorAll('.de mark.term.missing').length") == report["by_strategy"]["MISSING"]
    english = v.js("document.querySelectorAll('.en mark.term:not(.forbidden)').length")
    assert 0.8 * report["matched"] <= english <= report["matched"]
    for name, count in report["by_strategy"].items():
        assert v.js(f"document.querySelectorAll('.de mark.term.how-{name.lower()}').length") == count
    # hovering a German term shows its entry and how it was satisfied, and marks its English side
    first = v.page.locator(".de mark.term").first
    first.hover()
    tip = v.js("document.getElementById('tip').hidden ? null : document.getElementById('tip').textContent")
    assert tip is not None and "→" in tip and re.search(r"\b(natural|n-best|prefix|replaced|kept|MISSING)\b", tip)
    term = first.get_attribute("data-term")
    assert v.js(f"document.querySelectorAll('mark.term-hl[data-term=\"{term}\"]').length") == 2
    assert v.errors == []


def test_no_console_errors_and_no_requests_but_the_page(visit, page_path, built):
    for path in (page_path, built[0]):
        v = visit(path)
        v.page.hover("#de-s2")
        v.page.locator("mark.term").first.focus()
        v.page.check("#only-findings")
        v.page.keyboard.press("j")
        v.page.uncheck("#only-findings")
        v.page.emulate_media(media="print")
        v.page.emulate_media(media="screen")
        assert v.errors == []
        assert v.requests == [f"GET {v.url}"]


def test_a_script_in_the_source_is_shown_as_text(visit, run):
    v = visit(run[0] / "out" / "evil.review.html")
    assert v.js("typeof window.pwned") == "undefined"
    assert "<script>window.pwned=1</script>" in v.js("document.getElementById('de-s1').textContent")
    assert v.page.locator("#de-s1").is_visible()
    assert "<img src=x" in v.page.inner_text("main")
    assert v.errors == [] and v.requests == [f"GET {v.url}"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_at_1280_and_360_pixels(visit, page_path, tmp_path):
    for width, height in ((1280, 900), (360, 740)):
        v = visit(page_path, width=width, height=height)
        assert v.js("document.documentElement.scrollWidth") <= width
        shot = tmp_path / f"review-{width}.png"
        v.page.screenshot(path=str(shot), full_page=True)
        data = shot.read_bytes()
        w, h = _png_size(data)
        assert w == width and 3 * height < h < 60_000
        assert 20_000 < len(data) < 8_000_000
        if width == 360:  # the columns stack: the English sits below the German, not beside it
            de, en = v.js("['de-s7', 'en-s7'].map(id => document.getElementById(id).getBoundingClientRect().top)")
            assert en > de
            assert v.js("getComputedStyle(document.querySelector('.row.sent')).gridTemplateColumns.split(' ').length") == 1


def test_filters_show_only_fuzzy_findings_or_one_entry(visit, page_path, built):
    v = visit(page_path)
    assert v.visible_rows() == 52
    with_findings = v.js("document.querySelectorAll('.row.sent.has-findings').length")
    assert 0 < with_findings < 52
    v.page.check("#only-findings")
    assert v.visible_rows() == with_findings
    assert v.js("[...document.querySelectorAll('.row.sent')].filter(r => r.offsetParent !== null).every(r => r.dataset.findings !== '0')")
    v.page.uncheck("#only-findings")
    v.page.select_option("#only-term", "Kim Jong Un → Kim Jong Un")
    shown = v.js("[...document.querySelectorAll('.row.sent')].filter(r => r.offsetParent !== null).map(r => r.id)")
    expected = v.js("[...document.querySelectorAll('.de mark.term')].filter(m => /^Kim Jong Un → Kim Jong Un /.test(m.dataset.tip)).map(m => m.closest('.row').id)")
    assert shown == sorted(set(expected), key=expected.index) and len(shown) >= 2
    assert v.js("[...document.querySelectorAll('.block')].filter(b => b.offsetParent !== null).length") < v.js("document.querySelectorAll('.block').length")
    assert v.page.inner_text("#shown") == f"{len(shown)} of 52 sentences shown"
    v.page.select_option("#only-term", "")
    assert v.visible_rows() == 52
    # the built page has a reviewed sentence: only-fuzzy hides it
    b = visit(built[0])
    b.page.check("#only-fuzzy")
    assert b.visible_rows() == 51 and not b.page.locator("#en-s2").is_visible()


def test_keys_go_to_the_next_and_previous_finding(visit, page_path):
    v = visit(page_path)
    rows = v.js("[...document.querySelectorAll('.row.sent.has-findings')].map(r => r.id)")
    assert len(rows) >= 2
    current = "document.querySelector('.row.current') && document.querySelector('.row.current').id"
    focused = "document.activeElement.closest('.row') && document.activeElement.closest('.row').id"
    v.page.keyboard.press("j")
    assert v.js(current) == rows[0] == v.js(focused)
    v.page.keyboard.press("j")
    assert v.js(current) == rows[1]
    v.page.keyboard.press("n")
    v.page.keyboard.press("k")
    assert v.js(current) == rows[1]
    v.page.keyboard.press("p")
    assert v.js(current) == rows[0] == v.js(focused)
    v.page.keyboard.press("Escape")
    assert v.js(current) is None
    assert "next finding" in v.page.inner_text(".keys")
    # typing in a control does not move
    v.page.focus("#only-term")
    v.page.keyboard.press("j")
    assert v.js(current) is None


def test_build_writes_the_reviewed_english_with_a_reviewed_badge(visit, built):
    v = visit(built[0])
    assert v.page.inner_text("#en-s2") == "A meeting in Russia, reviewed by hand"
    assert v.js("document.getElementById('s2').dataset.state") == "reviewed"
    assert v.page.locator("#s2 .badge.reviewed").inner_text().strip().endswith("reviewed")
    assert v.page.locator("#s3 .badge.fuzzy").count() == 1
    assert v.page.inner_text("#count-reviewed") == "1" and v.page.inner_text("#count-fuzzy") == "51"
    # the glossary is marked on the built page too: the reviewed English keeps 'Russia'
    assert v.js("document.querySelector('#en-s2 mark.term.how-kept').textContent") == "Russia"
    # the draft misses 'Vostochny Cosmodrome' and has the forbidden 'Wostotschny': both stand out
    row = v.js(f"[...document.querySelectorAll('.de .seg')].find(s => s.textContent === '{FLAGS_DE}').closest('.row').id")
    missing = v.js(f"[...document.querySelectorAll('#{row} .de mark.term.missing')].map(m => m.textContent)")
    assert missing == ["Weltraumbahnhof Wostotschny"]
    assert v.js(f"[...document.querySelectorAll('#{row} .en mark.term.forbidden')].map(m => m.textContent)") == ["Wostotschny"]
    assert v.page.locator(f"#{row} .badge.missing").count() == 1 and v.page.locator(f"#{row} .badge.forbidden").count() == 1
    assert v.js(f"getComputedStyle(document.querySelector('#{row} .de mark.term.missing')).borderTopStyle") == "dashed"
    assert v.js("document.querySelectorAll('.de mark.term.missing').length") == v.js("document.querySelectorAll('.badge.missing').length") == 1
    v.page.hover(f"#{row} .en mark.term.forbidden")
    assert "FORBIDDEN VARIANT" in v.page.inner_text("#tip")
