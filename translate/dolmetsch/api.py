"""The library API: load a model (and glossary) once, translate documents, write their outputs.

    from dolmetsch import Translator, read_document, write_outputs

    translator = Translator.load(model="tests/fixtures/translate-de_en-tiny.argosmodel")
    [article] = translator.translate([read_document("examples/putin-kim.txt")])
    print(article.english())
    write_outputs(article, out_dir="out", locales_dir="locales")

`translate_files` is the whole job of `dolmetsch translate`: it reads the sources, checks every
output target before any work, loads the model once and writes each document's outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.document.reading import read_document
from dolmetsch.engine.engine import DecodingOptions, Engine
from dolmetsch.formats.writer import OutputPlan
from dolmetsch.glossary.enforce import GlossaryEnforcer
from dolmetsch.glossary.loading import applicable_glossaries, load_enforced
from dolmetsch.glossary.model import Glossary
from dolmetsch.packages.progress import Progress
from dolmetsch.packages.resolve import resolve_model
from dolmetsch.pipeline import TranslatedDocument, translate_documents

DocumentSource = Document | str | Path


@dataclass
class Translator:
    """A loaded model and the glossary it enforces, ready for any number of documents."""

    engine: Engine
    glossary: Glossary | None = None
    glossary_paths: tuple[Path, ...] = ()

    @classmethod
    def load(
        cls,
        model: Path | str | None = None,
        *,
        glossary: Iterable[Path | str] | None = None,
        no_glossary: bool = False,
        **engine_options,
    ) -> "Translator":
        """Load `model` and the glossary; `engine_options` (offline, beam, device, threads,
        compute_type, progress) are those of `load_engine`.

        `glossary` names TSV/TBX files or folders; without it ./glossary/ applies when it holds
        `*.tsv` files, as for the command line; `no_glossary` turns the glossary off.
        """
        enforced, paths = run_glossary(glossary, no_glossary=no_glossary)
        return cls(load_engine(model, **engine_options), enforced, paths)

    def translate(
        self, documents: Iterable[DocumentSource], *, on_progress: Callable[[int], None] | None = None
    ) -> list[TranslatedDocument]:
        """Translate documents (Document objects or file paths) in one batched pass, in the order given."""
        loaded = [d if isinstance(d, Document) else read_document(str(d)) for d in documents]
        enforcer = GlossaryEnforcer(self.glossary) if self.glossary is not None else None
        return translate_documents(loaded, self.engine, enforcer=enforcer, on_progress=on_progress)


def run_glossary(
    given: Iterable[Path | str] | None, *, no_glossary: bool = False
) -> tuple[Glossary | None, tuple[Path, ...]]:
    """The approved entries a run enforces (None without a glossary) and the paths they came from."""
    paths = applicable_glossaries(given, disabled=no_glossary)
    return (load_enforced(paths) if paths else None), tuple(paths)


def load_engine(
    model: Path | str | None = None,
    *,
    offline: bool = False,
    beam: int = DecodingOptions.beam_size,
    device: str = "cpu",
    threads: int = 0,
    compute_type: str = "default",
    progress: Progress | None = None,
) -> Engine:
    """The engine for `model` (an .argosmodel file or package folder), or for the installed de→en
    package, installed from the Argos index first unless `offline`."""
    package = resolve_model(Path(model) if model is not None else None, offline=offline, progress=progress)
    options = DecodingOptions(beam_size=beam)
    return Engine.load(package, device=device, threads=threads, compute_type=compute_type, options=options)


def write_outputs(
    translated: TranslatedDocument, out_dir: Path | str | None = "out", locales_dir: Path | str | None = "locales"
) -> list[Path]:
    """Write every output format of one document (see dolmetsch.formats.FORMATS); returns the paths.

    The PO catalogue is merged with the one already there, so reviewers' work is kept. A folder
    given as None skips the formats that go there.
    """
    plan = plan_outputs(translated.document, out_dir, locales_dir, with_glossary=translated.glossary_enforced)
    plan.preflight(translated.document)
    return plan.write(translated)


def plan_outputs(
    document: Document, out_dir: Path | str | None, locales_dir: Path | str | None, *, with_glossary: bool
) -> OutputPlan:
    """The targets of one document's outputs, not yet checked (`preflight`) or written."""
    return OutputPlan.for_document(
        document.name,
        Path(out_dir) if out_dir is not None else None,
        Path(locales_dir) if locales_dir is not None else None,
        with_glossary=with_glossary,
    )


@dataclass(frozen=True)
class FileResult:
    """One translated source and the files written for it."""

    translated: TranslatedDocument
    written: tuple[Path, ...]


def translate_files(
    sources: Sequence[str],
    *,
    out_dir: Path | None,
    locales_dir: Path | None,
    name: str | None = None,
    glossary: Iterable[Path] | None = None,
    no_glossary: bool = False,
    on_load: Callable[[Translator, list[Document]], Callable[[int], None] | None] | None = None,
    **engine_options,
) -> tuple[Translator, list[FileResult]]:
    """Read, check every target, load once, translate, write: what `dolmetsch translate` does.

    Nothing is written, and no model is loaded, when a source, the glossary or an output target
    is bad. `sources` are file paths, or "-" for standard input; `engine_options` are those of
    `load_engine`. `on_load` is called once the model is loaded and may return a progress
    callback (segments done).
    """
    documents = [read_document(source, name=name) for source in sources]
    enforced, paths = run_glossary(glossary, no_glossary=no_glossary)
    plans = [plan_outputs(d, out_dir, locales_dir, with_glossary=enforced is not None) for d in documents]
    for document, plan in zip(documents, plans):
        plan.preflight(document)
    translator = Translator(load_engine(**engine_options), enforced, paths)
    on_progress = on_load(translator, documents) if on_load else None
    translated = translator.translate(documents, on_progress=on_progress)
    results = [FileResult(t, tuple(plan.write(t))) for t, plan in zip(translated, plans)]
    return translator, results
