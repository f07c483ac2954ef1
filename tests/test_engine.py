"""The engine on the tiny real model: exact greedy output, batching, n-best, prefixes, attention, guard."""

from __future__ import annotations

import shutil
from dataclasses import replace

import ctranslate2
import pytest
import sentencepiece

from dolmetsch.engine.engine import DecodingOptions, Engine
from dolmetsch.errors import InputError
from dolmetsch.models.package import ArgosPackage

PROBES = {
    "Putin traf Kim in Wladiwostok.": "Putin met Kim in Wladiwostok.",
    "Kim besuchte Russland.": "Kim visited Russia.",
    "Der Präsident sprach am Mittwoch.": "The president spoke on Wednesday.",
    "Russlands Präsident sprach am Montag.": "Russia's president spoke on Monday.",
    "Putins Delegation besuchte Nordkorea.": "Putin's delegation visited North Korea.",
    "Treffen in Russland": "Meeting in Russia",
}


class RecordingTranslator:
    """Hands translate_batch on to the real translator, keeping each batch's sources and options."""

    def __init__(self, real):
        self.real = real
        self.batches: list[list[list[str]]] = []
        self.calls: list[dict] = []

    def translate_batch(self, source, **options):
        self.batches.append(list(source))
        self.calls.append(options)
        return self.real.translate_batch(source, **options)

    @property
    def sources(self) -> list[list[str]]:
        return [pieces for batch in self.batches for pieces in batch]

    @property
    def options(self) -> dict:
        return self.calls[-1]


def recording(engine: Engine, **options) -> tuple[Engine, RecordingTranslator]:
    spy = RecordingTranslator(engine.translator)
    return replace(engine, translator=spy, options=DecodingOptions(**options)), spy


def must_not_load(*args, **kwargs):
    raise AssertionError("a model was loaded before the request was refused")


def test_greedy_output_is_exact(tiny_engine):
    results = tiny_engine.translate(list(PROBES), beam_size=1)
    assert [r[0].text for r in results] == list(PROBES.values())


def test_batching_keeps_input_order(tiny_engine):
    sentences = list(PROBES) * 3
    batched = [r[0].text for r in tiny_engine.translate(sentences, beam_size=1)]
    one_by_one = [tiny_engine.translate([s], beam_size=1)[0][0].text for s in sentences]
    assert batched == one_by_one == list(PROBES.values()) * 3


def test_results_come_back_in_input_order_though_decoded_by_length(tiny_engine):
    longest_first = sorted(PROBES, key=lambda s: -len(tiny_engine.encode(s)))
    engine, spy = recording(tiny_engine, beam_size=1)
    results = engine.translate(longest_first)
    decoded_lengths = [len(source) for source in spy.sources]
    assert decoded_lengths == sorted(decoded_lengths) != [len(tiny_engine.encode(s)) for s in longest_first]
    assert [r[0].text for r in results] == [PROBES[s] for s in longest_first]
    assert [r[0].source_pieces for r in results] == [tuple(tiny_engine.encode(s)) for s in longest_first]


def test_small_token_batches_give_the_same_result(tiny_engine):
    small, spy = recording(tiny_engine, beam_size=1, max_batch_tokens=8)
    seen = []
    results = small.translate(list(PROBES), on_progress=seen.append)
    assert [r[0].text for r in results] == list(PROBES.values())
    assert seen == [1] * len(PROBES)
    assert len(spy.batches) > 1
    for batch in spy.batches:  # padded to its widest sentence, within the budget unless alone
        assert len(batch) == 1 or max(map(len, batch)) * len(batch) <= 8


def test_each_batch_decodes_to_its_own_longest_sentences_cap(tiny_engine):
    short, long = "Kim besuchte Russland.", "Putin und Kim trafen sich in Wostotschny, sagte der Sprecher am Mittwoch."
    engine, spy = recording(tiny_engine, beam_size=1, max_batch_tokens=2 * len(tiny_engine.encode(long)))
    results = engine.translate([long, short, short + " Ja.", long])
    assert [len(batch) for batch in spy.batches] == [2, 2]  # the short pair, then the long pair
    caps = [call["max_decoding_length"] for call in spy.calls]
    assert caps == [engine.length_limit(max(map(len, batch))) for batch in spy.batches]
    assert caps[0] < caps[1]
    assert [r[0].text for r in results[:2]] == [r[0].text for r in tiny_engine.translate([long, short], beam_size=1)]


def test_decoding_defaults_are_argos_own_and_reach_the_decoder(tiny_engine):
    assert (DecodingOptions().replace_unknowns, DecodingOptions().length_penalty) == (True, 0.2)
    engine, spy = recording(tiny_engine)
    engine.translate(["Kim besuchte Russland."])
    assert (spy.options["replace_unknowns"], spy.options["length_penalty"]) == (True, 0.2)
    engine, spy = recording(tiny_engine, replace_unknowns=False, length_penalty=1.0)
    engine.translate(["Kim besuchte Russland."])
    assert (spy.options["replace_unknowns"], spy.options["length_penalty"]) == (False, 1.0)


def test_score_is_log_probability_over_length_to_the_penalty(tiny_engine):
    def best(length_penalty):
        engine = replace(tiny_engine, options=DecodingOptions(beam_size=4, length_penalty=length_penalty))
        return engine.translate(["Kim besuchte Russland."])[0][0]

    argos, mean = best(0.2), best(1.0)
    assert argos.text == mean.text == "Kim visited Russia."
    length = len(argos.pieces) + 1  # the end token counts
    assert argos.score * length**0.2 == pytest.approx(mean.score * length, rel=1e-4)


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


def test_length_limit_is_twice_the_source_plus_ten_up_to_max_length(tiny_engine):
    engine = replace(tiny_engine, options=DecodingOptions())
    assert [engine.length_limit(n) for n in (0, 1, 6, 100, 245, 246, 1000)] == [10, 12, 22, 210, 500, 500, 500]


def test_length_guard_caps_the_output_and_flags_it(tiny_engine):
    # unguarded, "Treffen in Russland" (3 pieces) gives the 5 pieces of "Meeting in Russia"
    guarded = replace(tiny_engine, options=DecodingOptions(beam_size=1, length_ratio=0.5, length_margin=2))
    ((best, *_),) = guarded.translate(["Treffen in Russland"])
    assert best.pieces == ("▁Me", "eti", "ng", "▁in")  # ceil(0.5 × 3) + 2
    assert best.text == "Meeting in" and best.truncated


def test_length_guard_holds_per_sentence_in_a_batch(tiny_engine):
    # the decoder's own limit follows the longest source (10 pieces); the short one is cut to its own 3
    guarded = replace(tiny_engine, options=DecodingOptions(beam_size=1, length_ratio=1.0, length_margin=0))
    short, long = guarded.translate(["Treffen in Russland", "Putin und Kim trafen sich in Wostotschny."])
    assert short[0].pieces == ("▁Me", "eti", "ng") and short[0].truncated
    assert long[0].text == "Putin and Kim met in Wostotschny." and not long[0].truncated


def test_offsets_are_characters_not_bytes(tiny_engine):
    sentence = "Präsident Putins Größe"
    spans = tiny_engine.encode_with_offsets(sentence)
    assert "".join(sentence[s:e] for _, s, e in spans) == sentence
    assert spans[-1][2] == len(sentence)


def test_broken_model_bin_is_an_input_error_naming_the_model_folder(tmp_path, tiny_package_dir):
    broken = tmp_path / "pkg"
    shutil.copytree(tiny_package_dir, broken)
    (broken / "model" / "model.bin").write_bytes(b"garbage")
    with pytest.raises(InputError) as caught:
        Engine.load(ArgosPackage.from_dir(broken))
    assert caught.value.where == str(broken / "model")
    assert caught.value.problem.startswith("cannot load the CTranslate2 model (")
    assert "\n" not in str(caught.value)


def test_bpe_package_is_refused_in_one_line(tmp_path, tiny_package_dir, monkeypatch):
    bpe = tmp_path / "pkg"
    shutil.copytree(tiny_package_dir, bpe)
    (bpe / "sentencepiece.model").unlink()
    (bpe / "bpe.model").write_text("#version: 0.2\nd e\nP u\n", encoding="utf-8")  # subword-nmt merge codes
    monkeypatch.setattr(ctranslate2, "Translator", must_not_load)
    with pytest.raises(InputError) as caught:
        Engine.load(ArgosPackage.from_dir(bpe))
    assert caught.value.where == str(bpe / "bpe.model")
    assert caught.value.problem == "BPE packages are not supported; use a SentencePiece package"
    assert "\n" not in str(caught.value)


def test_cuda_without_a_gpu_is_refused_before_any_model_load(tiny_package_dir, monkeypatch):
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    monkeypatch.setattr(ctranslate2, "Translator", must_not_load)
    monkeypatch.setattr(sentencepiece, "SentencePieceProcessor", must_not_load)
    with pytest.raises(InputError) as caught:
        Engine.load(ArgosPackage.from_dir(tiny_package_dir), device="cuda")
    assert caught.value.where == "--device cuda"
    assert "no usable CUDA device" in caught.value.problem


def test_unsupported_compute_type_is_refused_listing_the_supported_ones(tiny_package_dir, monkeypatch):
    monkeypatch.setattr(ctranslate2, "Translator", must_not_load)
    with pytest.raises(InputError) as caught:
        Engine.load(ArgosPackage.from_dir(tiny_package_dir), compute_type="int3")
    assert caught.value.where == "--compute-type int3"
    listed = caught.value.problem.split("; choose from ", 1)[1]
    assert set(listed.split(", ")) == ctranslate2.get_supported_compute_types("cpu")


@pytest.mark.parametrize("compute_type", ["default", "auto", "float32"])
def test_default_auto_and_supported_compute_types_are_accepted(tiny_package_dir, compute_type):
    engine = Engine.load(ArgosPackage.from_dir(tiny_package_dir), threads=1, compute_type=compute_type)
    assert engine.translate(["Kim besuchte Russland."], beam_size=1)[0][0].text == "Kim visited Russia."


def test_overlong_input_is_cut_and_flagged(tiny_engine):
    short_input = replace(tiny_engine, options=DecodingOptions(beam_size=1, max_input=4))
    cut, exact, shorter = short_input.translate(
        ["Putin traf Kim in Wladiwostok.", "Treffen in Russland.", "Treffen in Russland"]
    )
    assert cut[0].source_pieces == ("▁Putin", "▁traf", "▁Kim", "▁in") and cut[0].truncated  # 6 pieces, cut to 4
    assert len(exact[0].source_pieces) == 4 and not exact[0].truncated  # exactly max_input: kept whole
    assert exact[0].text == shorter[0].text == "Meeting in Russia" and not shorter[0].truncated


def test_automatic_threads_decode_one_batch_per_core_on_one_thread_each(tiny_package_dir, monkeypatch):
    from dolmetsch.engine import engine as engine_module

    monkeypatch.setattr(engine_module.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert engine_module.thread_plan(0, "cpu") == (3, 1)
    assert engine_module.thread_plan(5, "cpu") == (1, 5)  # a number given: one batch at a time on that many
    assert engine_module.thread_plan(0, "cuda") == (1, 0)
    monkeypatch.setattr(engine_module.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert engine_module.thread_plan(0, "cpu") == (engine_module.MAX_PARALLEL_BATCHES, 1)
    chosen = []
    real_translator = ctranslate2.Translator
    monkeypatch.setattr(ctranslate2, "Translator", lambda *a, **k: chosen.append((k["inter_threads"], k["intra_threads"])) or real_translator(*a, **k))
    engine = Engine.load(ArgosPackage.from_dir(tiny_package_dir))
    assert chosen == [(4, 1)] and engine.parallel_batches == 4


def test_parallel_batches_share_the_token_budget_and_give_the_same_result(tiny_engine):
    engine, spy = recording(tiny_engine, beam_size=1, max_batch_tokens=64)
    alone = [r[0].text for r in engine.translate(list(PROBES))]
    one_at_a_time = [max(map(len, batch)) * len(batch) for batch in spy.batches]
    shared, spy = recording(replace(tiny_engine, parallel_batches=4), beam_size=1, max_batch_tokens=64)
    assert [r[0].text for r in shared.translate(list(PROBES))] == alone
    assert len(spy.batches) > len(one_at_a_time)
    assert all(len(batch) == 1 or max(map(len, batch)) * len(batch) <= 64 // 4 for batch in spy.batches)


def test_a_forced_prefix_is_part_of_the_length_limit_not_added_to_it(tiny_engine):
    text = "Kim besuchte Russland."
    engine, spy = recording(tiny_engine, beam_size=1)
    limit = engine.length_limit(len(engine.encode(text)))
    ((forced,),) = engine.translate([text], target_prefixes=["Kim visited"])
    assert spy.options["max_decoding_length"] == limit
    assert forced.text == "Kim visited Russia." and not forced.truncated
    long_prefix = " ".join(["Kim visited Russia and"] * 6)  # longer than the limit by itself
    forced_pieces = len(engine.encode(long_prefix))
    assert forced_pieces > limit
    engine.translate([text], target_prefixes=[long_prefix])
    assert spy.options["max_decoding_length"] == forced_pieces + engine.options.length_margin  # room to finish


def test_a_packages_own_target_token_is_not_counted_in_the_length_limit(tiny_engine):
    text = "Kim besuchte Russland."
    engine, spy = recording(tiny_engine, beam_size=1)
    engine = replace(engine, package=replace(engine.package, target_prefix="__en__"))
    limit = engine.length_limit(len(engine.encode(text)))
    engine.translate([text])
    assert spy.options["target_prefix"] == [["__en__"]] and spy.options["max_decoding_length"] == limit + 1
    engine.translate([text], target_prefixes=["Kim visited"])
    assert spy.options["max_decoding_length"] == limit + 1


SUPPRESSING = ["Putin traf Kim in Wladiwostok.", "Kim besuchte Russland.", "Putin traf Kim in Wladiwostok.", "Der Präsident sprach am Mittwoch."]
OWN_LISTS = [["Wladiwostok"], ["Russia"], [], ["Montag"]]


@pytest.mark.parametrize("beam", [1, 2])
def test_per_sentence_suppression_decodes_each_sentence_as_it_would_alone(tiny_engine, beam):
    engine, spy = recording(tiny_engine, beam_size=beam)
    together = engine.translate(SUPPRESSING, suppress_each=OWN_LISTS)
    alone = [tiny_engine.translate([s], beam_size=beam, suppress=f)[0] for s, f in zip(SUPPRESSING, OWN_LISTS)]
    assert [h[0].text for h in together] == [h[0].text for h in alone]
    assert "Wladiwostok" not in together[0][0].text and "Wladiwostok" in together[2][0].text
    assert "Russia" not in together[1][0].text


def test_with_a_beam_sentences_with_different_suppressed_lists_never_share_a_batch(tiny_engine):
    engine, spy = recording(tiny_engine, beam_size=2)
    engine.translate(SUPPRESSING, suppress_each=OWN_LISTS)
    assert len(spy.batches) == 4  # the decoder suppresses per batch: one batch per distinct list
    suppressed = [{tuple(p) for p in (options["suppress_sequences"] or ())} for options in spy.calls]
    assert sorted(map(len, suppressed)) == [0, 2, 2, 2]  # each as written and lower-cased


def test_greedy_decodes_share_a_batch_and_only_those_that_produced_their_own_suppressed_text_decode_again(tiny_engine):
    engine, spy = recording(tiny_engine, beam_size=1)
    engine.translate(SUPPRESSING, suppress_each=OWN_LISTS)
    # all four unsuppressed in one batch; "Wladiwostok" and "Russia" came out, so those two again,
    # each with its own list; "Montag" never came out, so the last sentence is taken as it is
    first, *again = spy.calls
    assert len(spy.batches[0]) == 4 and first["suppress_sequences"] is None
    assert sorted(spy.batches[1:]) == sorted([[tiny_engine.encode("Putin traf Kim in Wladiwostok.")], [tiny_engine.encode("Kim besuchte Russland.")]])
    assert all(options["suppress_sequences"] for options in again)


def test_sentences_with_the_same_suppressed_list_share_a_batch(tiny_engine):
    engine, spy = recording(tiny_engine, beam_size=2)
    engine.translate(["Putin traf Kim in Wladiwostok.", "Kim besuchte Wladiwostok."], suppress_each=[["Wladiwostok"], ["Wladiwostok"]])
    assert len(spy.batches) == 1


class CountingResult:
    """A decoder result that counts how often its attention is read (each read converts all of it)."""

    def __init__(self, real, reads):
        self.real, self.reads = real, reads

    def __getattr__(self, name):
        if name == "attention":
            self.reads.append(1)
        return getattr(self.real, name)


class CountingTranslator(RecordingTranslator):
    def __init__(self, real):
        super().__init__(real)
        self.reads: list[int] = []

    def translate_batch(self, source, **options):
        waiting = super().translate_batch(source, **options)
        reads = self.reads

        class Waiting:
            def __init__(self, real):
                self.real = real

            def result(self):
                return CountingResult(self.real.result(), reads)

        return [Waiting(w) for w in waiting]


def test_attention_is_converted_only_for_hypotheses_read_and_once_each(tiny_engine):
    import pickle

    spy = CountingTranslator(tiny_engine.translator)
    engine = replace(tiny_engine, translator=spy)
    (hypotheses,) = engine.translate(["Putin traf Kim in Wladiwostok."], num_hypotheses=4, beam_size=4, return_attention=True)
    assert len(hypotheses) == 4 and spy.reads == []  # nothing read, nothing converted
    best = hypotheses[0]
    first = best.attention
    assert best.attention is first and len(spy.reads) == 1  # converted once, then kept
    (eager,) = tiny_engine.translate(["Putin traf Kim in Wladiwostok."], num_hypotheses=4, beam_size=4, return_attention=True)
    assert (first == eager[0].attention).all() and first.shape == (len(best.pieces), len(best.source_pieces))
    copy = pickle.loads(pickle.dumps(hypotheses[1]))  # a pending one travels as its array
    assert copy == hypotheses[1] and (copy.attention == eager[1].attention).all()
    assert replace(best, attention=None).attention is None
    (plain,) = engine.translate(["Putin traf Kim in Wladiwostok."])
    assert plain[0].attention is None
