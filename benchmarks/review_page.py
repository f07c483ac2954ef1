"""How long the review page takes to write, and how big it is, for one article.

Translates the article once (default: the bundled one with the tiny test model and ./glossary/),
then renders the review page REPEAT times (the view: checks, glossary marks, PO lines; and the
template) and, as the baseline in the same run, the side-by-side Markdown view. Prints the median
of each and the page's size. `--screenshot FILE.png` also saves the page at 1280 px wide, as shown
in the README (needs Debian's chromium and Playwright).

    .venv/bin/python benchmarks/review_page.py [--source FILE] [--model FILE] [--repeat N] [--screenshot FILE.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def screenshot(page: Path, target: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        view = browser.new_page(viewport={"width": 1280, "height": 860})
        view.goto(page.resolve().as_uri())
        view.keyboard.press("j")  # the first finding, as a reviewer starts
        view.evaluate("window.scrollTo(0, 0)")
        view.locator(".de mark.term").nth(3).hover()
        view.screenshot(path=str(target))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "examples" / "putin-kim.txt")
    parser.add_argument("--model", type=Path, default=ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel")
    parser.add_argument("--glossary", type=Path, default=ROOT / "glossary")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if args.screenshot:
        args.screenshot = args.screenshot.resolve()

    from dolmetsch.api import translate_files
    from dolmetsch.options import RunOptions
    from dolmetsch.formats.base import RenderContext
    from dolmetsch.formats.markdown import render_markdown
    from dolmetsch.formats.po import GettextCatalog
    from dolmetsch.review import ReviewPage, render_page, review_view

    model, chromium = args.model.resolve(), args.chromium
    with tempfile.TemporaryDirectory() as work:
        # a project folder of its own, so the page names its files as a newsroom's run would (relative)
        shutil.copy(args.source, Path(work) / args.source.name)
        shutil.copytree(args.glossary, Path(work) / "glossary")
        os.chdir(work)
        out, locales = Path("out"), Path("locales")
        translator, [result], _ = translate_files(
            [args.source.name], out_dir=out, locales_dir=locales, options=RunOptions(glossary=(Path("glossary"),), model=model)
        )
        translated = result.translated
        po = GettextCatalog().path(translated.document.name, out, locales)
        page_path = ReviewPage().path(translated.document.name, out, locales)
        context = RenderContext({"po": po, "review-page": page_path}, {"po": po.read_text(encoding="utf-8")}, translator.glossary)
        page = render_page(review_view(translated, context))  # warm: Jinja2, the checks' tables
        view_seconds = median_seconds(lambda: review_view(translated, context), args.repeat)
        view = review_view(translated, context)
        template_seconds = median_seconds(lambda: render_page(view), args.repeat)
        total_seconds = median_seconds(lambda: render_page(review_view(translated, context)), args.repeat)
        markdown_seconds = median_seconds(lambda: render_markdown(translated), args.repeat)
        size = len(page.encode("utf-8"))
        segments = len(translated.segments)
        print(f"{args.source.name}: {segments} segments, {sum(len(s.terms) for s in translated.segments)} glossary terms")
        print(f"review page: {total_seconds * 1000:.0f} ms median of {args.repeat} "
              f"(view with checks {view_seconds * 1000:.0f} ms, template {template_seconds * 1000:.0f} ms), {size:,} bytes")
        print(f"baseline, side-by-side Markdown: {markdown_seconds * 1000:.2f} ms, {len(render_markdown(translated).encode()):,} bytes")
        if args.screenshot:
            screenshot(out / f"{translated.document.name}.review.html", args.screenshot, chromium)
            print(f"wrote {args.screenshot} ({args.screenshot.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
