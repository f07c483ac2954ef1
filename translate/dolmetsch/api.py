"""The library API: load a model (and glossary) once, translate documents, write their outputs.

    from dolmetsch import Translator, read_document, write_outputs

    translator = Translator.load(model="tests/fixtures/translate-de_en-tiny.argosmodel")
    [article] = translator.translate([read_document("examples/putin-kim.txt")])
    print(article.english())
    write_outputs(article, out_dir="out", locales_dir="locales")

`translate_files` is the whole job of `dolmetsch translate`: it reads the sources, checks every
output target before any work, loads the model once and writes each document's outputs. Its
settings are one `RunOptions` record, which travels unchanged to the engine and the workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from dolmetsch.version import __version__
from dolmetsch import output as registry
from dolmetsch.document.model import Document
from dolmetsch.document.reading import output_stem, read_source_bytes
from dolmetsch.sources import read_document, source_format
from dolmetsch.engine.engine import Engine
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.errors import InputError, UnreviewedError
from dolmetsch.formats.base import BUILD
from dolmetsch.formats.po import Catalogues, GettextCatalog, reviewed_translations
from dolmetsch.formats.tmx import TmxExport
from dolmetsch.output.writer import OutputPlan, ensure_writable
from dolmetsch.glossary.loading import applicable_glossaries, load_enforced
from dolmetsch.glossary.model import Glossary
from dolmetsch.memory import SentenceMemory, catalogues_under, load_memory
from dolmetsch.options import RunOptions
from dolmetsch.models.package import ArgosPackage
from dolmetsch.models.progress import Progress
from dolmetsch.models.resolve import resolve_model
from dolmetsch.pipeline import translate_documents
from dolmetsch.stamps import Stamp, digest, load_stamp, outputs_match, save_stamp
from dolmetsch.atomic import check_writable_target, real_target
from dolmetsch.targets import NAME_MAX, STAGING_EXTRA, check_folder, check_output_name, check_source_name, name_bytes
from dolmetsch.translation import DRAFT, REVIEWED, DocumentJob, DocumentSummary, KnownTranslation, TranslatedDocument, has_words

DocumentSource = DocumentJob | Document | str | Path


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
    options: RunOptions = field(default_factory=RunOptions)

    def __post_init__(self) -> None:
        if self.package is None and self.engine is not None:
            self.package = self.engine.package

    @classmethod
    def load(cls, options: RunOptions | None = None, *, progress: Progress | None = None, **settings) -> "Translator":
        """Load the model and the glossary that `options` name, or a RunOptions made of `settings`
        (`model`, `glossary`, `no_glossary`, `offline`, `decoding`, `device`, `threads`, …).

        Without a glossary ./glossary/ applies when it holds `*.tsv` files, as for the command
        line; `no_glossary` turns the glossary off.
        """
        options = options or RunOptions(**settings)
        enforced, paths = run_glossary(options.glossary, no_glossary=options.no_glossary)
        return cls(start_engine(find_package(options.model, offline=options.offline, progress=progress), options), enforced, paths, options=options)

    def translate(self, documents: Iterable[DocumentSource], *, on_progress: Callable[[int], None] | None = None) -> list[TranslatedDocument]:
        """Translate documents (DocumentJobs, Documents or file paths) in one batched pass, in the order given.

        A DocumentJob's `known` translations are taken instead of decoding (see `known_translations`).
        """
        jobs = [d if isinstance(d, DocumentJob) else DocumentJob(d if isinstance(d, Document) else read_document(str(d))) for d in documents]
        enforcer = GlossaryEnforcer(self.glossary) if self.glossary is not None else None
        model = self.package.name if self.package is not None else None
        return translate_documents(jobs, self.engine, enforcer=enforcer, model=model, quotes=self.options.quotes, on_progress=on_progress)


def run_glossary(
    given: Iterable[Path | str] | None, *, no_glossary: bool = False
) -> tuple[Glossary | None, tuple[Path, ...]]:
    """The approved entries a run enforces (None without a glossary) and the paths they came from."""
    paths = applicable_glossaries(given, disabled=no_glossary)
    return (load_enforced(paths) if paths else None), tuple(paths)


def load_engine(
    model: Path | str | None = None, *, offline: bool = False, progress: Progress | None = None, options: RunOptions | None = None
) -> Engine:
    """The engine for `model` (an .argosmodel file or package folder), or for the installed de→en
    package, installed from the Argos index first unless `offline`; decoded as `options` say."""
    return start_engine(find_package(model, offline=offline, progress=progress), options or RunOptions())


def find_package(model: Path | str | None = None, *, offline: bool = False, progress: Progress | None = None) -> ArgosPackage:
    """The package to translate with (cheap: no model is loaded), installing it first if need be."""
    return resolve_model(Path(model) if model is not None else None, offline=offline, progress=progress)


def start_engine(package: ArgosPackage, options: RunOptions) -> Engine:
    """Load the package's CTranslate2 model and tokenizer: the expensive step."""
    return options.load_engine(package)


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
    return list(plan.write(translated))


def plan_outputs(
    document: Document | str,
    out_dir: Path | str | None,
    locales_dir: Path | str | None,
    *,
    with_glossary: bool,
    glossary: Glossary | None = None,
    catalogues: Catalogues | None = None,
    source: str = "text",
) -> OutputPlan:
    """The targets of one document's outputs (a Document, or its output name and `source`, the name
    of its source format), not yet checked (`preflight`) or written; `catalogues` are the run's
    parsed catalogues (see OutputPlan)."""
    return OutputPlan.for_document(
        document.name if isinstance(document, Document) else document,
        Path(out_dir) if out_dir is not None else None,
        Path(locales_dir) if locales_dir is not None else None,
        with_glossary=with_glossary,
        glossary=glossary,
        catalogues=catalogues,
        source=document.format if isinstance(document, Document) else source,
    )


@dataclass(frozen=True)
class FileResult:
    """One source and what the run did with it: the files written, or nothing when it was up to date."""

    source: str
    name: str
    summary: DocumentSummary
    written: tuple[Path, ...] = ()
    translated: TranslatedDocument | None = None
    """None when the document was up to date: its outputs were left as they were."""
    drafts: int = 0
    """Fuzzy entries a build used."""
    outputs: tuple[Path, ...] = ()
    """Every output of the document, written by this run or left as it was."""
    checks: str | None = None
    """The check summary line an earlier run printed, kept with an up-to-date document."""

    @classmethod
    def of(cls, translated: TranslatedDocument, written: Iterable[Path], drafts: int = 0) -> "FileResult":
        written = tuple(written)
        document = translated.document
        return cls(document.source, document.name, DocumentSummary.of(translated), written, translated, drafts, written)

    @property
    def up_to_date(self) -> bool:
        return self.translated is None


@dataclass(frozen=True)
class FailedSource:
    """A document of a batch that got no outputs, and why."""

    source: str
    error: InputError


def check_names_and_folders(name: str | None, *, out_dir: Path | None, locales_dir: Path | None) -> None:
    """What a run can refuse before reading a source: a `name` that cannot name files, output
    folders that can never be created."""
    if name is not None:
        check_output_name(name, suffix=longest_suffix())
    check_folder(out_dir, "--out")
    check_folder(locales_dir, "--locales")


def longest_suffix() -> str:
    """The longest suffix any output format adds to a document's name."""
    return max((f.suffix for f in registry.FORMATS), key=len)


def check_output_file(target: Path, option: str) -> None:
    """Refuse a single output file (such as `--report`) that could not be written at the end of the run:
    the writer's own checks, run early (a folder or read-only file there, an unwritable folder)."""
    target = Path(target)
    if not target.name or target.name in (".", ".."):
        raise InputError(target, f"{option}: expected a file name, not a folder")
    if name_bytes(real_target(target).name) + STAGING_EXTRA > NAME_MAX:
        raise InputError(target, f"{option}: the file name is longer than {NAME_MAX - STAGING_EXTRA} bytes")
    check_folder(target.parent, option)
    check_writable_target(target)
    ensure_writable(real_target(target).parent)


@dataclass
class _Source:
    """A source of a run: read, its outputs planned, parsed only when it needs translating."""

    given: str
    where: str
    name: str
    data: bytes
    plan: OutputPlan
    inputs: str = ""
    """Digest of what its outputs are made from, the model aside (see dolmetsch.stamps)."""
    stamp: Stamp | None = None
    """A stamp whose inputs and outputs match: the document is up to date if the model is the same."""
    document: Document | None = None


@dataclass(frozen=True)
class _Run:
    """What every source of a run shares."""

    out_dir: Path | None
    locales_dir: Path | None
    options: RunOptions
    glossary: Glossary | None
    glossary_paths: tuple[Path, ...] = ()
    catalogues: Catalogues = field(default_factory=Catalogues)
    """Each catalogue parsed once, for its plan and for the memory."""

    @property
    def fingerprint(self) -> str:
        return self.glossary.fingerprint() if self.glossary is not None else ""


OnLoad = Callable[[Translator, list[Document]], Callable[[int], None] | None]


def translate_files(
    sources: Sequence[str],
    *,
    out_dir: Path | None,
    locales_dir: Path | None,
    name: str | None = None,
    options: RunOptions | None = None,
    keep_going: bool = False,
    on_load: OnLoad | None = None,
) -> tuple[Translator, list[FileResult], list[FailedSource]]:
    """Read, check every target, load once, translate what is new, write: what `dolmetsch translate` does.

    Nothing is written, and no model is loaded, when a source, the glossary or an output target
    is bad; with `keep_going` (a batch) a bad document is set aside in the failures instead and
    the others go on, all their sentences decoded in one pass. `sources` are file paths, or "-"
    for standard input. A document whose outputs are exactly what an earlier run wrote, from the
    same source, model, glossary and options, is up to date: it is left as it is (see
    dolmetsch.stamps). Segments whose catalogue already holds a reviewed translation
    or a current machine draft are not decoded (`retranslate` decodes them all); nor are sentences
    the memory (the confirmed entries of every PO under `locales_dir`, plus `memory_files` in TMX)
    holds, which are filled in as fuzzy drafts, or as reviewed with `trust_memory`; similar ones
    get a suggestion. When nothing needs decoding the model is not even loaded. With `workers` > 1
    or `ray` the decoding runs on local engine processes or Ray actors; the outputs are the same,
    and the driver writes them all. `on_load` is called before translating and may return a
    progress callback (segments done).
    """
    options = options or RunOptions()
    check_names_and_folders(name, out_dir=out_dir, locales_dir=locales_dir)
    enforced, paths = run_glossary(options.glossary, no_glossary=options.no_glossary)
    run = _Run(out_dir, locales_dir, options, enforced, paths)
    pending, failures = _read_sources(sources, name, run, keep_going)
    if not pending:
        return Translator(None, enforced, paths, options=options), [], failures
    package = find_package(options.model, offline=options.offline)
    up_to_date, stale = [], []
    for source in pending:
        if source.stamp is not None and source.stamp.model == package.name:
            up_to_date.append(source)
        elif _guarded(lambda: _parse(source), source.given, failures, keep_going):
            stale.append(source)
    translator = Translator(None, enforced, paths, package, options)
    done: dict[str, FileResult] = {source.given: _unchanged(source) for source in up_to_date}
    if stale:
        translator, translated = _translate_stale(stale, run, package, failures, on_load)
        done.update(_write_all(stale, translated, run, failures, keep_going))
    return translator, [done[source.given] for source in pending if source.given in done], failures


def _guarded(step: Callable[[], object], where: str, failures: list[FailedSource], keep_going: bool) -> bool:
    """Run one source's step; a bad source fails the run, or with `keep_going` joins the failures."""
    try:
        step()
        return True
    except InputError as error:
        if not keep_going:
            raise
        failures.append(FailedSource(where, error))
        return False


def _read_sources(sources: Sequence[str], name: str | None, run: _Run, keep_going: bool) -> tuple[list[_Source], list[FailedSource]]:
    """Every source read and its targets planned; those that are not up to date parsed and their targets checked."""
    failures: list[FailedSource] = []
    pending: list[_Source] = []
    names: dict[str, str] = {}
    for given in sources:
        read: list[_Source] = []
        if _guarded(lambda: read.append(_read_source(given, name, run, names)), given, failures, keep_going):
            names[read[0].name] = given
            pending.append(read[0])
    return pending, failures


def _read_source(given: str, name: str | None, run: _Run, names: dict[str, str]) -> _Source:
    check_source_name(given, name, suffix=longest_suffix())
    reader = source_format(given)  # an unsupported suffix is refused before anything is read
    data, where = read_source_bytes(given)
    stem = output_stem(given, name)
    if stem in names:
        raise InputError(given, f"has the same output name as {names[stem]}; translate it in another run or with --name")
    plan = plan_outputs(
        stem, run.out_dir, run.locales_dir, with_glossary=run.glossary is not None, glossary=run.glossary, catalogues=run.catalogues,
        source=reader.name,
    )
    source = _Source(given, where, stem, data, plan)
    if given != "-" and plan.paths() and not run.options.retranslate:
        source.inputs = _inputs_digest(source, run)
        stamp = load_stamp(plan.paths())
        if stamp is not None and stamp.inputs == source.inputs and outputs_match(stamp, plan.paths()):
            source.stamp = stamp
    if source.stamp is None:
        _parse(source)
    return source


def _parse(source: _Source) -> None:
    """The source's Document, and its targets checked: what a source that is not up to date needs."""
    if source.document is None:
        source.document = source_format(source.given).parse(source.data, source.where, source.name)
        source.plan.preflight(source.document)


def _inputs_digest(source: _Source, run: _Run) -> str:
    """What a document's outputs are made from, besides the model: see dolmetsch.stamps."""
    parts = [
        f"dolmetsch {__version__}",
        digest(source.data),
        source.where,
        source.name,
        os.getcwd(),
        *(str(path) for path in source.plan.paths()),
        run.options.output_digest(),
        run.fingerprint,
    ]
    return digest("\n".join(parts))


def _unchanged(source: _Source) -> FileResult:
    """The result of an up-to-date document, reported from its stamp."""
    summary = DocumentSummary.unchanged(source.stamp.report)
    return FileResult(source.where, source.name, summary, outputs=tuple(source.plan.paths()), checks=source.stamp.checks)


def _translate_stale(
    stale: list[_Source], run: _Run, package: ArgosPackage, failures: list[FailedSource], on_load: OnLoad | None
) -> tuple[Translator, list[TranslatedDocument]]:
    """Decode what the documents that are not up to date need, in one pass, here or elsewhere."""
    options = run.options
    jobs = [DocumentJob(s.document, {} if options.retranslate else s.plan.known_translations(s.document, package.name, run.fingerprint)) for s in stale]
    memory = load_memory(catalogues_under(run.locales_dir), options.memory_files, parsed=run.catalogues)
    own = [s.plan.path_of(GettextCatalog.name) for s in stale]
    jobs = remember(jobs, memory, trust=options.trust_memory, own=own, fill=not options.retranslate)
    translator = Translator(None, run.glossary, run.glossary_paths, package, options)
    if not any(not _all_known(job) for job in jobs):
        return translator, translator.translate(jobs)
    if options.elsewhere:
        translated, lost = _translate_elsewhere(package, run.glossary, jobs, options)
        failures += [FailedSource(document.source, InputError(document.source, why)) for document, why in lost]
        return translator, translated
    translator.engine = start_engine(package, options)
    on_progress = on_load(translator, [job.document for job in jobs]) if on_load else None
    return translator, translator.translate(jobs, on_progress=on_progress)


def _all_known(job: DocumentJob) -> bool:
    return all(s.key in job.known for s in job.document.segments() if has_words(s.text))


def _write_all(
    stale: list[_Source], translated: list[TranslatedDocument], run: _Run, failures: list[FailedSource], keep_going: bool
) -> dict[str, FileResult]:
    """Each document's outputs written; a stamp kept for those a re-run would write again unchanged:
    those whose catalogue gives every segment back as this run had it (see formats.po.settles)."""
    by_source = {source.where: source for source in stale}
    results: dict[str, FileResult] = {}
    for done in translated:
        source = by_source[done.document.source]
        try:
            written = source.plan.write(done)
        except InputError as error:
            if not keep_going or error.exit_code != InputError.exit_code:
                raise
            failures.append(FailedSource(done.document.source, error))
            continue
        results[source.given] = result = FileResult.of(done, written)
        if source.inputs and not run.options.retranslate and _settled(source, done, written, run):
            outputs = {str(Path(path).absolute()): digest(text) for path, text in written.items()}
            save_stamp(Stamp(source.inputs, done.model, outputs, result.summary.record()))
        run.catalogues.release(done.document.source, source.plan.paths())
    return results


def _settled(source: _Source, done: TranslatedDocument, written: dict[Path, str], run: _Run) -> bool:
    """Whether a re-run would write `done`'s outputs again byte for byte: its catalogue gives every
    segment back as it is; without a catalogue, only when there was nothing to decode."""
    catalogue = source.plan.path_of(GettextCatalog.name)
    if catalogue is None:
        return not any(has_words(s.segment.text) for s in done.segments)
    return run.catalogues.settled(done.document.source, written.get(catalogue))


def _translate_elsewhere(
    package: ArgosPackage, glossary: Glossary | None, jobs: list[DocumentJob], options: RunOptions
) -> tuple[list[TranslatedDocument], list[tuple[Document, str]]]:
    """Decode on worker processes or Ray actors; results in the documents' order, plus what was lost."""
    from dolmetsch import scale  # multiprocessing and Ray load only for such runs

    recipe = scale.EngineRecipe(package.path, glossary, options.for_workers())
    shares = scale.split_jobs(jobs, options.workers if not options.ray else max(options.workers, 1))
    done, lost = scale.run_on_ray(recipe, shares, options.ray_address) if options.ray or options.ray_address else scale.run_local(recipe, shares)
    order = {job.document.source: i for i, job in enumerate(jobs)}
    return sorted(done, key=lambda t: order[t.document.source]), lost


def remember(
    jobs: Sequence[DocumentJob],
    memory: SentenceMemory,
    *,
    trust: bool = False,
    own: Sequence[Path | None] = (),
    fill: bool = True,
) -> list[DocumentJob]:
    """The jobs with the memory's exact matches added to what is known, and suggestion notes for the
    sentences it only has similar ones for.

    `own[i]` is job i's catalogue, which is no memory for that document (its reviewed entries are
    already known, and `--retranslate` means to decode them). Without `fill` (a retranslation)
    every sentence is decoded, and an exact match is only a suggestion.
    """
    remembered = []
    for number, job in enumerate(jobs):
        recalled = memory.without(own[number] if number < len(own) else None)
        known, suggested = dict(job.known), dict(job.notes)
        for segment in job.document.segments():
            if segment.key in known or not has_words(segment.text) or not len(recalled):
                continue
            hit = recalled.exact(segment.text) if fill else None
            if hit is not None:
                known[segment.key] = KnownTranslation(hit.english, REVIEWED if trust else DRAFT, f"memory: {hit.origin}")
            elif (near := recalled.nearest(segment.text)) is not None:
                other, score = near
                suggested[segment.key] = (f"memory suggestion ({score:.0f} %, {other.origin}): {other.german} → {other.english}",)
        remembered.append(DocumentJob(job.document, known, suggested))
    return remembered


def keep_checks(result: FileResult, line: str) -> None:
    """Keep the check summary line printed for `result` with its document's stamp, so that the
    next run of an up-to-date document can print it without reading the catalogue."""
    stamp = load_stamp(result.outputs) if result.outputs else None
    if stamp is not None and stamp.checks != line and outputs_match(stamp, result.outputs):
        save_stamp(replace(stamp, checks=line))


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
        check_source_name(source, name, suffix=longest_suffix())
    documents = [read_document(source, name=name) for source in sources]
    shown, _ = run_glossary(glossary, no_glossary=no_glossary)
    formats = [TmxExport(include_drafts) if f.name == TmxExport.name else f for f in registry.FORMATS]
    results = []
    for document in documents:
        plan = OutputPlan.for_document(
            document.name, out_dir, locales_dir, with_glossary=False, command=BUILD, formats=formats, glossary=shown,
            source=document.format,
        )
        plan.preflight(document)
        catalog_path = GettextCatalog().path(document.name, out_dir, locales_dir)
        known, model = reviewed_translations(catalog_path, document, plan.catalogues)
        drafts = sum(1 for k in known.values() if k.origin == DRAFT)
        if strict and drafts:
            raise UnreviewedError(catalog_path, f"{drafts} entries are still fuzzy; review them, or build without --strict")
        [translated] = translate_documents([DocumentJob(document, known)], None, model=model)
        results.append(FileResult.of(translated, plan.write(translated), drafts))
    return results
