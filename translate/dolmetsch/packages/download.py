"""Bounded network access: every step has a deadline, every read a size limit, and nothing retries.

urllib's `timeout` covers connecting and each socket read, but not name resolution, which can stall
far longer on a broken network; so connecting (and small fetches as a whole) run in a daemon
thread that is abandoned at the deadline.
"""

from __future__ import annotations

import hashlib
import http.client
import queue
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, TypeVar

from dolmetsch.packages.progress import Progress

USER_AGENT = "dolmetsch (Argos package installer)"
SUPPORTED_SCHEMES = ("http://", "https://", "file://")
CONNECT_DEADLINE_S = 10.0
READ_TIMEOUT_S = 60.0
CHUNK_BYTES = 256 * 1024

T = TypeVar("T")


class NetworkError(Exception):
    """A URL could not be fetched; `reason` is one short line."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


def _describe(exc: BaseException) -> str:
    """One short line for a network failure, without the exception class soup."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return str(reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def run_with_deadline(url: str, seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in a daemon thread; raise NetworkError if it fails or outlasts `seconds`."""
    outcome: queue.Queue = queue.Queue(maxsize=1)

    def attempt() -> None:
        try:
            outcome.put((True, work()))
        except BaseException as exc:  # reported to the caller below
            outcome.put((False, exc))

    threading.Thread(target=attempt, name="dolmetsch-network", daemon=True).start()
    try:
        succeeded, value = outcome.get(timeout=seconds)
    except queue.Empty:
        raise NetworkError(url, f"no answer within {seconds:g} s") from None
    if succeeded:
        return value
    if isinstance(value, NetworkError):
        raise value
    if isinstance(value, (OSError, http.client.HTTPException, ValueError)):
        raise NetworkError(url, _describe(value)) from None
    raise value


def open_url(url: str, deadline_s: float = CONNECT_DEADLINE_S, read_timeout_s: float = READ_TIMEOUT_S):
    """Connect to `url` within `deadline_s`; later reads on the response time out after `read_timeout_s`."""
    if not url.startswith(SUPPORTED_SCHEMES):
        raise NetworkError(url, "unsupported URL scheme (use http, https or file)")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return run_with_deadline(url, deadline_s, lambda: urllib.request.urlopen(request, timeout=read_timeout_s))


def fetch_bytes(url: str, max_bytes: int, deadline_s: float = CONNECT_DEADLINE_S) -> bytes:
    """The whole body of a small document (an index), fetched within `deadline_s` in total."""

    def fetch() -> bytes:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"User-Agent": USER_AGENT}), timeout=deadline_s
        ) as response:
            data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise NetworkError(url, f"document is larger than {max_bytes} bytes")
        return data

    if not url.startswith(SUPPORTED_SCHEMES):
        raise NetworkError(url, "unsupported URL scheme (use http, https or file)")
    return run_with_deadline(url, deadline_s, fetch)


def download_to(url: str, target: Path, max_bytes: int, progress: Progress, description: str) -> str:
    """Stream `url` into `target` with a progress bar; return the SHA-256 of what was written.

    Stops with NetworkError when the server sends more than `max_bytes` (or announces it), when a
    read stalls longer than READ_TIMEOUT_S, or when fewer bytes arrive than announced.
    """
    digest = hashlib.sha256()
    with open_url(url) as response:
        announced = response.headers.get("Content-Length")
        total = int(announced) if announced and announced.isdigit() else None
        if total is not None and total > max_bytes:
            raise NetworkError(url, f"package is {total} bytes, more than the limit of {max_bytes}")
        received = 0
        try:
            with target.open("xb") as sink, progress.transfer(description, total) as advance:
                while chunk := response.read(CHUNK_BYTES):
                    received += len(chunk)
                    if received > max_bytes:
                        raise NetworkError(url, f"download exceeds the limit of {max_bytes} bytes")
                    sink.write(chunk)
                    digest.update(chunk)
                    advance(len(chunk))
        except (http.client.HTTPException, TimeoutError, ConnectionError) as exc:
            raise NetworkError(url, f"download interrupted ({_describe(exc)})") from None
        if total is not None and received != total:
            raise NetworkError(url, f"download incomplete: got {received} of {total} bytes")
    return digest.hexdigest()
