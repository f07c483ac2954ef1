"""Names, output targets, standard output, terminal markup, Markdown escaping and package metadata.

Every refusal is one line and exit code 2, made before any source is read or model loaded (the
loaders are replaced by ones that fail the test when called). Also pins documented limits that
nothing else would notice breaking: the control-character share of binary detection, the 50 MB
bound on standard input, an archive member larger than it declares, TBX export's validation and
the glossary matcher's all-caps rule.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.errors import InputError

BIN = Path(sys.executable).parent
ARTICLE = "Treffen in Russland\n\nKim besuchte Russland.\n\nPutin traf Kim.\n"


def run(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def command(*args, cwd: Path, stdin=None, stdout=None):
    """The installed console script with its own file descriptors, as a shell runs it."""
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / ".cache"), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return subprocess.run([str(BIN / "dolmetsch"), *map(str, args)], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, env=env, timeout=300)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dolmetsch: error: ")
    return lines[0]


@pytest.fixture
def nothing_runs(monkeypatch):
    """Any source read, model lookup or engine load fails the test: a refusal must come first."""
    import dolmetsch.api as api

    def forbidden(*args, **kwargs):
        raise AssertionError("reached work that a refusal must prevent")

    for name in ("read_document", "read_source_bytes", "find_package", "start_engine", "load_engine"):
        monkeypatch.setattr(api, name, forbidden)


# --- standard output -----------------------------------------------------------------------------


def test_stdout_on_a_full_disk_is_an_error_in_one_line(tmp_path):
    with open(EXAMPLE, "rb") as source, open("/dev/full", "wb") as full:
        done = command("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--beam", "1", cwd=tmp_path, stdin=source, stdout=full)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().splitlines() == ["dolmetsch: error: <stdout>: cannot write the English (No space left on device)"]


def test_stdout_to_a_closed_pipe_ends_quietly_with_the_sigpipe_status(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte, as with `| head -c0`
    try:
        with open(EXAMPLE, "rb") as source:
            done = command("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-q", cwd=tmp_path, stdin=source, stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 128 + 13
    assert done.stderr == b""


def test_stdout_still_carries_the_whole_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--quiet", input=ARTICLE)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n\n") == 2


# --- names and targets ----------------------------------------------------------------------------


def translate_args(source, root: Path, *extra):
    return ["translate", source, "--model", TINY_MODEL, "-o", root / "out", "--locales", root / "locales", "--no-glossary", *extra]


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return source


@pytest.mark.parametrize(
    "name, problem",
    [
        ("two\nlines", "control character '\\n'"),
        ("tab\there", "control character '\\t'"),
        ("", "is empty"),
        ("x" * 250, "bytes long"),
        ("ä" * 120, "bytes long"),  # 240 bytes in UTF-8
        ("..", "plain file name"),
        ("sub/dir", "plain file name"),
    ],
)
def test_bad_name_is_refused_before_any_work(tmp_path, article, nothing_runs, name, problem):
    result = run(*translate_args(article, tmp_path, "--name", name))
    assert result.exit_code == 2, result.output
    assert problem in one_error_line(result)
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


def test_bad_name_from_standard_input_is_refused_before_reading_it(tmp_path, nothing_runs):
    result = run("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--name", "a\nb", input=ARTICLE)
    assert result.exit_code == 2 and "control character" in one_error_line(result)
    assert result.stdout == ""


def test_build_refuses_a_bad_name_too(tmp_path, article, nothing_runs):
    result = run("build", article, "-o", tmp_path / "out", "--locales", tmp_path / "locales", "--name", "")
    assert result.exit_code == 2 and "is empty" in one_error_line(result)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "file_name, problem",
    [
        ("two\nlines.txt", "control character '\\n'"),
        ("carriage\rreturn.txt", "control character '\\r'"),
        ("y" * 240 + ".txt", "bytes long"),
    ],
)
def test_a_source_whose_name_cannot_name_the_outputs_is_refused(tmp_path, nothing_runs, file_name, problem):
    source = tmp_path / file_name
    source.write_text(ARTICLE, encoding="utf-8")
    result = run(*translate_args(source, tmp_path))
    assert result.exit_code == 2
    assert problem in one_error_line(result)
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


def test_in_a_batch_a_badly_named_source_is_set_aside(tmp_path, article):
    bad = tmp_path / "b\nc.txt"
    bad.write_text(ARTICLE, encoding="utf-8")
    result = run(*translate_args(article, tmp_path, "-q"), bad)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "error" in line] == [
        f"dolmetsch: error: {str(bad)!r}: the file name contains the control character '\\n', which cannot be written into PO references; rename the file"
    ]
    assert (tmp_path / "out" / "a.en.txt").exists()
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("b")] == []


def test_the_longest_name_allowed_writes_every_output(tmp_path, article):
    from dolmetsch.api import longest_suffix
    from dolmetsch.targets import NAME_MAX, STAGING_EXTRA

    name = "n" * (NAME_MAX - len(longest_suffix()) - STAGING_EXTRA)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\tkind\tnote\tstatus\nKim\tKim\tname\t\tapproved\n", encoding="utf-8")
    args = translate_args(article, tmp_path, "--name", name, "-q")
    args.remove("--no-glossary")
    result = run(*args, "--glossary", glossary)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / f"{name}.glossary.json").exists()
    assert (tmp_path / "locales" / "en" / "LC_MESSAGES" / f"{name}.po").exists()


@pytest.mark.parametrize("kind", ["folder", "read-only file", "file in a file"])
def test_bad_report_target_is_refused_before_any_work(tmp_path, article, nothing_runs, kind):
    report = tmp_path / "report.json"
    if kind == "folder":
        report.mkdir()
    elif kind == "read-only file":
        report.write_text("{}")
        report.chmod(stat.S_IRUSR)
    else:
        (tmp_path / "blocker").write_text("x")
        report = tmp_path / "blocker" / "report.json"
    result = run(*translate_args(article, tmp_path, "--report", report))
    assert result.exit_code == 2
    assert str(report.parent if kind == "file in a file" else report) in one_error_line(result)
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


def test_report_from_standard_input_is_checked_before_reading_it(tmp_path, nothing_runs):
    result = run("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--report", tmp_path, input=ARTICLE)
    assert result.exit_code == 2 and "is a folder" in one_error_line(result)


# --- terminal markup ------------------------------------------------------------------------------


def test_glossary_rendering_with_markup_is_printed_as_text(tmp_path, article):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\tkind\tnote\tstatus\nPutin\t[/bold] Putin\tname\t\tapproved\n", encoding="utf-8")
    args = translate_args(article, tmp_path)
    args.remove("--no-glossary")
    result = run(*args, "--glossary", glossary)
    assert result.exit_code == 0, result.output
    assert "[/bold] Putin" in result.stderr


def test_output_folder_with_markup_is_printed_as_text(tmp_path, article):
    out = tmp_path / "x[/b]"
    result = run("translate", article, "--model", TINY_MODEL, "-o", out, "--locales", tmp_path / "l[bold]", "--no-glossary")
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'a.en.txt'}" in result.stderr
    assert str(tmp_path / "l[bold]") in result.stderr


def test_package_named_with_markup_is_listed_as_text(isolated_argos):
    folder = isolated_argos / "packages" / "markup"
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "model.bin").write_bytes(b"x")
    (folder / "sentencepiece.model").write_bytes(b"x")
    (folder / "metadata.json").write_text(json.dumps({"from_code": "de", "to_code": "en", "name": "[/b]evil[red]", "package_version": "1.0"}))
    result = run("models", "list")
    assert result.exit_code == 0, result.output
    assert "[/b]evil[red]" in result.stdout


# --- the side-by-side Markdown --------------------------------------------------------------------

HOSTILE_SOURCE = "Treffen in Russland\n\nKim <script>alert(1)</script> besuchte Russland.\n\nPutin <img src=x onerror=alert(2)> traf [Kim](javascript:alert(3)).\n"
HOSTILE_REVIEW = "<script>alert(4)</script> <img src=x onerror=alert(5)> ![x](javascript:alert(6))"


def rendered_html(markdown: str) -> str:
    """The Markdown as a viewer that allows inline HTML renders it (markdown-it-py, else Python-Markdown)."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        try:
            import markdown
        except ImportError:
            return markdown_text_without_html(markdown)
        return markdown.markdown(markdown, extensions=["tables"])
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def markdown_text_without_html(markdown: str) -> str:
    """Without a renderer: the text itself must hold no tag and no link syntax."""
    assert "<" not in markdown and "](" not in markdown.replace("\\](", "")
    return markdown


def assert_inert(markdown: str) -> None:
    html = rendered_html(markdown).lower()
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "alert(1)" in html and "onerror=alert(2)" in html  # shown as text, not dropped


def test_side_by_side_shows_html_from_source_and_reviewer_as_text(tmp_path):
    source = tmp_path / "s.txt"
    source.write_text(HOSTILE_SOURCE, encoding="utf-8")
    result = run(*translate_args(source, tmp_path))
    assert result.exit_code == 0, result.output
    assert_inert((tmp_path / "out" / "s.de-en.md").read_text(encoding="utf-8"))

    po_path = tmp_path / "locales" / "en" / "LC_MESSAGES" / "s.po"
    catalog = polib.pofile(str(po_path))
    for entry in catalog:
        entry.msgstr = HOSTILE_REVIEW
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalog.save()
    result = run("build", source, "-o", tmp_path / "out", "--locales", tmp_path / "locales", "--no-glossary")
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "out" / "s.de-en.md").read_text(encoding="utf-8")
    assert HOSTILE_REVIEW not in markdown
    assert_inert(markdown)
    assert "alert(4)" in rendered_html(markdown)


def test_markdown_escaping_renders_back_to_the_same_text():
    from dolmetsch.formats.markdown import code_span, escape_inline

    text = "a*b* _c_ `d` [e](f) ![g](h) <i> & j|k ~~l~~ \\m"
    html = rendered_html(f"| x |\n|---|\n| {escape_inline(text)} |\n\n{code_span('p`q')}")
    assert "a*b* _c_ `d` [e](f) ![g](h) &lt;i&gt; &amp; j|k ~~l~~ \\m" in html
    assert "<code>p`q</code>" in html


# --- package metadata -----------------------------------------------------------------------------

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000  # 200 KB: under the size cap, far over Python's recursion limit


def with_metadata(tmp_path: Path, metadata: bytes) -> Path:
    target = tmp_path / "deep.argosmodel"
    with zipfile.ZipFile(TINY_MODEL) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            copy.writestr(info, metadata if info.filename.endswith("/metadata.json") else data)
    return target


def test_deeply_nested_metadata_is_refused_in_one_line(tmp_path, article):
    package = with_metadata(tmp_path, DEEP_JSON)
    result = run(*translate_args(article, tmp_path, "--model", package))
    assert result.exit_code == 2
    assert "metadata.json is nested too deeply" in one_error_line(result)
    result = run("models", "install", package)
    assert result.exit_code == 2
    assert "metadata.json is nested too deeply" in one_error_line(result)


def test_deeply_nested_metadata_of_a_package_folder_is_refused_in_one_line(tmp_path, article, tiny_package_dir, isolated_argos):
    import shutil

    folder = tmp_path / "package"
    shutil.copytree(tiny_package_dir, folder)
    (folder / "metadata.json").write_bytes(DEEP_JSON)
    result = run(*translate_args(article, tmp_path, "--model", folder))
    assert result.exit_code == 2
    assert one_error_line(result) == f"dolmetsch: error: {folder / 'metadata.json'}: metadata.json is nested too deeply to be package metadata"
    shutil.copytree(folder, isolated_argos / "packages" / "deep")
    result = run("models", "list")
    assert result.exit_code == 0 and "No Argos packages installed" in result.stdout


# --- documented limits that nothing else would notice breaking ------------------------------------


def test_text_with_a_share_of_control_characters_is_binary():
    from dolmetsch.document.reading import decode_text

    sentence = "Kim besuchte Russland. "
    with pytest.raises(InputError, match="control characters"):
        decode_text((sentence * 4 + "\x01\x02\x1b").encode(), "a.txt")  # 3 in 95 characters
    text, _ = decode_text((sentence * 20 + "\x1b").encode(), "a.txt")  # 1 in 461: a stray escape is fine
    assert text.endswith("\x1b")
    text, _ = decode_text(("Spalte\tSpalte\f\n" * 20).encode(), "a.txt")  # tabs and form feeds are text
    assert "\t" in text


def test_standard_input_is_bounded_at_50_mb(tmp_path, monkeypatch):
    import dolmetsch.api as api
    from dolmetsch.document import reading

    monkeypatch.setattr(api, "find_package", lambda *a, **k: pytest.fail("read past the bound"))
    assert reading.MAX_SOURCE_BYTES == 50 * 1024 * 1024
    result = run("translate", "-", "--no-glossary", input=b"\0" * (reading.MAX_SOURCE_BYTES + 1))
    assert result.exit_code == 2
    assert one_error_line(result) == "dolmetsch: error: <stdin>: larger than 50 MB"


def test_archive_member_larger_than_it_declares_is_refused(tmp_path, monkeypatch):
    from dolmetsch.models.archive import unpack_archive

    real_open = zipfile.ZipFile.open

    def open_with_more(self, member, *args, **kwargs):
        stream = real_open(self, member, *args, **kwargs)
        name = member.filename if isinstance(member, zipfile.ZipInfo) else member
        if name.endswith("model/model.bin"):  # a reader that yields more than the directory declares
            return io.BytesIO(stream.read() + b"smuggled")
        return stream

    monkeypatch.setattr(zipfile.ZipFile, "open", open_with_more)
    with pytest.raises(InputError, match="model/model.bin' is larger than it declares"):
        unpack_archive(TINY_MODEL, tmp_path / "unpacked")


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"kind": "place"}, "unknown kind 'place'"),
        ({"status": "maybe"}, "unknown status 'maybe'"),
        ({"match": "fuzzy"}, "unknown match 'fuzzy'"),
        ({"en": " "}, "empty de, en or forbidden variant"),
        ({"forbidden": ("Kreml", "")}, "empty de, en or forbidden variant"),
    ],
)
def test_tbx_export_refuses_values_tbx_basic_cannot_carry(changes, problem):
    from dolmetsch.glossary.model import Entry, Glossary
    from dolmetsch.glossary.tbx import to_tbx

    fields = {"de": "Kreml", "en": "Kremlin", "kind": "name", "status": "approved", "forbidden": (), "match": "lemma", **changes}
    entry = Entry(**fields, source=Path("g.tsv"), line=3)
    with pytest.raises(InputError) as caught:
        to_tbx(Glossary((entry,)))
    assert str(caught.value).startswith(f"g.tsv:3: {problem}")


def test_a_lower_case_entry_matches_its_word_written_in_capitals():
    from dolmetsch.glossary.matcher import GlossaryMatcher
    from dolmetsch.glossary.model import Entry, Glossary

    matcher = GlossaryMatcher(Glossary((Entry("nordkoreanisch", "North Korean", "term"),)))
    assert [m.text for m in matcher.match("Die Zeitung meldete NORDKOREANISCH Neues.")] == ["NORDKOREANISCH"]
    assert [m.text for m in matcher.match("Die Zeitung meldete Nordkoreanisch Neues.")] == []
    assert [m.text for m in matcher.match("Nordkoreanisch war die Delegation.")] == ["Nordkoreanisch"]


def test_a_download_named_with_markup_shows_as_text():
    """The transfer bar prints a package's name as it is, never as rich markup."""
    import io

    from rich.console import Console

    from dolmetsch.models.progress import RichProgress

    stream = io.StringIO()
    progress = RichProgress(Console(file=stream, force_terminal=True, width=120))
    with progress.transfer("[/b]evil[red] package", 10) as advance:
        advance(10)
    assert "[/b]evil[red] package" in stream.getvalue()
