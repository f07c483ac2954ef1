"""HTML pages against their plain text: time, CPU and peak RSS of `dolmetsch translate page.html`.

    .venv/bin/python benchmarks/markup_speed.py --quick              # 25 and 100 KB, one run each
    .venv/bin/python benchmarks/markup_speed.py                      # 25, 50, 100, 200 KB, medians of 3
    .venv/bin/python benchmarks/markup_speed.py --sizes 100 --profile /tmp/html.prof   # and where the time goes

Requirement: a 100 KB real-world-sized page costs at most 1.2× the time of translating its plain
text with the same model, and peak memory stays flat with page size.

Pages are built from the real German sentences of the WMT 2023 test set
(`../shared/wmt23-terminology-de-en/deen.de`, read there, never copied; `--data` for another copy),
consecutive sentences from a seeded start, as a full news page: head with meta description, title,
a style and a script block; a nav list of links; a masthead; an article with h1, h2 every few
paragraphs, paragraphs of 2–5 sentences, figures (img alt + figcaption), a table with a caption; a
footer with links. About a third of the paragraphs carry inline markup mid-sentence: `<a href>`
around 1–3 words, `<b>`/`<strong>`, `<em>`, now and then a `<br>` or a footnote `<sup>`. Each page
is grown block by block to `--sizes` KB (1 KB = 1024 bytes of UTF-8).

The baseline is the page's own text as a plain `.txt` article: every text unit of the page (title,
meta description, nav labels, headings, paragraphs, alt texts, captions, table cells, footer), in
the same order, tags stripped (a `<br>` becomes a space), one block each, blocks separated by blank
lines. So both runs give the model the same sentences; the difference is what the markup costs:
parsing, the greedy forced decode with attention that aligns each sentence with inline elements
(`dolmetsch/enforce/inline.py`), the projection (`dolmetsch/markup/project.py`) and rendering the page.

Both run as the real CLI, each in a fresh process started from a small launcher (so no run inherits
the driver's peak RSS): `.venv/bin/dolmetsch translate FILE -m MODEL --offline --no-glossary
-o OUT --locales LOC -q` (`--glossary`: `-g glossary/` instead of `--no-glossary`), with fresh
output folders every time (nothing is known from an earlier run) and one scratch XDG cache warmed
by an unmeasured run of each kind first. Wall time, CPU time (user + system of the process and its
children, from wait4) and the process's own peak RSS are taken; plain and HTML alternate within
each repetition, figures are medians of `--repeat` runs, and ratios are html / plain of the same run.

From the HTML run's PO: the inline elements (distinct placeholders per msgid) and how many of them
projection placed without a confident alignment (the `#.` note "markup placed without a confident
alignment, check where it sits: <n>, …"; the rest were placed by alignment), for all elements and
for those inside sentences (the nav and footer links are each a whole unit).

`--profile PROF` then runs the 100 KB page (or the size nearest it) and its plain text once more
each under cProfile (the entry point `dolmetsch.cli:main`) and prints dolmetsch's entries by
cumulative time, where the decoder was called from, and the entries that cost the HTML run more.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from translation_speed import measure  # one launcher for every benchmark that measures a whole process's own peak RSS

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "translate-de_en-tiny.argosmodel"
GLOSSARY = ROOT / "glossary"
WMT23 = ROOT.parent / "shared" / "wmt23-terminology-de-en"
THIS = Path(__file__).resolve()
TARGET_RATIO = 1.2
FALLBACK_MARK = "markup placed without a confident alignment"
"""The start of dolmetsch.pipeline.FALLBACK_NOTE (matched as text, so the driver imports nothing of dolmetsch)."""
PLACEHOLDER = re.compile(r"(\\*)<(/?)([0-9]+)(/?)>")
LETTER = re.compile(r"[^\W\d_]")
WHOLE = re.compile(r"<([0-9]+)>(?:(?!</?[0-9]+/?>).)*</\1>", re.DOTALL)
"""A msgid that is one element around all its text (a nav or footer link)."""

# ---------------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------------

NAV = ("Startseite", "Politik", "Wirtschaft", "Wissenschaft", "Gesundheit", "Kultur", "Sport", "Meinung", "Archiv")
FOOTER_LINKS = ("Impressum", "Datenschutz", "Kontakt", "Barrierefreiheit", "Abonnement")
REMARKS = ("keine Komplikationen", "leichte Schwellung", "Nachkontrolle nach sechs Wochen",
           "Wundheilungsstörung", "stationäre Aufnahme", "ambulant behandelt", "ohne Befund")
STYLE = """
  :root { --ink: #1d1d1f; --accent: #b3001b; --muted: #6e6e73; --rule: #d2d2d7; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 18px/1.6 Georgia, "Times New Roman", serif; color: var(--ink); background: #fff; }
  .site-nav ul { display: flex; gap: 1.2rem; list-style: none; margin: 0; padding: .6rem 1.5rem; border-bottom: 1px solid var(--rule); }
  .site-nav a { color: var(--ink); text-decoration: none; font: 600 .85rem/1 Helvetica, Arial, sans-serif; text-transform: uppercase; }
  .site-nav a:hover, .site-nav a:focus { color: var(--accent); }
  .masthead { padding: 1.5rem; text-align: center; border-bottom: 3px double var(--rule); }
  .masthead .site-name { font-size: 2.4rem; margin: 0; letter-spacing: .02em; }
  .masthead .dateline { color: var(--muted); font-size: .9rem; margin: .3rem 0 0; }
  article { max-width: 42rem; margin: 2rem auto; padding: 0 1.5rem; }
  article h1 { font-size: 2.2rem; line-height: 1.2; margin: 0 0 1rem; }
  article h2 { font-size: 1.4rem; margin: 2.2rem 0 .6rem; }
  article p.lead { font-size: 1.15rem; font-weight: 600; }
  article a { color: var(--accent); }
  figure { margin: 2rem 0; }
  figure img { width: 100%; height: auto; display: block; }
  figcaption { color: var(--muted); font-size: .85rem; margin-top: .4rem; }
  table { border-collapse: collapse; width: 100%; margin: 2rem 0; font: .9rem/1.4 Helvetica, Arial, sans-serif; }
  th, td { border-bottom: 1px solid var(--rule); padding: .4rem .6rem; text-align: left; }
  caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .4rem; }
  footer { border-top: 1px solid var(--rule); padding: 1.5rem; color: var(--muted); font-size: .85rem; }
  footer ul { list-style: none; padding: 0; display: flex; gap: 1rem; }
  @media (max-width: 600px) { body { font-size: 16px; } .site-nav ul { flex-wrap: wrap; } }
"""
SCRIPT = """
  window.dataLayer = window.dataLayer || [];
  function track(event, detail) {
    window.dataLayer.push({ event: event, detail: detail, at: Date.now() });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("article a[href]");
    for (var i = 0; i < links.length; i++) {
      links[i].addEventListener("click", function (e) { track("article-link", e.currentTarget.href); });
    }
    var figures = document.querySelectorAll("figure img");
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) { if (entry.isIntersecting) { track("figure-seen", entry.target.src); seen.unobserve(entry.target); } });
      }, { threshold: 0.5 });
      figures.forEach(function (img) { seen.observe(img); });
    }
    if (window.localStorage && !localStorage.getItem("consent")) { document.body.classList.add("needs-consent"); }
  });
"""


def text(value: str) -> str:
    return html.escape(value, quote=False)


def attribute(value: str) -> str:
    return html.escape(value, quote=True)


@dataclass
class Page:
    html: str
    plain: str
    sentences: int
    elements: int
    """Inline elements written mid-sentence into paragraphs (nav and footer links not counted)."""
    marked_paragraphs: int
    paragraphs: int


@dataclass
class Builder:
    german: list[str]
    rng: random.Random
    position: int = 0
    used: int = 0
    elements: int = 0
    units: list[str] = field(default_factory=list)
    """The plain text of each unit of the page, in document order: the baseline's blocks."""

    def sentence(self) -> str:
        value = self.german[self.position % len(self.german)]
        self.position += 1
        self.used += 1
        return value

    def marked(self, sentence: str) -> tuple[str, str]:
        """`sentence` with one inline element mid-sentence: (HTML, plain text)."""
        words = sentence.split(" ")
        if len(words) < 4:
            return text(sentence), sentence
        kind = self.rng.choices(("a", "b", "strong", "em", "br", "sup"), weights=(40, 13, 12, 20, 7, 8))[0]
        self.elements += 1
        if kind == "br":
            at = self.rng.randrange(1, len(words) - 1)
            return (text(" ".join(words[:at])) + "<br>\n" + text(" ".join(words[at:])),
                    " ".join(words[:at]) + " " + " ".join(words[at:]))
        if kind == "sup":
            at = self.rng.randrange(1, len(words) - 1)
            note = str(self.rng.randint(1, 24))
            return (text(" ".join(words[:at])) + f"<sup>{note}</sup> " + text(" ".join(words[at:])),
                    " ".join(words[:at]) + note + " " + " ".join(words[at:]))
        length = self.rng.randint(1, min(3, len(words) - 2))
        start = self.rng.randrange(1, len(words) - length)  # never the first word, never the last
        before, inside, after = words[:start], words[start : start + length], words[start + length :]
        if kind == "a":
            slug = "-".join(re.sub(r"\W+", "", w).lower() for w in inside) or "thema"
            opening, closing = f'<a href="/thema/{attribute(slug)}-{self.rng.randint(100, 9999)}">', "</a>"
        else:
            opening, closing = f"<{kind}>", f"</{kind}>"
        markup = text(" ".join(before)) + " " + opening + text(" ".join(inside)) + closing + " " + text(" ".join(after))
        return markup, sentence

    def paragraph(self, css: str = "", mark: bool = False) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(2, 5))]
        chosen = set(self.rng.sample(range(len(sentences)), k=min(len(sentences), self.rng.choice((1, 1, 2))))) if mark else set()
        parts = [self.marked(s) if i in chosen else (text(s), s) for i, s in enumerate(sentences)]
        self.units.append(" ".join(plain for _, plain in parts))
        opening = f'<p class="{css}">' if css else "<p>"
        return opening + " ".join(markup for markup, _ in parts) + "</p>\n"

    def unit(self, value: str) -> str:
        self.units.append(value)
        return value

    def figure(self, number: int) -> str:
        alt, caption = self.sentence(), self.sentence()
        return (f'<figure>\n<img src="/bilder/2023/{number:04d}.jpg" alt="{attribute(self.unit(alt))}" '
                f'width="800" height="450" loading="lazy">\n'
                f"<figcaption>{text(self.unit(caption))}</figcaption>\n</figure>\n")

    def table(self) -> str:
        caption = self.sentence()
        rows = [f"<table>\n<caption>{text(self.unit(caption))}</caption>\n<thead><tr>"
                + "".join(f"<th>{self.unit(h)}</th>" for h in ("Gruppe", "Patienten", "Anteil", "Bemerkung"))
                + "</tr></thead>\n<tbody>\n"]
        for row in range(self.rng.randint(4, 8)):
            cells = (f"Gruppe {chr(65 + row)}", str(self.rng.randint(12, 480)),
                     f"{self.rng.randint(1, 60)},{self.rng.randint(0, 9)} %", self.rng.choice(REMARKS))
            rows.append("<tr>" + "".join(f"<td>{text(self.unit(c))}</td>" for c in cells) + "</tr>\n")
        rows.append("</tbody>\n</table>\n")
        return "".join(rows)


def build_page(german: list[str], size_kb: int, seed: int) -> Page:
    """A news page of about `size_kb` KB of HTML and its plain text (same units, same order)."""
    rng = random.Random(f"{seed}-{size_kb}")
    b = Builder(german, rng, position=rng.randrange(len(german)))
    title = b.sentence()
    description = b.sentence()
    head = ('<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="description" content="{attribute(b.unit(description))}">\n'
            f"<title>{text(b.unit(title + ' | Medizin aktuell'))}</title>\n"
            '<link rel="stylesheet" href="/static/site.css">\n'
            f"<style>{STYLE}</style>\n<script>{SCRIPT}</script>\n</head>\n<body>\n")
    nav = (f'<nav class="site-nav" aria-label="{b.unit("Hauptnavigation")}">\n<ul>\n'
           + "".join(f'<li><a href="/{re.sub(r"[^a-z]", "", label.lower())}/">{b.unit(label)}</a></li>\n' for label in NAV)
           + "</ul>\n</nav>\n")
    masthead = ('<header class="masthead">\n'
                f'<p class="site-name">{b.unit("Medizin aktuell")}</p>\n'
                f'<p class="dateline">{b.unit("Veröffentlicht am 12. März 2023, 14:05 Uhr")}</p>\n</header>\n')
    article = ["<main>\n<article>\n", f"<h1>{text(b.unit(title))}</h1>\n", b.paragraph("lead")]
    paragraphs, marked, figures, tables = 1, 0, 0, 0
    footer = ("<footer>\n<p>© 2023 Medizin aktuell. Alle Rechte vorbehalten.</p>\n<ul>\n"
              + "".join(f'<li><a href="/{label.lower()}/">{label}</a></li>\n' for label in FOOTER_LINKS)
              + "</ul>\n</footer>\n</body>\n</html>\n")
    footer_units = ["© 2023 Medizin aktuell. Alle Rechte vorbehalten.", *FOOTER_LINKS]
    closing = "</article>\n</main>\n"
    fixed = len((head + nav + masthead + closing + footer).encode("utf-8"))
    target = size_kb * 1024
    body_bytes = sum(len(part.encode("utf-8")) for part in article)
    since_heading = 0
    while fixed + body_bytes < target:
        if since_heading >= rng.randint(3, 7):
            part = f"<h2>{text(b.unit(b.sentence()))}</h2>\n"
            since_heading = 0
        elif paragraphs % 9 == 4 and figures * 9 < paragraphs:
            figures += 1
            part = b.figure(figures)
        elif paragraphs % 45 == 6 and tables * 45 <= paragraphs:
            tables += 1
            part = b.table()
        else:
            mark = rng.random() < 1 / 3
            part = b.paragraph(mark=mark)
            paragraphs += 1
            marked += mark
            since_heading += 1
        article.append(part)
        body_bytes += len(part.encode("utf-8"))
    page = head + nav + masthead + "".join(article) + closing + footer
    b.units.extend(footer_units)
    return Page(page, "\n\n".join(b.units) + "\n", b.used, b.elements, marked, paragraphs)


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


PROFILER = (
    "import cProfile, sys\n"
    "out = sys.argv[1]\n"
    "sys.argv = ['dolmetsch', *sys.argv[2:]]\n"
    "from dolmetsch.cli import main\n"
    "profile = cProfile.Profile()\n"
    "profile.enable()\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "finally:\n"
    "    profile.disable()\n"
    "    profile.dump_stats(out)\n"
)
"""The CLI entry point (`dolmetsch.cli:main`, as pyproject.toml names it) under cProfile."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cli() -> list[str]:
    for candidate in (ROOT / ".venv" / "bin" / "dolmetsch", Path(sys.executable).parent / "dolmetsch"):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which("dolmetsch")
    if found:
        return [found]
    raise SystemExit("no dolmetsch command: install the project into .venv (pip install -e .)")


def translate_argv(source: Path, model: Path, work: Path, glossary: bool) -> list[str]:
    return ["translate", str(source), "-m", str(model), "--offline",
            *(["-g", str(GLOSSARY)] if glossary else ["--no-glossary"]),
            "-o", str(work / "out"), "--locales", str(work / "locales"), "-q"]


def run_once(source: Path, model: Path, work: Path, env: dict, glossary: bool) -> dict:
    shutil.rmtree(work, ignore_errors=True)  # fresh folders: nothing known from an earlier run
    work.mkdir(parents=True)
    result = measure([*cli(), *translate_argv(source, model, work, glossary)], env)
    if result["rc"]:
        raise SystemExit(f"dolmetsch translate {source.name} exited {result['rc']}:\n{result['stderr']}")
    return result


def read_po(path: Path) -> dict:
    """PO entries with letters (those the model gets), inline elements (distinct placeholders per msgid) and those placed by fallback."""
    import polib  # dolmetsch's own dependency, in the same environment

    entries = elements = fallback = noted = with_elements = whole = whole_fallback = 0
    for entry in polib.pofile(str(path)):
        if entry.obsolete or not LETTER.search(entry.msgid):  # a plain text's PO also lists letterless units
            continue
        entries += 1
        ids = {m.group(3) for m in PLACEHOLDER.finditer(entry.msgid) if len(m.group(1)) % 2 == 0 and not m.group(2)}
        elements += len(ids)
        with_elements += bool(ids)
        around = WHOLE.fullmatch(entry.msgid)  # a nav or footer link: the element is the whole unit
        whole += bool(around)
        for line in (entry.comment or "").splitlines():
            if FALLBACK_MARK in line:
                noted += 1
                listed = {m.group(1) for m in re.finditer(r"<([0-9]+)>", line.split(FALLBACK_MARK, 1)[1])}
                fallback += len(listed & ids) if ids else len(listed)
                whole_fallback += bool(around) and around.group(1) in listed
    return {"entries": entries, "elements": elements, "fallback": fallback, "noted": noted, "with_elements": with_elements,
            "whole": whole, "whole_fallback": whole_fallback}


def po_path(work: Path, stem: str) -> Path:
    return work / "locales" / "en" / "LC_MESSAGES" / f"{stem}.po"


def profiled(source: Path, model: Path, work: Path, env: dict, glossary: bool, out: Path) -> tuple[dict, float, float]:
    """One CLI run under cProfile: {name: (cumulative s, own s, calls, callers)}, profiled total, wall."""
    import pstats

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROFILER, str(out), *translate_argv(source, model, work, glossary)],
                          env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if done.returncode or not out.is_file():
        raise SystemExit(f"the profiled run failed:\n{done.stderr[-2000:]}")
    stats = pstats.Stats(str(out))
    entries = {}
    for key, (_, calls, own, cumulative, callers) in stats.stats.items():
        entries[_name(key)] = (cumulative, own, calls, {_name(c): v[3] for c, v in callers.items()})
    return entries, stats.total_tt, wall


def _name(key: tuple) -> str:
    filename, line, function = key
    where = filename.replace("\\", "/")
    if "/dolmetsch/" in where:
        return f"dolmetsch/{where.rsplit('/dolmetsch/', 1)[1]}:{line}({function})"
    return f"{Path(filename).name}:{line}({function})" if filename != "~" else function


def profile(sources: dict[str, Path], model: Path, work: Path, env: dict, glossary: bool, out: Path, top: int) -> None:
    """The HTML page and its plain text under cProfile: dolmetsch's own entries by cumulative time in
    the HTML run, where the decoder was called from, and the entries that cost the HTML run more."""
    runs = {}
    for kind in ("plain", "html"):
        path = out if kind == "html" else out.with_name(out.stem + ".plain" + out.suffix)
        runs[kind] = (*profiled(sources[kind], model, work / kind, env, glossary, path), path)
    entries, total, wall, path = runs["html"]
    plain, plain_total, plain_wall, plain_path = runs["plain"]
    own = sorted(((v[0], v[1], v[2], k) for k, v in entries.items() if k.startswith("dolmetsch/")), reverse=True)
    print(f"\nProfile of one HTML run ({sources['html'].name}: {wall:.1f} s wall under cProfile, {total:.2f} s profiled; "
          f"{path}), dolmetsch's entries by cumulative time\n")
    print("| cumulative s | share | own s | calls | function |")
    print("|---:|---:|---:|---:|---|")
    for cumulative, own_s, calls, name in own[:top]:
        print(f"| {cumulative:.2f} | {cumulative / total:.0%} | {own_s:.2f} | {calls} | `{name}` |")
    decoder = [k for k in entries if k.startswith("dolmetsch/engine/engine.py") and k.endswith("(translate)")]
    for name in decoder:
        callers = ", ".join(f"{c.split('(')[-1].rstrip(')')} ({c.split(':')[0]}) {t:.2f} s"
                            for c, t in sorted(entries[name][3].items(), key=lambda x: -x[1]))
        print(f"\n- `{name}` (the decoder: the model's translation, and the forced decode with attention) "
              f"called from: {callers}")
        if name in plain:
            print(f"  plain run: {plain[name][0]:.2f} s")
    print(f"\nWhere the HTML run costs more than the plain text's ({sources['plain'].name}: {plain_wall:.1f} s wall under "
          f"cProfile, {plain_total:.2f} s profiled; {plain_path}): dolmetsch's entries, html − plain cumulative\n")
    print("| html − plain s | html s | plain s | function |")
    print("|---:|---:|---:|---|")
    names = {k for k in entries.keys() | plain.keys() if k.startswith("dolmetsch/")}
    differences = sorted(((entries.get(k, (0.0,))[0] - plain.get(k, (0.0,))[0], k) for k in names), reverse=True)
    for difference, name in differences[:top]:
        if difference <= 0.005:
            break
        print(f"| {difference:+.2f} | {entries.get(name, (0.0,))[0]:.2f} | {plain.get(name, (0.0,))[0]:.2f} | `{name}` |")
    print(f"\n(total profiled: html {total:.2f} s, plain {plain_total:.2f} s, difference {total - plain_total:+.2f} s; "
          "cProfile slows Python code more than the decoder's C++, so shares of Python work read high)")


def median(records: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in records)


def resolve_model(name: str) -> Path:
    if name == "tiny":
        return TINY
    if name == "base":
        sys.path.insert(0, str(THIS.parent))
        import realistic_model  # beside this file: the random-weight Transformer-base, built once and cached

        return Path(realistic_model.build(log=log)["archive"])
    path = Path(name).expanduser().resolve()
    if not path.exists():
        raise SystemExit(f"no model at {path}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25,50,100,200", help="page sizes in KB of HTML (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size and kind; medians are reported (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="sizes 25,100 and one run each")
    parser.add_argument("--model", default=str(TINY),
                        help="an .argosmodel or package folder, or 'tiny' / 'base' (benchmarks/realistic_model.py) "
                             "(default: tests/fixtures/translate-de_en-tiny.argosmodel)")
    parser.add_argument("--glossary", action="store_true", help="translate with -g glossary/ instead of --no-glossary")
    parser.add_argument("--data", type=Path, default=WMT23, help="the WMT 2023 folder, or its deen.de (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--keep", type=Path, help="write the generated pages (.html and .txt) into this folder too")
    parser.add_argument("--profile", type=Path, metavar="PROF",
                        help="afterwards, profile one HTML run (the 100 KB page, or the size nearest it) into PROF and its plain "
                             "text into PROF with .plain before the suffix; print the top entries and the differences")
    parser.add_argument("--top", type=int, default=30, help="profile entries to print (default %(default)s)")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = "25,100", 1
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) <= 0 or args.repeat < 1:
        parser.error("--sizes needs positive sizes and --repeat at least 1")
    source_file = args.data / "deen.de" if args.data.is_dir() else args.data
    if not source_file.is_file():
        raise SystemExit(f"no German sentences at {source_file} (--data: the WMT 2023 folder or its deen.de)")
    german = [line.strip() for line in source_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    model = resolve_model(args.model)

    records: dict[tuple[int, str], list[dict]] = {}
    pages: dict[int, Page] = {}
    po: dict[tuple[int, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="dolmetsch-markup-") as scratch:
        scratch = Path(scratch)
        env = dict(os.environ, XDG_CACHE_HOME=str(scratch / "cache"), PYTHONPATH="")
        sources: dict[tuple[int, str], Path] = {}
        for size in sizes:
            page = pages[size] = build_page(german, size, args.seed)
            for kind, content in (("plain", page.plain), ("html", page.html)):
                path = sources[(size, kind)] = scratch / "pages" / f"page-{size}kb.{'txt' if kind == 'plain' else 'html'}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, args.keep / path.name)
            log(f"{size} KB: {len(page.html.encode('utf-8')) / 1024:.1f} KB of HTML, {len(page.plain.encode('utf-8')) / 1024:.1f} KB "
                f"of text, {page.sentences} WMT sentences, {page.paragraphs} paragraphs ({page.marked_paragraphs} with "
                f"inline markup, {page.elements} elements mid-sentence)")
        warm = scratch / "warm"  # the user cache and the OS's file cache, once per kind, not counted
        for kind in ("plain", "html"):
            run_once(sources[(sizes[0], kind)], model, warm, env, args.glossary)
        for repeat in range(args.repeat):
            for size in sizes:
                for kind in (("plain", "html") if repeat % 2 == 0 else ("html", "plain")):
                    work = scratch / "runs" / f"{size}-{kind}"
                    figures = run_once(sources[(size, kind)], model, work, env, args.glossary)
                    records.setdefault((size, kind), []).append(figures)
                    if repeat == 0:
                        po[(size, kind)] = read_po(po_path(work, sources[(size, kind)].stem))
                    log(f"run {repeat + 1}/{args.repeat} {size:4d} KB {kind:5}: {figures['wall_s']:6.2f} s wall, "
                        f"{figures['cpu_s']:6.2f} s CPU, {figures['rss_mb']:5.0f} MB")
        if args.profile:
            size = min(sizes, key=lambda s: (abs(s - 100), s))
            profile({k: sources[(size, k)] for k in ("plain", "html")}, model, scratch / "profile", env, args.glossary,
                    args.profile.resolve(), args.top)

    cpus = os.cpu_count() or 1
    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    print(f"\nHTML pages of WMT 2023 sentences against their plain text, model {model.name}, "
          f"{'glossary/' if args.glossary else '--no-glossary'}; medians of {args.repeat} run(s); "
          f"{platform.processor() or platform.machine()}, {cpus} CPUs, load {load}\n")
    print("| size | HTML KB | sentences | PO entries plain / html (with letters) | inline elements | plain CPU s | html CPU s | "
          "CPU html/plain | plain wall s | html wall s | wall html/plain | RSS plain MB | RSS html MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for size in sizes:
        plain, marked, page = records[(size, "plain")], records[(size, "html")], pages[size]
        row = {
            "cpu_ratio": median(marked, "cpu_s") / median(plain, "cpu_s"),
            "wall_ratio": median(marked, "wall_s") / median(plain, "wall_s"),
            "rss_plain": median(plain, "rss_mb"), "rss_html": median(marked, "rss_mb"),
        }
        summary[size] = row
        print(f"| {size} KB | {len(page.html.encode('utf-8')) / 1024:.1f} | {page.sentences} | "
              f"{po[(size, 'plain')]['entries']} / {po[(size, 'html')]['entries']} | {po[(size, 'html')]['elements']} | "
              f"{median(plain, 'cpu_s'):.2f} | {median(marked, 'cpu_s'):.2f} | {row['cpu_ratio']:.2f} | "
              f"{median(plain, 'wall_s'):.2f} | {median(marked, 'wall_s'):.2f} | {row['wall_ratio']:.2f} | "
              f"{row['rss_plain']:.0f} | {row['rss_html']:.0f} |")

    print("\nInline elements of the HTML runs' PO (distinct placeholders per msgid; \"whole unit\": an element around "
          "all of its unit's text, the nav and footer links; \"inside\": the others, mid-sentence):\n")
    print("| size | entries with elements | elements | by alignment | by fallback | fallback share | "
          "whole unit: elements / fallback | inside: elements / fallback / share |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        f = po[(size, "html")]
        share = f["fallback"] / f["elements"] if f["elements"] else 0.0
        inside, inside_fallback = f["elements"] - f["whole"], f["fallback"] - f["whole_fallback"]
        print(f"| {size} KB | {f['with_elements']} | {f['elements']} | {f['elements'] - f['fallback']} | {f['fallback']} | "
              f"{share:.0%} | {f['whole']} / {f['whole_fallback']} | {inside} / {inside_fallback} / "
              f"{inside_fallback / inside if inside else 0.0:.0%} |")

    at = min(sizes, key=lambda s: (abs(s - 100), s))
    row = summary[at]
    verdict = "meets" if row["cpu_ratio"] <= TARGET_RATIO else "misses"
    print(f"\n- at {at} KB: html / plain CPU {row['cpu_ratio']:.2f}, wall {row['wall_ratio']:.2f} "
          f"(target ≤ {TARGET_RATIO:.2f}; CPU {verdict} it)")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        growth = summary[large]["rss_html"] / summary[small]["rss_html"]
        growth_plain = summary[large]["rss_plain"] / summary[small]["rss_plain"]
        print(f"- peak RSS, html, {large} KB / {small} KB: {growth:.2f} ({summary[small]['rss_html']:.0f} → "
              f"{summary[large]['rss_html']:.0f} MB; plain {growth_plain:.2f}, {summary[small]['rss_plain']:.0f} → "
              f"{summary[large]['rss_plain']:.0f} MB); html − plain at {large} KB: "
              f"{summary[large]['rss_html'] - summary[large]['rss_plain']:+.0f} MB")
    total = sum(po[(s, "html")]["elements"] for s in sizes)
    fallback = sum(po[(s, "html")]["fallback"] for s in sizes)
    inside = total - sum(po[(s, "html")]["whole"] for s in sizes)
    inside_fallback = fallback - sum(po[(s, "html")]["whole_fallback"] for s in sizes)
    if total:
        print(f"- inline elements, all sizes: {total - fallback} of {total} placed by alignment, {fallback} "
              f"({fallback / total:.0%}) by fallback; of the {inside} inside sentences, {inside - inside_fallback} by "
              f"alignment, {inside_fallback} ({inside_fallback / inside if inside else 0.0:.0%}) by fallback")
    if args.json:
        args.json.write_text(json.dumps({
            "model": str(model), "glossary": args.glossary, "repeat": args.repeat, "seed": args.seed,
            "sizes": {str(s): {"page": {k: v for k, v in vars(pages[s]).items() if k not in ("html", "plain")},
                               "po": {k: po[(s, k)] for k in ("plain", "html")},
                               "runs": {k: [{x: y for x, y in r.items() if x != "stderr"} for r in records[(s, k)]]
                                        for k in ("plain", "html")}} for s in sizes},
        }, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
