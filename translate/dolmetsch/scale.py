"""Translating a batch on several engines: local worker processes, or actors on a Ray cluster.

The driver keeps everything that touches files (reading, merging, writing); workers only
decode. Each worker loads the engine once and translates whole documents, so a worker that dies
mid-document loses nothing: its documents are tried once more on a fresh worker, or reported
failed, and nothing of them is written. Workers never outlive the driver: an interrupted driver
kills them before it exits, and a driver that is killed outright takes them with it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.document.model import Document
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import Glossary
from dolmetsch.options import RunOptions
from dolmetsch.models.package import ArgosPackage
from dolmetsch.pipeline import translate_documents
from dolmetsch.translation import DocumentJob, TranslatedDocument

ATTEMPTS = 2
"""How often a document's work is handed to a worker before it is reported failed."""


@dataclass(frozen=True)
class Job:
    """One worker's share: whole documents, with what the driver already knows of them."""

    documents: tuple[DocumentJob, ...]


@dataclass(frozen=True)
class EngineRecipe:
    """How a worker builds its engine (the package must be readable where the worker runs): the
    run's options as the command line gave them, so workers decode exactly as the driver would."""

    package_dir: Path
    glossary: Glossary | None
    options: RunOptions = field(default_factory=RunOptions)

    def run(self, job: Job) -> list[TranslatedDocument]:
        engine = self.options.load_engine(ArgosPackage.from_dir(self.package_dir))
        enforcer = GlossaryEnforcer(self.glossary) if self.glossary is not None else None
        return translate_documents(job.documents, engine, enforcer=enforcer, quotes=self.options.quotes)


def split_jobs(documents: Sequence[DocumentJob], workers: int) -> list[Job]:
    """Documents dealt round the workers, largest first, so shares come out about even."""
    sizes_of = [len(job.document.segments()) for job in documents]
    order = sorted(range(len(documents)), key=lambda i: -sizes_of[i])
    shares: list[list[int]] = [[] for _ in range(max(1, min(workers, len(documents))))]
    sizes = [0] * len(shares)
    for i in order:
        smallest = sizes.index(min(sizes))
        shares[smallest].append(i)
        sizes[smallest] += sizes_of[i]
    return [Job(tuple(documents[i] for i in sorted(share))) for share in shares if share]


def run_local(recipe: EngineRecipe, jobs: Sequence[Job]) -> tuple[list[TranslatedDocument], list[tuple[Document, str]]]:
    """Each job in a worker process of its own (so one death touches one job); a job whose process
    died is tried once more in a fresh one.

    Whatever ends the wait early (SIGINT/SIGTERM, a job's error) kills the workers first: their
    results would be thrown away, and a plain shutdown waits for them to finish decoding.
    """
    done: list[TranslatedDocument] = []
    pending = list(jobs)
    # spawned, not forked: a fork of a process that already runs CTranslate2's threads can hang
    context = multiprocessing.get_context("spawn")
    for attempt in range(ATTEMPTS):
        pools: list[ProcessPoolExecutor] = []
        retry = []
        try:
            for _ in pending:
                pools.append(ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=bind_to_driver, initargs=(os.getpid(),)))
            futures = [(job, pool.submit(recipe.run, job)) for job, pool in zip(pending, pools)]
            for job, future in futures:
                try:
                    done.extend(future.result())
                except BrokenProcessPool:
                    retry.append(job)
        except BaseException:
            for pool in pools:
                kill_workers(pool)
            raise
        finally:
            for pool in pools:
                pool.shutdown(cancel_futures=True)
        pending = retry
        if not pending:
            break
    failed = [(entry.document, "its worker died twice") for job in pending for entry in job.documents]
    return done, failed


PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal the kernel sends a process when its parent dies (Linux)."""
WATCH_SECONDS = 1.0
"""How often a worker's watcher looks whether the driver is still there, where no event says so."""


def bind_to_driver(driver_pid: int) -> None:
    """Worker initializer: the worker dies with the driver and leaves Ctrl-C to it.

    A worker whose driver was killed (SIGKILL, the OOM killer) would otherwise decode on for no one,
    blocked at last on a result pipe nobody reads, and keep the resource tracker alive with it.
    On Linux the kernel kills it (PR_SET_PDEATHSIG); everywhere a thread watches the driver too.
    SIGINT from a terminal reaches the whole process group: the driver decides, and kills the
    workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still does it
    threading.Thread(target=_exit_without_driver, args=(driver_pid,), name="dolmetsch-driver-watch", daemon=True).start()
    if os.getppid() != driver_pid:  # the driver died before any of this was in place
        os._exit(1)


def _exit_without_driver(driver_pid: int) -> None:
    """Wait for the driver to go (its end of the spawn pipe closes), then end this worker at once."""
    driver = multiprocessing.parent_process()  # None only where the worker was not spawned by multiprocessing
    while True:
        if driver is not None:
            driver.join(WATCH_SECONDS)  # returns as soon as the pipe from the driver reaches end of file
        else:
            threading.Event().wait(WATCH_SECONDS)
        if os.getppid() != driver_pid or (driver is not None and not driver.is_alive()):
            os._exit(1)


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes now: `shutdown()` alone waits until their job is done, and
    the executor has no public way to reach its processes (before Python 3.14)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):  # already gone, or already closed
            pass


def run_on_ray(recipe: EngineRecipe, jobs: Sequence[Job], address: str | None) -> tuple[list[TranslatedDocument], list[tuple[Document, str]]]:
    """Each job on its own Ray actor (one engine each); a job whose actor died goes to a new actor once."""
    try:
        import ray  # the optional extra: pip install -e '.[ray]'
    except ImportError:
        raise InputError("--ray", "Ray is not installed; install it with `pip install -e '.[ray]'` (or `pip install ray`)") from None
    if not ray.is_initialized():
        with kept_signal_handlers():
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False, configure_logging=False)
    worker = ray.remote(max_restarts=0)(_RayWorker)
    done: list[TranslatedDocument] = []
    pending = list(jobs)
    with signals_through_ray():
        for attempt in range(ATTEMPTS):
            actors = []
            retry = []
            try:  # however the wait ends (SIGINT/SIGTERM too), the actors go: on a cluster nothing else stops them
                actors += [worker.remote(recipe) for _ in pending]
                calls = [(job, actor.translate.remote(job)) for job, actor in zip(pending, actors)]
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
            finally:
                for actor in actors:
                    ray.kill(actor)
            pending = retry
            if not pending:
                break
    failed = [(entry.document, "its Ray worker died twice") for job in pending for entry in job.documents]
    return done, failed


@contextmanager
def kept_signal_handlers() -> Iterator[None]:
    """Put back this process's SIGINT/SIGTERM handlers after the block: `ray.init` replaces them
    (SIGTERM would exit with Ray's code, or abort in its crash handler, instead of 143)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in kept.items():
            if handler is not None:  # None: set outside Python, not ours to put back
                signal.signal(number, handler)


@contextmanager
def signals_through_ray() -> Iterator[None]:
    """Let SIGINT/SIGTERM stop a wait on Ray as they stop any other wait.

    Ray's waits let only KeyboardInterrupt out of a signal handler (any other exception ends in a
    SystemError), so inside the block the two raise KeyboardInterrupt; leaving the block, the
    signal is delivered again to the handlers there were (the CLI's: exit 130 or 143).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def stop(number: int, frame) -> None:
        received.append(number)
        raise KeyboardInterrupt

    numbers = [n for n in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(n) not in (signal.SIG_IGN, None)]
    previous = {number: signal.signal(number, stop) for number in numbers}
    try:
        yield
    except KeyboardInterrupt:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class _RayWorker:
    """A Ray actor's state: the recipe; the engine is built per job, once per actor here."""

    def __init__(self, recipe: EngineRecipe):
        self.recipe = recipe

    def translate(self, job: Job) -> list[TranslatedDocument]:
        return self.recipe.run(job)
