"""Bounded network access: every step has a deadline, every read a size limit, and nothing retries.

Deadlines are socket timeouts, set from the time left before each connect and read, so a failed
fetch leaves no thread of ours running. Name resolution is the one step socket timeouts do not
cover: host names (never IP addresses) are looked up in a helper thread whose wait is bounded; only
when the system resolver itself hangs does that thread outlive the call, until the resolver gives up.
"""

from __future__ import annotations

import hashlib
import http.client
import queue
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Iterator

from dolmetsch.models.progress import Progress

USER_AGENT = "dolmetsch (Argos package installer)"
SUPPORTED_SCHEMES = ("http://", "https://", "file://")
CONNECT_DEADLINE_S = 10.0
READ_TIMEOUT_S = 60.0
CHUNK_BYTES = 256 * 1024


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


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or (
        isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
    )


class Deadline:
    """The time left for one network step; every socket timeout is cut to it, so it fails with one message."""

    def __init__(self, url: str, seconds: float):
        self.url = url
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.sockets: list[socket.socket] = []  # those opened for this step, the one to read from last

    def expired(self) -> NetworkError:
        return NetworkError(self.url, f"no answer within {self.seconds:g} s")

    def left(self) -> float:
        """Seconds left; NetworkError once there are none."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def limit_reads(self, seconds: float | None = None) -> None:
        """Let the next read on the answer's socket wait `seconds` (default: the time left)."""
        if self.sockets:
            self.sockets[-1].settimeout(self.left() if seconds is None else seconds)

    @contextmanager
    def as_network_error(self) -> Iterator[None]:
        """Any network failure as one NetworkError; a timeout always reads as `expired`."""
        try:
            yield
        except NetworkError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise (self.expired() if _is_timeout(exc) else NetworkError(self.url, _describe(exc))) from None

    def resolve(self, host: str, port: int) -> list[tuple]:
        """Addresses to connect to; a host name is looked up in a helper thread, waited for within the deadline."""
        try:
            return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass  # a name, not an address
        answer: queue.Queue = queue.Queue(maxsize=1)

        def look_up() -> None:
            try:
                answer.put(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as exc:
                answer.put(exc)

        helper = threading.Thread(target=look_up, name="dolmetsch-resolve", daemon=True)
        helper.start()
        try:
            found = answer.get(timeout=self.left())
        except queue.Empty:
            raise NetworkError(self.url, f"cannot resolve {host} within {self.seconds:g} s") from None
        helper.join()  # it has answered; do not return while it still runs
        if isinstance(found, OSError):
            raise found
        return found

    def create_connection(self, address: tuple[str, int], timeout=None, source_address=None) -> socket.socket:
        """socket.create_connection, but resolving and connecting within the deadline (`timeout` is ignored)."""
        failure: OSError | None = None
        for family, kind, proto, _, sockaddr in self.resolve(*address):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.left())
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                failure = exc
                continue
            except BaseException:
                sock.close()
                raise
            return sock
        raise failure or OSError(f"no address found for {address[0]}")


class _BoundedConnection:
    """Mixed into http.client's connections: open the socket within the deadline and remember it."""

    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self._create_connection = deadline.create_connection  # http.client's hook for opening the socket

    def connect(self) -> None:
        super().connect()
        self.deadline.sockets.append(self.sock)  # after TLS wrapping: the socket the answer is read from

    def getresponse(self):
        self.deadline.limit_reads()  # the status line and headers, too, arrive within the deadline
        return super().getresponse()


class _HTTPConnection(_BoundedConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_BoundedConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(partial(_HTTPConnection, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(partial(_HTTPSConnection, deadline=self.deadline), req)


def _open(deadline: Deadline):
    """Open `deadline.url`, redirects and proxies included, each connection within the deadline."""
    if not deadline.url.startswith(SUPPORTED_SCHEMES):
        raise NetworkError(deadline.url, "unsupported URL scheme (use http, https or file)")
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    request = urllib.request.Request(deadline.url, headers={"User-Agent": USER_AGENT})
    with deadline.as_network_error():
        return opener.open(request, timeout=deadline.left())


def open_url(url: str, deadline_s: float = CONNECT_DEADLINE_S, read_timeout_s: float = READ_TIMEOUT_S):
    """Connect to `url` and get its headers within `deadline_s`; later reads time out after `read_timeout_s`."""
    deadline = Deadline(url, deadline_s)
    response = _open(deadline)
    deadline.limit_reads(read_timeout_s)
    return response


def fetch_bytes(url: str, max_bytes: int, deadline_s: float = CONNECT_DEADLINE_S) -> bytes:
    """The whole body of a small document (an index), fetched within `deadline_s` in total."""
    deadline = Deadline(url, deadline_s)
    data = bytearray()
    with _open(deadline) as response, deadline.as_network_error():
        while True:
            deadline.limit_reads()
            chunk = response.read1(CHUNK_BYTES)
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > max_bytes:
                raise NetworkError(url, f"document is larger than {max_bytes} bytes")


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
