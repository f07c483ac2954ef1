"""End to end: `dolmetsch translate` on the bundled article with the tiny real model."""

from __future__ import annotations

import subprocess
import sys

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL, msgfmt_or_skip
from dolmetsch.cli import app
from dolmetsch.sources import read_document

ARTICLE = EXAMPLE.read_text(encoding="utf-8")


def run(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result


@pytest.fixture(scope="module")
def translated(tmp_path_factory):
    """One real run over the article; every test below inspects its outputs."""
    root = tmp_path_factory.mktemp("run")
    out, locales = root / "out", root / "locales"
    result = run("translate", EXAMPLE, "--model", TINY_MODEL, "-o", out, "--locales", locales, "--no-glossary", "--beam", "1")
    assert result.exit_code == 0, result.output
    return root, out, locales, result


def blocks(text: str) -> list[str]:
    return [b for b in text.strip().split("\n\n") if b.strip()]


def test_writes_the_four_outputs(translated):
    _, out, locales, result = translated
    for path in (out / "putin-kim.en.txt", out / "putin-kim.de-en.tsv", out / "putin-kim.de-en.md", locales / "en" / "LC_MESSAGES" / "putin-kim.po"):
        assert path.is_file() and path.stat().st_size > 0, path
    assert "segments" in result.output and "words/s" in result.output


def test_english_keeps_block_structure_and_credits(translated):
    _, out, _, _ = translated
    english = (out / "putin-kim.en.txt").read_text(encoding="utf-8")
    assert len(blocks(english)) == len(blocks(ARTICLE))
    for credit in ("APA/AFP/Mikhail Metzel", "AP/Sputnik/Artem Geodakyan", "APA/AFP/AP/Vladimir Smirnov", "AP/Yuri Kadobnov"):
        assert f"\n{credit}\n" in english
    # real decoder output, not the German passed through
    assert "Präsident" not in english
    assert english.split("\n\n")[1].strip() == "Putin and Kim stressed cooperation"


def test_rows_entries_and_sentences_agree(translated):
    _, out, locales, _ = translated
    sentences = read_document(str(EXAMPLE)).segments()
    rows = (out / "putin-kim.de-en.tsv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0].split("\t"), rows[1:]
    assert header[:6] == ["block", "sentence", "kind", "line", "de", "en"]
    catalog = polib.pofile(str(locales / "en" / "LC_MESSAGES" / "putin-kim.po"))
    entries = [e for e in catalog if not e.obsolete]
    assert len(body) == len(entries) == len(sentences)
    assert [r.split("\t")[4] for r in body] == [s.text for s in sentences] == [e.msgid for e in entries]
    assert all(len(r.split("\t")) == len(header) for r in body)
    assert all(e.msgstr and e.fuzzy for e in entries)


def test_po_header_references_and_comments(translated):
    _, _, locales, _ = translated
    catalog = polib.pofile(str(locales / "en" / "LC_MESSAGES" / "putin-kim.po"))
    for field in ("Language", "Content-Type", "Project-Id-Version", "X-Generator", "Plural-Forms"):
        assert catalog.metadata.get(field), field
    assert catalog.metadata["Language"] == "en"
    assert "charset=UTF-8" in catalog.metadata["Content-Type"]
    first = catalog[0]
    assert first.occurrences == [(str(EXAMPLE), "1")]
    assert first.comment.startswith("caption, block 1, sentence 1")
    lines = ARTICLE.split("\n")
    for entry in catalog:
        (path, line), = entry.occurrences
        assert entry.msgid.split()[0] in lines[int(line) - 1]


def test_msgfmt_accepts_the_po(translated, tmp_path):
    msgfmt = msgfmt_or_skip()
    _, _, locales, _ = translated
    po = locales / "en" / "LC_MESSAGES" / "putin-kim.po"
    done = subprocess.run([msgfmt, "-c", "-o", str(tmp_path / "x.mo"), str(po)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_markdown_is_side_by_side(translated):
    _, out, _, _ = translated
    markdown = (out / "putin-kim.de-en.md").read_text(encoding="utf-8")
    assert "| # | Deutsch | English |" in markdown
    assert "*APA/AFP/Mikhail Metzel*" in markdown
    assert "**Putin und Kim betonten Zusammenarbeit** | **Putin and Kim stressed cooperation**" in markdown


def test_repeated_sentences_get_a_context(tmp_path):
    source = tmp_path / "twice.txt"
    source.write_text("Treffen in Russland\n\nKim besuchte Russland.\n\nKim besuchte Russland.\n", encoding="utf-8")
    result = run("translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary")
    assert result.exit_code == 0, result.output
    catalog = polib.pofile(str(tmp_path / "l" / "en" / "LC_MESSAGES" / "twice.po"))
    assert [(e.msgctxt, e.msgid) for e in catalog] == [
        (None, "Treffen in Russland"),
        (None, "Kim besuchte Russland."),
        ("occurrence 2", "Kim besuchte Russland."),
    ]
    msgfmt = msgfmt_or_skip()
    assert subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(tmp_path / "l" / "en" / "LC_MESSAGES" / "twice.po")]).returncode == 0


def test_rerun_keeps_reviewed_translations(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    args = ["translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary"]
    assert run(*args).exit_code == 0
    po_path = tmp_path / "l" / "en" / "LC_MESSAGES" / "a.po"
    catalog = polib.pofile(str(po_path))
    catalog[0].msgstr = "Kim paid a visit to Russia."
    catalog[0].flags.remove("fuzzy")
    catalog[0].tcomment = "checked by the desk"
    catalog.metadata["Last-Translator"] = "Desk Editor <desk@example.org>"
    catalog.save()
    source.write_text("Kim besuchte Russland.\n\nPutin besuchte Nordkorea.\n", encoding="utf-8")
    assert run(*args).exit_code == 0
    merged = polib.pofile(str(po_path))
    reviewed = merged.find("Kim besuchte Russland.")
    assert reviewed.msgstr == "Kim paid a visit to Russia." and not reviewed.fuzzy
    assert reviewed.tcomment == "checked by the desk"
    assert merged.find("Putin besuchte Nordkorea.").fuzzy
    assert merged.obsolete_entries() == []  # an untouched machine draft of a vanished sentence is dropped
    assert merged.metadata["Last-Translator"] == "Desk Editor <desk@example.org>"


def test_stdin_to_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("translate", "-", "--model", TINY_MODEL, "--no-glossary", "--quiet", input="Treffen in Russland\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Meeting in Russia"
    assert list(tmp_path.iterdir()) == []


def written(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make_source, problem",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "folder holds no articles (*.txt, *.html, *.htm, *.md, *.markdown, *.docx, *.odt)"),
        (lambda d: written(d / "empty.txt", b""), "empty"),
        (lambda d: written(d / "bin.txt", bytes(range(256)) * 4), "binary"),
    ],
)
def test_bad_source_exits_2_and_writes_nothing(tmp_path, make_source, problem):
    source = make_source(tmp_path)
    out, locales = tmp_path / "o", tmp_path / "l"
    result = run("translate", source, "--model", TINY_MODEL, "-o", out, "--locales", locales, "--no-glossary")
    assert result.exit_code == 2
    assert problem in result.stderr and str(source) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and not locales.exists()


def test_broken_model_exits_2(tmp_path):
    broken = tmp_path / "broken.argosmodel"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = run("translate", EXAMPLE, "--model", broken, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary")
    assert result.exit_code == 2 and str(broken) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_unwritable_output_exits_2(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    result = run("translate", EXAMPLE, "--model", TINY_MODEL, "-o", blocker / "out", "--no-glossary")
    assert result.exit_code == 2 and "not a folder" in result.stderr


def test_no_model_installed_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("translate", EXAMPLE, "--offline", "--no-glossary")
    assert result.exit_code == 2
    assert "dolmetsch models install" in result.stderr and "--model" in result.stderr
    assert not (tmp_path / "out").exists()


def test_help_loads_no_model_or_ctranslate2():
    code = "import sys; from dolmetsch.cli import app; from typer.testing import CliRunner; CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['translate', '--help']); print(sorted(m for m in sys.modules if m.split('.')[0] in ('ctranslate2', 'sentencepiece', 'argostranslate', 'simplemma', 'polib')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_broken_glossary_exits_2_before_translating(tmp_path):
    glossary = tmp_path / "bad.tsv"
    glossary.write_text("de\ten\tkind\tnote\tstatus\nKreml\tKremlin\tname\t\tapproved\nKreml\tKreml\tname\t\tapproved\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run("translate", EXAMPLE, "--model", TINY_MODEL, "-o", out, "--locales", tmp_path / "l", "--glossary", glossary)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dolmetsch: error: {glossary}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_corrupt_existing_po_is_never_overwritten(tmp_path):
    po = tmp_path / "l" / "en" / "LC_MESSAGES" / "putin-kim.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Treffen in Russland"\nmsgstr "Meeting in Russia\n', encoding="utf-8")
    before = po.read_bytes()
    result = run("translate", EXAMPLE, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary")
    assert result.exit_code == 2 and f"{po}:2:" in result.stderr
    assert po.read_bytes() == before and not (tmp_path / "o").exists()


def test_blocked_catalog_folder_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "l" / "en").mkdir(parents=True)
    (tmp_path / "l" / "en" / "LC_MESSAGES").write_text("a file, not a folder")
    result = run("translate", EXAMPLE, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary")
    assert result.exit_code == 2 and "LC_MESSAGES" in result.stderr
    assert not (tmp_path / "o").exists()


def test_output_name_cannot_leave_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("translate", "-", "--model", TINY_MODEL, "--name", "../evil", "-o", "o", "--no-glossary", input="Kim besuchte Russland.\n")
    assert result.exit_code == 2 and "output name '../evil'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_reviewed_translation_survives_removal_and_return_of_its_sentence(tmp_path):
    source = tmp_path / "a.txt"
    args = ["translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary"]
    po_path = tmp_path / "l" / "en" / "LC_MESSAGES" / "a.po"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    assert run(*args).exit_code == 0
    catalog = polib.pofile(str(po_path))
    confirmed, edited = catalog[0], catalog[1]
    confirmed.msgstr, confirmed.flags = "Kim paid a visit to Russia.", []
    edited.msgstr = "Putin met with Kim."  # edited, still fuzzy: a draft
    catalog.save()
    source.write_text("Putin traf Kim.\n", encoding="utf-8")
    assert run(*args).exit_code == 0
    middle = polib.pofile(str(po_path))
    assert [e.msgid for e in middle.obsolete_entries()] == ["Kim besuchte Russland."]
    assert middle.find("Putin traf Kim.").msgstr == "Putin met with Kim."
    assert middle.find("Putin traf Kim.").fuzzy
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n", encoding="utf-8")
    assert run(*args).exit_code == 0
    final = polib.pofile(str(po_path))
    back = final.find("Kim besuchte Russland.")
    assert back.msgstr == "Kim paid a visit to Russia." and not back.fuzzy and not back.obsolete
    assert final.obsolete_entries() == []


def test_untouched_machine_draft_is_refreshed(tmp_path):
    from dolmetsch.formats.po import edited_by_reviewer

    source = tmp_path / "a.txt"
    source.write_text("Putin traf Kim.\n", encoding="utf-8")
    assert run("translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary").exit_code == 0
    (entry,) = polib.pofile(str(tmp_path / "l" / "en" / "LC_MESSAGES" / "a.po"))
    assert not edited_by_reviewer(entry)
    entry.msgstr += " Really."
    assert edited_by_reviewer(entry)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16-le", "utf-8-sig"])
def test_other_encodings_and_crlf_give_the_same_segments(tmp_path, encoding):
    source = tmp_path / "article.txt"
    source.write_bytes(ARTICLE.replace("\n", "\r\n").encode(encoding))
    result = run("translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary", "--beam", "1")
    assert result.exit_code == 0, result.output
    catalog = polib.pofile(str(tmp_path / "l" / "en" / "LC_MESSAGES" / "article.po"))
    assert [e.msgid for e in catalog] == [s.text for s in read_document(str(EXAMPLE)).segments()]
    english = (tmp_path / "o" / "article.en.txt").read_text(encoding="utf-8")
    assert len(blocks(english)) == len(blocks(ARTICLE)) and "\r" not in english


def test_segments_without_letters_pass_through(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Treffen in Russland\n\n…\n\n2019\n", encoding="utf-8")
    assert run("translate", source, "--model", TINY_MODEL, "-o", tmp_path / "o", "--locales", tmp_path / "l", "--no-glossary").exit_code == 0
    assert (tmp_path / "o" / "a.en.txt").read_text(encoding="utf-8") == "Meeting in Russia\n\n…\n\n2019\n"


def test_decoding_options_reach_the_engine(tmp_path, monkeypatch):
    from dolmetsch.engine.engine import DecodingOptions, Engine

    loaded = []
    real_load = Engine.load.__func__

    def recording_load(cls, package, **options):
        loaded.append(options["options"])
        return real_load(cls, package, **options)

    monkeypatch.setattr(Engine, "load", classmethod(recording_load))
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    common = [str(source), "--model", str(TINY_MODEL), "-o", str(tmp_path / "out"), "--locales", str(tmp_path / "loc"), "--no-glossary", "-q"]
    assert run("translate", *common).exit_code == 0
    assert run("translate", *common, "--retranslate", "--beam", "2", "--length-penalty", "1.0", "--keep-unknowns").exit_code == 0
    argos, chosen = loaded
    assert (argos.beam_size, argos.length_penalty, argos.replace_unknowns) == (4, 0.2, True) == (
        DecodingOptions().beam_size, DecodingOptions().length_penalty, DecodingOptions().replace_unknowns)
    assert (chosen.beam_size, chosen.length_penalty, chosen.replace_unknowns) == (2, 1.0, False)
