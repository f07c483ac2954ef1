"""Shared fixtures: the bundled article, the tiny real model, and an isolated Argos environment."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

try:  # property tests draw the same examples on every run, so the suite is the same in CI and here
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
except ImportError:
    pass
EXAMPLE = ROOT / "examples" / "putin-kim.txt"
TINY_MODEL = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"


@pytest.fixture(scope="session")
def shared_wordforms(tmp_path_factory) -> Path:
    """One word-form cache for the session: the German lemma index is built once (seconds), not per test."""
    return tmp_path_factory.mktemp("wordforms")


@pytest.fixture(autouse=True)
def isolated_argos(tmp_path_factory, monkeypatch, shared_wordforms):
    """Nothing a test does may touch the real home: Argos dirs, caches and the index point at temp space."""
    home = tmp_path_factory.mktemp("home")
    (home / "cache" / "dolmetsch").mkdir(parents=True)
    (home / "cache" / "dolmetsch" / "wordforms").symlink_to(shared_wordforms, target_is_directory=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(home / "packages"))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")
    return home


@pytest.fixture(scope="session")
def tiny_package_dir(tmp_path_factory) -> Path:
    """The tiny fixture model unpacked once per test session (a real CTranslate2 + SentencePiece package)."""
    target = tmp_path_factory.mktemp("tiny-model")
    with zipfile.ZipFile(TINY_MODEL) as archive:
        archive.extractall(target)
    (folder,) = [p for p in target.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="session")
def tiny_engine(tiny_package_dir):
    from dolmetsch.engine.engine import DecodingOptions, Engine
    from dolmetsch.models.package import ArgosPackage

    return Engine.load(ArgosPackage.from_dir(tiny_package_dir), threads=1, options=DecodingOptions(beam_size=1))


def msgfmt_or_skip() -> str:
    """msgfmt is a hard requirement in CI; elsewhere its absence skips the check."""
    found = shutil.which("msgfmt")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is required in CI")
        pytest.skip("msgfmt (gettext) is not installed")
    return found


CHROMIUM = Path(os.environ.get("DOLMETSCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium through Playwright, one for the whole session: Playwright's sync
    API runs one event loop per thread, so the review page and the serve page share it."""

    def missing(why: str):
        if os.environ.get("CI"):
            pytest.fail(f"{why}: the browser tests need it in CI (apt-get install chromium)")
        pytest.skip(why)

    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageVisit:
    """A page opened in the session's chromium, with what it logged and requested (`METHOD url`)."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(f"{request.method} {request.url}"))
        self.url = url
        self.page.goto(self.url)

    def js(self, expression: str):
        return self.page.evaluate(expression)


def reviewer_saves(po: Path, edits: dict[str, str]) -> None:
    """What a PO editor does: read, confirm entries, save atomically (a whole new file renamed over it)."""
    import polib

    catalog = polib.pofile(str(po))
    for msgid, msgstr in edits.items():
        entry = catalog.find(msgid)
        entry.msgstr = msgstr
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    saving = po.with_name(po.name + ".saving")
    catalog.save(str(saving))
    os.replace(saving, po)
