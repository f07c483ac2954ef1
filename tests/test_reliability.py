"""Nothing a reviewer saves is lost, nothing is written on bad input, every error is one line.

These run the real `dolmetsch` command (or its library calls) the way a hostile user would.
Interruptions are made deterministic by sending the signal from inside the write phase, never
by timing.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL, msgfmt_or_skip, reviewer_saves
from dolmetsch.cache import user_cache_dir
from dolmetsch.cli import app

BIN = Path(sys.executable).parent
LONG_ARTICLE = EXAMPLE.read_text(encoding="utf-8")  # 52 segments: enough for the progress bar


def run(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def translate_args(source, root):
    return ["translate", source, "--model", TINY_MODEL, "-o", root / "out", "--locales", root / "locales", "--no-glossary", "--beam", "1"]


def po_of(root: Path, stem: str) -> Path:
    return root / "locales" / "en" / "LC_MESSAGES" / f"{stem}.po"


def command(*args, cwd=None, input=None, env_extra=None):
    """The installed console script, as a user runs it."""
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd or ROOT), "XDG_CACHE_HOME": str((cwd or ROOT) / ".cache-test"), **(env_extra or {})}
    return subprocess.run([str(BIN / "dolmetsch"), *map(str, args)], capture_output=True, cwd=cwd, input=input, env=env)


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n\nKim reiste zurück.\n", encoding="utf-8")
    return source


# --- a reviewer's save during the write phase ----------------------------------------------------




EDITS = {
    "Kim besuchte Russland.": "Kim visited Russia (reviewed).",
    "Putin traf Kim.": "Putin met Kim (reviewed).",
    "Kim reiste zurück.": "Kim travelled back (reviewed).",
}


def test_a_reviewers_save_while_the_run_merges_is_kept(tmp_path, article, monkeypatch):
    from dolmetsch.formats.po import GettextCatalog

    assert run(*translate_args(article, tmp_path)).exit_code == 0
    for stamp in Path(user_cache_dir("stamps")).rglob("*.json"):
        stamp.unlink()  # the next run goes the ordinary way: it merges
    po = po_of(tmp_path, "a")
    render = GettextCatalog.render_in
    saves = []

    def render_then_reviewer_saves(self, translated, existing, context):
        text = render(self, translated, existing, context)
        if not saves:  # the reviewer saves once, after the run has merged the old file
            saves.append(True)
            reviewer_saves(po, EDITS)
        return text

    monkeypatch.setattr(GettextCatalog, "render_in", render_then_reviewer_saves)
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    merged = polib.pofile(str(po))
    for msgid, msgstr in EDITS.items():
        entry = merged.find(msgid)
        assert entry.msgstr == msgstr and not entry.fuzzy
    subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(po)], check=True)


def test_a_file_that_keeps_changing_is_not_replaced_and_the_result_goes_beside_it(tmp_path, article, monkeypatch):
    from dolmetsch.formats.po import GettextCatalog

    assert run(*translate_args(article, tmp_path)).exit_code == 0
    for stamp in Path(user_cache_dir("stamps")).rglob("*.json"):
        stamp.unlink()  # the next run goes the ordinary way: it merges
    po = po_of(tmp_path, "a")
    render = GettextCatalog.render_in
    count = iter(range(100))

    def render_while_someone_keeps_saving(self, translated, existing, context):
        text = render(self, translated, existing, context)
        reviewer_saves(po, {"Putin traf Kim.": f"Putin met Kim ({next(count)})."})
        return text

    monkeypatch.setattr(GettextCatalog, "render_in", render_while_someone_keeps_saving)
    before_other = (tmp_path / "out" / "a.en.txt").read_bytes()
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code == 1
    assert "changed while this run was writing it" in result.stderr and "a.po.new" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert polib.pofile(str(po)).find("Putin traf Kim.").msgstr.startswith("Putin met Kim (")
    assert po.with_name("a.po.new").is_file()
    assert (tmp_path / "out" / "a.en.txt").read_bytes() == before_other  # nothing replaced


def test_the_po_is_locked_while_a_run_writes_it(tmp_path, article, monkeypatch):
    """Another process trying the same lock is refused while the run holds it."""
    import fcntl

    from dolmetsch.atomic import write_all_atomic as real_write
    from dolmetsch.output import writer

    held = []

    def write_and_probe(files):
        lock = writer.lock_path(po_of(tmp_path, "a"))
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(True)
        real_write(files)

    monkeypatch.setattr(writer, "write_all_atomic", write_and_probe)
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    assert held == [True]


# --- interruption ----------------------------------------------------------------------------------


INTERRUPT_IN_WRITE_PHASE = textwrap.dedent(
    """
    import os, signal, sys
    import dolmetsch.atomic as atomic
    signal_number = getattr(signal, sys.argv.pop(1))
    stage = atomic._stage
    def stage_then_signal(target, data, staged):
        stage(target, data, staged)
        if len(staged) == 2:  # half way through staging the outputs
            os.kill(os.getpid(), signal_number)
    atomic._stage = stage_then_signal
    from dolmetsch.cli import main
    main()
    """
)


@pytest.mark.parametrize("signal_name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_an_interrupt_in_the_write_phase_leaves_no_temp_file_and_no_mix(tmp_path, article, signal_name, code):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    article.write_text("Kim besuchte Russland.\n\nPutin traf Kim wieder.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != article and not p.name.endswith(".lock")}
    assert len(before) == 6  # text, bitext, markdown, PO, POT, review page
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT_IN_WRITE_PHASE, signal_name, *map(str, translate_args(article, tmp_path))],
        capture_output=True, text=True,
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.strip().splitlines() == [f"dolmetsch: interrupted ({signal_name}); no output was left half written"]
    assert not [p for p in tmp_path.rglob("*.tmp")]
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert len(changed) in (0, len(before)), changed  # every old output, or every new one


def test_an_interrupt_while_translating_writes_nothing(tmp_path, article):
    script = textwrap.dedent(
        """
        import os, signal, sys
        from dolmetsch.engine.engine import Engine
        def interrupted(self, *a, **k):
            os.kill(os.getpid(), signal.SIGINT)
            raise AssertionError("the signal should have stopped the run")
        Engine.translate = interrupted
        from dolmetsch.cli import main
        main()
        """
    )
    done = subprocess.run([sys.executable, "-c", script, *map(str, translate_args(article, tmp_path))], capture_output=True, text=True)
    assert done.returncode == 130, done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


# --- file modes and links --------------------------------------------------------------------------


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path, article):
    previous = os.umask(0o022)
    try:
        assert run(*translate_args(article, tmp_path)).exit_code == 0
        po = po_of(tmp_path, "a")
        assert stat.S_IMODE(po.stat().st_mode) == 0o644
        assert stat.S_IMODE((tmp_path / "out" / "a.en.txt").stat().st_mode) == 0o644
        os.chmod(po, 0o664)
        assert run(*translate_args(article, tmp_path)).exit_code == 0
        assert stat.S_IMODE(po.stat().st_mode) == 0o664
    finally:
        os.umask(previous)


def test_a_read_only_output_is_refused_and_nothing_is_written(tmp_path, article):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    text = tmp_path / "out" / "a.en.txt"
    os.chmod(text, 0o444)
    article.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"dolmetsch: error: {text}: is read-only; refusing to replace it (make it writable, or write elsewhere)"]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_symlinked_output_is_written_through_to_its_target(tmp_path, article):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    shared = tmp_path / "shared" / "a.po"
    shared.parent.mkdir()
    po = po_of(tmp_path, "a")
    po.rename(shared)
    po.symlink_to(shared)
    article.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n\nKim reiste zurück.\n\nEnde.\n", encoding="utf-8")
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    assert po.is_symlink()
    assert polib.pofile(str(shared)).find("Ende.") is not None
    assert not list(po.parent.glob(".*.tmp")) and not list(shared.parent.glob(".*.tmp"))


# --- bad input writes nothing ----------------------------------------------------------------------


def test_a_whitespace_only_source_is_refused(tmp_path):
    source = tmp_path / "blank.txt"
    source.write_text(" \n\t\n\u00a0\u2003\n", encoding="utf-8")
    result = run(*translate_args(source, tmp_path))
    assert result.exit_code == 2 and "only white space" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unwritable_locales_folder_creates_no_output_folder(tmp_path, article):
    result = run("translate", article, "--model", TINY_MODEL, "-o", tmp_path / "out", "--locales", "/proc/dolmetsch-x", "--no-glossary")
    assert result.exit_code == 2 and "/proc/dolmetsch-x" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_another_documents_po_is_refused_naming_both(tmp_path, article):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    other = tmp_path / "other" / "a.txt"  # same stem, different article
    other.parent.mkdir()
    other.write_text(LONG_ARTICLE, encoding="utf-8")
    po = po_of(tmp_path, "a")
    before = po.read_bytes()
    result = run(*translate_args(other, tmp_path))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "belongs to another document" in line and str(other) in line and str(article) in line
    assert "--name" in line and "--locales" in line
    assert po.read_bytes() == before


def test_a_po_in_a_declared_western_charset_is_read(tmp_path, article):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    po = po_of(tmp_path, "a")
    catalog = polib.pofile(str(po))
    catalog.metadata["Content-Type"] = "text/plain; charset=CP1252"
    catalog.find("Kim reiste zurück.").msgstr = "Kim kehrte zurück – reviewed"
    catalog.find("Kim reiste zurück.").flags = []
    po.write_bytes(str(catalog).encode("cp1252"))
    assert "ü".encode("cp1252") in po.read_bytes()
    subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(po)], check=True)
    checked = run("check", po, "--glossary", ROOT / "glossary")
    assert checked.exit_code in (0, 1) and "refusing to overwrite" not in checked.stderr, checked.stderr
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    merged = polib.pofile(str(po))
    assert merged.find("Kim reiste zurück.").msgstr == "Kim kehrte zurück – reviewed"
    assert "charset=UTF-8" in merged.metadata["Content-Type"]


def test_a_source_name_with_spaces_stays_one_reference(tmp_path):
    from dolmetsch.formats.po import source_references

    source = tmp_path / "Bericht über Kim.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    assert run(*translate_args(source, tmp_path)).exit_code == 0
    po = po_of(tmp_path, "Bericht über Kim")
    (entry,) = polib.pofile(str(po))
    assert source_references(entry) == [(str(source), "1")]
    assert f"#: \u2068{source}\u2069:1\n" in po.read_text(encoding="utf-8")  # GNU gettext's convention
    subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(po)], check=True)


def test_tbx_with_an_external_entity_is_refused_in_one_line(tmp_path):
    tbx = tmp_path / "evil.tbx"
    tbx.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE tbx [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
        '<tbx type="TBX-Basic" xml:lang="de"><text><body><conceptEntry id="c1"><langSec xml:lang="de">'
        "<termSec><term>&secret;</term></termSec></langSec></conceptEntry></body></text></tbx>\n",
        encoding="utf-8",
    )
    result = run("glossary", "import", tbx, "-o", tmp_path / "out.tsv")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"dolmetsch: error: {tbx}: refusing XML with entity declarations or external references (EntitiesForbidden)"]
    assert not (tmp_path / "out.tsv").exists()


# --- errors and output streams ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["translate", "--beam", "0", "x.txt"], "--beam: 0 is not in the range 1..32 (see 'dolmetsch translate --help')"),
        (["translate", "--beam", "abc", "x.txt"], "--beam: 'abc' is not a whole number (see 'dolmetsch translate --help')"),
        (["translate", "--threads", "-1", "x.txt"], "--threads: -1 is less than 0 (see 'dolmetsch translate --help')"),
        (["translate", "--bogus", "x.txt"], "no such option: --bogus"),
        (["frobnicate"], "no such command 'frobnicate' (see 'dolmetsch --help')"),
        ([], "give a command: translate, build, check, serve, models, glossary, xliff (see 'dolmetsch --help')"),
        (["translate"], "missing argument 'SOURCE...' (see 'dolmetsch translate --help')"),
        (["glossary"], "missing command (see 'dolmetsch glossary --help')"),
        (["models"], "missing command (see 'dolmetsch models --help')"),
        (["models", "install", "English", "de"], "English: not a language code: two or three lowercase letters"),
    ],
)
def test_every_usage_error_is_one_line_with_exit_2(tmp_path, args, message):
    done = command(*args, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dolmetsch: error: ") and message in lines[0], lines
    assert done.stdout == b""


def test_stdout_carries_exactly_the_english(tmp_path):
    """Progress bars and summaries go to stderr, even for articles long enough to show a bar."""
    done = command("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-o", tmp_path / "out",
                   cwd=tmp_path, input=LONG_ARTICLE.encode("utf-8"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (tmp_path / "out" / "stdin.en.txt").read_bytes()
    assert b"segments" in done.stderr


def test_check_loads_neither_the_sentence_splitter_nor_the_model(tmp_path):
    po = tmp_path / "a.po"
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalog.append(polib.POEntry(msgid="Kim reiste nach Pjöngjang.", msgstr="Kim went to Pyongyang."))
    catalog.save(str(po))
    code = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from dolmetsch.cli import app
        result = CliRunner().invoke(app, ["check", {str(po)!r}, "--glossary", {str(ROOT / "glossary")!r}])
        assert result.exit_code == 0, result.output
        print(sorted(m for m in sys.modules if m.split('.')[0] in ("somajo", "ctranslate2", "sentencepiece", "argostranslate")))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
