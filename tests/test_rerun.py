"""An unchanged re-run takes the machine's output back as the machine's, with everything its
decoding run knew, so it writes the same bytes and the decoding run's stamp already holds."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL
from dolmetsch import stamps
from dolmetsch.cli import app
from dolmetsch.sources import read_document
from dolmetsch.formats.po import known_translations, machine_record
from dolmetsch.formats.po_merge import MACHINE_MARK, machine_fingerprint
from dolmetsch.translation import DRAFT, MACHINE, REVIEWED

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossary" / "news.de-en.tsv"
ARTICLE = EXAMPLE.read_text(encoding="utf-8")


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def translate(source: Path, root: Path, *extra):
    return run("translate", source, "--model", TINY_MODEL, "--glossary", GLOSSARY, "--beam", "2",
               "-o", root / "out", "--locales", root / "locales", *extra)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def forget_stamps() -> None:
    for stamp in Path(stamps.user_cache_dir("stamps")).rglob("*.json"):
        stamp.unlink()


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "putin-kim.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    return source


@pytest.fixture
def feed(tmp_path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    for number, (old, new) in enumerate([("Putin", "Putin"), ("Putin", "Medwedew"), ("Kim", "Lukaschenko")], start=1):
        (folder / f"article-{number}.txt").write_text(ARTICLE.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["local", "workers"])
@pytest.mark.parametrize("what", ["article", "batch"])
def test_the_first_rerun_writes_the_decoding_runs_bytes_and_is_skipped(tmp_path, article, feed, what, workers):
    source = article if what == "article" else feed
    root = tmp_path / "run"
    assert translate(source, root, "-q", *workers).exit_code == 0
    first = files(root)
    report = json.loads(next(v for k, v in first.items() if k.endswith(".glossary.json")))
    assert report  # the glossary applied, so the term outcomes below are the decoding run's own
    tsv = b"".join(v for k, v in first.items() if k.endswith(".tsv")).decode("utf-8")
    assert "\tmachine" in tsv and "\tdraft" not in tsv

    forget_stamps()  # the ordinary way: every sentence taken back from the catalogue
    result = translate(source, root, *workers)
    assert result.exit_code == 0, result.output
    assert "up to date" not in result.stderr
    assert files(root) == first

    result = translate(source, root, *workers)  # the decoding run's stamp, written again, holds
    assert result.exit_code == 0 and "up to date, nothing written" in result.stderr
    assert files(root) == first


def test_the_decoding_runs_own_stamp_skips_the_first_rerun(tmp_path, article):
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    first = files(root)
    result = translate(article, root)
    assert result.exit_code == 0 and "putin-kim: up to date, nothing written" in result.stderr
    assert files(root) == first


def test_the_rerun_keeps_each_terms_strategy_truncation_post_edits_and_notes(tmp_path, article):
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    report = json.loads((root / "out" / "putin-kim.glossary.json").read_text(encoding="utf-8"))
    hows = {how for entry in report["entries"] for how in entry["by_strategy"]}
    assert hows - {"natural"}, hows  # the tiny model needs enforcement: strategies beyond 'natural'
    po = root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po))
    known = known_translations(catalog, read_document(str(article)), catalog.metadata["X-Model"], catalog.metadata["X-Glossary"])
    machine = [k for k in known.values() if k.origin == MACHINE]
    assert machine and len(machine) == len(known)
    assert {how for k in machine for _, _, how in k.machine.terms} == hows


def test_a_machine_record_settles_as_the_decoded_segment():
    from dolmetsch.pipeline import translate_documents
    from dolmetsch.translation import DocumentJob, KnownTranslation, MachineRecord

    document = read_text_document("Kim besuchte „Russland“.\n")
    [segment] = document.segments()
    record = MachineRecord(True, (), ("quotes",), ("memory suggestion (90 %, b.po:3): Kim reiste. → Kim travelled.",))
    known = {segment.key: KnownTranslation("Kim visited “Russia”.", MACHINE, machine=record)}
    [done] = translate_documents([DocumentJob(document, known)], None, model="m")
    [s] = done.segments
    assert (s.origin, s.truncated, s.post_edited, s.notes) == (MACHINE, True, ("quotes",), record.notes)
    # a record whose terms the glossary does not find (another glossary) is a draft, as before
    odd = MachineRecord(False, (("Russland", "Russia", "prefix"),), (), ())
    known = {segment.key: KnownTranslation("Kim visited “Russia”.", MACHINE, machine=odd)}
    [done] = translate_documents([DocumentJob(document, known)], None, model="m")
    assert [(s.origin, s.terms, s.notes) for s in done.segments] == [(DRAFT, (), ())]


def test_memory_suggestions_on_machine_output_come_back_with_it(tmp_path, article):
    """Notes (here the memory's suggestions, wrapped over several `#.` lines) are part of what
    the decoding run knew: the re-run shows them again, so its outputs are the same."""
    root = tmp_path / "run"
    other = tmp_path / "other.txt"
    sentences = [s.text for s in read_document(str(article)).segments() if len(s.text) > 60][:4]
    other.write_text("\n\n".join(line.rstrip(".") + " heute." for line in sentences) + "\n", encoding="utf-8")  # similar, not equal
    assert translate(other, root, "-q").exit_code == 0
    po = root / "locales" / "en" / "LC_MESSAGES" / "other.po"
    catalog = polib.pofile(str(po))
    for e in catalog:
        e.flags = []
    catalog.save(str(po))
    assert translate(article, root, "-q").exit_code == 0
    first = files(root)
    text = first["locales/en/LC_MESSAGES/putin-kim.po"].decode("utf-8")
    assert "#. memory suggestion (" in text and "\tmachine" in first["out/putin-kim.de-en.tsv"].decode("utf-8")
    assert "#. memory: " not in text  # every sentence decoded, none filled from the memory
    result = translate(article, root)
    assert "putin-kim: up to date" in result.stderr and files(root) == first
    forget_stamps()
    assert translate(article, root, "-q").exit_code == 0
    assert files(root) == first


def entry(comment: str, msgstr: str = "Kim visited Russia.", fuzzy: bool = True) -> polib.POEntry:
    return polib.POEntry(msgid="Kim besuchte Russland.", msgstr=msgstr, comment=comment, flags=["fuzzy"] if fuzzy else [])


def test_a_machine_record_is_read_back_from_the_comment():
    mark = f"{MACHINE_MARK}{machine_fingerprint('Kim visited Russia.')}"
    segment = read_document_text("Kim besuchte Russland.\n")
    comment = "\n".join([
        "paragraph, block 1, sentence 1", mark, "glossary: Russland → Russia (prefix)", "glossary: Kim → Kim (MISSING)",
        "glossary terms MISSING: review required", "length guard: the machine output was cut",
        "post-edited to English conventions: quotes, numbers", "memory suggestion (87 %, b.po:12): Kim reiste. → Kim travelled.",
    ])
    record = machine_record(entry(comment), segment)
    assert record is not None
    assert record.terms == (("Russland", "Russia", "prefix"), ("Kim", "Kim", "MISSING"))
    assert record.truncated and record.post_edited == ("quotes", "numbers")
    assert record.notes == ("memory suggestion (87 %, b.po:12): Kim reiste. → Kim travelled.",)


@pytest.mark.parametrize("comment", [
    "paragraph, block 1, sentence 1",  # no machine output recorded: an older or a reviewer's entry
    "paragraph, block 1, sentence 1\n{mark}\nglossary: Russland → Russia (prefix)",  # a term without its summary line … is fine
    "paragraph, block 1, sentence 1\n{mark}\nglossary: Russland → Russia (MISSING)",  # … a MISSING one needs it
    "paragraph, block 1, sentence 1\n{mark}\nnearest reviewed (60 %): Kim reiste. → Kim travelled.",  # added by the merge
    "paragraph, block 1, sentence 1\nmachine output: 00000000",  # another output's fingerprint
])
def test_a_comment_that_is_not_exactly_a_runs_record_is_no_machine_record(comment):
    mark = f"{MACHINE_MARK}{machine_fingerprint('Kim visited Russia.')}"
    record = machine_record(entry(comment.format(mark=mark)), read_document_text("Kim besuchte Russland.\n"))
    assert (record is not None) == ("prefix)" in comment and "MISSING" not in comment)


def read_text_document(text: str):
    from dolmetsch.document.text import PlainText

    return PlainText().parse(text.encode("utf-8"), "a.txt", "a")


def read_document_text(text: str):
    [segment] = read_text_document(text).segments()
    return segment


def test_edited_drafts_stay_drafts_and_confirmed_entries_reviewed(tmp_path, article):
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    po = root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po))
    live = [e for e in catalog if e.msgid and any(c.isalpha() for c in e.msgid)]
    live[0].msgstr = "Edited by a reviewer."
    live[1].msgstr, live[1].flags = "Confirmed by a reviewer.", []
    catalog.save(str(po))
    document = read_document(str(article))
    known = known_translations(polib.pofile(str(po)), document, catalog.metadata["X-Model"], catalog.metadata["X-Glossary"])
    origins = {k.english: k.origin for k in known.values()}
    assert origins["Edited by a reviewer."] == DRAFT and origins["Confirmed by a reviewer."] == REVIEWED
    assert {o for e, o in origins.items() if e not in ("Edited by a reviewer.", "Confirmed by a reviewer.")} == {MACHINE}
    result = translate(article, root)
    assert result.exit_code == 0 and "up to date" not in result.stderr
    tsv = (root / "out" / "putin-kim.de-en.tsv").read_text(encoding="utf-8")
    assert "\tEdited by a reviewer.\t" in tsv and "\tConfirmed by a reviewer.\t" in tsv
    flags = [line.split("\t")[7].split(",")[0] for line in tsv.splitlines()[1:] if line.split("\t")[5] in ("Edited by a reviewer.", "Confirmed by a reviewer.")]
    assert sorted(flags) == ["draft", "reviewed"]
    # settled after that run: the next one is skipped and writes nothing
    again = files(root)
    result = translate(article, root)
    assert "up to date" in result.stderr and files(root) == again


def test_a_catalogue_without_term_records_is_read_as_drafts_and_then_settles(tmp_path, article):
    """Term lines taken out of every `#.` comment (not what a run writes): those entries read as
    drafts, as every current machine draft did before; the catalogue stays readable and the next
    run writes the same bytes again."""
    root = tmp_path / "run"
    assert translate(article, root, "-q").exit_code == 0
    po = root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po))
    for e in catalog:
        e.comment = "\n".join(l for l in e.comment.split("\n") if not l.startswith("glossary: "))
    catalog.save(str(po))
    forget_stamps()
    assert translate(article, root, "-q").exit_code == 0
    tsv = (root / "out" / "putin-kim.de-en.tsv").read_text(encoding="utf-8")
    assert "\tdraft" in tsv
    settled = files(root)
    forget_stamps()
    assert translate(article, root, "-q").exit_code == 0
    assert files(root) == settled


def test_wrapped_comment_lines_are_joined_as_they_were_written():
    from dolmetsch.formats.po import as_written, comment_lines

    lines = [
        "paragraph, block 1, sentence 1",
        "memory suggestion (96 %, /tmp/pytest-of-root/a-very-long-folder-name/locales/en/LC_MESSAGES/other.po:20): "
        "Energie-Lieferungen aus Russland in die Volksrepublik heute. → Energy supplies from Russia today.",
        "glossary: Minister für natürliche Ressourcen → natural resources minister (prefix)",
    ]
    written = as_written("\n".join(lines))
    assert len(written.split("\n")) > len(lines)
    assert comment_lines(written) == lines
    assert comment_lines("\n".join(lines[:1] + lines[2:])) == lines[:1] + lines[2:]


def test_a_run_that_filled_sentences_from_the_memory_keeps_no_stamp(tmp_path, article):
    """A memory match is a draft with a note saying where it came from; the re-run takes it from
    the catalogue as a draft, so that run writes, and only the run after it is up to date."""
    root = tmp_path / "run"
    other = tmp_path / "other.txt"
    other.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    article.write_text("Kim besuchte Russland. Putin traf Kim.\n", encoding="utf-8")
    assert translate(other, root, "-q").exit_code == 0
    po = root / "locales" / "en" / "LC_MESSAGES" / "other.po"
    catalog = polib.pofile(str(po))
    for e in catalog:
        e.flags = []
    catalog.save(str(po))
    assert translate(article, root, "-q").exit_code == 0
    assert "#. memory: " in (root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po").read_text(encoding="utf-8")
    result = translate(article, root)
    assert result.exit_code == 0 and "up to date" not in result.stderr
    settled = files(root)
    result = translate(article, root)
    assert "putin-kim: up to date" in result.stderr and files(root) == settled
    forget_stamps()
    assert translate(article, root, "-q").exit_code == 0
    assert files(root) == settled
