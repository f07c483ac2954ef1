"""The web page at `/` of `dolmetsch serve`: what it holds, and how it behaves in a real browser.

The server is the real one, started as a subprocess on a free loopback port with the tiny model
and the repository's glossary; the page is driven in Debian's headless chromium through Playwright,
as the review page's tests do (with CI set they fail when chromium is missing; elsewhere they skip).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

import pytest

from conftest import ROOT, TINY_MODEL, PageVisit

GERMAN = "Kim reiste nach Wostotschny.\n\nPutin und Kim trafen sich in Wostotschny."
START_TIMEOUT_S = 120


# --- the server, started for real --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, shared_wordforms):
    """`dolmetsch serve` with the tiny model and the curated glossary, killed at the end whatever happens."""
    import httpx

    home = tmp_path_factory.mktemp("serve-home")
    (home / "cache" / "dolmetsch").mkdir(parents=True)
    (home / "cache" / "dolmetsch" / "wordforms").symlink_to(shared_wordforms, target_is_directory=True)
    env = {
        **os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"), "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "translate"), os.environ.get("PYTHONPATH", "")) if p),
    }
    port = _free_port()
    command = [sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--model", str(TINY_MODEL), "--glossary", str(ROOT / "glossary")]
    log = home / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"dolmetsch serve exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"no /health within {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')}"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- the HTML --------------------------------------------------------------------------------------

EXTERNAL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<[^>]*\s(?:src|srcset|action)\s*=|@import|url\(|<iframe|<object|<embed", re.IGNORECASE)
"""Anything that could make a browser fetch (the icon link is checked on its own: `data:,`, so no favicon request)."""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def test_the_page_is_one_file_that_refers_to_nothing_outside():
    from dolmetsch.serve.page import render_page

    html = render_page()
    assert html.startswith("<!DOCTYPE html>")
    assert EXTERNAL.findall(html) == []
    assert re.findall(r"<link\b[^>]*>", html) == ['<link rel="icon" href="data:,">']
    assert re.findall(r"\shref=", html) == [" href="]
    assert html.count("<style>") == 1 and html.count("<script>") == 1
    assert "innerHTML" not in html and "eval(" not in html  # every node is built with textContent


def test_the_policy_allows_only_the_inline_style_and_script_and_same_origin_requests():
    from dolmetsch.serve.page import page_and_policy

    html, policy = page_and_policy()
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in html
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == _sha256(style) and directives["script-src"] == _sha256(script)
    assert directives["connect-src"] == "'self'"
    assert "unsafe" not in policy


def test_the_server_serves_the_page_at_the_root(server):
    import httpx

    response = httpx.get(server + "/", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>") and 'id="source"' in response.text


# --- in the browser ----------------------------------------------------------------------------------


class Visit(PageVisit):
    """The page opened from the server."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900):
        super().__init__(browser, url + "/", width, height)

    def translate(self, german: str) -> None:
        self.page.fill("#source", german)
        self.page.click("#go")
        self.page.wait_for_selector("#result:not([hidden])", timeout=60_000)


@pytest.fixture
def visit(browser, server):
    opened = []

    def open_page(**size) -> Visit:
        opened.append(Visit(browser, server, **size))
        return opened[-1]

    yield open_page
    for v in opened:
        v.context.close()


def test_a_translation_appears_with_the_glossary_term_marked(visit):
    v = visit()
    v.translate(GERMAN)
    assert v.js("document.querySelectorAll('#rows .row.para').length") == 2
    english = v.page.inner_text("#en-p1")
    assert "Vostochny" in english and "Wostotschny" not in english
    german = v.js("Object.fromEntries([...document.querySelectorAll('#de-p1 mark.term')].map(m => [m.textContent, m.dataset.term]))")
    assert "Wostotschny" in german  # Kim is an entry too
    term = german["Wostotschny"]
    assert v.js(f"[...document.querySelectorAll('#en-p1 mark.term[data-term=\"{term}\"]')].map(m => m.textContent)") == ["Vostochny"]
    # hovering the English term shows its entry and how it was satisfied, and lights up its German side
    v.page.hover(f'#en-p1 mark.term[data-term="{term}"]')
    tip = v.page.inner_text("#tip")
    assert "Wostotschny → Vostochny" in tip and re.search(r"\b(natural|n-best|prefix|replaced|kept)\b", tip)
    assert v.js("[...document.querySelectorAll('#p1 mark.term.term-hl')].map(m => m.textContent)") == ["Wostotschny", "Vostochny"]
    v.page.mouse.move(1270, 5)
    assert v.js("document.getElementById('tip').hidden") and v.js("document.querySelectorAll('mark.term-hl').length") == 0
    assert re.match(r"2 paragraphs · 2 sentences · \d+ glossary terms \(", v.page.inner_text("#summary"))
    assert v.errors == []
    assert v.requests == [f"GET {v.url}", f"POST {v.url}translate"]


def test_ctrl_enter_translates_and_markup_stays_text(visit):
    v = visit()
    v.page.fill("#source", 'Kim sagte <img src=x onerror="window.pwned=1"> in Wostotschny.')
    v.page.focus("#source")
    v.page.keyboard.press("Control+Enter")
    v.page.wait_for_selector("#result:not([hidden])", timeout=60_000)
    assert v.js("typeof window.pwned") == "undefined"
    assert "<img" in v.page.inner_text("#de-p1")
    assert v.js("document.querySelectorAll('#rows img').length") == 0
    assert v.errors == []


def test_empty_input_is_refused_in_the_page(visit):
    v = visit()
    v.page.fill("#source", "   \n\n  ")
    v.page.dispatch_event("#form", "submit")
    assert v.page.inner_text("#status") == "Nothing to translate."
    assert v.js("document.getElementById('result').hidden")
    assert v.requests == [f"GET {v.url}"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_at_1280_and_360_pixels(visit, tmp_path):
    for width, height in ((1280, 900), (360, 740)):
        v = visit(width=width, height=height)
        v.translate(GERMAN)
        assert v.js("document.documentElement.scrollWidth") <= width
        shot = tmp_path / f"serve-page-{width}.png"
        v.page.screenshot(path=str(shot), full_page=True)
        w, h = _png_size(shot.read_bytes())
        assert w == width and h >= height
        columns = v.js("getComputedStyle(document.querySelector('#rows .row')).gridTemplateColumns.split(' ').length")
        de, en = v.js("['de-p1', 'en-p1'].map(id => document.getElementById(id).getBoundingClientRect().top)")
        if width == 360:  # the columns stack: the English sits below the German
            assert columns == 1 and en > de
        else:
            assert columns == 2 and en == de
        assert v.errors == []
