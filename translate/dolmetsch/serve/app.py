"""LibreTranslate's HTTP API on Starlette, with dolmetsch's glossary and cross-request batching.

The routes, parameters, response shapes and error messages follow LibreTranslate 1.9.6
(`libretranslate/app.py`), so its real clients (Weblate, OmegaT's plugin, `libretranslatepy`,
browser extensions) work unchanged. Differences: `GET /translate` is answered (OmegaT uses it),
404 and 405 are JSON too, a full queue answers 503 with Retry-After, and each translation carries
a `dolmetsch` field with its sentences and how each glossary term was satisfied.

Other HTTP APIs can be served by the same service (`Api`): `dolmetsch serve` mounts the subset of
DeepL's API v2 that Weblate and the official `deepl` client use under `/v2/` (`dolmetsch.serve.deepl`),
whose errors are DeepL's `{"message": …}`.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from dolmetsch.serve.access import KeyLimits, KeyTable, RateLimiter
from dolmetsch.serve.batching import Batcher, QueueFull
from dolmetsch.serve.engine import CACHED, Backend, InputError, Rendered
from dolmetsch.sources import source_suffixes
from dolmetsch.serve.files import FileStore
from dolmetsch.serve.metrics import Metrics, route_label

LANGUAGES = {"de": "German", "en": "English"}
"""Names of the main pair's languages; another pair's come from its package's metadata."""
SOURCE, TARGET = "de", "en"
FORMATS = ("text", "html")
"""Every source format dolmetsch reads."""
MAX_ALTERNATIVES = 3
DOWNLOAD_TYPES = {
    ".txt": "text/plain; charset=utf-8", ".html": "text/html", ".htm": "text/html", ".md": "text/markdown", ".markdown": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".odt": "application/vnd.oasis.opendocument.text",
}
"""Media types of translated files; an HTML page declares its own charset."""
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class Settings:
    """Limits and batching; every one of them has a command-line option (`dolmetsch serve --help`)."""

    char_limit: int = 5000
    """Characters per text (each item of a `q` list); 0: unlimited."""
    batch_limit: int = 100
    """Items in a `q` list; 0: unlimited."""
    max_body: int = 1024 * 1024
    body_timeout: float = 30.0
    """Seconds a client may take to send its body."""
    req_limit: int = 0
    """Requests per minute per client address when no key names a limit; 0: unlimited."""
    keys: dict[str, KeyLimits] | None = None
    max_wait: float = 0.002
    """Seconds the first request of a batch waits for others. Under load the queue fills while the
    previous batch decodes, so the wait mostly delays a lone request (a client at a time)."""
    queue_limit: int = 1024
    batch_tokens: int = 2048
    cache_size: int = 20_000
    file_ttl: float = 3600.0
    retry_after: int = 1
    data_dir: Path | None = None
    """Where DeepL API glossaries are kept (`glossaries/` in it); None: the user data folder."""
    glossary_entries: int = 10_000
    """Entries in one uploaded glossary."""
    glossaries_per_key: int = 1_000
    """Uploaded glossaries per API key (per server, without keys)."""
    glossary_term_bytes: int = 1_024
    """UTF-8 bytes of one term of an uploaded glossary."""


class ApiError(Exception):
    """An answer in LibreTranslate's shape: `{"error": message}` with its status (under an `Api`'s
    prefix, in its field: DeepL's `{"message": message}` under `/v2/`)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class SentenceCache:
    """English of sentences already translated in this process, least recently used first out."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()  # read on the splitting thread, written on the event loop

    def get(self, sentence: str) -> Rendered | None:
        with self._lock:
            found = self._items.get(sentence)
            if found is not None:
                self._items.move_to_end(sentence)
            return found

    def put(self, sentence: str, rendered: Rendered) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[sentence] = rendered
            self._items.move_to_end(sentence)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


@dataclass
class Translated:
    """One text of a request, translated."""

    text: str
    alternatives: list[str]
    sentences: list[tuple[str, Rendered]]
    data: bytes = b""
    """The text as a file's bytes (an HTML or Markdown file keeps its encoding)."""

    def report(self) -> dict:
        """The `dolmetsch` field: each sentence, where its English came from, its glossary terms."""
        return {
            "sentences": [
                {
                    "source": german,
                    "translation": done.english,
                    "origin": done.origin,
                    "terms": [{"de": t.de, "en": t.en, "found": t.found, "how": t.how} for t in done.terms],
                }
                for german, done in self.sentences
            ],
            "missing": sum(1 for _, done in self.sentences for t in done.terms if t.missing),
        }


@dataclass
class Service:
    """Everything one server holds: the backend, the queue, caches, limits, files and metrics."""

    backend: Backend
    settings: Settings
    metrics: Metrics = field(default_factory=Metrics)
    files: FileStore = None
    limiter: RateLimiter = field(default_factory=RateLimiter)
    keys: KeyTable | None = None
    batcher: Batcher = None
    cache: SentenceCache = None
    prep: ThreadPoolExecutor | None = None
    make_batcher: Callable[["Service"], Batcher] | None = None
    """What decodes the sentences the cache and memory do not answer; None: a `Batcher` on this
    process's backend (`dolmetsch serve --ray` gives one that sends them to Ray Serve replicas)."""
    others: dict[tuple[str, str], Backend] = field(default_factory=dict)
    """The other pairs served (`Backend.plain`), each decoded in this process by a `Batcher` of its own."""
    routes: dict[tuple[str, str], tuple[Backend, Batcher]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.files = FileStore(ttl=s.file_ttl)
        self.keys = KeyTable(s.keys) if s.keys else None
        self.cache = SentenceCache(s.cache_size)
        self.batcher = self.make_batcher(self) if self.make_batcher is not None else self._batcher_on(self.backend, self.metrics.queue_depth.set)
        self.routes = {self.backend.pair: (self.backend, self.batcher)}
        for pair, backend in self.others.items():
            self.routes.setdefault(pair, (backend, self._batcher_on(backend)))

    def _batcher_on(self, backend: Backend, on_depth: Callable[[int], None] | None = None) -> Batcher:
        s = self.settings
        return Batcher(
            backend.translate, backend.cost, token_budget=s.batch_tokens, max_wait=s.max_wait,
            queue_limit=s.queue_limit, on_batch=self.metrics.batch, on_depth=on_depth,
        )

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The pairs served, the main (German→English) one first."""
        return list(self.routes)

    @property
    def languages(self) -> dict[str, str]:
        """Every language served, by code, with its name."""
        names = {}
        for backend, _ in self.routes.values():
            package = backend.engine.package
            for code, name in zip(package.codes, (package.from_name, package.to_name)):
                names.setdefault(code, LANGUAGES.get(code) or name or code)
        return names

    def start(self) -> None:
        self.files.open()
        # splitting and memory look-ups run on one thread of their own: the event loop stays free
        self.prep = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dolmetsch-prep")
        for _, batcher in self.routes.values():
            batcher.start()

    def stop(self) -> None:
        for _, batcher in self.routes.values():
            batcher.stop()
        if self.prep is not None:
            self.prep.shutdown(wait=True)
        self.files.close()

    def admit(self, request: Request, given_key: str | None, characters: int) -> None:
        """Check the key (when keys are required) and the per-minute limits."""
        limits = KeyLimits(requests=self.settings.req_limit)
        client = "address:" + (request.client.host if request.client else "?")
        if self.keys is not None:
            if not given_key:
                raise ApiError(400, "Please contact the server operator to get an API key")
            found = self.keys.find(given_key)
            if found is None:
                raise ApiError(403, "Invalid API key")
            key, limits = found
            client = "key:" + key
        refused = self.limiter.check(client, limits, characters)
        if refused is not None:
            raise ApiError(429, refused)

    async def translate(
        self, texts: list, alternatives: int, format: str = "text", name: str = "request", *, glossary=None, split=None,
        pair: tuple[str, str] | None = None,
    ) -> list[Translated]:
        """Translate texts of one request (`format` "text" or "html"; "file": one file's bytes, named `name`).

        `glossary`: a DeepL API request's glossary (`glossaries.Enforced`), enforced instead of the
        server's; its sentences are cached and batched apart from others. `split(backend, text)`:
        the skeleton of each text, instead of the backend's for `format`. `pair`: one of `pairs`
        (None: the main one)."""
        loop = asyncio.get_running_loop()
        backend, batcher = self.routes[pair or self.backend.pair]
        try:
            skeletons, known = await loop.run_in_executor(self.prep, self._prepare, backend, texts, alternatives, format, name, glossary, split)
        except InputError as error:
            raise ApiError(400, f"Invalid request: {error.problem}") from None
        missing = list(dict.fromkeys(s for sk in skeletons for s in sk.sentences if s not in known))
        if missing:
            try:
                waiting = batcher.submit(missing, alternatives, glossary)
            except QueueFull:
                self.metrics.rejected.inc()
                raise ApiError(503, "The server is busy; retry later", {"Retry-After": str(self.settings.retry_after)}) from None
            for sentence, done in zip(missing, await waiting):
                known[sentence] = done
                if not alternatives:
                    self.cache.put(_cache_key(sentence, glossary, backend, self.backend), done)
        for origin in ("machine", "cache", "memory"):
            count = sum(1 for sk in skeletons for s in sk.sentences if known[s].origin == origin)
            if count:
                self.metrics.sentences.labels(origin).inc(count)
        results = []
        for skeleton in skeletons:
            done = [known[s] for s in skeleton.sentences]
            text = skeleton.render([d.english for d in done])
            others = []
            for k in range(alternatives):
                if any(len(d.alternatives) > k for d in done):
                    candidate = skeleton.render([d.alternatives[k] if len(d.alternatives) > k else d.english for d in done])
                    if candidate != text and candidate not in others:
                        others.append(candidate)
            data = skeleton.file([d.english for d in done]) if format == "file" else b""
            results.append(Translated(text, others, list(zip(skeleton.sentences, done)), data))
        return results

    def _prepare(self, backend: Backend, texts: list, alternatives: int, format: str, name: str, glossary=None, split=None):
        """Split the texts; answer what the cache and the memory know (not for n-best requests)."""
        skeletons = [split(backend, t) if split is not None else backend.skeleton(t, format, name) for t in texts]
        known: dict[str, Rendered] = {}
        if not alternatives:
            for sentence in {s for sk in skeletons for s in sk.sentences}:
                cached = self.cache.get(_cache_key(sentence, glossary, backend, self.backend))
                if cached is not None:
                    known[sentence] = Rendered(cached.english, cached.terms, CACHED)
                    self.metrics.cache_hits.labels("process").inc()
                    continue
                remembered = backend.remembered(sentence, glossary)
                if remembered is not None:
                    known[sentence] = remembered
                    self.metrics.cache_hits.labels("memory").inc()
        return skeletons, known


def _cache_key(sentence: str, glossary, backend: Backend, main: Backend) -> str | tuple:
    """A sentence translated with a request's glossary is remembered under that glossary's id,
    one of another pair under that pair."""
    if backend is not main:
        return (backend.pair, sentence)
    return sentence if glossary is None else (glossary.key, sentence)


# ---------------------------------------------------------------------------------------------
# reading a request


async def read_body(request: Request, settings: Settings) -> bytes:
    """The body, refused (413) beyond the size limit before it is all read, and (408) when it is too slow."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.max_body:
        raise ApiError(413, f"Invalid request: body ({int(declared)} bytes) exceeds size limit ({settings.max_body})")

    async def collect() -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_body:
                raise ApiError(413, f"Invalid request: body exceeds size limit ({settings.max_body})")
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(collect(), settings.body_timeout)
    except asyncio.TimeoutError:
        raise ApiError(408, "Invalid request: the body took too long to arrive") from None


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def is_json(kind: str) -> bool:
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def json_object(body: bytes) -> dict:
    """The JSON object a request body holds; UnicodeDecodeError when it is not UTF-8, ValueError
    (saying which) when it is no JSON or no object. Each API words the error its own way."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (json.JSONDecodeError, RecursionError):
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise ValueError("the JSON body must be an object")
    return parsed


def _form_pairs(raw: bytes | str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("ascii") if isinstance(raw, bytes) else raw
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "Invalid request: parameters are not valid UTF-8 form data") from None


async def read_params(request: Request, settings: Settings) -> tuple[dict, bool]:
    """The request's parameters as LibreTranslate reads them, and whether the body was JSON.

    JSON bodies give `q` as a string or a list; forms and query strings give strings (the first
    of repeated names).
    """
    values: dict = {}
    for name, value in _form_pairs(request.scope.get("query_string", b"")):
        values.setdefault(name, value)
    if request.method == "GET":
        return values, False
    body = await read_body(request, settings)
    kind = content_type(request)
    if is_json(kind):
        try:
            parsed = json_object(body)
        except UnicodeDecodeError:
            raise ApiError(400, "Invalid request: the body is not valid UTF-8") from None
        except ValueError:
            raise ApiError(400, "Invalid JSON format") from None
        return {**values, **parsed}, True
    if kind == "application/x-www-form-urlencoded":
        form: dict = {}
        for name, value in _form_pairs(body):
            form.setdefault(name, value)
        return {**values, **form}, False
    if kind == "multipart/form-data":
        replay = Request(request.scope, _replay(body))
        try:
            form = await replay.form(max_files=1, max_fields=100)
        except Exception as exc:  # python-multipart's parse errors
            raise ApiError(400, f"Invalid request: cannot read the form ({type(exc).__name__})") from None
        return {**values, **{k: v for k, v in form.multi_items()}}, False
    if not body:
        return values, False
    raise ApiError(400, f"Invalid request: unsupported content type {kind or '(none)'}; send JSON or a form")


def _replay(body: bytes):
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _text(value, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ApiError(400, f"Invalid request: {name} parameter must be a string")


def check_pair(service: Service, source: str, target: str, texts: Sequence[str] = ()) -> tuple[str, str]:
    """The pair to translate with (`source` "auto": the one source served into `target`, else the
    one the texts look like), or LibreTranslate's message for a language or pair not served."""
    names = service.languages
    if source != "auto" and source not in names:
        raise ApiError(400, f"{source} is not supported")
    if target not in names:
        raise ApiError(400, f"{target} is not supported")
    if source == "auto":
        source = _likely_source(service.pairs, target, texts)
    if (source, target) not in service.pairs:
        raise ApiError(400, f"{names[target]} ({target}) is not available as a target language from {names[source]} ({source})")
    return source, target


def _likely_source(pairs: Sequence[tuple[str, str]], target: str, texts: Sequence[str]) -> str:
    """The source language for `auto`: the only one served into `target`; German where the texts
    look German; else the only other one."""
    candidates = [s for s, t in pairs if t == target] or [SOURCE]
    if len(candidates) == 1:
        return candidates[0]
    if SOURCE in candidates and german_confidence(" ".join(texts)) >= AUTO_GERMAN:
        return SOURCE
    others = [c for c in candidates if c != SOURCE]
    if len(others) == 1:
        return others[0]
    raise ApiError(400, f"Cannot tell which of {', '.join(sorted(others))} the text is in: give the source language")


def confidence(language: str, text: str) -> float:
    """How much the text looks like `language` (0–100), from how German it looks."""
    german = german_confidence(text)
    return german if language == SOURCE else round(100.0 - german, 1)


AUTO_GERMAN = 50.0
"""`german_confidence` from which `source=auto` takes a text for German when another language could be meant."""
GERMAN_WORDS = frozenset(
    "der die das und ist nicht ein eine einen dem den des mit von zu im in auf für sich auch es sie er wir ich "
    "wird werden wurde hat haben sind war bei nach aus über als noch wie aber oder nur am um so dass".split()
)


def german_confidence(text: str) -> float:
    """How German the text looks (0–100): the share of common German words, umlauts and ß counting too."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return 0.0
    german = sum(1 for w in words if w in GERMAN_WORDS or any(c in w for c in "äöüß"))
    return round(min(100.0, 30.0 + 200.0 * german / len(words)), 1)


# ---------------------------------------------------------------------------------------------
# routes


def _service(request: Request) -> Service:
    return request.app.state.service


async def translate(request: Request) -> Response:
    service = _service(request)
    values, is_json = await read_params(request, service.settings)
    key = values.get("api_key")
    q = values.get("q")
    source = _text(values.get("source"), "source")
    target = _text(values.get("target"), "target")
    text_format = _text(values.get("format"), "format")
    if service.keys is not None:  # the key is checked before anything else, as LibreTranslate does
        _check_key(service, key)
    if not q:
        raise ApiError(400, "Invalid request: missing q parameter")
    if not source:
        raise ApiError(400, "Invalid request: missing source parameter")
    if not target:
        raise ApiError(400, "Invalid request: missing target parameter")
    try:
        alternatives = max(0, int(values.get("alternatives", 0) or 0))
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid request: alternatives parameter is not a number") from None
    if alternatives > MAX_ALTERNATIVES:
        raise ApiError(400, f"Invalid request: alternatives parameter must be <= {MAX_ALTERNATIVES}")
    batch = isinstance(q, list)
    if not batch and not isinstance(q, str):
        raise ApiError(400, "Invalid request: q parameter must be a string or a list of strings")
    if batch and not all(isinstance(t, str) for t in q):
        raise ApiError(400, "Invalid request: q parameter must be a string or a list of strings")
    if not is_json and not batch:
        q = "\n".join(q.splitlines())
    texts = q if batch else [q]
    limit = service.settings.batch_limit
    if batch and limit and len(texts) > limit:
        raise ApiError(400, f"Invalid request: request ({len(texts)}) exceeds text limit ({limit})")
    limit = service.settings.char_limit
    for text in texts:
        if limit and len(text) > limit:
            raise ApiError(400, f"Invalid request: request ({len(text)}) exceeds text limit ({limit})")
    pair = check_pair(service, source, target, texts)
    text_format = text_format or "text"
    if text_format not in FORMATS:
        raise ApiError(400, f"{text_format} format is not supported")
    service.admit(request, key, sum(len(t) for t in texts))
    done = await service.translate(texts, alternatives, text_format, pair=pair)
    result: dict = {"translatedText": [d.text for d in done] if batch else done[0].text}
    if source == "auto":
        detected = [{"confidence": confidence(pair[0], t), "language": pair[0]} for t in texts]
        result["detectedLanguage"] = detected if batch else detected[0]
    if alternatives > 0:
        result["alternatives"] = [d.alternatives for d in done] if batch else done[0].alternatives
    result["dolmetsch"] = [d.report() for d in done] if batch else done[0].report()
    return JSONResponse(result)


def _check_key(service: Service, key) -> None:
    """A wrong key is refused before the request is read further (403); a missing one with 400."""
    if not key:
        raise ApiError(400, "Please contact the server operator to get an API key")
    if not isinstance(key, str) or service.keys.find(key) is None:
        raise ApiError(403, "Invalid API key")


async def translate_file(request: Request) -> Response:
    service = _service(request)
    values, _ = await read_params(request, service.settings)
    key = values.get("api_key")
    if service.keys is not None:
        _check_key(service, key if isinstance(key, str) else None)
    upload = values.get("file")
    source, target = values.get("source"), values.get("target")
    if upload is None or isinstance(upload, str):
        raise ApiError(400, "Invalid request: missing file parameter")
    if not source:
        raise ApiError(400, "Invalid request: missing source parameter")
    if not target:
        raise ApiError(400, "Invalid request: missing target parameter")
    name = Path(upload.filename or "").name
    if not name:
        raise ApiError(400, "Invalid request: empty file")
    if Path(name).suffix.lower() not in source_suffixes():
        raise ApiError(400, "Invalid request: file format not supported")
    pair = check_pair(service, _text(source, "source"), _text(target, "target"))
    data = await upload.read()
    service.admit(request, key if isinstance(key, str) else None, len(data))
    [done] = await service.translate([data], 0, "file", name, pair=pair)
    safe = re.sub(r"[^\w.-]", "_", name) or "translated.txt"
    token = service.files.put(done.data, safe)
    return JSONResponse({"translatedFileUrl": f"{str(request.base_url).rstrip('/')}/download_file/{token}"})


async def download_file(request: Request) -> Response:
    token = request.path_params["token"]
    if "/" in token or "\\" in token or ".." in token:
        raise ApiError(400, "Invalid filename")
    stored = _service(request).files.get(token)
    if stored is None or not stored.path.is_file():
        raise ApiError(404, "File not found (or expired)")
    media = DOWNLOAD_TYPES.get(Path(stored.name).suffix.lower(), DOWNLOAD_TYPES[".txt"])
    return FileResponse(stored.path, filename=stored.name, media_type=media)


async def languages(request: Request) -> Response:
    service = _service(request)
    pairs = service.pairs
    return JSONResponse([
        {"code": code, "name": name, "targets": sorted(t for s, t in pairs if s == code)} for code, name in service.languages.items()
    ])


async def detect(request: Request) -> Response:
    service = _service(request)
    values, _ = await read_params(request, service.settings)
    key = values.get("api_key")
    if service.keys is not None:
        _check_key(service, key)
    q = values.get("q")
    if not q:
        raise ApiError(400, "Invalid request: missing q parameter")
    text = " ".join(q) if isinstance(q, list) else str(q)
    service.admit(request, key if isinstance(key, str) else None, len(text))
    sources = dict.fromkeys(s for s, _ in service.pairs)
    found = [{"confidence": confidence(language, text), "language": language} for language in sources]
    return JSONResponse(sorted(found, key=lambda f: -f["confidence"]))


async def frontend_settings(request: Request) -> Response:
    s = _service(request).settings
    return JSONResponse({
        "charLimit": s.char_limit or -1,
        "frontendTimeout": 500,
        "apiKeys": bool(s.keys),
        "keyRequired": bool(s.keys),
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(source_suffixes()),
        "language": {
            "source": {"code": SOURCE, "name": LANGUAGES[SOURCE]},
            "target": {"code": TARGET, "name": LANGUAGES[TARGET]},
        },
    })


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return Response(generate_latest(_service(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def page(request: Request) -> Response:
    """The web page, from `dolmetsch.serve.page` when it is installed."""
    try:
        from dolmetsch.serve import page as built
    except ImportError:
        raise ApiError(404, "Not Found") from None
    if hasattr(built, "page_and_policy"):
        html, policy = built.page_and_policy()
    else:
        html, policy = built.render_page(), PAGE_CSP
    # frame-ancestors only works in a header; the rest repeats the page's own <meta> policy
    return HTMLResponse(html, headers={"Content-Security-Policy": f"{policy}; frame-ancestors 'none'"})


@dataclass(frozen=True)
class Api:
    """Another HTTP API served by the same service (its queue, cache, keys and limits), under its
    own path prefix; `dolmetsch.serve.deepl.api` makes DeepL's."""

    name: str
    """The attribute of `app.state` that holds `state`."""
    prefix: str
    """Its paths start so; errors there are `{error_field: message}`, 404 and 405 included."""
    routes: Sequence[Route]
    state: object = None
    error_field: str = "error"
    label: Callable[[str], str | None] | None = None
    """Its paths' metrics labels (never an id)."""


def _error_field(request: Request) -> str:
    for api in getattr(request.app.state, "apis", ()):
        if request.url.path.startswith(api.prefix):
            return api.error_field
    return "error"


async def _api_error(request: Request, error: ApiError) -> Response:
    return JSONResponse({_error_field(request): error.message}, status_code=error.status, headers=error.headers)


async def _http_error(request: Request, error: HTTPException) -> Response:
    return JSONResponse({_error_field(request): error.detail}, status_code=error.status_code, headers=error.headers)


async def _server_error(request: Request, error: Exception) -> Response:
    """500 in LibreTranslate's words; the log gets the kind of error and where, never the text."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f" at {frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame is not None else ""
    sys.stderr.write(f"dolmetsch: error: {type(error).__name__}{where}\n")
    return JSONResponse({_error_field(request): f"Cannot translate text: {type(error).__name__}"}, status_code=500)


def create_app(
    backend: Backend, settings: Settings | None = None, *, apis: Sequence[Callable[[Service], Api]] = (),
    batcher: Callable[[Service], Batcher] | None = None, others: dict[tuple[str, str], Backend] | None = None,
) -> Starlette:
    """The ASGI application, with its service started and stopped by the lifespan; `apis` make the
    other APIs it serves from the service (`dolmetsch serve` passes `dolmetsch.serve.deepl.api`,
    which reads the stored glossaries: InputError if they cannot be read); `batcher` makes what
    decodes for the service (default: a `Batcher` on `backend`); `others` are the other pairs served."""
    service = Service(backend, settings or Settings(), make_batcher=batcher, others=dict(others or {}))
    mounted = [make(service) for make in apis]

    @asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            # uvicorn has drained the connections by now: decode what is queued, then stop
            await asyncio.get_running_loop().run_in_executor(None, service.stop)

    app = Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/translate", translate, methods=["GET", "POST"]),
            Route("/translate_file", translate_file, methods=["POST"]),
            Route("/download_file/{token:path}", download_file, methods=["GET"]),
            Route("/languages", languages, methods=["GET", "POST"]),
            Route("/detect", detect, methods=["POST"]),
            Route("/frontend/settings", frontend_settings, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *(route for api in mounted for route in api.routes),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.apis = tuple(mounted)
    for api in mounted:
        setattr(app.state, api.name, api.state)
    return AccessLog(app, service.metrics, [api.label for api in mounted if api.label is not None])


class AccessLog:
    """One line per request on stderr (address, method, path, status, bytes in and out, ms; never
    text, query strings or keys), request metrics, CORS headers as LibreTranslate sends them, and
    answers to CORS preflight requests."""

    CORS = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-headers", b"Authorization, Content-Type"),
        (b"access-control-expose-headers", b"Authorization"),
        (b"access-control-allow-methods", b"GET, POST"),
        (b"access-control-max-age", b"1728000"),
        (b"x-content-type-options", b"nosniff"),
    ]

    def __init__(self, app: Starlette, metrics: Metrics, labels: Sequence[Callable[[str], str | None]] = ()):
        self.app = app
        self.metrics = metrics
        self.state = app.state
        self.labels = tuple(labels)

    def _label(self, path: str) -> str:
        for label in self.labels:
            found = label(path)
            if found:
                return found
        return route_label(path)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"in": 0, "out": 0, "status": 500}

        async def counting_receive():
            message = await receive()
            if message["type"] == "http.request":
                seen["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                message = {**message, "headers": list(message.get("headers", [])) + self.CORS}
            elif message["type"] == "http.response.body":
                seen["out"] += len(message.get("body", b""))
            await send(message)

        try:
            if scope["method"] == "OPTIONS":
                await counting_send({"type": "http.response.start", "status": 204, "headers": []})
                await counting_send({"type": "http.response.body", "body": b""})
            else:
                await self.app(scope, counting_receive, counting_send)
        finally:
            seconds = time.perf_counter() - started
            label = self._label(scope["path"])
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            shown = label if label != "other" else "(other)"
            client = scope.get("client") or ("-", 0)
            self.metrics.requests.labels(label, method, str(seen["status"])).inc()
            self.metrics.latency.labels(label).observe(seconds)
            sys.stderr.write(
                f"{client[0]} {method} {shown} {seen['status']} in={seen['in']}B out={seen['out']}B {seconds * 1000:.1f}ms\n"
            )
