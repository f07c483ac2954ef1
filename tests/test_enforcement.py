"""Glossary enforcement changes real decoder output of the tiny model, by each strategy."""

from __future__ import annotations

import dataclasses
import json

import polib
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL
from dolmetsch.cli import app
from dolmetsch.document.blocks import parse_blocks
from dolmetsch.engine.engine import Hypothesis
from dolmetsch.enforce.strategies import GlossaryEnforcer, _Sentence
from dolmetsch.translation import MISSING, NATURAL, NBEST, PREFIX, REPLACED
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.pipeline import translate_document

NEWS = ROOT / "glossary" / "news.de-en.tsv"


def translate(engine, text, entries=None):
    document = parse_blocks(text, source="t.txt", name="t", encoding="utf_8")
    enforcer = GlossaryEnforcer(Glossary(tuple(entries))) if entries is not None else None
    return translate_document(document, engine, enforcer=enforcer).segments


def entry(de, en, kind="name", forbidden=()):
    return Entry(de=de, en=en, kind=kind, forbidden=tuple(forbidden))


def test_nbest_fixes_a_name_the_model_renders_its_own_way(tiny_engine):
    (plain,) = translate(tiny_engine, "Putin traf Kim in Wladiwostok.")
    assert plain.english == "Putin met Kim in Wladiwostok."
    (fixed,) = translate(tiny_engine, "Putin traf Kim in Wladiwostok.", [entry("Wladiwostok", "Vladivostok", forbidden=["Wladiwostok"])])
    assert fixed.english == "Putin met Kim in Vladivostok."
    assert [(t.found, t.how) for t in fixed.terms] == [("Wladiwostok", NBEST)]


def test_prefix_forces_a_rendering_the_model_never_chose(tiny_engine):
    (plain,) = translate(tiny_engine, "Putin und Kim trafen sich in Wostotschny.")
    assert plain.english == "Putin and Kim met in Wostotschny."
    (fixed,) = translate(tiny_engine, "Putin und Kim trafen sich in Wostotschny.", [entry("Wostotschny", "Vostochny", forbidden=["Wostotschny"])])
    assert fixed.english == "Putin and Kim met in Vostochny."
    assert fixed.terms[0].how == PREFIX


def test_term_inflected_in_german_is_enforced(tiny_engine):
    text = "Putin traf den nordkoreanischen Machthaber in Wladiwostok."
    (plain,) = translate(tiny_engine, text)
    assert "leader" in plain.english and "ruler" not in plain.english
    (fixed,) = translate(tiny_engine, text, [entry("Machthaber", "ruler", kind="term"), entry("nordkoreanisch", "North Korean", kind="term")])
    assert "North Korean ruler" in fixed.english
    assert {t.found: t.how for t in fixed.terms}["nordkoreanischen"] == NATURAL
    assert {t.found: t.how for t in fixed.terms}["Machthaber"] in (PREFIX, REPLACED)


def test_natural_when_the_model_already_agrees(tiny_engine):
    (segment,) = translate(tiny_engine, "Putins Delegation besuchte Nordkorea.", [entry("Putin", "Putin"), entry("Nordkorea", "North Korea")])
    assert segment.english == "Putin's delegation visited North Korea."
    assert [t.how for t in segment.terms] == [NATURAL, NATURAL]


def test_keep_term_stays_as_written(tiny_engine):
    text = "Die Nachrichtenagentur RIA Nowosti berichtete am Mittwoch."
    (segment,) = translate(tiny_engine, text, [entry("RIA Nowosti", "RIA Nowosti", kind="keep")])
    assert "RIA Nowosti" in segment.english and "Novosti" not in segment.english
    assert segment.terms[0].how != MISSING


def test_article_run_satisfies_every_term_and_check_agrees(tmp_path):
    out, locales = tmp_path / "out", tmp_path / "locales"
    result = CliRunner().invoke(app, ["translate", str(EXAMPLE), "--model", str(TINY_MODEL), "-o", str(out), "--locales", str(locales), "--glossary", str(NEWS)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "putin-kim.glossary.json").read_text(encoding="utf-8"))
    assert report["matched"] > 100
    assert report["satisfied"] == report["matched"], report["by_strategy"]
    assert report["by_strategy"][PREFIX] > 0 and report["by_strategy"][NBEST] > 0
    po = locales / "en" / "LC_MESSAGES" / "putin-kim.po"
    catalog = polib.pofile(str(po))
    assert any("glossary: Wostotschny → Vostochny" in e.comment for e in catalog)
    english = (out / "putin-kim.en.txt").read_text(encoding="utf-8")
    assert "Wostotschny" not in english and "Pjöngjang" not in english

    check = CliRunner().invoke(app, ["check", str(po), "--glossary", str(NEWS), "--check", "glossary"])
    assert check.exit_code == 0, check.output

    # a reviewer edits one rendering back to a forbidden variant: check names that segment
    edited = next(e for e in catalog if "Pyongyang" in e.msgstr)
    edited.msgstr = edited.msgstr.replace("Pyongyang", "Pjöngjang")
    catalog.save()
    line = next(e.linenum for e in polib.pofile(str(po)) if e.msgid == edited.msgid)
    check = CliRunner().invoke(app, ["check", str(po), "--glossary", str(NEWS), "--check", "glossary"])
    assert check.exit_code == 1
    findings = check.stdout.strip().splitlines()
    assert findings and all(f.startswith(f"{po}:{line}: error glossary: ") for f in findings)
    assert f"{po}:{line}: error glossary: forbidden variant 'Pjöngjang' for 'Pjöngjang' (use 'Pyongyang')" in findings


def test_without_glossary_the_article_breaks_it(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["translate", str(EXAMPLE), "--model", str(TINY_MODEL), "-o", str(out), "--locales", str(tmp_path / "l"), "--no-glossary"])
    assert result.exit_code == 0
    check = CliRunner().invoke(app, ["check", str(out / "putin-kim.de-en.tsv"), "--glossary", str(NEWS)])
    assert check.exit_code == 1 and "Vladivostok" in check.stdout


# --- the steps of enforcement, one by one, on the tiny model's real output ----------------------


class RecordingEngine:
    """The tiny engine, recording each `translate` call's keyword arguments and hypotheses."""

    def __init__(self, engine):
        self.engine = engine
        self.calls: list[tuple[dict, list[list[Hypothesis]]]] = []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def translate(self, sentences, **options):
        found = self.engine.translate(sentences, **options)
        self.calls.append((options, found))
        return found


def sentence_state(engine, enforcer, text, *, attention=True):
    """The working state enforcement starts from: the greedy hypothesis, natural terms marked."""
    ((best, *_),) = engine.translate([text], return_attention=True)
    if not attention:
        best = dataclasses.replace(best, attention=None)
    state = _Sentence(text, list(enforcer.matcher.match(text)), best.text, best)
    enforcer._mark(state, state.english, NATURAL)
    return state


VLADIVOSTOK = entry("Wladiwostok", "Vladivostok", forbidden=["Wladiwostok"])


def test_suppress_keeps_a_forbidden_variant_out_of_the_nbest_list(tiny_engine):
    text = "Putin traf Kim in Wladiwostok."
    (free,) = tiny_engine.translate([text], num_hypotheses=8, beam_size=8)
    assert any("Wladiwostok" in h.text for h in free)  # the model does produce it
    (suppressed,) = tiny_engine.translate([text], num_hypotheses=8, beam_size=8, suppress=["Wladiwostok"])
    assert suppressed and not any("wladiwostok" in h.text.casefold() for h in suppressed)


def test_nbest_pass_decodes_with_the_forbidden_variants_suppressed(tiny_engine):
    enforcer = GlossaryEnforcer(Glossary((VLADIVOSTOK,)), nbest=8)
    state = sentence_state(tiny_engine, enforcer, "Putin traf Kim in Wladiwostok.")
    assert state.unsatisfied() == [0]
    recording = RecordingEngine(tiny_engine)
    enforcer._try_nbest(recording, [state])
    ((options, (hypotheses,)),) = recording.calls
    assert options["suppress_each"] == [["Wladiwostok"]] and options["num_hypotheses"] == 8
    assert len(hypotheses) == 8 and not any("Wladiwostok" in h.text for h in hypotheses)
    assert (state.english, state.how) == ("Putin met Kim in Vladivostok.", {0: NBEST})


def test_nbest_is_skipped_when_the_first_beam_was_as_wide(tiny_engine):
    document = parse_blocks("Putin traf Kim in Wladiwostok.", source="t.txt", name="t", encoding="utf_8")
    recording = RecordingEngine(tiny_engine)
    enforcer = GlossaryEnforcer(Glossary((VLADIVOSTOK,)), nbest=1)
    (segment,) = translate_document(document, recording, enforcer=enforcer).segments
    assert not [options for options, _ in recording.calls if "beam_size" in options and not options.get("target_prefixes")]  # only the n-best pass widens the beam
    assert segment.terms[0].how == PREFIX  # the greedy first pass lacks it; no n-best pass; the prefix finds it


@pytest.mark.parametrize(
    "text, term, greedy, expected",
    [
        ("Kim reiste nach Pjöngjang.", entry("Pjöngjang", "Pyongyang", forbidden=["Pjongjang"]), "Kim travelled to Pjongjang.", "Kim travelled to Pyongyang."),
        (
            "Der nordkoreanische Machthaber besuchte Russland.",
            entry("Machthaber", "ruler", kind="term", forbidden=["leader"]),
            "The North Korean leader visited Russia.",
            "The North Korean ruler visited Russia.",
        ),
    ],
)
def test_last_resort_replaces_a_forbidden_variant_with_the_rendering(tiny_engine, text, term, greedy, expected):
    # without attention nothing aligns, so the rendering is only appended, which leaves the forbidden
    # variant in the sentence: only replacing the variant itself satisfies the term
    enforcer = GlossaryEnforcer(Glossary((term,)))
    state = sentence_state(tiny_engine, enforcer, text, attention=False)
    assert state.english == greedy and state.unsatisfied() == [0]
    enforcer._replace(tiny_engine, state)
    assert state.english == expected
    assert [t.how for t in enforcer._outcomes(state)] == [REPLACED]


def test_last_resort_replaces_the_aligned_words(tiny_engine):
    enforcer = GlossaryEnforcer(Glossary((entry("Machthaber", "ruler", kind="term"),)))
    state = sentence_state(tiny_engine, enforcer, "Der nordkoreanische Machthaber besuchte Russland.")
    enforcer._replace(tiny_engine, state)
    assert state.english == "The North Korean ruler visited Russia."
    assert [t.how for t in enforcer._outcomes(state)] == [REPLACED]


def test_a_candidate_must_satisfy_more_terms_and_lose_none(tiny_engine):
    enforcer = GlossaryEnforcer(Glossary((entry("Putin", "Putin"), entry("Kim", "Kim Jong Un"), VLADIVOSTOK)))
    state = sentence_state(tiny_engine, enforcer, "Putin traf Kim in Wladiwostok.")
    current = state.english
    assert current == "Putin met Kim in Wladiwostok." and state.how == {0: NATURAL}
    assert enforcer._better(state, "Putin met Kim in Vladivostok.", current)
    assert not enforcer._better(state, current, current)  # no gain
    assert not enforcer._better(state, "Putin met Kim in Moscow.", current)  # no gain
    assert not enforcer._better(state, "Kim Jong Un met someone in Vladivostok.", current)  # two more, but loses Putin

    def hypothesis(text):
        return Hypothesis(text=text, pieces=(), score=0.0, source_pieces=())

    enforcer._adopt_best(state, [hypothesis("Kim Jong Un met someone in Vladivostok."), hypothesis(current)])
    assert state.english == current and state.how == {0: NATURAL}  # nothing adopted
    enforcer._adopt_best(state, [hypothesis("Kim Jong Un met someone in Vladivostok."), hypothesis("Putin met Kim in Vladivostok.")])
    assert state.english == "Putin met Kim in Vladivostok." and state.how == {0: NATURAL, 2: NBEST}


def test_adopt_best_prefers_most_terms_then_score():
    enforcer = GlossaryEnforcer(Glossary((entry("Putin", "Putin"), entry("Kim", "Kim Jong Un"), VLADIVOSTOK)))
    start = Hypothesis(text="Putin met Kim.", pieces=(), score=-1.0, source_pieces=())
    state = _Sentence("Putin traf Kim in Wladiwostok.", list(enforcer.matcher.match("Putin traf Kim in Wladiwostok.")), start.text, start)
    enforcer._mark(state, state.english, NATURAL)
    one_good = Hypothesis(text="Putin met Kim in Vladivostok.", pieces=(), score=-0.1, source_pieces=())
    one_bad = Hypothesis(text="Putin met Kim Jong Un.", pieces=(), score=-5.0, source_pieces=())
    both_worse = Hypothesis(text="Putin met Kim Jong Un in Vladivostok.", pieces=(), score=-9.0, source_pieces=())
    both_better = Hypothesis(text="Putin met Kim Jong Un in Vladivostok!", pieces=(), score=-3.0, source_pieces=())
    enforcer._adopt_best(state, [one_good, one_bad, both_worse, both_better])
    assert state.hypothesis is both_better
    assert state.how == {0: NATURAL, 1: NBEST, 2: NBEST}


WOSTOTSCHNY = entry("Wostotschny", "Vostochny", forbidden=["Wostotschny"])
COSMODROME = entry("Weltraumbahnhof", "cosmodrome", kind="term", forbidden=["spaceport"])


def forced_decodes(recording) -> int:
    return sum(len(options["target_prefixes"]) for options, _ in recording.calls if options.get("target_prefixes"))


def test_no_prefix_rounds_means_no_forced_decoding(tiny_engine):
    document = parse_blocks("Putin und Kim trafen sich in Wostotschny.", source="t.txt", name="t", encoding="utf_8")
    recording = RecordingEngine(tiny_engine)
    (segment,) = translate_document(document, recording, enforcer=GlossaryEnforcer(Glossary((WOSTOTSCHNY,)), prefix_rounds=0)).segments
    assert forced_decodes(recording) == 0
    assert [t.how for t in segment.terms] == [REPLACED]  # with rounds, the prefix step finds it (above)
    assert segment.english == "Putin and Kim met in Vostochny."


class PrefixNeverWins(RecordingEngine):
    """Answers every forced decode with the unforced greedy translation, so that no prefix wins."""

    def translate(self, sentences, **options):
        if not options.get("target_prefixes"):
            return super().translate(sentences, **options)
        found = self.engine.translate(sentences, beam_size=1, return_attention=True)
        self.calls.append((options, found))
        return found


def test_a_sentence_missing_several_terms_is_forced_through_all_of_them_in_one_decode(tiny_engine):
    text = "Putin und Kim trafen sich auf dem Weltraumbahnhof Wostotschny."
    document = parse_blocks(text, source="t.txt", name="t", encoding="utf_8")
    recording = RecordingEngine(tiny_engine)
    (segment,) = translate_document(document, recording, enforcer=GlossaryEnforcer(Glossary((COSMODROME, WOSTOTSCHNY)))).segments
    # the first pass says "… met at the Wostotschny spaceport.": both renderings go into one prefix,
    # in target order, and the model finishes the sentence
    assert [options["target_prefixes"] for options, _ in recording.calls if options.get("target_prefixes")] == [
        ["Putin and Kim met at the Vostochny cosmodrome"]
    ]
    assert segment.english == "Putin and Kim met at the Vostochny cosmodrome."
    assert [t.how for t in segment.terms] == [PREFIX, PREFIX]


@pytest.mark.parametrize("rounds", [1, 2, 3, 4])
def test_prefix_rounds_bound_the_forced_decodes_per_sentence(tiny_engine, rounds):
    text = "Putin und Kim trafen sich auf dem Weltraumbahnhof Wostotschny."
    document = parse_blocks(text, source="t.txt", name="t", encoding="utf_8")
    recording = PrefixNeverWins(tiny_engine)
    enforcer = GlossaryEnforcer(Glossary((COSMODROME, WOSTOTSCHNY)), prefix_rounds=rounds)
    (segment,) = translate_document(document, recording, enforcer=enforcer).segments
    # one forced decode per round: both terms at once, then (that having failed) each term alone,
    # never a term twice; what no prefix settled is replaced
    prefixes = [options["target_prefixes"] for options, _ in recording.calls if options.get("target_prefixes")]
    expected = [
        ["Putin and Kim met at the Vostochny cosmodrome"],
        ["Putin and Kim met at the Wostotschny cosmodrome"],
        ["Putin and Kim met at the Vostochny"],
    ]
    assert forced_decodes(recording) == min(rounds, 3) and prefixes == expected[:rounds]
    assert [t.how for t in segment.terms] == [REPLACED, REPLACED]
    assert segment.english == "Putin and Kim met at the Vostochny cosmodrome."


def test_first_beam_alternatives_are_the_free_nbest_list(tiny_engine):
    text = "Putin traf Kim in Wladiwostok."
    first_pass = tiny_engine.translate([text], num_hypotheses=8, beam_size=8, return_attention=True)
    assert first_pass[0][0].text == "Putin met Kim in Wladiwostok."
    recording = RecordingEngine(tiny_engine)
    segment = parse_blocks(text, source="t.txt", name="t", encoding="utf_8").segments()
    [(english, terms)] = GlossaryEnforcer(Glossary((VLADIVOSTOK,)), nbest=8).enforce(recording, segment, first_pass)
    assert english == "Putin met Kim in Vladivostok." and [t.how for t in terms] == [NBEST]
    assert recording.calls == []  # found in the first beam: no second decode


def test_prefix_is_the_models_own_words_up_to_the_term_plus_the_rendering(tiny_engine):
    enforcer = GlossaryEnforcer(Glossary((WOSTOTSCHNY,)))
    state = sentence_state(tiny_engine, enforcer, "Putin und Kim trafen sich in Wostotschny.")
    assert state.english == "Putin and Kim met in Wostotschny."
    assert enforcer._prefix_for(tiny_engine, state, state.matches[0]) == "Putin and Kim met in Vostochny"


@pytest.mark.parametrize(
    "found, plural",
    [("Weltraumbahnhöfe", True), ("Weltraumbahnhöfen", True), ("Weltraumbahnhofs", False), ("Weltraumbahnhof", False)],
)
def test_plural_german_nouns_get_the_plural_rendering(found, plural):
    from dolmetsch.enforce.strategies import german_plural, rendering_for
    from dolmetsch.glossary.matcher import Match

    match = Match(Entry("Weltraumbahnhof", "cosmodrome", "term"), 0, len(found), found)
    assert german_plural(match) is plural
    assert rendering_for(match) == ("cosmodromes" if plural else "cosmodrome")


def test_names_and_adjectives_never_take_a_plural_rendering():
    from dolmetsch.enforce.strategies import rendering_for
    from dolmetsch.glossary.matcher import Match

    assert rendering_for(Match(Entry("nordkoreanisch", "North Korean", "term"), 0, 16, "nordkoreanischen")) == "North Korean"
    assert rendering_for(Match(Entry("Nowosti", "Novosti", "name"), 0, 8, "Nowostis")) == "Novosti"


def test_a_plural_term_is_enforced_in_the_plural(tiny_engine):
    (segment,) = translate(tiny_engine, "Russland baut zwei neue Weltraumbahnhöfe.", [entry("Weltraumbahnhof", "cosmodrome", kind="term")])
    (outcome,) = segment.terms
    assert outcome.how in (PREFIX, REPLACED) and "cosmodromes" in segment.english, segment.english


# --- what the first pass asks of the decoder, and for which sentences --------------------------


def recorded_run(tiny_engine, text, entries):
    engine = RecordingEngine(tiny_engine)
    document = parse_blocks(text, source="t.txt", name="t", encoding="utf_8")
    segments = translate_document(document, engine, enforcer=GlossaryEnforcer(Glossary(tuple(entries)))).segments
    return engine, segments


def test_only_sentences_with_terms_get_the_wide_first_pass_and_attention(tiny_engine):
    text = "Kim besuchte Russland.\n\nPutin traf Kim in Wladiwostok.\n\nDer Präsident sprach am Mittwoch."
    engine, segments = recorded_run(tiny_engine, text, [VLADIVOSTOK])
    (plain_options, plain), (wide_options, wide), *_ = engine.calls
    assert len(plain) == 2 and (plain_options["num_hypotheses"], plain_options.get("return_attention", False)) == (1, False)
    assert len(wide) == 1 and wide_options["return_attention"] and wide_options["num_hypotheses"] == tiny_engine.options.beam_size
    assert [s.english for s in segments] == ["Kim visited Russia.", "Putin met Kim in Vladivostok.", "The president spoke on Wednesday."]


def test_enforcement_in_chunks_gives_the_same_result(tiny_engine, monkeypatch):
    from dolmetsch import pipeline

    text = "\n\n".join(["Putin traf Kim in Wladiwostok.", "Putin und Kim trafen sich in Wostotschny.", "Kim besuchte Wladiwostok."])
    entries = [VLADIVOSTOK, entry("Wostotschny", "Vostochny", forbidden=["Wostotschny"])]
    _, whole = recorded_run(tiny_engine, text, entries)
    monkeypatch.setattr(pipeline, "ENFORCEMENT_CHUNK", 1)
    engine, chunked = recorded_run(tiny_engine, text, entries)
    assert [(s.english, s.terms) for s in chunked] == [(s.english, s.terms) for s in whole]
    wide_passes = [found for options, found in engine.calls if options.get("return_attention") and not options.get("target_prefixes")]
    assert [len(found) for found in wide_passes][:3] == [1, 1, 1]  # never more than a chunk at once


def test_at_the_default_beam_there_is_no_second_nbest_pass_and_prefixes_finish_greedily(tiny_engine):
    engine = RecordingEngine(dataclasses.replace(tiny_engine, options=dataclasses.replace(tiny_engine.options, beam_size=4)))
    document = parse_blocks("Putin und Kim trafen sich in Wostotschny.", source="t.txt", name="t", encoding="utf_8")
    (segment,) = translate_document(document, engine, enforcer=GlossaryEnforcer(Glossary((entry("Wostotschny", "Vostochny", forbidden=["Wostotschny"]),)))).segments
    first, *forced = [options for options, _ in engine.calls]
    assert first["num_hypotheses"] == 4 and "target_prefixes" not in first
    assert forced and all(o.get("target_prefixes") and (o["beam_size"], o["num_hypotheses"]) == (1, 1) for o in forced)
    assert segment.english == "Putin and Kim met in Vostochny." and segment.terms[0].how == PREFIX


def test_a_forced_decode_the_length_guard_cut_is_not_taken_over_a_finished_one(tiny_engine):
    enforcer = GlossaryEnforcer(Glossary((WOSTOTSCHNY,)))
    state = sentence_state(tiny_engine, enforcer, "Putin und Kim trafen sich in Wostotschny.")
    assert not state.hypothesis.truncated

    def forced(truncated):
        return Hypothesis(text="Putin and Kim met in Vostochny and and", pieces=(), score=0.0, source_pieces=(), truncated=truncated)

    assert not enforcer._adopt_forced(state, [0], forced(truncated=True))
    assert state.english == "Putin and Kim met in Wostotschny." and state.unsatisfied() == [0]
    assert enforcer._adopt_forced(state, [0], forced(truncated=False))
    assert state.how == {0: PREFIX}


# --- a sentence's enforcement does not depend on the sentences decoded beside it ----------------

SPACEFLIGHT = entry("Raumfahrt", "spaceflight", kind="term", forbidden=["space travel", "space"])


@pytest.mark.parametrize(
    "neighbours, entries",
    [
        # "space" is forbidden for the neighbour's term, not for the sentence's own
        (["Russland investiert in die Raumfahrt."], [WOSTOTSCHNY, SPACEFLIGHT]),
        (["Russland investiert in die Raumfahrt.", "Der Weltraumbahnhof liegt im Osten.", "Putin traf Kim in Wladiwostok."],
         [WOSTOTSCHNY, SPACEFLIGHT, COSMODROME, VLADIVOSTOK]),
    ],
)
def test_a_sentence_comes_out_the_same_alone_and_among_neighbours_with_other_forbidden_variants(tiny_engine, neighbours, entries):
    sentence = "Kim reiste mit dem Zug nach Wostotschny, wo er Putin traf."
    (alone,) = translate(tiny_engine, sentence, entries)
    assert alone.english == "Kim travelled to the Vostochny space comport." and [t.how for t in alone.terms] == [PREFIX]
    for text in ("\n\n".join([sentence, *neighbours]), "\n\n".join([*neighbours, sentence])):
        (among,) = [s for s in translate(tiny_engine, text, entries) if s.segment.text == sentence]
        assert (among.english, among.terms) == (alone.english, alone.terms)


def test_each_forced_decode_suppresses_only_its_own_sentences_forbidden_variants(tiny_engine):
    text = "Kim reiste mit dem Zug nach Wostotschny, wo er Putin traf.\n\nRussland investiert in die Raumfahrt."
    engine, _ = recorded_run(tiny_engine, text, [WOSTOTSCHNY, SPACEFLIGHT])
    forced = [options for options, _ in engine.calls if options.get("target_prefixes")]
    assert forced and all("suppress" not in options for options in forced)
    assert forced[0]["suppress_each"] == [["Wostotschny"], ["space", "space travel"]]


class CountingDecodes(RecordingEngine):
    """Counts the piece sequences decoded and the sentences encoded with offsets."""

    def __init__(self, engine):
        super().__init__(engine)
        self.decoded: list[tuple[str, ...]] = []
        self.encoded: list[str] = []

    def decode(self, pieces):
        self.decoded.append(tuple(pieces))
        return self.engine.decode(pieces)

    def encode_with_offsets(self, text):
        self.encoded.append(text)
        return self.engine.encode_with_offsets(text)


def test_aligning_decodes_each_piece_sequence_and_encodes_each_sentence_once_per_run(tiny_engine):
    text = "Putin und Kim trafen sich auf dem Weltraumbahnhof Wostotschny."
    first_pass = tiny_engine.translate([text], num_hypotheses=4, return_attention=True)
    segments = parse_blocks(text, source="t.txt", name="t", encoding="utf_8").segments()
    counting = CountingDecodes(tiny_engine)
    enforcer = GlossaryEnforcer(Glossary((COSMODROME, WOSTOTSCHNY, entry("Kim", "Kim Jong Un"))))
    [(english, terms)] = enforcer.enforce(counting, segments, first_pass)
    [(expected, expected_terms)] = enforcer.enforce(tiny_engine, segments, first_pass)
    assert (english, terms) == (expected, expected_terms)
    assert counting.encoded == [text]  # every term of the sentence is aligned from one encoding
    assert len(counting.decoded) > 10 and len(counting.decoded) == len(set(counting.decoded))
