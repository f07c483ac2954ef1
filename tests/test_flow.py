"""The flow of a run: one options record, sources by suffix, and up-to-date documents left alone."""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL
from dolmetsch import api, stamps
from dolmetsch.cli import app
from dolmetsch.engine.engine import DecodingOptions, Engine
from dolmetsch.output.writer import OutputPlan
from dolmetsch.options import RunOptions

ARTICLE = "Treffen in Russland\n\nKim besuchte Russland. Putin traf Kim.\n"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def translate(source: Path, root: Path, *extra):
    return run("translate", source, "--model", TINY_MODEL, "--no-glossary", "--beam", "1", "-o", root / "out", "--locales", root / "locales", *extra)


def files(root: Path) -> dict[str, bytes]:
    """Every output's bytes (lock files aside): what must not change between the runs compared."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return source


@pytest.fixture
def settled(tmp_path, article) -> Path:
    """Translated, then run again: the second run took every sentence from the catalogue, so its outputs are final."""
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    assert translate(article, root, "-q").exit_code == 0
    return root


@pytest.fixture
def nothing_rendered(monkeypatch):
    """Any catalogue parse, rendering or model load fails the test: an up-to-date document needs none."""

    def forbidden(*args, **kwargs):
        raise AssertionError("an up-to-date document was read, rendered or decoded")

    monkeypatch.setattr(polib, "pofile", forbidden)
    monkeypatch.setattr(OutputPlan, "write", forbidden)
    monkeypatch.setattr(Engine, "load", classmethod(forbidden))


# --- the options record ------------------------------------------------------------------------


def test_the_hub_takes_a_handful_of_parameters():
    assert len(inspect.signature(api.translate_files).parameters) <= 8
    assert len(inspect.signature(api.build_files).parameters) <= 8


def test_the_command_lines_decoding_options_reach_the_engine_as_given(tmp_path, article, monkeypatch):
    seen = []
    load = Engine.load.__func__
    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, package, **kw: seen.append(kw) or load(cls, package, **kw)))
    result = run("translate", article, "--model", TINY_MODEL, "--no-glossary", "-q", "-o", tmp_path / "o", "--locales", tmp_path / "l",
                 "--beam", "2", "--length-penalty", "0.5", "--keep-unknowns", "--threads", "1", "--compute-type", "float32")
    assert result.exit_code == 0, result.output
    [options] = seen
    assert options["options"] == DecodingOptions(beam_size=2, length_penalty=0.5, replace_unknowns=False)
    assert (options["threads"], options["compute_type"], options["device"]) == (1, "float32", "cpu")


def test_options_are_one_picklable_record_for_the_workers():
    import pickle

    options = RunOptions(glossary=["g.tsv"], memory_files=["m.tmx"], decoding=DecodingOptions(beam_size=3), workers=2)
    assert pickle.loads(pickle.dumps(options)) == options
    assert options.glossary == (Path("g.tsv"),) and options.memory_files == (Path("m.tmx"),)
    assert RunOptions(quotes="ascii").output_digest() != RunOptions().output_digest()
    assert RunOptions(workers=4, threads=2).output_digest() == RunOptions().output_digest()  # how fast, not what


# --- sources by suffix ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".doc", ".pdf"])
def test_a_source_of_an_unregistered_suffix_is_refused_in_one_line(tmp_path, suffix):
    source = tmp_path / f"page{suffix}"
    source.write_text("<p>Kim besuchte Russland.</p>\n", encoding="utf-8")
    result = translate(source, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"dolmetsch: error: {source}: cannot read {suffix} files; dolmetsch reads .txt, .html, .htm, .md, .markdown, .docx, .odt (or a file without a suffix, as text)"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "locales").exists()


def test_a_source_without_a_suffix_is_read_as_text(tmp_path):
    source = tmp_path / "MELDUNG"
    source.write_text(ARTICLE, encoding="utf-8")
    assert translate(source, tmp_path, "-q").exit_code == 0
    assert (tmp_path / "out" / "MELDUNG.en.txt").is_file()


def test_a_folder_expands_to_the_registered_suffixes_only(tmp_path):
    from dolmetsch.sources import expand_sources

    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "notes.doc").write_bytes(b"PK")
    (tmp_path / "c.MD").write_text("# x", encoding="utf-8")
    expected = ["a.txt", "b.txt", "c.MD", "page.html"]
    assert expand_sources([str(tmp_path)]) == [str(tmp_path / name) for name in expected]


# --- up-to-date documents --------------------------------------------------------------------------


def test_the_run_that_decoded_keeps_a_stamp_so_the_first_rerun_is_skipped(tmp_path, article, monkeypatch):
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    first = files(root)
    assert "\tmachine" in first["out/a.de-en.tsv"].decode("utf-8")
    with monkeypatch.context() as forbid:
        forbid.setattr(polib, "pofile", lambda *a, **k: pytest.fail("an up-to-date document was parsed"))
        forbid.setattr(OutputPlan, "write", lambda *a, **k: pytest.fail("an up-to-date document was written"))
        result = translate(article, root)
    assert result.exit_code == 0 and "a: up to date, nothing written" in result.stderr
    assert files(root) == first


def test_an_unchanged_rerun_reads_renders_and_writes_nothing(settled, article, nothing_rendered):
    before = files(settled)
    result = translate(article, settled, "--report", settled.parent / "report.json")
    assert result.exit_code == 0, result.output
    assert "a: up to date, nothing written" in result.stderr and "wrote" not in result.stderr
    assert "checks: " in result.stderr  # kept from the run that printed it
    assert files(settled) == before
    [row] = json.loads((settled.parent / "report.json").read_text(encoding="utf-8"))
    assert (row["segments"], row["decoded"], row["fuzzy"]) == (3, 0, 3)


@pytest.mark.parametrize("stamp_state", ["warm", "cold", "damaged", "truncated"])
def test_a_warm_cold_or_damaged_stamp_leaves_the_same_bytes(settled, article, stamp_state):
    before = files(settled)
    [stamp] = list((Path(stamps.user_cache_dir("stamps"))).rglob("*.json"))
    if stamp_state == "cold":
        stamp.unlink()
    elif stamp_state == "damaged":
        stamp.write_text("{not json", encoding="utf-8")
    elif stamp_state == "truncated":
        record = json.loads(stamp.read_text(encoding="utf-8"))
        record["outputs"] = dict(list(record["outputs"].items())[1:])  # one output unaccounted for
        stamp.write_text(json.dumps(record), encoding="utf-8")
    result = translate(article, settled)
    assert result.exit_code == 0, result.output
    assert ("up to date" in result.stderr) == (stamp_state == "warm")
    assert files(settled) == before


def test_a_reviewers_edit_after_the_run_is_merged_not_skipped(settled, article):
    po = settled / "locales" / "en" / "LC_MESSAGES" / "a.po"
    catalog = polib.pofile(str(po))
    entry = catalog.find("Putin traf Kim.")
    entry.msgstr, entry.flags = "Putin met Kim (reviewed).", []
    catalog.save(str(po))
    result = translate(article, settled)
    assert result.exit_code == 0 and "up to date" not in result.stderr
    assert "Putin met Kim (reviewed)." in (settled / "out" / "a.en.txt").read_text(encoding="utf-8")


def test_a_deleted_output_is_written_again(settled, article):
    before = files(settled)
    (settled / "out" / "a.review.html").unlink()
    (settled / "out" / "a.de-en.tsv").write_text("edited by hand\n", encoding="utf-8")
    assert translate(article, settled, "-q").exit_code == 0
    assert files(settled) == before


@pytest.mark.parametrize("change", ["source", "options", "retranslate"])
def test_a_changed_source_or_options_take_the_ordinary_way(settled, article, change, monkeypatch):
    rendered = []
    write = OutputPlan.write
    monkeypatch.setattr(OutputPlan, "write", lambda self, t: rendered.append(t) or write(self, t))
    extra = {"options": ["--quotes", "ascii"], "retranslate": ["--retranslate"]}.get(change, [])
    if change == "source":
        article.write_text(ARTICLE + "\nNeu ist dieser Satz.\n", encoding="utf-8")
    assert translate(article, settled, "-q", *extra).exit_code == 0
    assert len(rendered) == 1


def test_another_model_takes_the_ordinary_way(settled, article, monkeypatch, tiny_package_dir, tmp_path):
    other = tmp_path / "other-model"
    shutil.copytree(tiny_package_dir, other)
    metadata = json.loads((other / "metadata.json").read_text(encoding="utf-8"))
    metadata["name"] = "another model"
    (other / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    from dolmetsch.models.package import ArgosPackage

    assert ArgosPackage.from_dir(other).name != ArgosPackage.from_dir(tiny_package_dir).name
    result = run("translate", article, "--model", other, "--no-glossary", "--beam", "1", "-o", settled / "out", "--locales", settled / "locales")
    assert result.exit_code == 0, result.output
    assert "up to date" not in result.stderr


def test_standard_input_is_never_skipped(settled):
    source = EXAMPLE.read_bytes()
    result = CliRunner().invoke(app, ["translate", "-", "--model", str(TINY_MODEL), "--no-glossary", "--beam", "1", "-q"], input=source)
    assert result.exit_code == 0 and result.stdout.strip()
