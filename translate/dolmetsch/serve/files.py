"""Translated files for `/download_file`: only files this server wrote, for a bounded time.

A download is named by a random token that maps to a file in the server's own temporary folder;
nothing from the request is ever joined into a path. Files expire after `ttl` seconds, and at most
`capacity` are kept (the oldest goes first).
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Stored:
    path: Path
    name: str
    expires: float


class FileStore:
    def __init__(self, ttl: float = 3600.0, capacity: int = 256):
        self.ttl = ttl
        self.capacity = capacity
        self._folder: Path | None = None
        self._files: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def open(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="dolmetsch-serve-"))

    def close(self) -> None:
        with self._lock:
            self._files.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def put(self, data: bytes, name: str) -> str:
        """Keep `data` for download as `name`; returns its token."""
        token = secrets.token_urlsafe(24)  # 32 characters
        path = self._folder / f"{token}.txt"
        path.write_bytes(data)
        with self._lock:
            self._expire()
            self._files[token] = Stored(path, name, time.monotonic() + self.ttl)
            while len(self._files) > self.capacity:
                _, oldest = self._files.popitem(last=False)
                oldest.path.unlink(missing_ok=True)
        return token

    def get(self, token: str) -> Stored | None:
        if not TOKEN.fullmatch(token):
            return None
        with self._lock:
            self._expire()
            return self._files.get(token)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, s in self._files.items() if s.expires <= now]:
            self._files.pop(token).path.unlink(missing_ok=True)
