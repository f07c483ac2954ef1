"""One decoding thread for every request: sentences of concurrent requests are decoded together.

Requests put their sentences into one bounded queue and wait on a future. The decoding thread
takes requests until their sentences reach a token budget or the oldest has waited `max_wait`
seconds, sorts the batch by length and decodes it in one pass (the engine cuts it into
length-sorted sub-batches as `translate` does). It never touches a socket, so a slow client
cannot hold it. A full queue refuses new work at once (`QueueFull`), so memory stays bounded.

A request may name a glossary `group` (a DeepL API request's `glossary_id`: an object holding that
glossary's enforcer). Requests of different groups may be taken into one batch, but their
sentences never share an enforcer: the batch is decoded group by group, each group's distinct
sentences together, so a sentence is never enforced against a glossary its request did not ask for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field


class QueueFull(Exception):
    """The queue holds as many sentences as it may; the caller answers 503 with Retry-After."""


@dataclass
class _Job:
    sentences: tuple[str, ...]
    tokens: int
    alternatives: int
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    group: Hashable = None
    """The glossary the sentences are enforced with; None: the server's own."""
    arrived: float = field(default_factory=time.monotonic)


class Batcher:
    """The queue and its decoding thread; `decode(sentences, alternatives)` returns one result per
    sentence, and `decode(sentences, alternatives, group)` for the sentences of a glossary group."""

    def __init__(
        self,
        decode: Callable[[Sequence[str], int], list],
        cost: Callable[[str], int],
        *,
        token_budget: int = 2048,
        max_wait: float = 0.01,
        queue_limit: int = 1024,
        on_batch: Callable[[int, int], None] | None = None,
        on_depth: Callable[[int], None] | None = None,
    ):
        self._decode = decode
        self._cost = cost
        self.token_budget = token_budget
        self.max_wait = max_wait
        self.queue_limit = queue_limit
        self._on_batch = on_batch or (lambda sentences, requests: None)
        self._on_depth = on_depth or (lambda depth: None)
        self._jobs: deque[_Job] = deque()
        self._pending = 0  # sentences queued, not yet taken for decoding
        self._condition = threading.Condition()
        self._running = False
        self._thread: threading.Thread | None = None

    @property
    def depth(self) -> int:
        return self._pending

    def start(self) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._work, name="dolmetsch-decoder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Decode what is queued, then end the thread."""
        with self._condition:
            self._running = False
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, sentences: Sequence[str], alternatives: int = 0, group: Hashable = None) -> asyncio.Future:
        """Queue a request's sentences (from the event loop); the future gets their results in order.
        `group` names the glossary they are enforced with (None: the server's).

        A request is refused when the queue is not empty and its sentences would overflow it; an
        empty queue takes any request, so one that is larger than the limit is not refused forever.
        """
        loop = asyncio.get_running_loop()
        tokens = sum(self._cost(s) for s in sentences)
        job = _Job(tuple(sentences), tokens, alternatives, loop.create_future(), loop, group)
        with self._condition:
            if not self._running:
                raise QueueFull("the server is shutting down")
            if self._pending and self._pending + len(sentences) > self.queue_limit:
                raise QueueFull(f"{self._pending} sentences are waiting")
            self._jobs.append(job)
            self._pending += len(sentences)
            self._on_depth(self._pending)
            self._condition.notify_all()
        return job.future

    def _take(self) -> list[_Job]:
        """Wait for work, then gather requests up to the token budget or the oldest one's deadline."""
        with self._condition:
            while not self._jobs and self._running:
                self._condition.wait()
            if not self._jobs:
                return []
            deadline = self._jobs[0].arrived + self.max_wait
            while self._running and sum(j.tokens for j in self._jobs) < self.token_budget:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._condition.wait(left)
            taken, tokens = [], 0
            while self._jobs and (not taken or tokens + self._jobs[0].tokens <= self.token_budget):
                job = self._jobs.popleft()
                taken.append(job)
                tokens += job.tokens
            self._pending -= sum(len(j.sentences) for j in taken)
            self._on_depth(self._pending)
            return taken

    def _work(self) -> None:
        while True:
            jobs = self._take()
            if not jobs:
                return
            self._run(jobs)

    def _run(self, jobs: list[_Job]) -> None:
        """Decode the jobs' distinct sentences, shortest first, one glossary group at a time, and
        answer each job. A group that fails fails its own jobs only."""
        groups: dict[Hashable, list[_Job]] = {}
        for job in jobs:
            groups.setdefault(job.group, []).append(job)
        self._on_batch(sum(len({s for job in members for s in job.sentences}) for members in groups.values()), len(jobs))
        for group, members in groups.items():
            unique = sorted({s for job in members for s in job.sentences}, key=len)
            wanted = max(job.alternatives for job in members)
            try:
                decoded = self._decode(unique, wanted) if group is None else self._decode(unique, wanted, group)
                results = dict(zip(unique, decoded))
            except Exception as error:  # answered as a 500 by the requests that wait on it
                for job in members:
                    _answer(job, _fail, error)
                continue
            for job in members:
                _answer(job, _settle, [results[s] for s in job.sentences])


def _answer(job: _Job, how, value) -> None:
    try:
        job.loop.call_soon_threadsafe(how, job.future, value)
    except RuntimeError:  # the event loop has closed: nobody is waiting any more
        pass


def _settle(future: asyncio.Future, value) -> None:
    if not future.done():  # the client may have gone away
        future.set_result(value)


def _fail(future: asyncio.Future, error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
