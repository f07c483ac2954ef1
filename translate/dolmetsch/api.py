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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.document.reading import read_document
from dolmetsch.engine.engine import DecodingOptions, Engine, usable_cores
from dolmetsch import output as registry
from dolmetsch.errors import InputError, UnreviewedError
from dolmetsch.formats.base import BUILD
from dolmetsch.formats.po import Catalogues, GettextCatalog, reviewed_translations
from dolmetsch.formats.tmx import TmxExport
from dolmetsch.output.writer import OutputPlan
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.glossary.loading import applicable_glossaries, load_enforced
from dolmetsch.glossary.model import Glossary
from dolmetsch.packages.package import ArgosPackage
from dolmetsch.packages.progress import Progress
from dolmetsch.packages.resolve import resolve_model
from dolmetsch.memory import SentenceMemory, catalogues_under, load_memory
from dolmetsch.postedit import TYPOGRAPHIC
from dolmetsch.targets import check_folder, check_output_name, check_source_name
from dolmetsch.pipeline import translate_documents
from dolmetsch.translation import DRAFT, REVIEWED, KnownTranslation, TranslatedDocument, has_words

DocumentSource = Document | str | Path


@dataclass
class Translator:
    """A loaded model and the glossary it enforces, ready for any number of documents.

    `engine` is None when a run found every translation in its catalogues and so loaded no model;
    `package` still names the model.
    """

    engine: Engine | None
    glossary: Glossary | None = None
    glossary_paths: tuple[Path, ...] = ()
    package: ArgosPackage | None = None

    def __post_init__(self) -> None:
        if self.package is None and self.engine is not None:
            self.package = self.engine.package

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
        self,
        documents: Iterable[DocumentSource],
        *,
        known: Sequence[Mapping] | None = None,
        notes: Sequence[Mapping] | None = None,
        quotes: str | None = TYPOGRAPHIC,
        on_progress: Callable[[int], None] | None = None,
    ) -> list[TranslatedDocument]:
        """Translate documents (Document objects or file paths) in one batched pass, in the order given.

        `known[i]` holds translations of document i's segments to take instead of decoding them
        (see `known_translations`). `quotes` is the post-edit's quotation style (None: no post-edit).
        """
        loaded = [d if isinstance(d, Document) else read_document(str(d)) for d in documents]
        enforcer = GlossaryEnforcer(self.glossary) if self.glossary is not None else None
        model = self.package.name if self.package is not None else None
        return translate_documents(
            loaded, self.engine, enforcer=enforcer, known=known, notes=notes, model=model, quotes=quotes, on_progress=on_progress
        )


def run_glossary(
    given: Iterable[Path | str] | None, *, no_glossary: bool = False
) -> tuple[Glossary | None, tuple[Path, ...]]:
    """The approved entries a run enforces (None without a glossary) and the paths they came from."""
    paths = applicable_glossaries(given, disabled=no_glossary)
    return (load_enforced(paths) if paths else None), tuple(paths)


def load_engine(
    model: Path | str | None = None, *, offline: bool = False, progress: Progress | None = None, **decoding
) -> Engine:
    """The engine for `model` (an .argosmodel file or package folder), or for the installed de→en
    package, installed from the Argos index first unless `offline`; `decoding` as for `start_engine`."""
    return start_engine(find_package(model, offline=offline, progress=progress), **decoding)


def find_package(model: Path | str | None = None, *, offline: bool = False, progress: Progress | None = None) -> ArgosPackage:
    """The package to translate with (cheap: no model is loaded), installing it first if need be."""
    return resolve_model(Path(model) if model is not None else None, offline=offline, progress=progress)


def start_engine(
    package: ArgosPackage,
    *,
    beam: int = DecodingOptions.beam_size,
    length_penalty: float = DecodingOptions.length_penalty,
    replace_unknowns: bool = DecodingOptions.replace_unknowns,
    device: str = "cpu",
    threads: int = 0,
    compute_type: str = "default",
) -> Engine:
    """Load the package's CTranslate2 model and tokenizer: the expensive step."""
    options = DecodingOptions(beam_size=beam, length_penalty=length_penalty, replace_unknowns=replace_unknowns)
    return Engine.load(package, device=device, threads=threads, compute_type=compute_type, options=options)


def write_outputs(
    translated: TranslatedDocument,
    out_dir: Path | str | None = "out",
    locales_dir: Path | str | None = "locales",
    *,
    glossary: Glossary | None = None,
) -> list[Path]:
    """Write every output format of one document (see dolmetsch.output.FORMATS); returns the paths.

    The PO catalogue is merged with the one already there, so reviewers' work is kept. A folder
    given as None skips the formats that go there. `glossary` (a Translator's) lets the review
    page show each term's entry: its note and forbidden variants.
    """
    plan = plan_outputs(translated.document, out_dir, locales_dir, with_glossary=translated.glossary_enforced, glossary=glossary)
    plan.preflight(translated.document)
    return plan.write(translated)


def plan_outputs(
    document: Document,
    out_dir: Path | str | None,
    locales_dir: Path | str | None,
    *,
    with_glossary: bool,
    glossary: Glossary | None = None,
    catalogues: Catalogues | None = None,
) -> OutputPlan:
    """The targets of one document's outputs, not yet checked (`preflight`) or written;
    `catalogues` are the run's parsed catalogues (see OutputPlan)."""
    return OutputPlan.for_document(
        document.name,
        Path(out_dir) if out_dir is not None else None,
        Path(locales_dir) if locales_dir is not None else None,
        with_glossary=with_glossary,
        glossary=glossary,
        catalogues=catalogues,
    )


@dataclass(frozen=True)
class FileResult:
    """One translated source and the files written for it."""

    translated: TranslatedDocument
    written: tuple[Path, ...]
    drafts: int = 0
    """Fuzzy entries a build used."""


@dataclass(frozen=True)
class FailedSource:
    """A document of a batch that got no outputs, and why."""

    source: str
    error: InputError


def expand_sources(sources: Sequence[str]) -> list[str]:
    """Files as given, folders replaced by their `*.txt` files in sorted order; "-" only on its own."""
    if "-" in sources and len(sources) > 1:
        raise InputError("-", "standard input cannot be combined with other sources")
    expanded: list[str] = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            found = sorted(str(p) for p in path.glob("*.txt") if p.is_file())
            if not found:
                raise InputError(source, "folder holds no *.txt articles")
            expanded.extend(found)
        else:
            expanded.append(source)
    return list(dict.fromkeys(expanded))


def check_names_and_folders(name: str | None, *, out_dir: Path | None, locales_dir: Path | None) -> None:
    """What a run can refuse before reading a source: a `name` that cannot name files, output
    folders that can never be created."""
    if name is not None:
        check_output_name(name)
    check_folder(out_dir, "--out")
    check_folder(locales_dir, "--locales")


def translate_files(
    sources: Sequence[str],
    *,
    out_dir: Path | None,
    locales_dir: Path | None,
    name: str | None = None,
    glossary: Iterable[Path] | None = None,
    no_glossary: bool = False,
    model: Path | None = None,
    offline: bool = False,
    retranslate: bool = False,
    memory_files: Sequence[Path] = (),
    trust_memory: bool = False,
    keep_going: bool = False,
    workers: int = 1,
    ray: bool = False,
    ray_address: str | None = None,
    quotes: str | None = TYPOGRAPHIC,
    on_load: Callable[[Translator | None, list[Document]], Callable[[int], None] | None] | None = None,
    **decoding,
) -> tuple[Translator, list[FileResult], list[FailedSource]]:
    """Read, check every target, load once, translate what is new, write: what `dolmetsch translate` does.

    Nothing is written, and no model is loaded, when a source, the glossary or an output target
    is bad; with `keep_going` (a batch) a bad document is set aside in the failures instead and
    the others go on, all their sentences decoded in one pass. `sources` are file paths, or "-"
    for standard input. Segments whose catalogue already holds a reviewed translation or a current
    machine draft are not decoded (`retranslate` decodes them all); nor are sentences the memory
    (the confirmed entries of every PO under `locales_dir`, plus `memory_files` in TMX) holds,
    which are filled in as fuzzy drafts, or as reviewed with `trust_memory`; similar ones get a
    suggestion. When nothing needs decoding the model is not even loaded. `workers` > 1 decodes on
    that many local engine processes, `ray` on Ray actors (`ray_address`: a cluster, else a local
    instance); the outputs are the same, and the driver writes them all. `decoding` are the options of `start_engine`. `on_load` is
    called before translating and may return a progress callback (segments done).
    """
    check_names_and_folders(name, out_dir=out_dir, locales_dir=locales_dir)
    enforced, paths = run_glossary(glossary, no_glossary=no_glossary)
    documents, plans, failures = [], [], []
    catalogues = Catalogues()  # each catalogue parsed once, for its plan and for the memory
    names: dict[str, str] = {}
    for source in sources:
        try:
            check_source_name(source, name)
            document = read_document(source, name=name)
            if document.name in names:
                raise InputError(source, f"has the same output name as {names[document.name]}; translate it in another run or with --name")
            plan = plan_outputs(document, out_dir, locales_dir, with_glossary=enforced is not None, glossary=enforced, catalogues=catalogues)
            plan.preflight(document)
        except InputError as error:
            if not keep_going:
                raise
            failures.append(FailedSource(source, error))
            continue
        names[document.name] = source
        documents.append(document)
        plans.append(plan)
    if not documents:
        return Translator(None, enforced, paths), [], failures
    package = find_package(model, offline=offline)
    fingerprint = enforced.fingerprint() if enforced is not None else ""
    known = [{} if retranslate else plan.known_translations(d, package.name, fingerprint) for d, plan in zip(documents, plans)]
    memory = load_memory(catalogues_under(locales_dir), memory_files, parsed=catalogues)
    own = [plan.path_of(GettextCatalog.name) for plan in plans]
    notes = remember(documents, known, memory, trust=trust_memory, own=own, fill=not retranslate)
    undecided = any(has_words(s.text) and s.key not in given for d, given in zip(documents, known) for s in d.segments())
    if undecided and (ray or workers > 1):
        translator = Translator(None, enforced, paths, package)
        translated, lost = _translate_elsewhere(
            package, enforced, documents, known, notes, workers=workers, ray=ray, ray_address=ray_address, quotes=quotes, **decoding
        )
        failures += [FailedSource(document.source, InputError(document.source, why)) for document, why in lost]
    else:
        engine = start_engine(package, **decoding) if undecided else None
        translator = Translator(engine, enforced, paths, package)
        on_progress = on_load(translator, documents) if on_load else None
        translated = translator.translate(documents, known=known, notes=notes, quotes=quotes, on_progress=on_progress)
    plan_of = {document.source: plan for document, plan in zip(documents, plans)}
    results = []
    for done in translated:
        try:
            results.append(FileResult(done, tuple(plan_of[done.document.source].write(done))))
        except InputError as error:
            if not keep_going or error.exit_code != InputError.exit_code:
                raise
            failures.append(FailedSource(done.document.source, error))
    return translator, results, failures


def _translate_elsewhere(package, glossary, documents, known, notes, *, workers: int, ray: bool, ray_address, quotes, **decoding):
    """Decode on worker processes or Ray actors; results in the documents' order, plus what was lost."""
    from dolmetsch import scale  # multiprocessing and Ray load only for such runs

    if not ray and not decoding.get("threads"):  # local workers share this machine's cores
        decoding = {**decoding, "threads": max(1, usable_cores() // workers)}
    recipe = scale.EngineRecipe(package.path, glossary, quotes=quotes, **decoding)
    jobs = scale.split_jobs(documents, known, notes, workers if not ray else max(workers, 1))
    done, lost = scale.run_on_ray(recipe, jobs, ray_address) if ray else scale.run_local(recipe, jobs)
    order = {document.source: i for i, document in enumerate(documents)}
    return sorted(done, key=lambda t: order[t.document.source]), lost


def remember(
    documents: Sequence[Document],
    known: Sequence[dict],
    memory: SentenceMemory,
    *,
    trust: bool = False,
    own: Sequence[Path | None] = (),
    fill: bool = True,
) -> list[dict]:
    """Fill `known` from the memory's exact matches; return, per document, suggestion notes for
    the sentences it only has similar ones for.

    `own[i]` is document i's catalogue, which is no memory for that document (its reviewed
    entries are already known, and `--retranslate` means to decode them). Without `fill` (a
    retranslation) every sentence is decoded, and an exact match is only a suggestion.
    """
    notes: list[dict] = []
    for number, (document, given) in enumerate(zip(documents, known)):
        recalled = memory.without(own[number] if number < len(own) else None)
        suggested: dict = {}
        for segment in document.segments():
            if segment.key in given or not has_words(segment.text) or not len(recalled):
                continue
            hit = recalled.exact(segment.text) if fill else None
            if hit is not None:
                given[segment.key] = KnownTranslation(hit.english, REVIEWED if trust else DRAFT, f"memory: {hit.origin}")
            elif (near := recalled.nearest(segment.text)) is not None:
                other, score = near
                suggested[segment.key] = (f"memory suggestion ({score:.0f} %, {other.origin}): {other.german} → {other.english}",)
        notes.append(suggested)
    return notes


def build_files(
    sources: Sequence[str],
    *,
    out_dir: Path,
    locales_dir: Path,
    name: str | None = None,
    include_drafts: bool = False,
    strict: bool = False,
    glossary: Iterable[Path | str] | None = None,
    no_glossary: bool = False,
) -> list[FileResult]:
    """The reviewed view, what `dolmetsch build` does: each source's skeleton filled from its PO.

    Writes the final English, bitext, side-by-side view, the review page and a TMX of the reviewed
    translations (`include_drafts` adds fuzzy ones to the TMX). Fuzzy entries are used and counted
    in each result's `drafts`; with `strict` they are refused (exit 1) and nothing is written. A
    sentence without a translation, a missing PO or another document's PO is refused (exit 2).
    The glossary (`glossary`, default ./glossary/ as for translate; `no_glossary`: none) only
    marks terms and runs the glossary check on the review page; nothing is enforced.
    """
    check_names_and_folders(name, out_dir=out_dir, locales_dir=locales_dir)
    for source in sources:
        check_source_name(source, name)
    documents = [read_document(source, name=name) for source in sources]
    shown, _ = run_glossary(glossary, no_glossary=no_glossary)
    formats = [TmxExport(include_drafts) if f.name == TmxExport.name else f for f in registry.FORMATS]
    results = []
    for document in documents:
        plan = OutputPlan.for_document(
            document.name, out_dir, locales_dir, with_glossary=False, command=BUILD, formats=formats, glossary=shown
        )
        plan.preflight(document)
        catalog_path = GettextCatalog().path(document.name, out_dir, locales_dir)
        known, model = reviewed_translations(catalog_path, document, plan.catalogues)
        drafts = sum(1 for k in known.values() if k.origin == DRAFT)
        if strict and drafts:
            raise UnreviewedError(catalog_path, f"{drafts} entries are still fuzzy; review them, or build without --strict")
        [translated] = translate_documents([document], None, known=[known], model=model)
        results.append(FileResult(translated, tuple(plan.write(translated)), drafts))
    return results
