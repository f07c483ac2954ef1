"""The subset of DeepL's API v2 that Weblate and the official `deepl` client use, under `/v2/`.

Request and answer shapes follow DeepL's API as its clients send and read them: Weblate's DeepL
machinery (`weblate/machinery/deepl.py`, `base.py`) and deepl-python's `Translator`. Translation goes
through the same service as LibreTranslate's `/translate` (splitter, cross-request batching, cache,
memory, enforcement, post-edit); a request's `glossary_id` is enforced on top of the server's
curated glossary (`dolmetsch.serve.glossaries`).

- `POST /v2/translate` (JSON or form; `text` a list): `source_lang` `DE` (or none: German is
  assumed), `target_lang` `EN`, `EN-GB`, `EN-US` (any case); `glossary_id`; `tag_handling` `xml` or
  `html` with `ignore_tags`; `split_sentences` (`0`: each text is one sentence; `1`, `nonewlines`:
  dolmetsch's splitter); `preserve_formatting`, `formality`, `context`, `model_type` and the other
  options DeepL has are accepted and ignored (dolmetsch keeps the text's formatting either way, and
  its model has no formality or context input). Answers `{"translations": [{"detected_source_language":
  "DE", "text": …, "billed_characters": N}], "dolmetsch": {…}}`.
- `tag_handling=xml`: elements with no content (Weblate's placeables `<x id="N"></x>`, `<x/>`),
  elements named in `ignore_tags` (with their content), comments, CDATA and processing
  instructions come back byte for byte, as sent: each is offered to the pipeline as an `[XnX]`
  placeable, which always comes back exactly once. The text between is read as XML text (entities
  decoded) and the English written back XML-escaped (`&amp;`, `&lt;`, `&gt;`). Other markup left in an
  XML text, and `tag_handling=html`, go through the markup machinery of LibreTranslate's
  `format=html` (whole sentences to the model, inline elements carried to the English words).
- `GET /v2/languages?type=source|target` (the official client sends `type` as a form body on a
  GET), `GET /v2/glossary-language-pairs`, `POST /v2/glossaries` (TSV or CSV entries; 201),
  `GET /v2/glossaries`, `GET /v2/glossaries/{id}`, `GET /v2/glossaries/{id}/entries` (TSV),
  `DELETE /v2/glossaries/{id}` (204), `GET /v2/usage`.
- Keys: `Authorization: DeepL-Auth-Key KEY`, checked against `--api-keys` (403 without a known
  key); without keys configured any key, or none, is accepted. A key's per-minute limits apply to
  `/v2/translate` (429).
- Errors are `{"message": …}` with 400, 404 or 500. Weblate puts a service answering 401, 403,
  429, 456 or 503 into a 30-minute cooldown, so those mean only what they say: 403 a wrong key,
  429 a key's limit, 503 a full queue.
- Other pairs: `target_lang=DE` (or any other target) is translated where the server has that
  pair's package installed (`dolmetsch models install en de`), as the model gives it: no glossary,
  no post-edit. Without one it is refused (400) with a message that says how to install it; nothing
  is passed through pretending to be a translation. Glossaries are DE→EN only.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dolmetsch.errors import InputError
from dolmetsch.serve.access import KeyLimits
from dolmetsch.serve.app import Api, ApiError, Service, _form_pairs, _replay, content_type, is_json, json_object, read_body
from dolmetsch.serve.glossaries import (
    ID, SOURCE_LANG, TARGET_LANG, GlossaryLimits, GlossaryRefused, GlossaryStore, owner_of, parse_entries, user_data_dir,
)
from dolmetsch.translation import has_words

TARGETS = {"EN-GB": "English (British)", "EN-US": "English (American)"}
"""English as DeepL lists it among its targets; plain `EN` is accepted too (Weblate sends it)."""
ACCEPTED_TARGETS = frozenset(TARGETS) | {"EN"}
SPLIT_SENTENCES = ("0", "1", "nonewlines")
TAG_HANDLING = ("xml", "html")
UNLIMITED = 1_000_000_000_000
"""The `character_limit` DeepL reports for an account without a limit."""
MAX_NAME = 1024
GLOSSARY_BODY = 10 * 1024 * 1024
"""Largest glossary upload in bytes (DeepL's own limit per glossary), or `--max-body` if larger."""
NOT_SERVED = (
    "{source}→{target} is not served here: install its Argos package where the server runs "
    "(dolmetsch models install {source_code} {target_code}) and restart it. Weblate checks a new DeepL "
    "configuration by translating 'test' from EN to DE: see the README, \"DeepL's API\"."
)

ROUTE_LABELS = {
    "/v2/translate", "/v2/languages", "/v2/glossary-language-pairs", "/v2/glossaries", "/v2/usage",
}


def route_label(path: str) -> str | None:
    """The metrics label of a DeepL API path (a glossary's id never becomes a label), else None."""
    if not path.startswith("/v2/"):
        return None
    if path in ROUTE_LABELS:
        return path
    if path.startswith("/v2/glossaries/"):
        return "/v2/glossaries/{id}/entries" if path.endswith("/entries") else "/v2/glossaries/{id}"
    return "/v2/other"


class DeepLError(ApiError):
    """An answer in DeepL's shape (`{"message": …}`; every ApiError under `/v2/` is)."""


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the owner digest of its key, the limiter's name for it and its limits."""

    owner: str
    client: str
    limits: KeyLimits


@dataclass
class DeepLState:
    """What the DeepL API adds to a server: the uploaded glossaries and the characters billed."""

    service: Service
    store: GlossaryStore
    usage: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, service: Service) -> "DeepLState":
        """Read the stored glossaries (`--data-dir`/glossaries, else the user data folder's)."""
        s = service.settings
        folder = (Path(s.data_dir) if s.data_dir is not None else user_data_dir()) / "glossaries"
        limits = GlossaryLimits(entries=s.glossary_entries, per_key=s.glossaries_per_key, term_bytes=s.glossary_term_bytes)
        if folder.exists() and not folder.is_dir():
            raise InputError(folder, "the glossary folder is not a folder")
        store = GlossaryStore(folder, limits, service.backend.glossary, scoped=service.keys is not None).open()
        return cls(service, store)

    def authorize(self, request: Request, values: dict) -> Caller:
        """The caller, from `Authorization: DeepL-Auth-Key KEY` (or the old `auth_key` parameter):
        any key, or none, without `--api-keys`; else a known key (403 otherwise)."""
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        key = given.strip() if scheme.lower() == "deepl-auth-key" else None
        if not key:
            old = values.get("auth_key")
            key = _first(old) if old is not None else None
        service = self.service
        if service.keys is None:
            address = request.client.host if request.client else "?"
            return Caller("", "address:" + address, KeyLimits(requests=service.settings.req_limit))
        if not key or not isinstance(key, str):
            raise DeepLError(403, "Authorization failure: send the header 'Authorization: DeepL-Auth-Key KEY' with a key of this server")
        found = service.keys.find(key)
        if found is None:
            raise DeepLError(403, "Authorization failure, check auth_key")
        name, limits = found
        return Caller(owner_of(name, True), "key:" + name, limits)

    def admit(self, caller: Caller, characters: int) -> None:
        refused = self.service.limiter.check(caller.client, caller.limits, characters)
        if refused is not None:
            raise DeepLError(429, f"Too many requests: {refused}")

    def bill(self, caller: Caller, characters: int) -> None:
        """Count the characters translated for a key (for the whole server, without keys) in this process."""
        with self._lock:
            self.usage[caller.owner] = self.usage.get(caller.owner, 0) + characters

    def billed(self, caller: Caller) -> int:
        with self._lock:
            return self.usage.get(caller.owner, 0)


# ---------------------------------------------------------------------------------------------
# reading a request


class _Form(list):
    """The values of a name in a form or query string (names may repeat: `text=a&text=b`)."""


async def read_values(request: Request, service: Service, max_body: int | None = None) -> dict:
    """Parameters from the query string and the body (JSON, a form or multipart), on any method:
    the official client sends a GET's parameters as a form body. Form values are `_Form` lists."""
    settings = service.settings if max_body is None else replace(service.settings, max_body=max_body)
    values: dict = {}
    for name, value in _form_pairs(request.scope.get("query_string", b"")):
        values.setdefault(name, _Form()).append(value)
    body = await read_body(request, settings)
    kind = content_type(request)
    if not body:
        return values
    if is_json(kind):
        try:
            values.update(json_object(body))
        except UnicodeDecodeError:
            raise DeepLError(400, "Invalid request: the body is not valid UTF-8") from None
        except ValueError as error:
            raise DeepLError(400, f"Invalid request: {error}") from None
    elif kind == "application/x-www-form-urlencoded":
        for name, value in _form_pairs(body):
            values.setdefault(name, _Form()).append(value)
    elif kind == "multipart/form-data":
        replay = Request(request.scope, _replay(body))
        try:
            form = await replay.form(max_files=1, max_fields=1000)
        except Exception as exc:  # python-multipart's parse errors
            raise DeepLError(400, f"Invalid request: cannot read the form ({type(exc).__name__})") from None
        for name, value in form.multi_items():
            if isinstance(value, str):
                values.setdefault(name, _Form()).append(value)
    else:
        raise DeepLError(400, f"Invalid request: unsupported content type {kind or '(none)'}; send JSON or a form")
    return values


def _first(value):
    return (value[0] if value else None) if isinstance(value, _Form) else value


def _one(values: dict, name: str) -> str | None:
    """One value as text (JSON booleans and numbers as DeepL's form values: `1`, `0`, digits)."""
    value = _first(values.get(name))
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise DeepLError(400, f"Value for '{name}' not supported.")
    return value


def _many(values: dict, name: str) -> list[str]:
    value = values.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise DeepLError(400, f"Value for '{name}' not supported.")


def _tags(values: dict, name: str) -> frozenset[str]:
    """A tag list: repeated values, a JSON list, or comma-separated names."""
    return frozenset(tag.strip() for value in _many(values, name) for tag in value.split(",") if tag.strip())


def check_languages(service: Service, source: str | None, target: str | None) -> tuple[str | None, tuple[str, str]]:
    """The request's source language (None: not given) and the pair to translate with, or a
    refusal in DeepL's words. Without a source, the one source served into the target is taken
    (German first, as DeepL would detect it for this server's usual texts)."""
    if not target:
        raise DeepLError(400, "Parameter 'target_lang' not specified.")
    target = target.strip().upper()
    source = source.strip().upper() if source and source.strip() else None
    target_code = target.split("-")[0].lower()
    if target_code == "en" and target not in ACCEPTED_TARGETS or target_code not in service.languages:
        raise DeepLError(400, "Value for 'target_lang' not supported.")
    if source is not None and source.lower() not in service.languages:
        raise DeepLError(400, "Value for 'source_lang' not supported.")
    if source is None:
        sources = sorted((s for s, t in service.pairs if t == target_code), key=lambda s: s != "de")
        if not sources:
            raise DeepLError(400, "Value for 'target_lang' not supported.")
        return None, (sources[0], target_code)
    pair = (source.lower(), target_code)
    if pair not in service.pairs:
        raise DeepLError(400, NOT_SERVED.format(source=source, target=target, source_code=pair[0], target_code=pair[1]))
    return source, pair


# ---------------------------------------------------------------------------------------------
# markup: what comes back byte for byte


MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(/?)([A-Za-z_][\w.:-]*)((?:\s[^<>]*?)?)\s*(/?)>",
    re.S,
)
TOKEN = re.compile(r"\[X(\d+)X\]")
"""The placeable form the pipeline always returns untouched (`Backend.translate`)."""


def opaque_spans(text: str, ignore: frozenset[str], xml: bool) -> list[tuple[int, int]]:
    """Where `text` has markup that is not translated and must come back as sent: comments, CDATA,
    processing instructions, elements with nothing inside (`<x id="1"></x>`; in XML also `<x/>`)
    and elements named in `ignore` with all they hold."""
    names = ignore if xml else frozenset(n.lower() for n in ignore)
    tags = list(MARKUP.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        if tag.group(2) is None:  # comment, CDATA, processing instruction
            spans.append(tag.span())
            i += 1
            continue
        closing, name, empty = tag.group(1) == "/", tag.group(2), tag.group(4) == "/"
        if closing or (empty and not xml):  # html: <br/> and the like are the page skeleton's
            i += 1
            continue
        if empty:
            spans.append(tag.span())
            i += 1
            continue
        if (name if xml else name.lower()) in names:
            end = _matching_end(tags, i, xml)
            if end is not None:
                spans.append((tag.start(), tags[end].end()))
                i = end + 1
                continue
        following = tags[i + 1] if i + 1 < len(tags) else None
        if following is not None and following.group(1) == "/" and _same(following.group(2), name, xml) and following.start() == tag.end():
            spans.append((tag.start(), following.end()))
            i += 2
            continue
        i += 1
    return spans


def _same(a: str | None, b: str, xml: bool) -> bool:
    return a is not None and (a == b if xml else a.lower() == b.lower())


def _matching_end(tags: list[re.Match], start: int, xml: bool) -> int | None:
    name, depth = tags[start].group(2), 0
    for j in range(start, len(tags)):
        tag = tags[j]
        if not _same(tag.group(2), name, xml) or tag.group(4) == "/":
            continue
        depth += -1 if tag.group(1) == "/" else 1
        if depth == 0:
            return j
    return None


@dataclass(frozen=True)
class WholeText:
    """`split_sentences=0`: the text is one sentence, its surrounding white space kept."""

    text: str
    sentences: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> "WholeText":
        core = text.strip()
        return cls(text, (core,) if has_words(core) else ())

    def render(self, english) -> str:
        if not self.sentences:
            return self.text
        start = self.text.index(self.sentences[0])
        return self.text[:start] + english[0] + self.text[start + len(self.sentences[0]) :]

    def file(self, english) -> bytes:
        return self.render(english).encode("utf-8")


@dataclass(frozen=True)
class Prepared:
    """One text of a request, ready for the pipeline: what the splitter reads (`source`, split as
    `mode` says: "text", "whole" or "html"), and how the English becomes the answer's text."""

    source: str
    mode: str
    tokens: dict[str, str] = field(default_factory=dict)
    """Placeable → the markup it stands for, byte for byte."""
    escape: bool = False
    """The English is XML text: escape &, < and >."""

    @classmethod
    def of(cls, text: str, tag_handling: str, ignore: frozenset[str], split_sentences: str) -> "Prepared":
        if not tag_handling:
            return cls(text, "whole" if split_sentences == "0" else "text")
        xml = tag_handling == "xml"
        spans = opaque_spans(text, ignore, xml)
        taken = {int(n) for n in TOKEN.findall(text + "\n" + html.unescape(text))}
        parts, tokens, last, number = [], {}, 0, 1
        for start, end in spans:
            while number in taken:
                number += 1
            token = f"[X{number}X]"
            number += 1
            parts += [text[last:start], token]
            tokens[token] = text[start:end]
            last = end
        parts.append(text[last:])
        marked = "".join(parts)
        if xml and not MARKUP.search(marked):  # plain XML text around the placeables
            return cls(html.unescape(marked), "whole" if split_sentences == "0" else "text", tokens, escape=True)
        return cls(marked, "html", tokens)

    def skeleton(self, backend):
        if self.mode == "whole":
            return WholeText.of(self.source)
        return backend.skeleton(self.source, self.mode)

    def finish(self, english: str) -> str:
        if self.escape:
            english = english.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if self.tokens:
            english = TOKEN.sub(lambda found: self.tokens.get(found.group(), found.group()), english)
        return english


# ---------------------------------------------------------------------------------------------
# routes


def _context(request: Request) -> tuple[Service, DeepLState]:
    return request.app.state.service, request.app.state.deepl


async def translate(request: Request) -> Response:
    service, state = _context(request)
    values = await read_values(request, service)
    caller = state.authorize(request, values)
    texts = _many(values, "text")
    if not texts:
        raise DeepLError(400, "Parameter 'text' not specified.")
    source, pair = check_languages(service, _one(values, "source_lang"), _one(values, "target_lang"))
    glossary_ids = [g for g in [_one(values, "glossary_id"), *_many(values, "glossary_ids")] if g]
    if glossary_ids and source is None:
        raise DeepLError(400, "Use of a glossary requires the 'source_lang' parameter to be specified.")
    if glossary_ids and pair != (SOURCE_LANG, TARGET_LANG):
        raise DeepLError(400, "Glossaries here are DE→EN; this request translates another pair.")
    if len(set(glossary_ids)) > 1:
        raise DeepLError(400, "This server applies one glossary per request: give one 'glossary_id'.")
    tag_handling = (_one(values, "tag_handling") or "").strip().lower()
    if tag_handling and tag_handling not in TAG_HANDLING:
        raise DeepLError(400, "Value for 'tag_handling' not supported.")
    split_sentences = (_one(values, "split_sentences") or "1").strip().lower()
    if split_sentences not in SPLIT_SENTENCES:
        raise DeepLError(400, "Value for 'split_sentences' not supported.")
    ignore = _tags(values, "ignore_tags")
    # accepted and ignored: formality, context, model_type, preserve_formatting, outline_detection,
    # splitting_tags, non_splitting_tags, show_billed_characters, tag_handling_version
    limit = service.settings.batch_limit
    if limit and len(texts) > limit:
        raise DeepLError(400, f"Invalid request: request ({len(texts)} texts) exceeds the text limit ({limit})")
    limit = service.settings.char_limit
    for text in texts:
        if limit and len(text) > limit:
            raise DeepLError(400, f"Invalid request: a text ({len(text)} characters) exceeds the limit ({limit})")
    characters = sum(len(t) for t in texts)
    state.admit(caller, characters)
    enforced = None
    if glossary_ids:
        stored = state.store.get(caller.owner, glossary_ids[0])
        if stored is None:
            raise DeepLError(404, "Glossary not found")
        loop = asyncio.get_running_loop()
        enforced = await loop.run_in_executor(service.prep, state.store.enforced, stored)
    prepared = [Prepared.of(t, tag_handling, ignore, split_sentences) for t in texts]
    done = await service.translate(prepared, 0, glossary=enforced, split=lambda backend, p: p.skeleton(backend), pair=pair)
    state.bill(caller, characters)
    report: dict = {"texts": [d.report() for d in done]}
    if enforced is not None:
        matched = (t.de for d in done for _, rendered in d.sentences for t in rendered.terms)
        report["glossary"] = {"glossary_id": enforced.key, "conflicts": enforced.conflicts_for(matched)}
    return JSONResponse({
        "translations": [
            {"detected_source_language": pair[0].upper(), "text": p.finish(d.text), "billed_characters": len(t)}
            for t, p, d in zip(texts, prepared, done)
        ],
        "dolmetsch": report,
    })


async def languages(request: Request) -> Response:
    service, state = _context(request)
    values = await read_values(request, service)
    state.authorize(request, values)
    kind = (_one(values, "type") or "source").strip().lower()
    names = service.languages
    if kind == "source":
        return JSONResponse([{"language": code.upper(), "name": names[code]} for code in dict.fromkeys(s for s, _ in service.pairs)])
    if kind == "target":
        listed = []
        for code in dict.fromkeys(t for _, t in service.pairs):
            variants = TARGETS if code == "en" else {code.upper(): names[code]}
            listed += [{"language": lang, "name": name, "supports_formality": False} for lang, name in variants.items()]
        return JSONResponse(listed)
    raise DeepLError(400, "Value for 'type' not supported.")


async def glossary_language_pairs(request: Request) -> Response:
    service, state = _context(request)
    state.authorize(request, await read_values(request, service))
    return JSONResponse({"supported_languages": [{"source_lang": SOURCE_LANG, "target_lang": TARGET_LANG}]})


async def glossaries(request: Request) -> Response:
    service, state = _context(request)
    if request.method == "GET":
        caller = state.authorize(request, await read_values(request, service))
        return JSONResponse({"glossaries": [g.info() for g in state.store.visible(caller.owner)]})
    values = await read_values(request, service, max(service.settings.max_body, GLOSSARY_BODY))
    caller = state.authorize(request, values)
    name = _one(values, "name")
    if not name or not name.strip():
        raise DeepLError(400, "Parameter 'name' not specified.")
    if len(name) > MAX_NAME:
        raise DeepLError(400, f"The glossary name is {len(name)} characters long; at most {MAX_NAME} are accepted.")
    for param, wanted in (("source_lang", SOURCE_LANG), ("target_lang", TARGET_LANG)):
        given = _one(values, param)
        if not given:
            raise DeepLError(400, f"Parameter '{param}' not specified.")
        if given.strip().lower().split("-")[0] != wanted:
            raise DeepLError(400, "Unsupported glossary source and target language pair: this server's glossaries are DE→EN.")
    entries_format = (_one(values, "entries_format") or "tsv").strip().lower()
    entries = _one(values, "entries")
    if entries is None:
        raise DeepLError(400, "Parameter 'entries' not specified.")
    try:
        parsed = parse_entries(entries, entries_format, state.store.limits)
    except GlossaryRefused as refused:
        raise DeepLError(400, f"Invalid glossary entries provided: {refused}") from None
    loop = asyncio.get_running_loop()
    try:
        stored = await loop.run_in_executor(service.prep, state.store.create, caller.owner, name, parsed)
    except GlossaryRefused as refused:
        raise DeepLError(400, f"Glossary not created: {refused}") from None
    except InputError as error:
        raise DeepLError(500, f"Glossary not created: cannot store it ({error.problem})") from None
    # the merged glossary's enforcers are built now, once, so that the first translation with it is quick
    enforced = await loop.run_in_executor(service.prep, state.store.enforced, stored)
    answer = {
        **stored.info(),
        "dolmetsch": {"enforced_entries": len(enforced.glossary), "conflicts": [c.report() for c in enforced.conflicts]},
    }
    return JSONResponse(answer, status_code=201)


def _stored(request: Request, caller: Caller):
    state = request.app.state.deepl
    glossary_id = request.path_params["glossary_id"]
    stored = state.store.get(caller.owner, glossary_id) if ID.fullmatch(glossary_id) else None
    if stored is None:
        raise DeepLError(404, "Glossary not found")
    return stored


async def glossary(request: Request) -> Response:
    service, state = _context(request)
    caller = state.authorize(request, await read_values(request, service))
    stored = _stored(request, caller)
    if request.method == "DELETE":
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(service.prep, state.store.delete, caller.owner, stored.glossary_id)
        return Response(status_code=204)
    return JSONResponse(stored.info())


async def glossary_entries(request: Request) -> Response:
    service, state = _context(request)
    caller = state.authorize(request, await read_values(request, service))
    stored = _stored(request, caller)
    return Response(stored.tsv(), media_type="text/tab-separated-values; charset=utf-8")


async def usage(request: Request) -> Response:
    service, state = _context(request)
    caller = state.authorize(request, await read_values(request, service))
    return JSONResponse({"character_count": state.billed(caller), "character_limit": UNLIMITED})


def api(service: Service) -> Api:
    """DeepL's API for `create_app(…, apis=[api])`: its routes under `/v2/`, its state (the stored
    glossaries, read here: InputError if they cannot be) as `app.state.deepl`."""
    return Api("deepl", "/v2/", routes(), DeepLState.open(service), error_field="message", label=route_label)


def routes() -> list[Route]:
    return [
        Route("/v2/translate", translate, methods=["POST"]),
        Route("/v2/languages", languages, methods=["GET", "POST"]),
        Route("/v2/glossary-language-pairs", glossary_language_pairs, methods=["GET"]),
        Route("/v2/glossaries", glossaries, methods=["GET", "POST"]),
        Route("/v2/glossaries/{glossary_id}", glossary, methods=["GET", "DELETE"]),
        Route("/v2/glossaries/{glossary_id}/entries", glossary_entries, methods=["GET"]),
        Route("/v2/usage", usage, methods=["GET", "POST"]),
    ]
