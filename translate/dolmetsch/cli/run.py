"""`dolmetsch translate`: the main job, an article in, English + bitext + PO out."""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.atomic import write_text_atomic
from dolmetsch.cli.common import check_summary, fail, reported_errors


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


class Quotes(str, Enum):
    typographic = "typographic"
    ascii = "ascii"


PROGRESS_MIN_SEGMENTS = 40


def translate_command(
    sources: list[str] = typer.Argument(..., help="German articles: text (.txt, or no suffix), HTML (.html, .htm), Markdown (.md, .markdown), Word (.docx) or OpenDocument (.odt) files, folders of them, or - for standard input (text).", metavar="SOURCE..."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for the English (S.en.txt, .html, .md, .docx or .odt, as the source), S.de-en.tsv, S.de-en.md, S.review.html and S.glossary.json [default: out]."),
    locales: Optional[Path] = typer.Option(None, "--locales", help="gettext tree for S.pot and en/LC_MESSAGES/S.po [default: locales]."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="An .argosmodel file or an unpacked package folder [default: the installed de→en package]."),
    offline: bool = typer.Option(False, "--offline", help="Never contact the package index."),
    name: Optional[str] = typer.Option(None, "--name", help="Output stem [default: the source file name without extension; 'stdin' for -]."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary file (TSV or TBX) or folder of TSV files (repeatable) [default: ./glossary/ when it exists]."),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Translate without any glossary."),
    beam: int = typer.Option(4, "--beam", min=1, max=32, help="Beam size (1 = greedy); 4 is Argos Translate's own."),
    length_penalty: float = typer.Option(0.2, "--length-penalty", min=0.0, help="Beam scores are log-probability / length**PENALTY; 0.2 is Argos Translate's own, 1.0 CTranslate2's default."),
    replace_unknowns: bool = typer.Option(True, "--replace-unknowns/--keep-unknowns", help="Replace an unknown piece the model emits with the source piece it attends to most (as Argos does), or keep SentencePiece's ⁇."),
    device: Device = typer.Option(Device.cpu, "--device", help="Where to decode."),
    threads: int = typer.Option(0, "--threads", min=0, help="CPU threads for one batch at a time (0 = automatic: one batch per core, at most 4, one thread each)."),
    compute_type: str = typer.Option("default", "--compute-type", help="CTranslate2 compute type: default, int8, int8_float32, float32, float16, …"),
    retranslate: bool = typer.Option(False, "--retranslate", help="Decode every sentence, also those the PO already holds a reviewed translation or current draft for (reviewed translations are still kept)."),
    memory: Optional[list[Path]] = typer.Option(None, "--tm", help="A TMX translation memory to fill sentences from (repeatable); reviewed entries of every PO under --locales count too."),
    trust_memory: bool = typer.Option(False, "--trust-memory", help="Take exact memory matches as reviewed (not fuzzy)."),
    quotes: Quotes = typer.Option(Quotes.typographic, "--quotes", help="Quotation marks the post-edit writes for German „…“ left in the machine output."),
    no_post_edit: bool = typer.Option(False, "--no-post-edit", help="Leave German conventions (quotes, 1.500, 3,5, 13. September) in the machine output as they are."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Decode on this many local engine processes (for batches)."),
    ray: bool = typer.Option(False, "--ray", help="Decode on Ray actors: a local Ray instance, or the cluster given by --ray-address."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="A Ray cluster, e.g. ray://HOST:10001 (implies --ray)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the per-document summary table as JSON here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
) -> None:
    """Translate German articles into English, sentence by sentence, keeping their blocks.

    Writes the English in the source's format (OUT/S.en.txt, .html, .md, .docx or .odt: an HTML,
    Markdown, Word or OpenDocument source keeps everything but its translated text, inline markup
    and formatting carried to the English words), OUT/S.de-en.tsv, OUT/S.de-en.md, OUT/S.review.html (and OUT/S.glossary.json with a
    glossary), LOCALES/S.pot and LOCALES/en/LC_MESSAGES/S.po for each SOURCE. Several sources
    (or folders) load the model once and decode all their sentences in one pass; a bad document is
    reported and skipped, and the run exits 1 at the end. A document whose outputs are as the last
    run left them is not written again. With SOURCE '-', the English goes to standard output, the
    text outputs only with -o and the PO only with --locales.
    """
    # the pipeline loads on use, so --help stays instant (see the module docstring of dolmetsch.cli)
    from dolmetsch.api import check_output_file, translate_files
    from dolmetsch.sources import expand_sources
    from dolmetsch.engine.engine import DecodingOptions
    from dolmetsch.options import RunOptions

    options = RunOptions(
        model=model, offline=offline, glossary=glossary or None, no_glossary=no_glossary,
        decoding=DecodingOptions(beam_size=beam, length_penalty=length_penalty, replace_unknowns=replace_unknowns),
        device=device.value, threads=threads, compute_type=compute_type, quotes=None if no_post_edit else quotes.value,
        retranslate=retranslate, memory_files=tuple(memory or ()), trust_memory=trust_memory,
        workers=workers, ray=ray or ray_address is not None, ray_address=ray_address,
    )
    if sources != ["-"]:
        out, locales = out or Path("out"), locales or Path("locales")
    with reported_errors(), _ProgressBar(quiet) as progress:
        if report is not None:
            check_output_file(report, "--report")
        expanded = expand_sources(sources)
        if name is not None and len(expanded) > 1:
            raise fail("--name: names the outputs of one source only")
        translator, results, failures = translate_files(
            expanded, out_dir=out, locales_dir=locales, name=name, options=options, keep_going=len(expanded) > 1, on_load=progress.start
        )
    _finish(translator, results, failures, stdout=sources == ["-"], report=report, quiet=quiet)


def _finish(translator, results, failures, *, stdout: bool, report: Path | None, quiet: bool) -> None:
    """Everything after the run: failures, the English on standard output, the JSON report, the summary."""
    from dolmetsch.formats.text import render_text  # at import it would slow `--help` (loaded by the run already)

    for failure in failures:
        sys.stderr.write(f"dolmetsch: error: {failure.error}\n")
    if stdout:
        write_stdout(render_text(results[0].translated))
    if report is not None:
        with reported_errors():
            write_text_atomic(report, json.dumps(summary_rows(results, failures), ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        _report(translator, results, failures)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)


EXIT_SOME_FAILED = 1
WIDTH_WHEN_PIPED = 200
EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a filter killed by SIGPIPE (`dolmetsch translate - | head`)."""


def write_stdout(text: str) -> None:
    """Write all of `text` to standard output or fail in one line: a full disk is an error, not a short file.

    Written straight to the file descriptor, checking every write: Python's buffered stdout can
    drop the rest of a large write after a partial one without raising. A reader that went away
    (EPIPE) ends the run quietly with the shell's SIGPIPE status, as `cat` would.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor (captured in tests)
        fd = None
    try:
        if fd is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        sys.stdout.flush()
        view = memoryview(text.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"))
        while view:
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            view = view[written:]
    except BrokenPipeError:
        if fd is not None:  # Python flushes stdout at exit; a closed pipe must not fail a second time there
            os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except OSError as exc:
        raise fail(f"<stdout>: cannot write the English ({exc.strerror or exc})") from None


def summary_rows(results, failures) -> list[dict]:
    """One row per document: what `--report` writes and the batch table shows."""
    rows = []
    for result in results:
        summary, stats = result.summary, result.summary.stats
        rows.append({
            "document": result.source,
            "segments": stats.segments,
            "decoded": stats.decoded,
            "words": stats.words,
            "seconds": round(stats.seconds, 3),
            "words_per_second": round(stats.words_per_second, 1),
            "glossary_missing": summary.glossary_missing,
            "reviewed": summary.reviewed,
            "fuzzy": summary.fuzzy,
            "error": None,
        })
    rows += [{"document": f.source, "error": f.error.problem} for f in failures]
    return rows


class _ProgressBar:
    """A bar on stderr for long articles, shown from when the model is loaded until the end."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None

    def start(self, translator, documents) -> "Callable[[int], None] | None":
        total = sum(len(d.segments()) for d in documents)
        if self.quiet or total < PROGRESS_MIN_SEGMENTS:
            return None
        # rich's progress bar loads only when one is shown
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)  # stdout carries the English only
        if not console.is_terminal:
            return None  # in a log a bar is noise (rich leaves an empty line behind)
        self.bar = Progress(
            TextColumn("translating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("translate", total=total)
        return lambda n: self.bar.advance(task, n)

    def __enter__(self) -> "_ProgressBar":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(translator, results, failures) -> None:
    """The glossary table, the files written and a summary per document (a table for a batch), on stderr."""
    from rich.console import Console  # loads only when there is something to print

    # user text (names, paths, glossary terms) is printed as it is, never read as rich markup or emoji codes
    console = Console(stderr=True, highlight=False, markup=False, emoji=False)
    if not console.is_terminal:
        console.width = WIDTH_WHEN_PIPED  # logs keep whole paths and table rows
    single = len(results) + len(failures) == 1
    for result in results:
        _report_document(console, translator, result, single=single)
    if translator.glossary is not None:
        names = ", ".join(str(p) for p in translator.glossary_paths)
        console.print(f"glossary: {names} ({len(translator.glossary)} approved entries)")
    if not single:
        console.print(_batch_table(summary_rows(results, failures)))


def _report_document(console, translator, result, *, single: bool) -> None:
    """What a run says of one document: its glossary table and summary when it is the only one, its files."""
    # at import these would slow `--help`; the run has loaded them already
    from dolmetsch.api import keep_checks
    from dolmetsch.formats.glossary_report import render_table

    if result.up_to_date:
        console.print(f"{result.name}: up to date, nothing written")
    elif translator.glossary is not None and single:
        console.print(render_table(result.translated))
    for path in result.written:
        console.print(f"wrote {path}")
    if not single:
        return
    console.print(f"{result.name}: {result.summary.stats.summary()}")
    catalogue = next((p for p in result.outputs if p.suffix in (".po", ".tsv")), None)
    if catalogue is not None:
        line = result.checks or check_summary(catalogue, translator.glossary)
        keep_checks(result, line)
        console.print(f"checks: {line}")


def _batch_table(rows: list[dict]):
    from rich.table import Table  # only a batch prints one

    columns = ("document", "segments", "decoded", "words", "seconds", "words_per_second", "glossary_missing", "fuzzy", "reviewed")
    table = Table(title="documents", title_justify="left", show_edge=False)
    for column in columns:
        table.add_column(column.replace("_", " "), justify="left" if column == "document" else "right")
    for row in rows:
        if row.get("error"):
            table.add_row(row["document"], *["–"] * (len(columns) - 2), "failed", style="bold red")
        else:
            table.add_row(*(str(row[c]) for c in columns))
    return table


def register(app: typer.Typer) -> None:
    app.command("translate")(translate_command)
