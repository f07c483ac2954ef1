"""`dolmetsch serve --ray`: the same HTTP server, decoding on Ray Serve replicas.

What runs where:
- **The ingress** is `dolmetsch serve` itself: the Starlette app on uvicorn, one process, with
  everything but decoding: routes, errors, keys and limits, splitting, the sentence cache and the
  translation memory, files, metrics, and the DeepL API's glossaries with their durable copy in
  `--data-dir`. It loads the glossary and the memory, never the model. It is a Ray driver: it
  starts a local Ray instance, or joins the cluster that `--ray-address` names.
- **The replicas** are a Ray Serve deployment, `Decoder`, `--replicas N` of them. Each loads the
  engine once, with the options the command line gave, and puts the single process's decoding
  queue (`Batcher`) in front of it: the calls that Serve routes to a replica wait there and are
  decoded together, up to `--batch-tokens` source pieces, glossary by glossary, each group's
  distinct sentences sorted by length, with `Backend.translate`, the single process's decoding path.
- **Between them**, `RayBatcher` takes the place of the `Batcher` in the app's `Service`: each
  request's sentences that the cache and the memory do not answer go to the deployment as one call
  through a `DeploymentHandle`; Serve routes it to the less busy of two replicas. `--queue-limit`
  bounds the sentences in flight (503 beyond, as before).

**Why not `@serve.batch`.** It was built first and measured against this (tiny model, 16 clients,
2 cores, the same run): Serve's batch queue closes a batch `batch_wait_timeout_s` after its first
call whether or not the replica is still decoding the previous one, so under load the batches that
wait for the engine are each as small as what arrived in those 2 ms: 1.2 requests per batch against
6.4 with the `Batcher` (6.6–7.1 in the single process), more CPU per sentence, and 0.74–0.82× the
`Batcher`'s throughput on one replica. The `Batcher` takes whatever is queued when the engine
frees up, as the single process does, and the batching is the same code in both.

**Glossaries** uploaded through the DeepL API reach the replicas through Ray's object store: the
ingress merges a glossary with the server's (as the single process does), puts the merged glossary
into the object store once (`ray.put`) and passes its reference in every call that names it; a
replica fetches it on first use and keeps its enforcers for the most recently used glossaries. The
durable copy stays a JSON file in the ingress's `--data-dir`, on the head node or wherever the
ingress runs. Why not the data folder on shared storage: it would ask every node for a shared file
system and every replica to read and merge the files itself; the object store is there on every
Ray cluster, a replica started after an upload (or replacing a dead one) gets the glossary with the
next call that names it, and an uploaded glossary never changes (DeepL's API has no update), so a
replica's copy can never be stale. Deleted or long unused glossaries leave the object store when
the ingress drops its reference.

**A replica that dies** (killed, out of memory, its node gone) is replaced by Serve. Its calls in
flight fail with an actor error; the ingress sends such a call again (`ATTEMPTS` in all), and Serve
routes it to a live replica, or holds it until the replacement is up. So every request the ingress
accepted is answered. A call that fails for any other reason is not tried again: it is answered as
the single process answers a failure (500).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ray
from ray import serve

from dolmetsch.api import find_package
from dolmetsch.engine import engine as engine_module
from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import Glossary
from dolmetsch.options import RunOptions
from dolmetsch.scale import kept_signal_handlers
from dolmetsch.serve.batching import Batcher, QueueFull
from dolmetsch.serve.engine import Backend, Rendered

ATTEMPTS = 3
"""How often a call is sent to a replica before the request fails: a replica's death costs a retry."""
RETRY_PAUSE = 0.5
"""Seconds before a retry (times the attempt): time for Serve's router to hear of the dead replica."""
GLOSSARIES_KEPT = 32
"""Uploaded glossaries whose enforcers a replica keeps built (least recently used first out)."""
OBJECT_STORE_BYTES = 128 * 1024 * 1024
"""A local Ray instance's object store: glossaries and calls only, never models."""
MAX_ONGOING = 64
"""Calls one replica holds at once (its queue); beyond, Serve's router holds them."""
UNBOUNDED = 1 << 30
"""A replica's queue limit: its calls are bounded by MAX_ONGOING, the sentences by the ingress."""
HEALTH_CHECK_SECONDS = 2.0
"""How often Serve checks a replica: a dead one is noticed and replaced within seconds."""
DEPLOYMENT = "Decoder"
CONNECT_SECONDS = 10.0
"""How long the cluster's address may take to accept a connection."""
WARN_EVERY = 5.0
"""Seconds between two warnings about retried calls (a replica's death fails all its calls at once)."""


@dataclass(frozen=True)
class ReplicaRecipe:
    """How a replica builds its backend: the package where every node finds it, the server's
    glossary (loaded once by the ingress, so replicas need no glossary files), the run's options."""

    model: Path
    """The --model given (an .argosmodel file or a folder), else the installed package's folder."""
    glossary: Glossary | None
    options: RunOptions
    cpus: float = 1.0
    """Ray CPUs the replica reserves; with --threads 0, also the batches it decodes at once."""
    batch_tokens: int = 2048
    max_wait: float = 0.002


@dataclass
class Call:
    """One request's sentences for a replica."""

    sentences: tuple[str, ...]
    alternatives: int
    glossary_id: str | None = None
    glossary: list | None = None
    """[ObjectRef of the merged Glossary], in a list so that Ray passes the reference, not the value."""


@dataclass
class Answer:
    """A call's results, or the error that failed its glossary group; with them the sizes of the
    batches the replica decoded since its last answer (distinct sentences, calls), for the metrics."""

    rendered: list[Rendered] | None = None
    error: BaseException | None = None
    batches: list[tuple[int, int]] = field(default_factory=list)


@dataclass(eq=False)
class Uploaded:
    """An uploaded glossary's enforcers on a replica (as `glossaries.Enforced` has them): the
    decoding queue's group, compared by identity."""

    enforcer: GlossaryEnforcer
    reviewer: GlossaryEnforcer


class Decoder:
    """A Ray Serve replica: one engine, and the single process's decoding queue in front of it."""

    def __init__(self, recipe: ReplicaRecipe):
        options = recipe.options
        package = find_package(recipe.model, offline=True)
        if options.threads or options.device != "cpu":
            engine = options.load_engine(package)
        else:  # automatic threads: as many batches at once as the CPUs the replica reserved, not the node's cores
            cores = engine_module.usable_cores
            engine_module.usable_cores = lambda: max(1, int(recipe.cpus))
            try:
                engine = options.load_engine(package)
            finally:
                engine_module.usable_cores = cores
        glossary = recipe.glossary
        enforcer = GlossaryEnforcer(glossary) if glossary is not None else None
        reviewer = GlossaryEnforcer(glossary) if glossary is not None else None
        self.backend = Backend(engine, glossary, (), None, enforcer, reviewer)
        self.glossaries: OrderedDict[str, Uploaded] = OrderedDict()
        self.batches: list[tuple[int, int]] = []  # appended on the decoding thread, taken on the event loop
        self.batcher = Batcher(
            self.backend.translate, self.backend.cost, token_budget=recipe.batch_tokens, max_wait=recipe.max_wait,
            queue_limit=UNBOUNDED, on_batch=lambda sentences, calls: self.batches.append((sentences, calls)),
        )
        self.batcher.start()

    def check_health(self) -> None:
        """Serve's periodic check: a replica whose decoding thread has ended is replaced."""
        thread = getattr(self.batcher, "_thread", None)
        if thread is None or not thread.is_alive():
            raise RuntimeError("the decoding thread has ended")

    async def decode(self, call: Call) -> Answer:
        """A request's sentences, decoded in a batch with those of the calls queued beside it."""
        try:
            group = await self._glossary(call) if call.glossary_id is not None else None
            rendered = await self.batcher.submit(call.sentences, call.alternatives, group)
            answer = Answer(rendered)
        except Exception as error:  # answered as a 500, as the single process answers a failed batch
            answer = Answer(error=error)
        taken = len(self.batches)
        answer.batches, self.batches[:taken] = self.batches[:taken], []
        return answer

    async def _glossary(self, call: Call) -> Uploaded:
        """The enforcers of an uploaded glossary, built on first use from the object store's copy;
        one object per glossary, so the queue decodes its calls together and apart from others."""
        found = self.glossaries.get(call.glossary_id)
        if found is not None:
            self.glossaries.move_to_end(call.glossary_id)
            return found
        merged = await call.glossary[0]
        built = await asyncio.to_thread(lambda: Uploaded(GlossaryEnforcer(merged), GlossaryEnforcer(merged)))
        found = self.glossaries.setdefault(call.glossary_id, built)  # another call may have built it meanwhile
        while len(self.glossaries) > GLOSSARIES_KEPT:
            self.glossaries.popitem(last=False)
        return found


@dataclass(frozen=True)
class NoModel:
    """The ingress's stand-in for an engine: the package (its name, its folder), no model loaded."""

    package: object


def ingress_backend(options: RunOptions, *, locales: Path | None = None) -> Backend:
    """The ingress's backend: glossary and memory as `Backend.load` loads them, no model."""
    return Backend.load(options, locales=locales, engine=lambda package, options: NoModel(package))


# ---------------------------------------------------------------------------------------------
# the ingress's side


class RayBatcher:
    """What the app's `Service` submits sentences to, in place of the single process's `Batcher`:
    each request's sentences are one call to the deployment, retried when its replica died."""

    def __init__(self, handle, service, *, attempts: int = ATTEMPTS, pause: float = RETRY_PAUSE):
        from prometheus_client import Counter

        self.handle = handle
        self.service = service
        self.attempts = attempts
        self.pause = pause
        self.queue_limit = service.settings.queue_limit
        self._pending = 0  # sentences sent, not yet answered
        self._calls = 0
        self._condition = threading.Condition()
        self._running = False
        self.retries = Counter(
            "dolmetsch_replica_retries", "Calls sent again because their Ray Serve replica died", registry=service.metrics.registry
        )
        self._refs: dict[str, tuple[object, object]] = {}  # glossary id -> (Enforced, ObjectRef of its merged glossary)
        self._warned = -WARN_EVERY

    @property
    def depth(self) -> int:
        return self._pending

    def start(self) -> None:
        self._running = True

    def stop(self, timeout: float | None = None) -> None:
        """Refuse new work, then wait for the calls in flight to be answered."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            self._running = False
            while self._calls:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._condition.wait(left)

    def submit(self, sentences: Sequence[str], alternatives: int = 0, group=None) -> asyncio.Future:
        """Send a request's sentences (from the event loop); the future gets their results in order.
        `group`: a DeepL API request's glossary (`glossaries.Enforced`), None for the server's."""
        with self._condition:
            if not self._running:
                raise QueueFull("the server is shutting down")
            if self._pending and self._pending + len(sentences) > self.queue_limit:
                raise QueueFull(f"{self._pending} sentences are waiting")
            self._pending += len(sentences)
            self._calls += 1
            self.service.metrics.queue_depth.set(self._pending)
        call = Call(tuple(sentences), alternatives)
        if group is not None:
            call.glossary_id = group.key
            call.glossary = [self._ref(group)]
        return asyncio.ensure_future(self._send(call))

    def _warn(self, error: BaseException) -> None:
        """One line on stderr when a replica's calls are sent again (at most one per WARN_EVERY seconds)."""
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            sys.stderr.write(f"dolmetsch: warning: a Ray Serve replica failed ({type(error).__name__}); its calls are sent to another one\n")

    def _ref(self, enforced) -> object:
        """The object store's copy of an uploaded glossary merged with the server's, put there once
        per `Enforced` (the glossary store keeps those of the recently used glossaries)."""
        kept = self._refs.get(enforced.key)
        if kept is not None and kept[0] is enforced:
            return kept[1]
        ref = ray.put(enforced.glossary)
        self._refs[enforced.key] = (enforced, ref)
        while len(self._refs) > 2 * GLOSSARIES_KEPT:
            self._refs.pop(next(iter(self._refs)))
        return ref

    async def _send(self, call: Call) -> list[Rendered]:
        try:
            for attempt in range(1, self.attempts + 1):
                try:
                    answer: Answer = await self.handle.decode.remote(call)
                    break
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as error:
                    if attempt == self.attempts:
                        raise
                    self.retries.inc()
                    self._warn(error)
                    await asyncio.sleep(self.pause * attempt)
                except ray.exceptions.RayTaskError as error:  # the replica's code failed: answered as the single process does
                    raise error.as_instanceof_cause() from None
        finally:
            with self._condition:
                self._pending -= len(call.sentences)
                self._calls -= 1
                self.service.metrics.queue_depth.set(self._pending)
                self._condition.notify_all()
        for sentences, calls in answer.batches:
            self.service.metrics.batch(sentences, calls)
        if answer.error is not None:
            raise answer.error
        return answer.rendered


# ---------------------------------------------------------------------------------------------
# starting and stopping


@dataclass
class Cluster:
    """The Ray Serve application this server started, and whether it started Ray itself."""

    app_name: str
    handle: object
    local: bool
    replicas: int

    def describe(self) -> str:
        where = "a local Ray instance" if self.local else "the Ray cluster"
        return f"{self.replicas} Ray Serve replica{'s' if self.replicas != 1 else ''} on {where}"

    def close(self) -> None:
        """Free the replicas (the requests in flight are answered by now): a local Ray instance
        ends with everything on it; on a cluster this server's application is deleted."""
        if self.local:
            ray.shutdown()
            return
        try:
            serve.delete(self.app_name, _blocking=True)
        except Exception:  # Ray may be going down already; nothing more to free
            pass


def replica_cpus(replicas: int, given: float | None, local: bool) -> float:
    """Ray CPUs per replica: as given, else on a local instance this machine's cores shared out,
    else one."""
    if given:
        return given
    if local:
        return float(max(1, engine_module.usable_cores() // max(1, replicas)))
    return 1.0


def reachable(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """InputError unless HOST:PORT accepts a connection: Ray itself would retry for minutes,
    deaf to SIGTERM, before it gave up on an address where no cluster is ("auto" is not checked)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        raise InputError(f"--ray-address {address}", f"no Ray cluster answers there ({error.strerror or error})") from None


def start(
    backend: Backend,
    options: RunOptions,
    *,
    address: str | None,
    replicas: int,
    cpus: float | None,
    batch_tokens: int,
    max_wait: float,
    drain_timeout: float,
    app_name: str,
) -> Cluster:
    """Start (or join) Ray, deploy `replicas` decoders and wait until they have loaded the engine.

    InputError when Ray cannot be reached or the replicas cannot start."""
    local = address in (None, "local")
    if address is not None and address.startswith("ray://"):
        raise InputError(
            f"--ray-address {address}",
            "the server joins the cluster as a driver, not through Ray Client: run it on a node of the cluster with --ray-address auto (or HEAD:6379)",
        )
    # Ray's and Serve's progress lines (and a warning per call of a dead replica) stay off stderr:
    # the server says what matters in its own lines
    logging.getLogger("ray").setLevel(logging.WARNING)
    logging.getLogger("ray.serve").setLevel(logging.ERROR)
    per_replica = replica_cpus(replicas, cpus, local)
    if not local:
        reachable(address)
    if not ray.is_initialized():
        settings = dict(include_dashboard=False, log_to_driver=False, configure_logging=False, namespace="dolmetsch")
        if local:
            settings.update(num_cpus=max(engine_module.usable_cores(), int(per_replica * replicas + 0.999)), object_store_memory=OBJECT_STORE_BYTES)
        with kept_signal_handlers():
            try:
                ray.init(address="local" if local else address, **settings)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise InputError(f"--ray-address {address}" if not local else "--ray", f"cannot start or reach Ray ({error})") from None
    model = options.model if options.model is not None else backend.engine.package.path
    recipe = ReplicaRecipe(Path(model).resolve(), backend.glossary, options, per_replica, batch_tokens, max_wait)
    actor_options: dict = {"num_cpus": per_replica}
    if options.device == "cuda":
        actor_options["num_gpus"] = 1
    deployment = serve.deployment(
        Decoder, name=DEPLOYMENT, num_replicas=replicas, max_ongoing_requests=MAX_ONGOING, ray_actor_options=actor_options,
        health_check_period_s=HEALTH_CHECK_SECONDS, graceful_shutdown_wait_loop_s=0.2, graceful_shutdown_timeout_s=drain_timeout,
        max_constructor_retry_count=3,
    )
    with kept_signal_handlers():
        try:
            serve.start(proxy_location="Disabled")
            handle = serve.run(deployment.bind(recipe), name=app_name, route_prefix=None)
        except Exception as error:
            Cluster(app_name, None, local, replicas).close()
            first = (str(error).strip().splitlines() or [""])[0]
            raise InputError("--ray", f"the Ray Serve replicas did not start ({type(error).__name__}: {first}); see Ray's logs/serve/") from None
    return Cluster(app_name, handle, local, replicas)


def batcher_for(cluster: Cluster):
    """The `create_app(batcher=…)` factory: the app's service sends its sentences to these replicas."""
    return lambda service: RayBatcher(cluster.handle, service)


__all__ = ["Cluster", "Decoder", "RayBatcher", "ReplicaRecipe", "batcher_for", "ingress_backend", "start"]
