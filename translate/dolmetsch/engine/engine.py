"""The translation engine: SentencePiece pieces in, CTranslate2 hypotheses out.

Argos' own `argostranslate.translate` pulls in sentence-splitter models and translates paragraph by
paragraph; here all sentences of a run are sorted by length and decoded in token-bounded batches,
each with its own length cap, and the decoder's n-best lists, attention and forced prefixes are
exposed for the glossary.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dolmetsch.engine.allocator import tune_allocator
from dolmetsch.errors import InputError
from dolmetsch.models.package import ArgosPackage

if TYPE_CHECKING:
    import numpy


@dataclass(frozen=True)
class DecodingOptions:
    """How to decode; the length guard keeps a broken model from running away on any sentence."""

    beam_size: int = 4
    num_hypotheses: int = 1
    # Source pieces × beam width in one batch: the decoder's buffers grow with both, so a wider beam
    # gets fewer sentences. 2048 (512 pieces at beam 4) keeps a Transformer-base model's working set
    # near 300 MB and is as fast on CPU as larger batches (benchmarks/translation_speed.py).
    max_batch_tokens: int = 2048
    length_ratio: float = 2.0  # at most this many target pieces per source piece …
    length_margin: int = 10  # … plus this many
    max_length: int = 500  # hard cap on decoded pieces (models commonly have 512 positions)
    max_input: int = 500  # longer sources are cut (and flagged) rather than crash the model
    # The next two are Argos Translate's own decoding settings (argostranslate.translate calls
    # translate_batch with replace_unknowns=True, length_penalty=0.2 and a beam of at least 4), the
    # settings its packages are built and judged with; CTranslate2's defaults (False, 1.0) differ, and
    # a package should not translate worse here than in Argos or LibreTranslate.
    #
    # An <unk> the model emits is replaced by the source piece it attends to most (often a name or a
    # number) instead of decoding to SentencePiece's " ⁇ ". CTranslate2 4.x computes that attention
    # itself when replace_unknowns is set and drops it from the result unless return_attention is asked.
    replace_unknowns: bool = True
    # Beam scores are log-probability / length**length_penalty (EOS counted): 0.2 is close to the plain
    # sum, CTranslate2's 1.0 is the mean per piece, which ranks longer hypotheses higher.
    length_penalty: float = 0.2


MAX_PARALLEL_BATCHES = 4


def thread_plan(threads: int, device: str) -> tuple[int, int]:
    """(batches decoded at once, threads per batch) for `--threads` (0: automatic).

    On a CPU, automatic means one thread per batch and as many batches at once as there are cores
    (at most four): the matrices of one sentence batch are too small to split across threads
    well (on two cores, a second thread made the tiny model 2.3× slower and a Transformer-base
    model 1.2× slower), while separate batches never wait on each other. A number given is the
    threads of one batch at a time, as CTranslate2's `intra_threads`.
    """
    if threads or device != "cpu":
        return 1, threads
    return max(1, min(usable_cores(), MAX_PARALLEL_BATCHES)), 1


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _PendingAttention:
    """One hypothesis's attention, still in the decoder's result until it is first read.

    Reading a result's attention converts every hypothesis's weights to Python lists, and most are
    never read: enforcement aligns only the hypothesis it edits, and a sentence whose terms come out
    by themselves needs none. Converting on first read spares the rest.
    """

    __slots__ = ("result", "rank", "start", "stop")

    def __init__(self, result, rank: int, start: int, stop: int):
        self.result, self.rank, self.start, self.stop = result, rank, start, stop

    def load(self) -> "numpy.ndarray | None":
        import numpy  # loaded with ctranslate2 already

        every = self.result.attention  # one conversion of the whole result: index it once
        if not every:
            return None
        return numpy.asarray(every[self.rank][self.start : self.stop], dtype=numpy.float32)

    def __reduce__(self):
        """Pickled as the array it stands for (a decoder result cannot be pickled)."""
        return _loaded, (self.load(),)


def _loaded(value):
    return value


class _Attention:
    """`Hypothesis.attention`: the array given, or a pending one converted when first read."""

    def __get__(self, hypothesis, owner=None):
        if hypothesis is None:
            return None
        value = hypothesis.__dict__.get("_attention")
        if isinstance(value, _PendingAttention):
            value = hypothesis.__dict__["_attention"] = value.load()
        return value

    def __set__(self, hypothesis, value) -> None:
        hypothesis.__dict__["_attention"] = None if value is self else value  # itself: the field's default


@dataclass(frozen=True)
class Hypothesis:
    """One decoded candidate; `attention[t][s]` weighs target piece t against source piece s.

    Attention is a float32 array (what the decoder computed), not nested tuples of Python floats,
    which took eight times the memory while enforcement held a chunk's n-best lists. The engine
    hands it over pending, converted the first time it is read.
    """

    text: str
    pieces: tuple[str, ...]
    score: float  # log-probability / length**length_penalty, as the decoder ranked it
    source_pieces: tuple[str, ...]
    attention: "numpy.ndarray | None" = field(default=_Attention(), compare=False, repr=False)  # type: ignore[assignment]
    truncated: bool = False  # the length guard cut it


@dataclass
class Engine:
    """A loaded Argos package. Construct with `Engine.load`; loading is the expensive step."""

    package: ArgosPackage
    translator: object
    tokenizer: object
    options: DecodingOptions = field(default_factory=DecodingOptions)
    parallel_batches: int = 1
    """Batches the translator decodes at once (its `inter_threads`); each gets a share of the token budget."""

    @classmethod
    def load(
        cls,
        package: ArgosPackage,
        *,
        device: str = "cpu",
        threads: int = 0,
        compute_type: str = "default",
        options: DecodingOptions | None = None,
        tune_malloc: bool = True,
    ) -> "Engine":
        """`tune_malloc` keeps the decoder's freed buffers mapped (see `allocator`); it changes
        malloc for the whole process, as a long-running host of several engines may not want."""
        if tune_malloc:
            tune_allocator()
        import ctranslate2  # heavy native imports stay here so that `dolmetsch --help` never loads them
        import sentencepiece  # (same)

        gpus = ctranslate2.get_cuda_device_count()
        if device == "cuda" and gpus == 0:
            raise InputError("--device cuda", "no usable CUDA device on this machine (use --device cpu)")
        effective = "cuda" if device == "cuda" or (device == "auto" and gpus) else "cpu"
        supported = ctranslate2.get_supported_compute_types(effective)
        if compute_type not in ("default", "auto") and compute_type not in supported:
            raise InputError(f"--compute-type {compute_type}", f"not supported on {effective}; choose from {', '.join(sorted(supported))}")
        tokenizer_path = package.tokenizer_path
        if tokenizer_path.name != "sentencepiece.model":  # refused before the (slow) model load
            raise InputError(tokenizer_path, "BPE packages are not supported; use a SentencePiece package")
        parallel, per_batch = thread_plan(threads, effective)
        try:
            translator = ctranslate2.Translator(
                str(package.model_dir),
                device=device,
                inter_threads=parallel,
                intra_threads=per_batch,
                compute_type=compute_type,
            )
        except (RuntimeError, ValueError) as exc:
            raise InputError(package.model_dir, f"cannot load the CTranslate2 model ({exc})") from None
        try:
            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer_path))
        except (RuntimeError, OSError) as exc:
            raise InputError(tokenizer_path, f"cannot load the SentencePiece model ({exc})") from None
        return cls(package, translator, tokenizer, options or DecodingOptions(), parallel)

    def encode(self, text: str) -> list[str]:
        return self.tokenizer.encode(text, out_type=str)

    def encode_with_offsets(self, text: str) -> list[tuple[str, int, int]]:
        """Pieces with the character span of `text` each one covers (for aligning glossary terms)."""
        proto = self.tokenizer.encode(text, return_type="proto")  # begin/end are UTF-8 byte offsets
        encoded = text.encode("utf-8")
        spans = []
        for piece in proto.pieces:
            start = len(encoded[: piece.begin].decode("utf-8", errors="ignore"))
            end = len(encoded[: piece.end].decode("utf-8", errors="ignore"))
            spans.append((piece.piece, start, end))
        return spans

    def decode(self, pieces: Sequence[str]) -> str:
        return self.tokenizer.decode_pieces(list(pieces))

    def length_limit(self, source_length: int) -> int:
        o = self.options
        return min(o.max_length, math.ceil(o.length_ratio * source_length) + o.length_margin)

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int | None = None,
        beam_size: int | None = None,
        target_prefixes: Sequence[str | None] | None = None,
        return_attention: bool = False,
        suppress: Sequence[str] = (),
        suppress_each: Sequence[Sequence[str]] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> list[list[Hypothesis]]:
        """Translate sentences; returns, per sentence in input order, its hypotheses best first.

        `target_prefixes[i]`, when given, is English text the translation must start with.
        `suppress` lists English strings the decoder may not produce (tokenised as they would appear);
        `suppress_each[i]`, when given, lists them for sentence i alone: it decodes as it would alone.
        """
        o = self.options
        num_hypotheses = num_hypotheses or o.num_hypotheses
        beam_size = max(beam_size or o.beam_size, num_hypotheses)
        encoded = [self.encode(s) or ["▁"] for s in sentences]
        sources = [pieces[: o.max_input] for pieces in encoded]
        cut = [len(pieces) > o.max_input for pieces in encoded]
        prefixes = [self._prefix_pieces(p) for p in (target_prefixes or [None] * len(sentences))]
        groups = [tuple(suppress)] * len(sentences) if suppress_each is None else [tuple(sorted(set(s))) for s in suppress_each]
        settings = dict(
            beam_size=beam_size,
            num_hypotheses=num_hypotheses,
            return_scores=True,
            return_attention=return_attention,
            replace_unknowns=o.replace_unknowns,
            length_penalty=o.length_penalty,
        )
        budget = max(1, o.max_batch_tokens // beam_size // self.parallel_batches)
        everyone = range(len(sources))
        if beam_size == 1 and len(set(groups)) > 1:
            raw = self._decode_greedy_apart(everyone, sources, prefixes, groups, settings, budget, on_progress)
        else:
            raw = self._decode(everyone, sources, prefixes, groups, settings, budget, on_progress)
        return [
            self._hypotheses(
                sources[i], raw[i], return_attention, limit=self._decoding_cap(sources[i], prefixes[i]) - self._package_prefix_length, input_cut=cut[i]
            )
            for i in everyone
        ]

    def _decode(self, indices, sources, prefixes, groups, settings, budget, on_progress=None) -> dict:
        """The decoder's result for each of `indices`, decoded in batches that never mix `groups`.

        The decoder suppresses per batch, not per sentence: a sentence in a batch with another
        group's list would be denied that group's strings too.
        """
        suppressed = {group: self._suppress_sequences(group) or None for group in {groups[i] for i in indices}}
        # every batch is queued at once; the translator decodes `parallel_batches` of them at a time
        pending = [
            (
                batch,
                self.translator.translate_batch(
                    [sources[i] for i in batch],
                    target_prefix=[prefixes[i] or [] for i in batch] if any(prefixes[i] for i in batch) else None,
                    max_decoding_length=max(self._decoding_cap(sources[i], prefixes[i]) for i in batch),
                    suppress_sequences=suppressed[groups[batch[0]]],
                    asynchronous=True,
                    **settings,
                ),
            )
            for batch in self._batches(indices, sources, prefixes, budget, groups)
        ]
        raw = {}
        for batch, decoded in pending:
            for i, waiting in zip(batch, decoded):
                try:
                    raw[i] = waiting.result()
                except RuntimeError as exc:
                    raise InputError(self.package.path, f"decoding failed ({exc})") from None
            if on_progress:
                for _ in batch:
                    on_progress(1)
        return raw

    def _decode_greedy_apart(self, indices, sources, prefixes, groups, settings, budget, on_progress=None) -> dict:
        """Greedy decodes with a suppressed list per sentence, at the cost of one shared batch.

        Greedy decoding takes the likeliest piece at each step; suppressing only changes that choice
        where it would complete a suppressed sequence. So a sentence whose decode without suppression
        contains none of its own sequences is what it decodes to with them (its text; its score may
        differ by the suppressed pieces' share), and only the others are decoded again, by group.
        """
        raw = self._decode(indices, sources, prefixes, [()] * len(sources), settings, budget, on_progress)
        sequences = {group: self._suppress_sequences(group) for group in {groups[i] for i in indices}}
        again = [i for i in indices if _produces(raw[i], sequences[groups[i]])]
        if again:
            raw.update(self._decode(again, sources, prefixes, groups, settings, budget))
        return raw

    def _batches(
        self, indices: Sequence[int], sources: list[list[str]], prefixes: list[list[str] | None], budget: int, groups: Sequence[tuple]
    ) -> list[list[int]]:
        """`indices` in batches of similar length, shortest first, each within `budget` pieces, and
        never two sentences of different `groups` (what they suppress) in one batch.

        Each batch is decoded with its own length cap (its longest sentence's), so a short sentence
        never decodes to the cap of the longest one in the document, and the decoder's buffers
        (beam × batch × length) stay bounded whatever the document's size.
        """
        order = sorted(indices, key=lambda i: (groups[i], len(sources[i]), len(prefixes[i] or ())))
        batches: list[list[int]] = []
        current: list[int] = []
        widest = 0  # the batch is padded to its widest sentence
        for i in order:
            size = len(sources[i]) + len(prefixes[i] or ())
            if current and (groups[i] != groups[current[0]] or max(widest, size) * (len(current) + 1) > budget):
                batches.append(current)
                current, widest = [], 0
            current.append(i)
            widest = max(widest, size)
        if current:
            batches.append(current)
        return batches

    def _decoding_cap(self, source: list[str], prefix: list[str] | None) -> int:
        """How many target pieces sentence `source` may decode, a forced prefix included.

        The length limit bounds the whole translation: a forced prefix is the start of it, not an
        allowance on top (the glossary's forced decodes would otherwise each run a prefix longer than
        the first pass, which a model that never stops pays in full). A prefix that alone reaches the
        limit gets `length_margin` pieces more, so that the decoder can still finish the sentence.
        """
        o = self.options
        package = self._package_prefix_length  # the package's own target token is no part of the translation
        forced = max(0, len(prefix or ()) - package)
        return min(o.max_length, package + max(self.length_limit(len(source)), forced + o.length_margin))

    @property
    def _package_prefix_length(self) -> int:
        return 1 if self.package.target_prefix else 0

    def _prefix_pieces(self, text: str | None) -> list[str] | None:
        package_prefix = [self.package.target_prefix] if self.package.target_prefix else []
        if text is None:
            return package_prefix or None
        return package_prefix + self.encode(text)

    def _suppress_sequences(self, phrases: Sequence[str]) -> list[list[str]]:
        """Each phrase as it would be tokenised at a word start and, for names, after a space."""
        sequences = []
        for phrase in phrases:
            for variant in {phrase, phrase.lower()}:
                pieces = self.encode(variant)
                if pieces and pieces not in sequences:
                    sequences.append(pieces)
        return sequences

    def _hypotheses(self, source: list[str], result, with_attention: bool, *, limit: int, input_cut: bool = False) -> list[Hypothesis]:
        """`limit`: the pieces this sentence may have (its own cap, not its batch's)."""
        skip = self._package_prefix_length
        scores, source = result.scores, tuple(source)
        hypotheses = []
        for rank, pieces in enumerate(result.hypotheses):
            pieces = pieces[skip:]
            truncated = input_cut or len(pieces) >= limit  # source cut, or the decoder did not finish by itself
            pieces = pieces[:limit]
            hypotheses.append(
                Hypothesis(
                    text=self.decode(pieces),
                    pieces=tuple(pieces),
                    score=scores[rank] if scores else 0.0,
                    source_pieces=source,
                    attention=_PendingAttention(result, rank, skip, skip + len(pieces)) if with_attention else None,
                    truncated=truncated,
                )
            )
        return hypotheses


def _produces(result, sequences: Sequence[Sequence[str]]) -> bool:
    """Whether a hypothesis of a decoder result contains one of the piece sequences anywhere."""
    for pieces in result.hypotheses:
        for sequence in sequences:
            n = len(sequence)
            if any(pieces[k : k + n] == list(sequence) for k in range(len(pieces) - n + 1)):
                return True
    return False
