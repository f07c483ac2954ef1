"""Output formats, built from TranslatedDocument objects directly (fast, no model), plus the registry.

Each test pins one promise of the README or of a docstring in `dolmetsch.formats`: the bitext
columns and flags, the PO notes, the PO merge that keeps reviewers' work, the glossary report,
and that a format added to FORMATS is written by `dolmetsch translate` with no other change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

import dolmetsch
from conftest import TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.document.reading import parse_text
from dolmetsch.formats.base import OutputFormat
from dolmetsch.output import FORMATS, read_segments
from dolmetsch.formats.base import LOCALES, OUT
from dolmetsch.formats.bitext import (
    COLUMNS,
    GLOSSARY_MISSING,
    GLOSSARY_REPLACED,
    TRUNCATED,
    read_bitext,
    render_bitext,
)
from dolmetsch.formats.glossary_report import render_json
from dolmetsch.formats.po import MACHINE_MARK, GettextCatalog, edited_by_reviewer, machine_fingerprint
from dolmetsch.output.writer import OutputPlan
from dolmetsch.translation import KEPT, MISSING, NATURAL, NBEST, PREFIX, REPLACED, TermOutcome
from dolmetsch.translation import MACHINE, RunStats, TranslatedDocument, TranslatedSegment

SOURCE = (
    "Treffen in Russland\n"
    "\n"
    "Putin traf Kim in Wladiwostok. Kim besuchte Russland.\n"
    "\n"
    "Der nordkoreanische Machthaber besuchte Russland.\n"
    "\n"
    "Putins Delegation besuchte Nordkorea.\n"
)
MACHINE_EN = {
    "Treffen in Russland": "Meeting in Russia",
    "Putin traf Kim in Wladiwostok.": "Putin met Kim in Wladiwostok.",
    "Kim besuchte Russland.": "Kim visited Russia.",
    "Der nordkoreanische Machthaber besuchte Russland.": "The North Korean ruler visited Russia.",
    "Putins Delegation besuchte Nordkorea.": "Putin's delegation visited North Korea.",
}
MODEL = "translate-de_en-test"


def term(de: str, en: str, how: str, found: str | None = None) -> TermOutcome:
    return TermOutcome(de=de, en=en, found=found or de, start=0, end=len(found or de), how=how)


# The trouble each sentence has, by German text: (truncated, terms).
TROUBLE = {
    "Putin traf Kim in Wladiwostok.": (False, (term("Wladiwostok", "Vladivostok", MISSING),)),
    "Kim besuchte Russland.": (True, ()),
    "Der nordkoreanische Machthaber besuchte Russland.": (
        False,
        (term("nordkoreanisch", "North Korean", NATURAL, "nordkoreanische"), term("Machthaber", "ruler", REPLACED)),
    ),
    "Putins Delegation besuchte Nordkorea.": (False, (term("Putin", "Putin", NBEST, "Putins"), term("Nordkorea", "North Korea", PREFIX))),
}


def translated(
    text: str = SOURCE,
    english: dict[str, str] | None = None,
    *,
    trouble: dict | None = None,
    model: str = MODEL,
    name: str = "a",
    glossary: bool = True,
) -> TranslatedDocument:
    """A TranslatedDocument for `text`, each sentence translated by `english` (default MACHINE_EN)."""
    english = MACHINE_EN if english is None else english
    trouble = TROUBLE if trouble is None else trouble
    document = parse_text(text, name=name, source=f"{name}.txt")
    segments = []
    for segment in document.segments():
        truncated, terms = trouble.get(segment.text, (False, ()))
        segments.append(TranslatedSegment(segment, english.get(segment.text, segment.text), truncated, terms))
    return TranslatedDocument(document, tuple(segments), model, RunStats(len(segments), 20, 1.0), "g1" if glossary else "")


# --- bitext ------------------------------------------------------------------------------------


def bitext_rows(doc: TranslatedDocument) -> list[dict[str, str]]:
    lines = render_bitext(doc).splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(cells) == len(COLUMNS) for cells in rows)
    return [dict(zip(COLUMNS, cells)) for cells in rows]


def test_bitext_header_and_one_row_per_sentence_in_columns_order():
    doc = translated()
    rows = bitext_rows(doc)
    assert [(r["de"], r["en"]) for r in rows] == [(s.segment.text, s.english) for s in doc.segments]
    first = rows[1]
    assert first == {
        "block": "2",
        "sentence": "1",
        "kind": "paragraph",
        "line": "3",
        "de": "Putin traf Kim in Wladiwostok.",
        "en": "Putin met Kim in Wladiwostok.",
        "glossary": f"Wladiwostok → Vladivostok ({MISSING})",
        "flags": f"{MACHINE},{GLOSSARY_MISSING}",
    }
    assert rows[0]["kind"] == "title" and rows[2]["sentence"] == "2" and rows[3]["line"] == "5"


def test_bitext_flags_say_machine_truncated_missing_replaced():
    flags = {r["de"]: r["flags"].split(",") for r in bitext_rows(translated())}
    assert flags["Treffen in Russland"] == [MACHINE]
    assert flags["Putin traf Kim in Wladiwostok."] == [MACHINE, GLOSSARY_MISSING]
    assert flags["Kim besuchte Russland."] == [MACHINE, TRUNCATED]
    assert flags["Der nordkoreanische Machthaber besuchte Russland."] == [MACHINE, GLOSSARY_REPLACED]
    # terms satisfied by n-best or prefix are no trouble for the reviewer
    assert flags["Putins Delegation besuchte Nordkorea."] == [MACHINE]


def test_bitext_glossary_column_lists_every_term_and_how():
    rows = {r["de"]: r["glossary"] for r in bitext_rows(translated())}
    assert rows["Der nordkoreanische Machthaber besuchte Russland."] == (
        f"nordkoreanisch → North Korean ({NATURAL}); Machthaber → ruler ({REPLACED})"
    )
    assert rows["Putins Delegation besuchte Nordkorea."] == f"Putin → Putin ({NBEST}); Nordkorea → North Korea ({PREFIX})"
    assert rows["Kim besuchte Russland."] == ""


def test_bitext_fields_never_hold_tabs_or_newlines():
    doc = translated(english={**MACHINE_EN, "Kim besuchte Russland.": "Kim\tvisited\n Russia. "})
    rows = bitext_rows(doc)
    assert rows[2]["en"] == "Kim visited Russia."


def test_bitext_reads_back_with_file_and_line(tmp_path):
    doc = translated()
    path = tmp_path / "a.de-en.tsv"
    path.write_text(render_bitext(doc), encoding="utf-8")
    segments = read_bitext(path)
    assert [(s.de, s.en) for s in segments] == [(s.segment.text, s.english) for s in doc.segments]
    assert [s.where for s in segments] == [f"{path}:{n}" for n in range(2, 2 + len(doc.segments))]
    assert read_segments(path) == segments  # chosen by suffix through the registry


def test_bitext_reads_back_when_a_reviewer_kept_only_de_and_en(tmp_path):
    path = tmp_path / "edited.tsv"
    path.write_text("en\tde\nKim paid a visit to Russia.\tKim besuchte Russland.\n\n", encoding="utf-8")
    (segment,) = read_bitext(path)
    assert (segment.de, segment.en, segment.where) == ("Kim besuchte Russland.", "Kim paid a visit to Russia.", f"{path}:2")


# --- PO notes ------------------------------------------------------------------------------------


def catalog_of(doc: TranslatedDocument, existing: Path | None = None) -> polib.POFile:
    return polib.pofile(GettextCatalog().render(doc, existing))


def comment_lines(entry: polib.POEntry) -> list[str]:
    return entry.comment.splitlines()


def test_po_entries_are_fuzzy_with_file_line_references_and_position():
    doc = translated()
    catalog = catalog_of(doc)
    assert [e.msgid for e in catalog] == [s.segment.text for s in doc.segments]
    assert [e.msgstr for e in catalog] == [s.english for s in doc.segments]
    assert all(e.fuzzy for e in catalog)
    assert [e.occurrences for e in catalog] == [[("a.txt", str(s.segment.line))] for s in doc.segments]
    assert comment_lines(catalog[0])[0] == "title, block 1, sentence 1"
    assert [comment_lines(e)[0] for e in catalog[1:]] == [
        "paragraph, block 2, sentence 1",
        "paragraph, block 2, sentence 2",
        "paragraph, block 3, sentence 1",
        "paragraph, block 4, sentence 1",
    ]
    for entry, s in zip(catalog, doc.segments):
        assert f"{MACHINE_MARK}{machine_fingerprint(s.english)}" in comment_lines(entry)


def test_po_glossary_lines_name_the_text_found_the_rendering_and_how():
    catalog = catalog_of(translated())
    lines = comment_lines(catalog.find("Putins Delegation besuchte Nordkorea."))
    assert f"glossary: Putins → Putin ({NBEST})" in lines
    assert f"glossary: Nordkorea → North Korea ({PREFIX})" in lines
    lines = comment_lines(catalog.find("Der nordkoreanische Machthaber besuchte Russland."))
    assert f"glossary: nordkoreanische → North Korean ({NATURAL})" in lines
    assert f"glossary: Machthaber → ruler ({REPLACED})" in lines


def test_po_notes_for_missing_replaced_and_truncated():
    catalog = catalog_of(translated())
    missing = comment_lines(catalog.find("Putin traf Kim in Wladiwostok."))
    replaced = comment_lines(catalog.find("Der nordkoreanische Machthaber besuchte Russland."))
    truncated = comment_lines(catalog.find("Kim besuchte Russland."))
    fine = comment_lines(catalog.find("Putins Delegation besuchte Nordkorea."))
    assert "glossary terms MISSING: review required" in missing
    assert "glossary terms replaced after decoding: check the wording" in replaced
    assert "length guard: the machine output was cut" in truncated
    notes = ("glossary terms MISSING", "glossary terms replaced", "length guard")
    assert not [line for line in fine + truncated if line.startswith(notes[:2])]
    assert not [line for line in fine + missing + replaced if line.startswith(notes[2])]


def test_po_header_names_the_real_version_and_the_model():
    catalog = catalog_of(translated())
    assert catalog.metadata["X-Generator"] == f"dolmetsch {dolmetsch.__version__}"
    assert re.fullmatch(r"dolmetsch \d+\.\d+\.\d+\S*", catalog.metadata["X-Generator"])
    assert catalog.metadata["X-Model"] == MODEL
    assert catalog.metadata["Language"] == "en"
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_po_repeated_sentence_gets_an_occurrence_context():
    catalog = catalog_of(translated("Kim besuchte Russland.\n\nKim besuchte Russland.\n"))
    assert [(e.msgctxt, e.msgid) for e in catalog] == [(None, "Kim besuchte Russland."), ("occurrence 2", "Kim besuchte Russland.")]


# --- PO merge ------------------------------------------------------------------------------------

OLD_DATE = "2001-02-03 04:05+0000"


@pytest.fixture
def reviewed_po(tmp_path) -> Path:
    """A first run's catalogue, then a reviewer's work on it: two confirmed entries (one edited, one
    accepted as it was), an edited draft, untouched drafts, a translator comment and their own header."""
    path = tmp_path / "a.po"
    path.write_text(GettextCatalog().render(translated(), None), encoding="utf-8")
    catalog = polib.pofile(str(path))
    confirmed = catalog.find("Kim besuchte Russland.")
    confirmed.msgstr = "Kim paid a visit to Russia."
    confirmed.flags.remove("fuzzy")
    confirmed.tcomment = "checked by the desk"
    catalog.find("Putin traf Kim in Wladiwostok.").msgstr = "Putin met Kim in Vladivostok."  # edited, still fuzzy
    catalog.find("Treffen in Russland").flags.remove("fuzzy")  # the machine output, confirmed as it is
    catalog.metadata.update(
        {
            "Last-Translator": "Desk Editor <desk@example.org>",
            "Language-Team": "Newsdesk <news@example.org>",
            "PO-Revision-Date": OLD_DATE,
            "POT-Creation-Date": OLD_DATE,
            "X-Generator": "dolmetsch 0.0.1",
            "X-Model": "an-older-model",
        }
    )
    catalog.header = "Putin-Kim article, reviewed by the newsdesk."
    catalog.save()
    return path


# the re-run's machine output differs from the first run's for every sentence
RERUN_EN = {de: en.replace(".", "!") + " (new)" for de, en in MACHINE_EN.items()}


def test_merge_refreshes_an_untouched_machine_draft(reviewed_po):
    old = polib.pofile(str(reviewed_po)).find("Putins Delegation besuchte Nordkorea.")
    assert not edited_by_reviewer(old)
    merged = catalog_of(translated(english=RERUN_EN), reviewed_po)
    entry = merged.find("Putins Delegation besuchte Nordkorea.")
    assert entry.msgstr == RERUN_EN["Putins Delegation besuchte Nordkorea."] and entry.fuzzy
    assert f"{MACHINE_MARK}{machine_fingerprint(entry.msgstr)}" in comment_lines(entry)


def test_merge_keeps_a_reviewers_edit_of_a_fuzzy_draft(reviewed_po):
    old = polib.pofile(str(reviewed_po)).find("Putin traf Kim in Wladiwostok.")
    assert edited_by_reviewer(old)
    merged = catalog_of(translated(english=RERUN_EN), reviewed_po)
    entry = merged.find("Putin traf Kim in Wladiwostok.")
    assert entry.msgstr == "Putin met Kim in Vladivostok."
    assert entry.fuzzy  # still a draft until the reviewer confirms it


def test_merge_keeps_a_confirmed_entry_and_its_comment(reviewed_po):
    merged = catalog_of(translated(english=RERUN_EN), reviewed_po)
    entry = merged.find("Kim besuchte Russland.")
    assert entry.msgstr == "Kim paid a visit to Russia."
    assert not entry.fuzzy
    assert entry.tcomment == "checked by the desk"
    accepted = merged.find("Treffen in Russland")  # confirmed unchanged: the new machine output does not replace it
    assert (accepted.msgstr, accepted.fuzzy) == ("Meeting in Russia", False)


def test_merge_is_stable_when_nothing_changed(reviewed_po):
    before = polib.pofile(str(reviewed_po))
    merged = catalog_of(translated(), reviewed_po)
    assert [(e.msgid, e.msgstr, e.fuzzy) for e in merged] == [(e.msgid, e.msgstr, e.fuzzy) for e in before]
    assert merged.obsolete_entries() == []


def test_vanished_sentences_become_obsolete_and_return_with_their_translation(reviewed_po):
    without = SOURCE.replace("Putin traf Kim in Wladiwostok. Kim besuchte Russland.", "Putin besuchte Nordkorea.")
    merged = catalog_of(translated(without, english=RERUN_EN), reviewed_po)
    obsolete = {e.msgid: e for e in merged.obsolete_entries()}
    assert set(obsolete) == {"Putin traf Kim in Wladiwostok.", "Kim besuchte Russland."}
    assert obsolete["Kim besuchte Russland."].msgstr == "Kim paid a visit to Russia."
    assert obsolete["Putin traf Kim in Wladiwostok."].msgstr == "Putin met Kim in Vladivostok."
    assert "Putin besuchte Nordkorea." in [e.msgid for e in merged if not e.obsolete]
    reviewed_po.write_text(str(merged) + "\n", encoding="utf-8")

    again = catalog_of(translated(without, english=RERUN_EN), reviewed_po)  # still gone: still kept
    assert {e.msgid: e.msgstr for e in again.obsolete_entries()} == {e.msgid: e.msgstr for e in obsolete.values()}
    reviewed_po.write_text(str(again) + "\n", encoding="utf-8")

    back = catalog_of(translated(english=RERUN_EN), reviewed_po)
    assert back.obsolete_entries() == [e for e in back if e.msgid == "Putin besuchte Nordkorea."]
    confirmed = back.find("Kim besuchte Russland.")
    assert (confirmed.msgstr, confirmed.fuzzy, confirmed.obsolete) == ("Kim paid a visit to Russia.", False, False)
    draft = back.find("Putin traf Kim in Wladiwostok.")
    assert (draft.msgstr, draft.fuzzy, draft.obsolete) == ("Putin met Kim in Vladivostok.", True, False)


def test_translator_comment_survives_obsolete_and_return(reviewed_po):
    without = SOURCE.replace("Kim besuchte Russland.", "")
    reviewed_po.write_text(GettextCatalog().render(translated(without), reviewed_po), encoding="utf-8")
    back = catalog_of(translated(), reviewed_po)
    assert back.find("Kim besuchte Russland.").tcomment == "checked by the desk"


def test_untouched_draft_returning_from_obsolete_is_refreshed(reviewed_po):
    without = SOURCE.replace("Putins Delegation besuchte Nordkorea.", "Putin besuchte Nordkorea.")
    reviewed_po.write_text(GettextCatalog().render(translated(without), reviewed_po), encoding="utf-8")
    back = catalog_of(translated(english=RERUN_EN), reviewed_po)
    entry = back.find("Putins Delegation besuchte Nordkorea.")
    assert entry.msgstr == RERUN_EN["Putins Delegation besuchte Nordkorea."]


def test_merge_keeps_the_reviewers_header_and_refreshes_the_run_fields(reviewed_po):
    merged = catalog_of(translated(english=RERUN_EN, model="translate-de_en-1.9"), reviewed_po)
    assert merged.metadata["Last-Translator"] == "Desk Editor <desk@example.org>"
    assert merged.metadata["Language-Team"] == "Newsdesk <news@example.org>"
    assert merged.metadata["PO-Revision-Date"] == OLD_DATE
    assert merged.header == "Putin-Kim article, reviewed by the newsdesk."
    assert merged.metadata["X-Generator"] == "dolmetsch 0.0.1"  # the editor that last saved it says so, not the run
    assert merged.metadata["X-Model"] == "translate-de_en-1.9"


def test_pot_creation_date_stays_while_the_sentences_stay_the_same(reviewed_po):
    merged = catalog_of(translated(english=RERUN_EN), reviewed_po)
    assert merged.metadata["POT-Creation-Date"] == OLD_DATE


def test_pot_creation_date_changes_when_the_sentences_change(reviewed_po):
    changed = SOURCE.replace("Kim besuchte Russland.", "Kim besuchte Nordkorea.")
    merged = catalog_of(translated(changed), reviewed_po)
    assert merged.metadata["POT-Creation-Date"] != OLD_DATE
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", merged.metadata["POT-Creation-Date"])


# --- glossary report ---------------------------------------------------------------------------


def test_glossary_report_counts_occurrences_strategies_and_where_terms_are_missing():
    report = json.loads(render_json(translated()))
    assert report["source"] == "a.txt" and report["model"] == MODEL
    assert report["matched"] == 5 and report["satisfied"] == 4
    assert report["by_strategy"] == {NATURAL: 1, NBEST: 1, PREFIX: 1, REPLACED: 1, KEPT: 0, MISSING: 1}
    entries = {e["de"]: e for e in report["entries"]}
    assert entries["Wladiwostok"] == {
        "de": "Wladiwostok",
        "en": "Vladivostok",
        "occurrences": 1,
        "by_strategy": {MISSING: 1},
        "missing_at": ["a.txt:3"],
    }
    assert entries["Machthaber"]["by_strategy"] == {REPLACED: 1} and entries["Machthaber"]["missing_at"] == []


# --- registry and output plan -------------------------------------------------------------------


def test_registry_lists_the_formats_of_a_run():
    assert [f.name for f in FORMATS] == ["text", "html", "md", "docx", "odt", "bitext", "markdown", "po", "pot", "glossary-report", "tmx", "review-page"]
    by_name = {f.name: f for f in FORMATS}
    assert by_name["po"].folder == LOCALES and by_name["bitext"].folder == OUT


def test_output_plan_places_each_format_and_skips_what_was_not_asked_for(tmp_path):
    out, locales = tmp_path / "out", tmp_path / "locales"
    plan = OutputPlan.for_document("a", out, locales, with_glossary=True)
    assert plan.paths() == [
        out / "a.en.txt",
        out / "a.de-en.tsv",
        out / "a.de-en.md",
        locales / "en" / "LC_MESSAGES" / "a.po",
        locales / "a.pot",
        out / "a.glossary.json",
        out / "a.review.html",
    ]
    assert OutputPlan.for_document("a", out, locales, with_glossary=False).path_of("glossary-report") is None
    assert OutputPlan.for_document("a", out, None, with_glossary=True).path_of("po") is None
    assert OutputPlan.for_document("a", None, locales, with_glossary=True).paths() == [locales / "en" / "LC_MESSAGES" / "a.po", locales / "a.pot"]
    built = OutputPlan.for_document("a", out, locales, with_glossary=True, command="build")
    assert built.paths() == [out / "a.en.txt", out / "a.de-en.tsv", out / "a.de-en.md", out / "a.de-en.tmx", out / "a.review.html"]


class Shouting(OutputFormat):
    """A format that exists only in this test: the English in capitals."""

    name = "shouting"
    suffix = ".en.upper.txt"

    def render(self, translated, existing):
        return translated.english().upper()


class GlossaryOnly(OutputFormat):
    name = "glossary-only"
    suffix = ".only-with-glossary.txt"
    needs_glossary = True

    def render(self, translated, existing):
        return "terms\n"


def test_a_format_added_to_the_registry_is_written_by_translate(tmp_path, monkeypatch):
    import dolmetsch.output

    monkeypatch.setattr(dolmetsch.output, "FORMATS", (*dolmetsch.output.FORMATS, Shouting(), GlossaryOnly()))
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["translate", str(source), "--model", str(TINY_MODEL), "-o", str(out), "--locales", str(tmp_path / "l"), "--no-glossary"],
    )
    assert result.exit_code == 0, result.output
    assert (out / "a.en.upper.txt").read_text(encoding="utf-8") == "KIM VISITED RUSSIA.\n"
    assert f"wrote {out / 'a.en.upper.txt'}" in result.stderr.replace("\n", "")  # rich folds long paths
    # a format that needs the glossary is left out of a run without one, like the glossary report
    assert not (out / "a.only-with-glossary.txt").exists() and not (out / "a.glossary.json").exists()

