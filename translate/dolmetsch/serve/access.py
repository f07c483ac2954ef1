"""Who may translate, and how much: API keys and per-minute limits.

Keys are compared in constant time against every known key (`hmac.compare_digest`), and are never
logged or echoed. Limits count requests and characters in a sliding minute; the table of clients
is bounded, so many addresses cannot grow it without end.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.errors import InputError

WINDOW = 60.0
MAX_CLIENTS = 10_000
"""Clients whose recent requests are remembered; the least recently seen is forgotten first."""


@dataclass(frozen=True)
class KeyLimits:
    """Per minute; 0 means unlimited."""

    requests: int = 0
    characters: int = 0


def load_keys(path: Path) -> dict[str, KeyLimits]:
    """Keys from a file: one key per line (`#` comments), or a JSON object mapping each key to
    `{"req_limit": N, "char_limit": N}` (per minute, LibreTranslate's names)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the API keys ({getattr(exc, 'strerror', None) or exc})") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON ({exc.msg})", exc.lineno) from None
        keys = {}
        for key, limits in data.items():
            limits = limits or {}
            if not isinstance(limits, dict) or not all(isinstance(limits.get(n, 0), int) and limits.get(n, 0) >= 0 for n in ("req_limit", "char_limit")):
                raise InputError(path, "limits of a key must be {\"req_limit\": N, \"char_limit\": N} with N ≥ 0")
            keys[str(key)] = KeyLimits(limits.get("req_limit", 0), limits.get("char_limit", 0))
    else:
        keys = {line.strip(): KeyLimits() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")}
    if not keys:
        raise InputError(path, "holds no API key")
    return keys


class KeyTable:
    """The known keys; `find` tells which one a request gave, in time independent of which matched."""

    def __init__(self, keys: dict[str, KeyLimits]):
        self._keys = [(key.encode("utf-8"), key, limits) for key, limits in keys.items()]

    def find(self, given: str) -> tuple[str, KeyLimits] | None:
        offered = given.encode("utf-8", "surrogatepass")
        found = None
        for encoded, key, limits in self._keys:  # no early exit: every key is compared
            if hmac.compare_digest(encoded, offered):
                found = (key, limits)
        return found


class RateLimiter:
    """Sliding-minute counts of requests and characters per client (a key, or an address)."""

    def __init__(self, max_clients: int = MAX_CLIENTS):
        self._clients: OrderedDict[str, tuple[deque, deque]] = OrderedDict()
        self._max_clients = max_clients
        self._lock = threading.Lock()

    def check(self, client: str, limits: KeyLimits, characters: int, now: float | None = None) -> str | None:
        """None if the request may go ahead (and it is counted), else LibreTranslate's 429 message."""
        if not limits.requests and not limits.characters:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            requests, chars = self._clients.pop(client, None) or (deque(), deque())
            self._clients[client] = (requests, chars)
            while len(self._clients) > self._max_clients:
                self._clients.popitem(last=False)
            for window in (requests, chars):
                while window and window[0][0] <= now - WINDOW:
                    window.popleft()
            if limits.requests and len(requests) >= limits.requests:
                return f"Slowdown: {limits.requests} per 1 minute"
            if limits.characters and sum(n for _, n in chars) + characters > limits.characters:
                return f"Slowdown: {limits.characters} characters per 1 minute"
            requests.append((now, 1))
            if limits.characters:
                chars.append((now, characters))
            return None
