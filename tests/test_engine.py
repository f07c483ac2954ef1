"""The engine on the tiny real model: exact greedy output, batching, n-best, prefixes, attention, guard."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dolmetsch.engine.engine import DecodingOptions, Engine

PROBES = {
    "Putin traf Kim in Wladiwostok.": "Putin met Kim in Wladiwostok.",
    "Kim besuchte Russland.": "Kim visited Russia.",
    "Der Präsident sprach am Mittwoch.": "The president spoke on Wednesday.",
    "Russlands Präsident sprach am Montag.": "Russia's president spoke on Monday.",
    "Putins Delegation besuchte Nordkorea.": "Putin's delegation visited North Korea.",
    "Treffen in Russland": "Meeting in Russia",
}


def test_greedy_output_is_exact(tiny_engine):
    results = tiny_engine.translate(list(PROBES), beam_size=1)
    assert [r[0].text for r in results] == list(PROBES.values())


def test_batching_keeps_input_order(tiny_engine):
    sentences = list(PROBES) * 3
    batched = [r[0].text for r in tiny_engine.translate(sentences, beam_size=1)]
    one_by_one = [tiny_engine.translate([s], beam_size=1)[0][0].text for s in sentences]
    assert batched == one_by_one == list(PROBES.values()) * 3


def test_small_token_batches_give_the_same_result(tiny_engine):
    small = replace(tiny_engine, options=DecodingOptions(beam_size=1, max_batch_tokens=8))
    seen = []
    results = small.translate(list(PROBES), on_progress=seen.append)
    assert [r[0].text for r in results] == list(PROBES.values())
    assert sum(seen) == len(PROBES) and len(seen) > 1


def test_nbest_lists_are_ranked_and_hold_alternatives(tiny_engine):
    (hypotheses,) = tiny_engine.translate(["Putin traf Kim in Wladiwostok."], num_hypotheses=8, beam_size=8)
    assert len(hypotheses) == 8
    assert [h.score for h in hypotheses] == sorted((h.score for h in hypotheses), reverse=True)
    texts = [h.text for h in hypotheses]
    assert texts[0] == "Putin met Kim in Wladiwostok."
    assert "Putin met Kim in Vladivostok." in texts


def test_target_prefix_forces_the_start(tiny_engine):
    natural, forced = tiny_engine.translate(
        ["Putin und Kim trafen sich in Wostotschny."] * 2, target_prefixes=[None, "Putin and Kim met in Vostochny"]
    )
    assert natural[0].text == "Putin and Kim met in Wostotschny."
    assert forced[0].text == "Putin and Kim met in Vostochny."


def test_attention_covers_target_by_source(tiny_engine):
    ((best, *_),) = tiny_engine.translate(["Putin traf Kim in Wladiwostok."], return_attention=True)
    assert len(best.attention) == len(best.pieces)
    assert all(len(row) == len(best.source_pieces) for row in best.attention)
    # the target name attends most to the source name
    target = best.pieces.index("▁Wladiwostok")
    source = best.source_pieces.index("▁Wladiwostok")
    row = best.attention[target]
    assert max(range(len(row)), key=row.__getitem__) == source


def test_suppressed_sequences_are_not_produced(tiny_engine):
    ((best, *_),) = tiny_engine.translate(["Putin traf Kim in Wladiwostok."], suppress=["Wladiwostok"])
    assert "Wladiwostok" not in best.text


def test_length_guard_cuts_and_flags(tiny_engine):
    guarded = replace(tiny_engine, options=DecodingOptions(beam_size=1, length_ratio=0.0, length_margin=2))
    ((best, *_),) = guarded.translate(["Der Präsident sprach am Mittwoch."])
    assert len(best.pieces) <= 2 and best.truncated


def test_offsets_are_characters_not_bytes(tiny_engine):
    sentence = "Präsident Putins Größe"
    spans = tiny_engine.encode_with_offsets(sentence)
    assert "".join(sentence[s:e] for _, s, e in spans) == sentence
    assert spans[-1][2] == len(sentence)


def test_broken_model_folder_is_an_input_error(tmp_path, tiny_package_dir):
    import shutil

    from dolmetsch.errors import InputError
    from dolmetsch.packages.package import ArgosPackage

    broken = tmp_path / "pkg"
    shutil.copytree(tiny_package_dir, broken)
    (broken / "model" / "model.bin").write_bytes(b"garbage")
    with pytest.raises(InputError, match="cannot load the CTranslate2 model"):
        Engine.load(ArgosPackage.from_dir(broken))


def test_score_prefers_the_models_own_translation(tiny_engine):
    own, scrambled = tiny_engine.score(["Kim besuchte Russland."] * 2, ["Kim visited Russia.", "Russia visited Kim."])
    assert own > scrambled


def test_overlong_input_is_cut_and_flagged(tiny_engine):
    short_input = replace(tiny_engine, options=DecodingOptions(beam_size=1, max_input=4))
    ((best, *_),) = short_input.translate(["Putin traf Kim in Wladiwostok."])
    assert best.truncated and len(best.source_pieces) == 4
