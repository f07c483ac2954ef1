"""Bounded network access against loopback servers: one message per failure, no thread left behind."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from dolmetsch.models import download
from dolmetsch.models.download import NetworkError, fetch_bytes, open_url


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port whose connections are accepted by the kernel and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def trickling_port(seconds_per_byte: float = 0.05, body_bytes: int = 200) -> Iterator[int]:
    """A loopback server that answers at once, then sends its body one byte at a time."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def serve() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                try:
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % body_bytes)
                    for _ in range(body_bytes):
                        connection.sendall(b"x")
                        time.sleep(seconds_per_byte)
                except OSError:
                    pass  # the client gave up, as it should

        server = threading.Thread(target=serve, daemon=True)
        server.start()
        yield listener.getsockname()[1]
        server.join(timeout=30)


def threads_started_since(before: set[threading.Thread]) -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread not in before]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_silent_server_fails_with_one_message_and_leaves_no_thread(host):
    with silent_port() as port:
        before = set(threading.enumerate())
        with pytest.raises(NetworkError) as small:
            fetch_bytes(f"http://{host}:{port}/index.json", 1024, deadline_s=0.3)
        with pytest.raises(NetworkError) as large:
            open_url(f"http://{host}:{port}/package.argosmodel", deadline_s=0.3, read_timeout_s=30)
        assert threads_started_since(before) == []
    assert small.value.reason == large.value.reason == "no answer within 0.3 s"


def test_unreachable_server_leaves_no_thread():
    port = closed_port()
    before = set(threading.enumerate())
    for fetch in (
        lambda: fetch_bytes(f"http://127.0.0.1:{port}/index.json", 1024, deadline_s=5),
        lambda: open_url(f"http://127.0.0.1:{port}/package.argosmodel", deadline_s=5),
    ):
        with pytest.raises(NetworkError, match="Connection refused"):
            fetch()
    assert threads_started_since(before) == []


def test_small_fetch_is_cut_off_at_its_deadline_however_the_bytes_trickle():
    with trickling_port() as port:  # the whole body would take at least 10 s
        with pytest.raises(NetworkError) as caught:
            fetch_bytes(f"http://127.0.0.1:{port}/index.json", 1024, deadline_s=0.5)
    assert caught.value.reason == "no answer within 0.5 s"


def test_hanging_name_resolution_is_waited_for_within_the_deadline(monkeypatch):
    released = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def hanging_for_names(host, *args, **kwargs):
        if not kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            released.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "resolver gave up")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(download.socket, "getaddrinfo", hanging_for_names)
    before = set(threading.enumerate())
    try:
        with pytest.raises(NetworkError) as caught:
            fetch_bytes("http://localhost:9/index.json", 1024, deadline_s=0.3)
    finally:
        released.set()
    assert caught.value.reason == "cannot resolve localhost within 0.3 s"
    for name in threads_started_since(before):  # the look-up ends as soon as the resolver does
        assert name == "dolmetsch-resolve"
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=30)
        assert not thread.is_alive()
