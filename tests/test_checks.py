"""The review checks one by one, the registry's cross-file flow, and `dolmetsch check`'s output options."""

from __future__ import annotations

import json
import subprocess
import sys

import polib
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dolmetsch.checks import CHECKS, ERROR, WARNING, Check, CheckContext, Finding, check_files, run_checks, select_checks, summarise
from dolmetsch.checks.numbers import number_problems
from dolmetsch.checks.punctuation import punctuation_problems
from dolmetsch.checks.quotes import quotation_marks
from dolmetsch.formats.bitext import UNKNOWN
from dolmetsch.output import read_segments
from dolmetsch.translation import EMPTY, FUZZY, ReviewedSegment
from dolmetsch.translation import REVIEWED_STATE as REVIEWED
from dolmetsch.checks.toolkit import german_english_checker
from dolmetsch.checks.untranslated import nothing_to_translate
from dolmetsch.cli import app
from dolmetsch.glossary import Entry, Glossary
from dolmetsch.glossary.matcher import GlossaryMatcher

GLOSSARY = ROOT / "glossary" / "news.de-en.tsv"


def segments(*pairs, file="a.po"):
    return [ReviewedSegment(de, en, f"{file}:{3 * i + 1}") for i, (de, en) in enumerate(pairs)]


def run(name, *pairs, glossary=None):
    context = CheckContext(glossary=GlossaryMatcher(Glossary(tuple(glossary))) if glossary else None)
    return run_checks(segments(*pairs), context, select_checks([name]))


def catalog(path, entries):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for de, en, *flags in entries:
        po.append(polib.POEntry(msgid=de, msgstr=en, flags=list(flags), occurrences=[("article.txt", "3")]))
    po.save(str(path))
    return path


def check(*args):
    return CliRunner().invoke(app, ["check", *map(str, args)])


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "german, english",
    [
        ("mehr als 1.500 Kilometer", "more than 1,500 kilometres"),
        ("mehr als 1.500 Kilometer", "more than 1500 kilometres"),
        ("mehr als 1.500 Kilometer", "more than 1\u00a0500 kilometres"),
        ("1.500.000 Euro", "1,500,000 euros"),
        ("3,5 Kilometer", "3.5 kilometres"),
        ("um 3,5 Prozent", "by 3.5 per cent"),
        ("um 3,5 Prozent", "by 3.5 percent"),
        ("um 3,5 %", "by 3.5%"),
        ("mehr als 50 Prozent", "more than half"),
        ("2019 trafen sie sich", "They met in 2019"),
        ("am 13. September", "on 13 September"),
        ("am 13. September", "on September 13"),
        ("am 13. September", "on September 13th"),
        ("am 13.9.2023", "on 13 September 2023"),
        ("1,5 Millionen Menschen", "1.5 million people"),
        ("1,5 Millionen Menschen", "1.5m people"),
        ("1,5 Millionen Menschen", "1,500,000 people"),
        ("2 Milliarden Euro", "2 billion euros"),
        ("der 2. Weltkrieg", "the Second World War"),
        ("der 2. Weltkrieg", "the 2nd World War"),
        ("um 14.30 Uhr", "at 2.30 pm"),
        ("um 14.30 Uhr", "at 2:30 p.m."),
        ("um 14.30 Uhr", "at 14:30"),
        ("um 14 Uhr", "at 2 pm"),
        ("2 neue Freunde", "two new friends"),
        ("21 Menschen", "twenty-one people"),
        ("1 Million Menschen", "a million people"),
        ("3 Millionen Menschen", "three million people"),
        ("am 13.5.", "on 13 May"),
        ("in den 90er-Jahren", "in the 1990s"),
        ("die Saison 2019/20", "the 2019–2020 season"),
        ("die Saison 2019/2020", "the 2019/20 season"),
        ("Kapitel 3", "Chapter 3"),
        ("zwei neue", "two new ones"),  # no digits in the German: nothing to compare
        ("Es waren 1,500 Liter.", "There were 1.500 litres."),  # 1.500 may be English 1.5: it is, here
    ],
)
def test_correct_conversions_are_never_flagged(german, english):
    assert list(number_problems(german, english)) == []


@pytest.mark.parametrize(
    "german, english, message",
    [
        ("mehr als 1.500 Kilometer", "more than 1.500 kilometres", "'1.500' is written the German way (English: 1,500)"),
        ("1.500.000 Euro", "1.500.000 euros", "'1.500.000' is written the German way (English: 1,500,000)"),
        ("um 3,5 %", "by 3,5 %", "'3,5' is written the German way (English: 3.5)"),
        ("1.500,5 Euro", "1.500,5 euros", "'1.500,5' is written the German way (English: 1,500.5)"),
        ("1.500 Kilometer.", "It is 1.500.", "'1.500' is written the German way (English: 1,500)"),
        ("am 13. September", "on 13. September", "'13. September' is written the German way (English: 13 September)"),
        ("2019 trafen sie sich", "They met in 2018", "'2019' is not in the English (English: 2019); it has 2018"),
        ("mehr als 1.500 Kilometer", "more than 1,600 kilometres", "'1.500' is not in the English (English: 1,500); it has 1,600"),
        ("1,5 Millionen Menschen", "1.5 billion people", "'1,5 Millionen' is not in the English (English: 1.5 million)"),
        ("um 14.30 Uhr", "at 3.30 pm", "'14.30' is not in the English"),
        ("am 13.9.2023", "on 13 September 2022", "'2023' is not in the English"),
        ("rund 130 Kilometer", "some kilometres", "'130' is not in the English (English: 130)"),
        ("am 13.5.", "on 13 June, he may say", "'13.5.' is not in the English (English: May)"),  # the verb is no month
        ("1 Million Menschen", "a thousand people", "'1 Million' is not in the English (English: 1 million)"),
    ],
)
def test_a_different_value_or_a_german_notation_is_an_error(german, english, message):
    problems = list(number_problems(german, english))
    assert any(p.startswith(message) for p in problems), problems


def test_numbers_findings_are_errors_and_skip_empty_english():
    findings = run("numbers", ("2019 trafen sie sich", "They met in 2018"), ("2019 kam er", ""))
    assert [(f.where, f.level, f.check) for f in findings] == [("a.po:1", ERROR, "numbers")]


# --- quotes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "german, english",
    [
        ("„Ein Toast“, sagte er.", "“A toast,” he said."),
        ("„Ein Toast“, sagte er.", '"A toast," he said.'),
        ("„Ein Toast“, sagte er.", "‘A toast,’ he said."),
        ("Kims Übersetzer dankte.", "Kim’s interpreter and the states’ envoys thanked him."),
        ("Er sagte: „Wir kommen.", "He said: “We will come."),  # the quote runs on in both
    ],
)
def test_correct_quotes_pass(german, english):
    assert list(quotation_marks(segments((german, english)), CheckContext())) == []


@pytest.mark.parametrize(
    "english, message",
    [
        ("„A toast“, he said.", "German quotation mark „ in the English"),
        ("»A toast«, he said.", "German quotation marks » « in the English"),
        ("‚A toast‘, he said.", "German quotation mark ‚ in the English"),
        ("“A toast“, he said.", "unbalanced quotes: opening “ is never closed"),
        ("”A toast”, he said.", "unbalanced quotes: closing ” without an opening “"),
        ('"A toast, he said.', 'unbalanced quotes: odd number of " marks'),
        ("‘A toast, he said.", "unbalanced quotes: opening ‘ is never closed"),
        ("‘Kim’s toast, he said.", "unbalanced quotes: opening ‘ is never closed"),  # an apostrophe closes nothing
    ],
)
def test_german_or_unbalanced_quotes_are_errors(english, message):
    (finding,) = quotation_marks(segments(("„Ein Toast“, sagte er.", english)), CheckContext())
    assert finding.level == ERROR and finding.message.startswith(message), finding.message


# --- punctuation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "german, english",
    [
        ("wonach „ein alter Freund besser ist als zwei neue“.", 'that "an old friend is better than two new ones."'),
        ("wonach „ein alter Freund besser ist als zwei neue“.", "that “an old friend is better than two new ones”."),
        ("sagte er: „Wir sprechen, ohne Eile.“", "he said: “We will talk, without haste.”"),
        ("sagte er: „Wir sprechen, ohne Eile.“", 'he said: "We will talk, without haste".'),
        ("Kim: „Entscheidungen unterstützen“", "Kim: “Support the decisions”"),
        ("Treffen in Russland", "Meeting in Russia"),
        ("Und dann…", "And then..."),
        ("Krisai (ORF) aus Moskau", "Krisai (ORF) from Moscow"),
    ],
)
def test_correct_punctuation_passes(german, english):
    assert list(punctuation_problems(german_english_checker(), german, english)) == []


@pytest.mark.parametrize(
    "german, english, level, message",
    [
        ("Kim reiste ab.", "Kim left", ERROR, "ending punctuation differs: '.' in the German, 'none' in the English"),
        ("Treffen in Russland", "Meeting in Russia.", ERROR, "ending punctuation differs: 'none' in the German, '.'"),
        ("Kam er?", "Did he come.", ERROR, "ending punctuation differs: '?' in the German, '.'"),
        ("Krisai (ORF) aus Moskau", "Krisai, ORF, from Moscow", ERROR, "brackets differ: Missing '(', ')'"),
        ("Ein\tTest.", "A test.", ERROR, "tab count differs: 1 in the German, 0 in the English"),
        ("Ein\nTest.", "A test.", ERROR, "newline count differs: 1 in the German, 0 in the English"),
        ("Ein Test.", "A  test.", WARNING, "doubled space in the English"),
        ("Ein Test.", "A test. ", WARNING, "trailing white space differs"),
    ],
)
def test_punctuation_differences_are_found(german, english, level, message):
    problems = list(punctuation_problems(german_english_checker(), german, english))
    assert any(lv == level and m.startswith(message) for lv, m in problems), problems


def test_a_doubled_space_the_german_has_too_is_not_held_against_the_english():
    assert list(punctuation_problems(german_english_checker(), "Ein  Test.", "A test.")) == []


# --- untranslated -------------------------------------------------------------------------------


def test_empty_english_is_a_warning_and_a_copy_an_error():
    findings = run("untranslated", ("Kim reiste nach Russland.", ""), ("Kim reiste nach Russland.", "Kim reiste nach Russland."))
    assert [(f.where, f.level, f.message) for f in findings] == [
        ("a.po:1", WARNING, "not translated: the English is empty"),
        ("a.po:4", ERROR, "the English is the German unchanged"),
    ]


def test_a_copy_of_names_keep_terms_or_numbers_is_fine():
    keep = [Entry("ORF", "ORF", "keep"), Entry("Krisai", "Krisai", "keep"), Entry("Putin", "Putin", "name")]
    matcher = GlossaryMatcher(Glossary(tuple(keep)))
    assert nothing_to_translate("Krisai (ORF)", matcher)
    assert nothing_to_translate("Putin, 2019", matcher)
    assert nothing_to_translate("Paul Krisai", None)  # capitalised words only: a name
    assert not nothing_to_translate("Putin und Kim", matcher)
    assert not nothing_to_translate("Länderfahnen", None)
    findings = run("untranslated", ("Krisai (ORF)", "Krisai (ORF)"), ("TASS", "TASS"), ("2019", "2019"), glossary=keep)
    assert findings == []


# --- consistency --------------------------------------------------------------------------------


def test_the_same_german_translated_two_ways_is_an_error_at_the_odd_one():
    findings = run("consistency",
                   ("Kim reiste ab.", "Kim left."), ("Kim reiste ab.", "Kim departed."), ("Kim reiste ab.", "Kim left."))
    assert [(f.where, f.level) for f in findings] == [("a.po:4", ERROR)]
    assert "translated differently at a.po:1: 'Kim left.'" in findings[0].message


def test_the_same_english_for_different_german_is_a_warning():
    (finding,) = run("consistency", ("Kim reiste ab.", "Kim left."), ("Kim ging weg.", "Kim left."))
    assert (finding.where, finding.level) == ("a.po:4", WARNING)
    assert "translates a different German sentence at a.po:1" in finding.message


COOPERATION = (
    ("Putin und Kim betonten Zusammenarbeit", "Putin and Kim stressed cooperation"),
    ("Putin kündigte eine verstärkte Zusammenarbeit an.", "Putin announced closer cooperation."),
    ("Ein Toast auf die Zusammenarbeit unserer Länder.", "A toast to the cooperation of our countries."),
    ("Die Zusammenarbeit wächst, sagte Putin.", "Cooperation is growing, said Putin."),
)


def test_a_recurring_noun_rendered_two_ways_is_a_warning_with_the_counts():
    findings = run("consistency", *COOPERATION, ("Sie sprachen über militärische Zusammenarbeit.", "They talked about military collaboration."))
    assert [(f.where, f.level) for f in findings] == [("a.po:13", WARNING)]
    assert findings[0].message == "„Zusammenarbeit“ is rendered in different ways: 'cooperation' 4×, 'collaboration' 1×"


def test_an_inflected_rendering_or_an_omission_is_not_an_inconsistency():
    """Cooperate shares cooperation's stem; a sentence that leaves the noun out has no alternative for it."""
    assert run("consistency", *COOPERATION, ("Sie sprachen über Zusammenarbeit.", "They talked about how to cooperate.")) == []
    assert run("consistency", *COOPERATION, ("Sie sprachen über militärische Zusammenarbeit.", "They talked about it.")) == []


def test_an_alternative_must_occur_only_where_the_noun_does():
    """"army" also stands where Zusammenarbeit does not: it renders something else."""
    deviating = ("Sie sprachen über Zusammenarbeit.", "They talked about the army.")
    assert run("consistency", *COOPERATION, deviating, ("Die Armee marschierte.", "The army marched.")) == []
    assert len(run("consistency", *COOPERATION, deviating)) == 1


def test_an_alternative_must_never_stand_beside_the_dominant_rendering():
    """"closer" stands beside "cooperation" in another segment: it is not a rendering of the noun."""
    assert run("consistency", *COOPERATION, ("Sie wollen engere Zusammenarbeit.", "They want it closer.")) == []
    assert len(run("consistency", *COOPERATION, ("Sie wollen engere Zusammenarbeit.", "They want it nearer."))) == 1


def test_a_word_capitalised_only_at_sentence_start_is_not_taken_for_a_noun():
    assert run("consistency", ("Dann kam Kim.", "Then Kim came."), ("Dann ging Putin.", "Afterwards Putin left."),
               ("Dann sprach Kim.", "Then Kim spoke.")) == []


def test_a_dominant_rendering_must_be_rare_where_the_noun_is_not():
    """"Putin" stands in most of the noun's segments, but also elsewhere: it is not the noun's rendering."""
    talks = (("Putin führte Gespräche.", "Putin held talks."), ("Putin suchte das Gespräch.", "Putin sought dialogue."),
             ("Das Gespräch dauerte lange.", "The conversation lasted long."))
    assert run("consistency", *talks, ("Putin kam.", "Putin came."), ("Putin ging.", "Putin left.")) == []


def test_a_glossary_term_rendered_by_a_forbidden_variant_somewhere_is_a_warning():
    pyongyang = Entry("Pjöngjang", "Pyongyang", "name", forbidden=("Pjöngjang",))
    findings = run("consistency", ("Kim flog nach Pjöngjang.", "Kim flew to Pyongyang."),
                   ("Kim kam aus Pjöngjang.", "Kim came from Pjöngjang."), glossary=[pyongyang])
    assert [(f.where, f.level) for f in findings] == [("a.po:4", WARNING)]
    assert findings[0].message == "„Pjöngjang“ is rendered in different ways: 'Pyongyang' 1×, 'Pjöngjang' 1×"


def test_consistency_looks_across_every_file_of_a_run(tmp_path):
    first = catalog(tmp_path / "a.po", [("Kim reiste ab.", "Kim left.")])
    second = catalog(tmp_path / "b.po", [("Kim reiste ab.", "Kim departed.")])
    result = check(first, second, "--glossary", GLOSSARY)
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith(f"{second}:") and "error consistency: the same German is translated differently" in line
    # each file alone is consistent
    assert check(first, "--glossary", GLOSSARY).exit_code == check(second, "--glossary", GLOSSARY).exit_code == 0


def test_an_across_files_check_gets_all_segments_at_once_and_the_others_one_file_at_a_time():
    calls = []

    def recording(name):
        def run_check(found, context):
            calls.append((name, [s.where for s in found]))
            return []
        return run_check

    checks = [Check("per-file", recording("per-file")), Check("across", recording("across"), across_files=True)]
    check_files([segments(("a", "a"), file="x.po"), segments(("b", "b"), file="y.po")], CheckContext(), checks)
    assert calls == [("per-file", ["x.po:1"]), ("per-file", ["y.po:1"]), ("across", ["x.po:1", "y.po:1"])]


# --- the command: folders, JSON, exit codes, summary ----------------------------------------------


def test_a_folder_stands_for_every_catalogue_under_it(tmp_path):
    locales = tmp_path / "locales" / "en" / "LC_MESSAGES"
    locales.mkdir(parents=True)
    catalog(locales / "a.po", [("Kim reiste ab.", "Kim left.")])
    catalog(locales / "b.po", [("Kim reiste ab.", "Kim departed.")])
    (tmp_path / "locales" / ".git").mkdir()
    catalog(tmp_path / "locales" / ".git" / "c.po", [("Kim reiste ab.", "Kim went.")])  # hidden: not walked
    result = check(tmp_path / "locales", "--glossary", GLOSSARY)
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [str(locales / "b.po")]
    assert f"{locales / 'a.po'}, {locales / 'b.po'}: 1 error" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = check(empty, "--glossary", GLOSSARY)
    assert result.exit_code == 2 and "no *.po catalogue in this folder" in result.stderr


def test_json_format_writes_one_object_per_finding(tmp_path):
    po = catalog(tmp_path / "a.po", [("2019 kam Kim.", "Kim came in 2018."), ("Kim reiste ab.", "")])
    result = check(po, "--glossary", GLOSSARY, "--format", "json")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    line = polib.pofile(str(po))[0].linenum
    assert {"file": str(po), "line": line, "level": "error", "check": "numbers",
            "message": "'2019' is not in the English (English: 2019); it has 2018"} in objects
    assert {(o["check"], o["level"]) for o in objects} == {("numbers", "error"), ("untranslated", "warning")}
    assert result.exit_code == 1


def test_warnings_fail_the_run_only_with_warnings_as_errors(tmp_path):
    po = catalog(tmp_path / "a.po", [("Kim reiste ab.", "")])
    result = check(po, "--glossary", GLOSSARY)
    assert result.exit_code == 0 and ": warning untranslated: not translated" in result.stdout
    assert check(po, "--glossary", GLOSSARY, "--warnings-as-errors").exit_code == 1


def test_the_summary_counts_findings_by_check_and_level_and_entries_by_state(tmp_path):
    po = catalog(tmp_path / "a.po", [
        ("2019 kam Kim.", "Kim came in 2018."),
        ("Kim reiste ab.", "", "fuzzy"),
        ("Kim blieb.", "Kim stayed", "fuzzy"),
        ("Kim ging.", "Kim went."),
    ])
    result = check(po, "--glossary", GLOSSARY)
    assert result.stderr.strip().splitlines()[-1] == (
        f"{po}: 2 errors, 1 warning (numbers: 1 error; punctuation: 1 error; untranslated: 1 warning); "
        "4 entries: 2 reviewed, 1 fuzzy, 1 empty"
    )


def test_summarise_names_what_a_file_does_not_say():
    found = [Finding("a:1", "quotes", "x"), Finding("a:2", "consistency", "y", WARNING), Finding("a:3", "quotes", "z")]
    states = [ReviewedSegment("a", "b", "a:1", REVIEWED), ReviewedSegment("a", "", "a:2", EMPTY), ReviewedSegment("c", "d", "a:3", UNKNOWN)]
    assert summarise(found, states) == (
        "2 errors, 1 warning (quotes: 2 errors; consistency: 1 warning); 3 entries: 1 reviewed, 0 fuzzy, 1 empty, "
        "1 without a review state"
    )
    assert summarise([], []) == "no problems; 0 entries: 0 reviewed, 0 fuzzy, 0 empty"


def test_bitext_rows_get_their_review_state_from_the_flags(tmp_path):
    tsv = tmp_path / "a.de-en.tsv"
    tsv.write_text(
        "block\tsentence\tkind\tline\tde\ten\tglossary\tflags\n"
        "1\t1\tparagraph\t1\tKim kam.\tKim came.\t\treviewed\n"
        "1\t2\tparagraph\t1\tKim ging.\tKim went.\t\tmachine,truncated\n"
        "1\t3\tparagraph\t1\tKim blieb.\t\t\tdraft\n",
        encoding="utf-8",
    )
    assert [s.state for s in read_segments(tsv)] == [REVIEWED, FUZZY, EMPTY]
    bare = tmp_path / "b.de-en.tsv"
    bare.write_text("de\ten\nKim kam.\tKim came.\n", encoding="utf-8")
    assert [s.state for s in read_segments(bare)] == [UNKNOWN]


def test_po_entries_get_their_review_state(tmp_path):
    po = catalog(tmp_path / "a.po", [("Kim kam.", "Kim came."), ("Kim ging.", "Kim went.", "fuzzy"), ("Kim blieb.", "")])
    assert [s.state for s in read_segments(po)] == [REVIEWED, FUZZY, EMPTY]


def test_finding_as_json_splits_file_and_line():
    assert Finding("dir/a.po:12", "numbers", "m").as_json() == {"file": "dir/a.po", "line": 12, "level": "error", "check": "numbers", "message": "m"}
    assert Finding("<stdin>", "numbers", "m", WARNING).as_json()["line"] is None


def test_without_a_glossary_the_other_checks_run_and_the_glossary_check_is_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    po = catalog(tmp_path / "a.po", [("2019 kam Kim.", "Kim came in 2018.")])
    result = check(po)
    assert result.exit_code == 1 and "error numbers:" in result.stdout
    assert "skipped without a glossary: glossary" in result.stderr


def test_every_check_is_registered_with_a_description():
    assert [c.name for c in CHECKS] == ["glossary", "numbers", "quotes", "punctuation", "untranslated", "markup", "consistency"]
    assert all(c.description for c in CHECKS)
    assert [c.name for c in CHECKS if c.across_files] == ["consistency"]
    assert [c.name for c in CHECKS if c.sees_markup] == ["markup"]


def test_importing_the_checks_loads_no_optional_library():
    """translate-toolkit, lemminflect and PyStemmer load when a check runs, keeping start-up fast."""
    code = ("import sys, dolmetsch.checks, dolmetsch.cli.check, dolmetsch.postedit; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'translate', 'lemminflect', 'Stemmer', 'numpy'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
