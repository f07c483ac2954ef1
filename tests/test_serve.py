"""`dolmetsch serve`, started for real as a subprocess on a free loopback port.

Errors, limits, keys, files, metrics, the access log, batching across requests, the full queue
and SIGTERM's drain, each against the running server. No test asserts on wall-clock time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

from conftest import ROOT, TINY_MODEL  # noqa: E402

GLOSSARY = ROOT / "glossary"
STARTUP_SECONDS = 180  # a ceiling for a slow, shared machine, not a timing assertion


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def metric(self, name: str, labels: str = "") -> float:
        """One sample of /metrics (0 when absent)."""
        text = httpx.get(self.url + "/metrics", timeout=30).text
        pattern = re.compile(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$", re.M)
        found = pattern.search(text)
        return float(found.group(1)) if found else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(home: Path) -> dict:
    """The server's environment: this checkout's code, and a home of its own (no real caches)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "translate"), os.environ.get("PYTHONPATH", "")]))
    for name, sub in (("HOME", ""), ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("ARGOS_PACKAGES_DIR", "packages")):
        env[name] = str(home / sub) if sub else str(home)
    env["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
    return env


@contextmanager
def running_server(home: Path, *options: str, glossary: bool = True):
    """Start `dolmetsch serve` with the tiny model, wait for /health, and always kill it afterwards."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "server.log"
    command = [
        sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--port", str(port),
        "--model", str(TINY_MODEL), "--threads", "1", "--offline",
        *(["--glossary", str(GLOSSARY)] if glossary else ["--no-glossary"]), *options,
    ]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=server_env(home), cwd=home)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /health")
            time.sleep(0.2)
        yield Server(url, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def post(server: Server, body, path: str = "/translate", **kwargs) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=60, **kwargs)


MEMORY_GERMAN = "Dieser Satz steht im Gedächtnis."
MEMORY_ENGLISH = "This sentence is in the memory."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve-home")
    tmx = home / "memory.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="de"/><body>'
        f'<tu><tuv xml:lang="de"><seg>{MEMORY_GERMAN}</seg></tuv><tuv xml:lang="en"><seg>{MEMORY_ENGLISH}</seg></tuv></tu>'
        "</body></tmx>\n",
        encoding="utf-8",
    )
    with running_server(home, "--max-wait-ms", "5", "--char-limit", "400", "--batch-limit", "20", "--tm", str(tmx)) as running:
        yield running


def test_the_glossary_is_enforced_as_translate_enforces_it(server):
    from dolmetsch.api import Translator
    from dolmetsch.document.reading import parse_text

    sentence = "Putin reiste nach Wostotschny."
    answer = post(server, {"q": sentence, "source": "de", "target": "en"})
    assert answer.status_code == 200
    english = answer.json()["translatedText"]
    assert "Vostochny" in english and "Wostotschny" not in english
    assert set(answer.json()) == {"translatedText", "dolmetsch"}  # no alternatives, no detectedLanguage unasked
    [report] = answer.json()["dolmetsch"]["sentences"]
    terms = {t["de"]: t["how"] for t in report["terms"]}
    assert terms["Wostotschny"] != "MISSING" and report["origin"] == "machine"
    translator = Translator.load(model=TINY_MODEL, glossary=[GLOSSARY], offline=True, threads=1)
    [article] = translator.translate([parse_text(sentence)])
    assert english == article.english()


def test_list_form_and_query_string(server):
    texts = ["Putin reiste nach Wostotschny.", "Kim Jong Un reiste nach Wladiwostok."]
    listed = post(server, {"q": texts, "source": "de", "target": "en"}).json()
    assert isinstance(listed["translatedText"], list) and len(listed["translatedText"]) == 2
    assert isinstance(listed["dolmetsch"], list) and len(listed["dolmetsch"]) == 2
    form = httpx.post(server.url + "/translate", data={"q": texts[0], "source": "de", "target": "en"}, timeout=60).json()
    query = httpx.get(server.url + "/translate", params={"q": texts[0], "source": "de", "target": "en"}, timeout=60).json()
    assert form["translatedText"] == query["translatedText"] == listed["translatedText"][0]


def test_blocks_and_credits_keep_their_shape(server):
    text = "Putin reiste nach Wostotschny.\n\nDort traf er Kim Jong Un. Sie sprachen lange.\n\nFoto: APA/AFP"
    english = post(server, {"q": text, "source": "de", "target": "en"}).json()["translatedText"]
    blocks = english.split("\n\n")
    assert len(blocks) == 3 and blocks[2] == "Foto: APA/AFP"  # a photo credit stays verbatim, as in translate


def test_placeables_and_keep_entries_come_back_untouched(server):
    texts = [
        "Klicken Sie auf [X1X], um [X2X] zu speichern.",
        "Der Kreml meldet [X12X] neue Fälle.",
        "Paul Krisai berichtet aus Moskau für den ORF.",
    ]
    answer = post(server, {"q": texts, "source": "de", "target": "en"}).json()["translatedText"]
    assert answer[0].count("[X1X]") == 1 and answer[0].count("[X2X]") == 1
    assert answer[1].count("[X12X]") == 1
    assert "Paul Krisai" in answer[2] and "ORF" in answer[2]


def test_alternatives_and_auto_detection_appear_exactly_when_asked(server):
    single = post(server, {"q": "Der Präsident sprach mit Journalisten.", "source": "auto", "target": "en", "alternatives": 2}).json()
    assert isinstance(single["alternatives"], list) and len(single["alternatives"]) <= 2
    assert single["translatedText"] not in single["alternatives"]
    assert single["detectedLanguage"]["language"] == "de" and 0 <= single["detectedLanguage"]["confidence"] <= 100
    listed = post(server, {"q": ["Der Präsident sprach.", "Der Kreml schwieg."], "source": "auto", "target": "en", "alternatives": 1}).json()
    assert len(listed["alternatives"]) == 2 and all(isinstance(a, list) for a in listed["alternatives"])
    assert [d["language"] for d in listed["detectedLanguage"]] == ["de", "de"]


def test_reviewed_memory_and_cache_answer_without_decoding(server):
    first = post(server, {"q": MEMORY_GERMAN, "source": "de", "target": "en"}).json()
    assert first["translatedText"] == MEMORY_ENGLISH
    assert first["dolmetsch"]["sentences"][0]["origin"] == "memory"
    sentence = "Der Kreml bestätigte das Treffen am Mittwoch."
    before = server.metric("dolmetsch_cache_hits_total", '{source="process"}')
    one = post(server, {"q": sentence, "source": "de", "target": "en"}).json()
    two = post(server, {"q": sentence, "source": "de", "target": "en"}).json()
    assert one["translatedText"] == two["translatedText"]
    assert two["dolmetsch"]["sentences"][0]["origin"] == "cache"
    assert server.metric("dolmetsch_cache_hits_total", '{source="process"}') == before + 1


def test_languages_detect_settings_health(server):
    languages = httpx.get(server.url + "/languages", timeout=30).json()
    assert {"code": "de", "name": "German", "targets": ["en"]} in languages
    assert [d["language"] for d in httpx.post(server.url + "/detect", data={"q": "Das ist ein Satz."}, timeout=30).json()] == ["de"]
    settings = httpx.get(server.url + "/frontend/settings", timeout=30).json()
    assert settings["charLimit"] == 400 and settings["language"]["source"]["code"] == "de"
    assert httpx.get(server.url + "/health", timeout=30).json() == {"status": "ok"}


def raw_request(server: Server, head: str, body: bytes = b"", *, send_body: bool = True) -> tuple[int, dict]:
    """Send bytes exactly as given (no client normalising the path or the body); status and JSON."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n\r\n" + (body if send_body else b""))
        received = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                head_part, _, rest = received.partition(b"\r\n\r\n")
                length = re.search(rb"content-length: (\d+)", head_part, re.I)
                if length and len(rest) >= int(length.group(1)):
                    break
    head_part, _, rest = received.partition(b"\r\n\r\n")
    return int(head_part.split()[1]), json.loads(rest)


BAD_REQUESTS = [
    ("invalid JSON", {"content": b'{"q": "Hallo', "headers": {"Content-Type": "application/json"}}, 400, "Invalid JSON format"),
    ("JSON that is no object", {"content": b'["q"]', "headers": {"Content-Type": "application/json"}}, 400, "Invalid JSON format"),
    ("wrong content type", {"content": b"q=Hallo", "headers": {"Content-Type": "text/plain"}}, 400, "unsupported content type text/plain"),
    ("invalid UTF-8 in JSON", {"content": b'{"q": "Gr\xfc\xdfe", "source": "de", "target": "en"}', "headers": {"Content-Type": "application/json"}}, 400, "not valid UTF-8"),
    ("invalid UTF-8 in a form", {"content": b"q=Gr%FC%DFe&source=de&target=en", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400, "not valid UTF-8"),
    ("q missing", {"json": {"source": "de", "target": "en"}}, 400, "Invalid request: missing q parameter"),
    ("q neither text nor list", {"json": {"q": {"a": 1}, "source": "de", "target": "en"}}, 400, "must be a string or a list"),
    ("source missing", {"json": {"q": "Hallo"}}, 400, "Invalid request: missing source parameter"),
    ("source=xx", {"json": {"q": "Hallo", "source": "xx", "target": "en"}}, 400, "xx is not supported"),
    ("target=fr", {"json": {"q": "Hallo", "source": "de", "target": "fr"}}, 400, "fr is not supported"),
    ("en to de", {"json": {"q": "Hello", "source": "en", "target": "de"}}, 400, "German (de) is not available as a target language from English (en)"),
    ("format=xml", {"json": {"q": "Hallo", "source": "de", "target": "en", "format": "xml"}}, 400, "xml format is not supported"),
    ("format=html, markup no skeleton keeps", {"json": {"q": "<p>Hallo <!-- nie geschlossen", "source": "de", "target": "en", "format": "html"}}, 400, "Invalid request: unterminated comment"),
    ("alternatives not a number", {"json": {"q": "Hallo", "source": "de", "target": "en", "alternatives": "viele"}}, 400, "alternatives parameter is not a number"),
    ("too many alternatives", {"json": {"q": "Hallo", "source": "de", "target": "en", "alternatives": 9}}, 400, "alternatives parameter must be <= 3"),
    ("a text over the character limit", {"json": {"q": "Hallo " * 100, "source": "de", "target": "en"}}, 400, "Invalid request: request (600) exceeds text limit (400)"),
    ("a 100,000-item q list", {"json": {"q": ["a"] * 100_000, "source": "de", "target": "en"}}, 400, "Invalid request: request (100000) exceeds text limit (20)"),
    ("a streamed body over the size limit", {"content": iter([b"x" * 65536] * 40), "headers": {"Content-Type": "application/json"}}, 413, "exceeds size limit"),
]


@pytest.mark.parametrize("what, request_args, status, message", BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_requests_get_a_json_error_and_the_server_goes_on(server, what, request_args, status, message):
    answer = httpx.post(server.url + "/translate", timeout=60, **request_args)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/json")
    assert message in answer.json()["error"]
    assert httpx.get(server.url + "/health", timeout=30).status_code == 200


def test_a_50_mb_body_is_refused_before_it_is_read(server):
    head = "POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800"
    status, body = raw_request(server, head, b"{" + b" " * 65536)
    assert status == 413 and "exceeds size limit" in body["error"]
    assert httpx.get(server.url + "/health", timeout=30).status_code == 200


@pytest.mark.parametrize("path, status", [
    ("/download_file/../../etc/passwd", 400),
    ("/download_file/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 400),
    ("/download_file/..%2F..%2Fetc%2Fpasswd", 400),
    ("/download_file/" + "A" * 32, 404),
    ("/download_file/etc", 404),
])
def test_download_file_never_reaches_the_file_system(server, path, status):
    code, body = raw_request(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close")
    assert code == status and "error" in body and "root:" not in json.dumps(body)


def test_a_slow_client_holds_no_worker(server):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as slow:
        slow.sendall(b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        for _ in range(3):  # one byte a second, while other requests are answered
            answer = post(server, {"q": "Die Ukraine meldete neue Angriffe.", "source": "de", "target": "en"})
            assert answer.status_code == 200
            slow.sendall(b" ")
            time.sleep(1)


def test_unknown_paths_and_methods_are_json(server):
    missing = httpx.get(server.url + "/nowhere", timeout=30)
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    wrong = httpx.delete(server.url + "/translate", timeout=30)
    assert wrong.status_code == 405 and wrong.json() == {"error": "Method Not Allowed"}


def test_translate_file_and_download(server, tmp_path):
    article = "Putin reiste nach Wostotschny.\n\nDort traf er Kim Jong Un.\n"
    answer = httpx.post(
        server.url + "/translate_file", data={"source": "de", "target": "en"},
        files={"file": ("artikel.txt", article.encode("utf-8"), "text/plain")}, timeout=60,
    )
    assert answer.status_code == 200, answer.text
    url = answer.json()["translatedFileUrl"]
    token = url.rsplit("/", 1)[1]
    assert url.startswith(server.url + "/download_file/") and re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    download = httpx.get(url, timeout=30)
    assert download.status_code == 200 and "Vostochny" in download.text and download.text.count("\n\n") == 1
    assert "artikel.txt" in download.headers["content-disposition"]
    refused = httpx.post(
        server.url + "/translate_file", data={"source": "de", "target": "en"},
        files={"file": ("artikel.pdf", b"%PDF-1.4", "application/pdf")}, timeout=60,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "Invalid request: file format not supported"
    binary = httpx.post(
        server.url + "/translate_file", data={"source": "de", "target": "en"},
        files={"file": ("daten.txt", b"\x00\x01\x02" * 100, "text/plain")}, timeout=60,
    )
    assert binary.status_code == 400 and "not a text file" in binary.json()["error"]


def test_format_html_translates_whole_sentences_and_keeps_the_markup(server):
    html = '<p>Der Präsident <a href="/p">Wladimir Putin</a> reiste nach <b>Wostotschny</b>.</p>\n<img src="k.png" alt="Kim im Zug">'
    answer = post(server, {"q": [html, "Putin reiste."], "source": "de", "target": "en", "format": "html"})
    assert answer.status_code == 200, answer.text
    page, plain = answer.json()["translatedText"]
    assert '<a href="/p">Vladimir Putin</a>' in page and "<b>Vostochny</b>" in page
    assert page.startswith("<p>") and page.count("<a ") == 1 and '<img src="k.png" alt="' in page and "Kim im Zug" not in page
    [sentence, alt] = answer.json()["dolmetsch"][0]["sentences"]
    assert sentence["source"] == "Der Präsident <1>Wladimir Putin</1> reiste nach <2>Wostotschny</2>."
    assert "<1>" in sentence["translation"] and alt["source"] == "Kim im Zug"
    assert "<" not in plain
    text = post(server, {"q": "<p>Putin reiste.</p>", "source": "de", "target": "en"}).json()["translatedText"]
    assert text != page  # format text reads the tags as text, as LibreTranslate does


def test_html_and_markdown_files_come_back_in_their_own_format(server):
    page = '<html lang="de"><head><meta charset="windows-1252"></head><body><p>Putin reiste nach <i>Wostotschny</i>.</p></body></html>\n'.encode("cp1252")
    answer = httpx.post(server.url + "/translate_file", data={"source": "de", "target": "en"}, files={"file": ("seite.html", page, "text/html")}, timeout=60)
    assert answer.status_code == 200, answer.text
    download = httpx.get(answer.json()["translatedFileUrl"], timeout=30)
    assert download.headers["content-type"].startswith("text/html")
    assert download.content.startswith(b'<html lang="en"><head><meta charset="windows-1252">') and b"<i>Vostochny</i>" in download.content
    markdown = "# Treffen\n\nPutin reiste nach *Wostotschny*.\n\n```\nnicht übersetzen\n```\n".encode("utf-8")
    answer = httpx.post(server.url + "/translate_file", data={"source": "de", "target": "en"}, files={"file": ("a.md", markdown, "text/markdown")}, timeout=60)
    english = httpx.get(answer.json()["translatedFileUrl"], timeout=30).text
    assert english.startswith("# ") and "*Vostochny*" in english and english.endswith("```\nnicht übersetzen\n```\n")
    settings = httpx.get(server.url + "/frontend/settings", timeout=30).json()
    from dolmetsch.sources import source_suffixes

    assert settings["supportedFilesFormat"] == list(source_suffixes())  # every source format translate reads
    assert {".txt", ".html", ".htm", ".md", ".markdown"} <= set(settings["supportedFilesFormat"])


def test_access_log_has_one_line_per_request_and_no_text(server):
    marker = "Geheimwort Zebrafisch"
    httpx.get(server.url + "/translate", params={"q": marker, "source": "de", "target": "en"}, timeout=60)
    post(server, {"q": marker + " zwei", "source": "de", "target": "en", "api_key": "schluessel-123"})
    time.sleep(0.2)  # stderr is written after the response
    lines = server.log_lines()
    assert not any("Zebrafisch" in line or "schluessel" in line or "q=" in line for line in lines)
    assert re.search(r"^127\.0\.0\.1 GET /translate 200 in=0B out=\d+B [0-9.]+ms$", "\n".join(lines), re.M)


def test_metrics_in_prometheus_format(server):
    post(server, {"q": "Die Ukraine meldete Angriffe.", "source": "de", "target": "en"})
    text = httpx.get(server.url + "/metrics", timeout=30).text
    for name in (
        'dolmetsch_requests_total{method="POST",path="/translate",status="200"}',
        'dolmetsch_request_seconds_bucket{le="0.005",path="/translate"}',
        "dolmetsch_batch_sentences_count", "dolmetsch_batch_requests_sum", "dolmetsch_queue_sentences",
        'dolmetsch_sentences_total{origin="machine"}',
    ):
        assert name in text, name


def test_the_page_is_served_with_a_policy(server):
    answer = httpx.get(server.url + "/", timeout=30)
    if answer.status_code == 404:  # the page module is not part of this checkout
        assert answer.json() == {"error": "Not Found"}
        return
    assert answer.status_code == 200 and "default-src 'none'" in answer.headers["content-security-policy"]


def test_keys_and_rate_limits(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"limited-key": {"req_limit": 2}, "free-key": {}}), encoding="utf-8")
    body = {"q": "Der Kreml schwieg.", "source": "de", "target": "en"}
    with running_server(tmp_path / "home", "--api-keys", str(keys)) as keyed:
        missing = post(keyed, body)
        assert missing.status_code == 400 and missing.json() == {"error": "Please contact the server operator to get an API key"}
        wrong = post(keyed, {**body, "api_key": "limited-kez"})
        assert wrong.status_code == 403 and wrong.json() == {"error": "Invalid API key"}
        assert [post(keyed, {**body, "api_key": "limited-key"}).status_code for _ in range(2)] == [200, 200]
        limited = post(keyed, {**body, "api_key": "limited-key"})
        assert limited.status_code == 429 and limited.json() == {"error": "Slowdown: 2 per 1 minute"}
        assert post(keyed, {**body, "api_key": "free-key"}).status_code == 200
        form = httpx.get(keyed.url + "/translate", params={**body, "api_key": "free-key"}, timeout=60)
        assert form.status_code == 200
        assert httpx.get(keyed.url + "/languages", timeout=30).status_code == 200  # as in LibreTranslate: no key needed
        assert not any("limited-k" in line or "free-key" in line for line in keyed.log_lines())


def test_public_addresses_are_recognised():
    from dolmetsch.cli.serve import _loopback

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost") and _loopback("127.0.0.2")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5") and not _loopback("example.org")


def concurrently(server: Server, bodies: list[dict]) -> list[httpx.Response]:
    answers: list = [None] * len(bodies)

    def send(i: int) -> None:
        answers[i] = post(server, bodies[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def test_concurrent_requests_share_one_batch(tmp_path):
    # the first sentence waits up to 3 s for company: all four requests land in that window
    with running_server(tmp_path / "home", "--max-wait-ms", "3000", "--batch-tokens", "100000") as batching:
        assert post(batching, {"q": "Der Kreml schwieg.", "source": "de", "target": "en"}).status_code == 200
        batches = batching.metric("dolmetsch_batch_sentences_count")
        sentences = batching.metric("dolmetsch_batch_sentences_sum")
        texts = ["Putin reiste nach Wostotschny.", "Kim Jong Un kam mit dem Zug.", "Die USA warnten Nordkorea.", "Der Präsident lobte die Zusammenarbeit."]
        answers = concurrently(batching, [{"q": t, "source": "de", "target": "en"} for t in texts])
        assert [a.status_code for a in answers] == [200] * 4
        assert batching.metric("dolmetsch_batch_sentences_count") == batches + 1
        assert batching.metric("dolmetsch_batch_sentences_sum") == sentences + 4
        assert batching.metric("dolmetsch_batch_requests_sum") == 1 + 4


def test_a_full_queue_answers_503_and_sigterm_drains(tmp_path):
    with running_server(tmp_path / "home", "--queue-limit", "1", "--max-wait-ms", "5000") as small:
        waiting: list = []
        first = threading.Thread(target=lambda: waiting.append(post(small, {"q": "Putin reiste nach Wostotschny.", "source": "de", "target": "en"})))
        first.start()
        deadline = time.monotonic() + 60
        while small.metric("dolmetsch_queue_sentences") < 1:
            assert time.monotonic() < deadline, "the first request never reached the queue"
            time.sleep(0.05)
        refused = post(small, {"q": "Kim Jong Un kam mit dem Zug.", "source": "de", "target": "en"})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1" and "busy" in refused.json()["error"]
        small.process.send_signal(signal.SIGTERM)  # the first request is still waiting for its batch
        first.join(120)
        assert waiting and waiting[0].status_code == 200 and "Vostochny" in waiting[0].json()["translatedText"]
        assert small.process.wait(timeout=120) == 0
