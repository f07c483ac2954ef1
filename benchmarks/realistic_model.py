"""Build an Argos package with the dimensions of the real de→en model and random weights, for timing.

The Argos German→English package is a Transformer-base (6 encoder + 6 decoder layers, d_model 512,
FFN 2048, 8 heads, pre-norm, ReLU, sinusoidal positions) over a shared SentencePiece vocabulary,
quantised to int8. This script builds a model of exactly that shape with CTranslate2's spec API and
numpy random weights, and a shared SentencePiece vocabulary (about 17,000 pieces) trained on the WMT
2023 terminology test text (`../shared/wmt23-terminology-de-en/`, German and English sides), so that
German text splits into realistic piece counts. Its translations are noise; its cost per piece is the
real model's.

Random weights almost never choose EOS, which would make decode lengths depend on luck. The output
projection therefore gets a bias of -1e4 on the EOS logit: every sentence decodes to exactly the
length limit it is given, so every contestant of a benchmark generates the same number of pieces
when given the same limits.

The package is cached under ~/.cache/dolmetsch-bench/ (never inside the repository) as a folder
and as a `.argosmodel` zip with one top folder, like the packages on the Argos index:

    .venv/bin/python benchmarks/realistic_model.py            # build (about a minute) or reuse
    .venv/bin/python benchmarks/realistic_model.py --force    # rebuild
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_folder(name: str) -> Path:
    """`shared/<name>` beside the checkout, or beside a folder above it (a git worktree of it)."""
    for folder in ROOT.parents:
        if (folder / "shared" / name).is_dir():
            return folder / "shared" / name
    return ROOT.parent / "shared" / name


WMT23 = shared_folder("wmt23-terminology-de-en")
CACHE = Path(os.environ.get("DOLMETSCH_BENCH_CACHE", Path.home() / ".cache" / "dolmetsch-bench"))
PACKAGE_NAME = "translate-de_en-base-random"
LAYERS = 6
D_MODEL = 512
FFN = 2048
HEADS = 8
VOCAB = 17_000
SEED = 20240101
EOS_BIAS = -1.0e4
BUILD_VERSION = 1  # bump when the recipe changes, so cached packages are rebuilt


def training_text() -> list[Path]:
    """The German and English sides of the WMT 2023 test set (read in place, never copied)."""
    files = [WMT23 / "deen.de", WMT23 / "deen.en"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"realistic model: WMT 2023 text not found: {', '.join(missing)}")
    return files


def train_sentencepiece(out_prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=",".join(str(f) for f in training_text()),
        model_prefix=str(out_prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        hard_vocab_limit=False,  # a 6,000-sentence corpus may support slightly fewer pieces
        num_threads=2,
        minloglevel=2,
    )
    return out_prefix.with_suffix(".model")


def random_spec(vocabulary: list[str], eos_id: int, seed: int = SEED):
    """A TransformerSpec of the Argos de→en shape with every weight drawn at random."""
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec

    rng = np.random.default_rng(seed)
    spec = transformer_spec.TransformerSpec.from_config(
        (LAYERS, LAYERS), HEADS, pre_norm=True, activation=common_spec.Activation.RELU
    )
    d, v = D_MODEL, len(vocabulary)

    def normal(*shape: int, scale: float | None = None) -> "np.ndarray":
        scale = scale if scale is not None else 1.0 / np.sqrt(shape[-1])
        return (rng.standard_normal(shape, dtype=np.float32) * scale).astype(np.float32)

    def linear(spec_linear, out_dim: int, in_dim: int) -> None:
        spec_linear.weight = normal(out_dim, in_dim)
        spec_linear.bias = np.zeros(out_dim, dtype=np.float32)

    def norm(spec_norm) -> None:
        spec_norm.gamma = np.ones(d, dtype=np.float32)
        spec_norm.beta = np.zeros(d, dtype=np.float32)

    def self_attention(att) -> None:
        norm(att.layer_norm)
        linear(att.linear[0], 3 * d, d)  # fused query, key, value
        linear(att.linear[1], d, d)

    def cross_attention(att) -> None:
        norm(att.layer_norm)
        linear(att.linear[0], d, d)  # query
        linear(att.linear[1], 2 * d, d)  # fused key, value
        linear(att.linear[2], d, d)

    def ffn(block) -> None:
        norm(block.layer_norm)
        linear(block.linear_0, FFN, d)
        linear(block.linear_1, d, FFN)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = normal(v, d, scale=d**-0.5)
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        self_attention(layer.self_attention)
        ffn(layer.ffn)
    decoder.embeddings.weight = normal(v, d, scale=d**-0.5)
    norm(decoder.layer_norm)
    for layer in decoder.layer:
        self_attention(layer.self_attention)
        cross_attention(layer.attention)
        ffn(layer.ffn)
    linear(decoder.projection, v, d)
    decoder.projection.bias[eos_id] = EOS_BIAS  # random weights must not stop early (see the module text)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def build(force: bool = False, vocab_size: int = VOCAB, log=print) -> dict:
    """Build (or reuse) the package; returns facts: paths, sizes, piece count, seconds taken."""
    folder = CACHE / PACKAGE_NAME
    archive = CACHE / f"{PACKAGE_NAME}.argosmodel"
    facts_path = CACHE / f"{PACKAGE_NAME}.json"
    if not force and archive.is_file() and folder.is_dir() and facts_path.is_file():
        facts = json.loads(facts_path.read_text())
        if facts.get("build_version") == BUILD_VERSION and facts.get("vocab_request") == vocab_size:
            return facts
    import ctranslate2
    import sentencepiece

    started = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        scratch = Path(scratch)
        log(f"realistic model: training a {vocab_size}-piece SentencePiece vocabulary on {WMT23} …")
        sp_model = train_sentencepiece(scratch / "spm", vocab_size)
        sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
        vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        log(f"realistic model: {len(vocabulary)} pieces; drawing random weights and quantising to int8 …")
        staging = write_package(scratch / PACKAGE_NAME, random_spec(vocabulary, sp.eos_id()), sp_model)
        ctranslate2.Translator(str(staging / "model"), device="cpu")  # loads, or raises here
        if folder.exists():
            shutil.rmtree(folder)
        shutil.move(str(staging), folder)
    tmp_archive = archive.with_suffix(".tmp")
    with zipfile.ZipFile(tmp_archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, Path(PACKAGE_NAME) / path.relative_to(folder))
    os.replace(tmp_archive, archive)
    facts = {
        "build_version": BUILD_VERSION,
        "vocab_request": vocab_size,
        "folder": str(folder),
        "archive": str(archive),
        "pieces": len(vocabulary),
        "layers": [LAYERS, LAYERS],
        "d_model": D_MODEL,
        "ffn": FFN,
        "heads": HEADS,
        "quantization": "int8",
        "model_bytes": sum(p.stat().st_size for p in (folder / "model").rglob("*") if p.is_file()),
        "archive_bytes": archive.stat().st_size,
        "build_seconds": round(time.perf_counter() - started, 1),
        "eos_bias": EOS_BIAS,
    }
    facts_path.write_text(json.dumps(facts, indent=2) + "\n")
    return facts


def write_package(staging: Path, spec, sp_model: Path) -> Path:
    """The Argos package folder: the int8 model, the SentencePiece model, metadata and a README."""
    spec.config.add_source_bos = False
    spec.config.add_source_eos = False
    spec.validate()
    spec.optimize(quantization="int8")
    (staging / "model").mkdir(parents=True)
    spec.save(str(staging / "model"))
    shutil.copy(sp_model, staging / "sentencepiece.model")
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "name": "German - English (random weights, Argos de-en dimensions; benchmark only)",
        "type": "translate",
    }
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    (staging / "README.md").write_text(
        "Random-weight Transformer-base (6+6 layers, d_model 512, FFN 2048, 8 heads, int8) with a\n"
        "SentencePiece vocabulary trained on the WMT 2023 terminology test text. Benchmark use only:\n"
        "its output is noise. Built by benchmarks/realistic_model.py.\n"
    )
    return staging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="rebuild even if a cached package exists")
    parser.add_argument("--vocab", type=int, default=VOCAB, help=f"SentencePiece pieces to ask for (default {VOCAB})")
    args = parser.parse_args(argv)
    facts = build(force=args.force, vocab_size=args.vocab, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(facts, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
