"""Translating a batch on several engines: local worker processes, or actors on a Ray cluster.

The driver keeps everything that touches files (reading, merging, writing); workers only
decode. Each worker loads the engine once and translates whole documents, so a worker that dies
mid-document loses nothing: its documents are tried once more on a fresh worker, or reported
failed, and nothing of them is written.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import Glossary
from dolmetsch.pipeline import TranslatedDocument

ATTEMPTS = 2
"""How often a document's work is handed to a worker before it is reported failed."""


@dataclass(frozen=True)
class Job:
    """One worker's share: whole documents, with what the driver already knows of them."""

    documents: tuple[Document, ...]
    known: tuple[dict, ...]
    notes: tuple[dict, ...]


@dataclass(frozen=True)
class EngineRecipe:
    """How a worker builds its engine (the package must be readable where the worker runs)."""

    package_dir: Path
    glossary: Glossary | None
    beam: int = 4
    length_penalty: float = 0.2
    replace_unknowns: bool = True
    device: str = "cpu"
    threads: int = 0
    compute_type: str = "default"
    quotes: str | None = "typographic"

    def run(self, job: Job) -> list[TranslatedDocument]:
        from dolmetsch.engine.engine import DecodingOptions, Engine  # in the worker, not at import
        from dolmetsch.enforce.strategies import GlossaryEnforcer
        from dolmetsch.packages.package import ArgosPackage
        from dolmetsch.pipeline import translate_documents

        engine = Engine.load(
            ArgosPackage.from_dir(self.package_dir),
            device=self.device,
            threads=self.threads,
            compute_type=self.compute_type,
            options=DecodingOptions(beam_size=self.beam, length_penalty=self.length_penalty, replace_unknowns=self.replace_unknowns),
        )
        enforcer = GlossaryEnforcer(self.glossary) if self.glossary is not None else None
        return translate_documents(list(job.documents), engine, enforcer=enforcer, known=list(job.known), notes=list(job.notes), quotes=self.quotes)


def split_jobs(documents: Sequence[Document], known: Sequence[dict], notes: Sequence[dict], workers: int) -> list[Job]:
    """Documents dealt round the workers, largest first, so shares come out about even."""
    order = sorted(range(len(documents)), key=lambda i: -len(documents[i].segments()))
    shares: list[list[int]] = [[] for _ in range(max(1, min(workers, len(documents))))]
    sizes = [0] * len(shares)
    for i in order:
        smallest = sizes.index(min(sizes))
        shares[smallest].append(i)
        sizes[smallest] += len(documents[i].segments())
    return [
        Job(tuple(documents[i] for i in sorted(share)), tuple(known[i] for i in sorted(share)), tuple(notes[i] for i in sorted(share)))
        for share in shares
        if share
    ]


def run_local(recipe: EngineRecipe, jobs: Sequence[Job]) -> tuple[list[TranslatedDocument], list[tuple[Document, str]]]:
    """Each job in a worker process of its own (so one death touches one job); a job whose process
    died is tried once more in a fresh one."""
    done: list[TranslatedDocument] = []
    pending = list(jobs)
    # spawned, not forked: a fork of a process that already runs CTranslate2's threads can hang
    context = multiprocessing.get_context("spawn")
    for attempt in range(ATTEMPTS):
        pools = [ProcessPoolExecutor(max_workers=1, mp_context=context) for _ in pending]
        retry = []
        try:
            futures = [(job, pool.submit(recipe.run, job)) for job, pool in zip(pending, pools)]
            for job, future in futures:
                try:
                    done.extend(future.result())
                except BrokenProcessPool:
                    retry.append(job)
        finally:
            for pool in pools:
                pool.shutdown()
        pending = retry
        if not pending:
            break
    failed = [(document, "its worker died twice") for job in pending for document in job.documents]
    return done, failed


def run_on_ray(recipe: EngineRecipe, jobs: Sequence[Job], address: str | None) -> tuple[list[TranslatedDocument], list[tuple[Document, str]]]:
    """Each job on its own Ray actor (one engine each); a job whose actor died goes to a new actor once."""
    try:
        import ray  # the optional extra: pip install -e '.[ray]'
    except ImportError:
        raise InputError("--ray", "Ray is not installed; install it with `pip install -e '.[ray]'` (or `pip install ray`)") from None
    if not ray.is_initialized():
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False, configure_logging=False)
    worker = ray.remote(max_restarts=0)(_RayWorker)
    done: list[TranslatedDocument] = []
    pending = list(jobs)
    for attempt in range(ATTEMPTS):
        actors = [worker.remote(recipe) for _ in pending]
        calls = [(job, actor.translate.remote(job)) for job, actor in zip(pending, actors)]
        retry = []
        for job, call in calls:
            try:
                done.extend(ray.get(call))
            except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError):
                retry.append(job)
            except ray.exceptions.RayTaskError as error:  # the work itself failed: trying again would too
                cause = error.as_instanceof_cause()
                if isinstance(cause, InputError):
                    raise InputError(cause.where, cause.problem, cause.line) from None
                raise
        for actor in actors:
            ray.kill(actor)
        pending = retry
        if not pending:
            break
    failed = [(document, "its Ray worker died twice") for job in pending for document in job.documents]
    return done, failed


class _RayWorker:
    """A Ray actor's state: the recipe; the engine is built per job, once per actor here."""

    def __init__(self, recipe: EngineRecipe):
        self.recipe = recipe

    def translate(self, job: Job) -> list[TranslatedDocument]:
        return self.recipe.run(job)
