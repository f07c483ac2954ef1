"""DeepL's API v2 on `dolmetsch serve`, started for real: the official `deepl` client unchanged,
Weblate's DeepL machinery replayed call by call, glossaries that survive a restart and are
enforced on top of the server's, batching by glossary, and the refusals.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

httpx = pytest.importorskip("httpx")
deepl = pytest.importorskip("deepl")

from test_serve import running_server  # noqa: E402

KEY, OTHER_KEY = "deepl-test-key:fx", "second-key"
MAX_ENTRIES = 200


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("serve-deepl")
    (home / "keys.txt").write_text(f"{KEY}\n{OTHER_KEY}\n", encoding="utf-8")
    return home


def options(home: Path, state: Path) -> tuple[str, ...]:
    return (
        "--api-keys", str(home / "keys.txt"), "--data-dir", str(state),
        "--glossary-entries", str(MAX_ENTRIES), "--max-wait-ms", "20", "--batch-limit", "50",
    )


@pytest.fixture(scope="module")
def server(home):
    with running_server(home / "first", *options(home, home / "state")) as running:
        yield running


def headers(key: str = KEY) -> dict:
    return {"Authorization": f"DeepL-Auth-Key {key}"}


def translator(server, key: str = KEY):
    return deepl.Translator(key, server_url=server.url)


# ---------------------------------------------------------------------------------------------
# the official client, unchanged


def test_official_client_languages_and_usage(server):
    client = translator(server)
    assert [(l.code, l.name) for l in client.get_source_languages()] == [("DE", "German")]
    assert {l.code for l in client.get_target_languages()} == {"EN-GB", "EN-US"}  # `type` sent as a GET's form body
    assert [(p.source_lang, p.target_lang) for p in client.get_glossary_languages()] == [("de", "en")]
    before = client.get_usage().character.count
    client.translate_text("Der Kreml schwieg.", source_lang="DE", target_lang="EN-GB")
    usage = client.get_usage()
    assert usage.character.valid and usage.character.count == before + len("Der Kreml schwieg.")
    assert not usage.any_limit_reached


def test_official_client_translates_text_and_xml(server):
    client = translator(server)
    one = client.translate_text("Putin reiste nach Wostotschny.", source_lang="DE", target_lang="EN-US")
    assert "Vostochny" in one.text and one.detected_source_lang == "DE" and one.billed_characters == 30
    many = client.translate_text(["Der Kreml schwieg.", "Kim Jong Un reiste nach Wladiwostok."], target_lang="en-gb")
    assert len(many) == 2 and "Kremlin" in many[0].text and "Vladivostok" in many[1].text
    text = 'Klicken Sie auf <x id="16"></x>, um &quot;Wladiwostok&quot; &amp; <x id="40"></x> zu sehen.'
    xml = client.translate_text(text, source_lang="DE", target_lang="EN-GB", tag_handling="xml", ignore_tags="x")
    assert xml.text.count('<x id="16"></x>') == 1 and xml.text.count('<x id="40"></x>') == 1
    ElementTree.fromstring(f"<r>{xml.text}</r>")  # XML text out: well-formed, whatever the model wrote
    # the model read the text, entities decoded, with the placeables as [XnX] stand-ins
    answer = httpx.post(server.url + "/v2/translate", headers=headers(), timeout=30, json={
        "text": [text], "source_lang": "DE", "target_lang": "EN", "tag_handling": "xml", "ignore_tags": ["x"],
    }).json()
    [sentence] = answer["dolmetsch"]["texts"][0]["sentences"]
    assert sentence["source"] == 'Klicken Sie auf [X1X], um "Wladiwostok" & [X2X] zu sehen.'
    assert answer["translations"][0]["text"] == xml.text


def test_official_client_glossary_session(server):
    client = translator(server)
    news = client.create_glossary("news", "DE", "EN", {"Wostotschny": "Vostochny", "Roskosmos": "Roscosmos", "Kreml": "Kremlin Palace"})
    assert news.ready and news.entry_count == 3 and (news.source_lang, news.target_lang) == ("DE", "EN")
    assert news.creation_time.tzinfo is not None  # parsed by the client from fractional seconds and a zone
    assert news.glossary_id in {g.glossary_id for g in client.list_glossaries()}
    assert client.get_glossary(news.glossary_id).name == "news"
    assert client.get_glossary_entries(news) == {"Wostotschny": "Vostochny", "Roskosmos": "Roscosmos", "Kreml": "Kremlin Palace"}
    sentences = ["Putin reiste nach Wostotschny.", "Roskosmos baut eine neue Rakete.", "Der Kreml schwieg."]
    english = [r.text for r in client.translate_text(sentences, source_lang="DE", target_lang="EN-GB", glossary=news)]
    assert "Vostochny" in english[0] and "Wostotschny" not in english[0]
    assert "Roscosmos" in english[1]  # a term the server's glossary does not have
    assert "Kremlin Palace" in english[2]  # the request's glossary wins over the server's `Kreml → Kremlin`
    plain = client.translate_text("Der Kreml schwieg.", source_lang="DE", target_lang="EN-GB").text
    assert "Kremlin" in plain and "Kremlin Palace" not in plain  # no glossary, no Palace (and no cached Palace)
    from_csv = client.create_glossary_from_csv("csv", "DE", "EN", '"Kreml","Kremlin Palace"\nPutin,Putin,de,en\n')
    assert client.get_glossary_entries(from_csv) == {"Kreml": "Kremlin Palace", "Putin": "Putin"}
    client.delete_glossary(from_csv)
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_glossary(from_csv.glossary_id)
    assert from_csv.glossary_id not in {g.glossary_id for g in client.list_glossaries()}


def test_conflicts_are_reported_in_the_dolmetsch_field(server):
    created = httpx.post(server.url + "/v2/glossaries", headers=headers(), timeout=30, json={
        "name": "conflict", "source_lang": "de", "target_lang": "en", "entries_format": "tsv", "entries": "Kreml\tKremlin Palace\nORF\tORF",
    })
    assert created.status_code == 201
    conflicts = created.json()["dolmetsch"]["conflicts"]
    assert {"de": "Kreml", "request": "Kremlin Palace", "server_term": "Kreml", "server": "Kremlin", "used": "request"} in conflicts
    answer = httpx.post(server.url + "/v2/translate", headers=headers(), timeout=30, json={
        "text": ["Der Kreml schwieg.", "Paul Krisai berichtet für den ORF."], "source_lang": "DE", "target_lang": "EN",
        "glossary_id": created.json()["glossary_id"],
    }).json()
    assert [c["server"] for c in answer["dolmetsch"]["glossary"]["conflicts"]] == ["Kremlin", "Kremlin chief"]
    assert "ORF" in answer["translations"][1]["text"]  # a `term<TAB>term` line is a keep entry


def test_requests_with_different_glossaries_never_share_an_enforcer(server):
    made = {}
    for name, rendering in (("palace", "Kremlin Palace"), ("walls", "Kremlin walls")):
        made[name] = translator(server).create_glossary(name, "DE", "EN", {"Kreml": rendering}).glossary_id
    sentence = "Der Kreml bestätigte das Treffen am Donnerstag."
    results: dict = {}
    barrier = threading.Barrier(3)

    def ask(label, glossary_id):
        body = {"text": [sentence], "source_lang": "DE", "target_lang": "EN"}
        if glossary_id:
            body["glossary_id"] = glossary_id
        barrier.wait()
        results[label] = httpx.post(server.url + "/v2/translate", headers=headers(), json=body, timeout=60).json()["translations"][0]["text"]

    threads = [threading.Thread(target=ask, args=item) for item in (("palace", made["palace"]), ("walls", made["walls"]), ("server", None))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "Kremlin Palace" in results["palace"] and "walls" not in results["palace"]
    assert "Kremlin walls" in results["walls"] and "Palace" not in results["walls"]
    assert "Kremlin" in results["server"] and "Palace" not in results["server"] and "walls" not in results["server"]


# ---------------------------------------------------------------------------------------------
# Weblate, call by call

# Weblate's DeepL machinery as of WeblateOrg/weblate commit 01c5add9a741963306778566dce8069d66ec68d9
# (weblate/machinery/deepl.py, Weblate 5.x) with weblate/machinery/base.py at commit
# db58819b5f1e06230b89e1816038662d6c42786a: every request carries `Referer`, `Accept: application/json;
# charset=utf-8` and `Authorization: DeepL-Auth-Key KEY` with `request_timeout = 5`.
# `GlossaryMachineTranslationMixin.get_glossary_id` calls `is_glossary_supported` (GET
# glossary-language-pairs), `get_glossaries` → `list_glossaries` (GET glossaries), deletes the stale
# glossaries of the pair named `weblate:{project}:{source}:{target}:` (DELETE; a 400 or 404 is taken
# as already gone), `create_glossary` (POST glossaries, JSON with the TSV of
# `weblate/glossary/models.py` `render_glossary_units_tsv`: `source\ttarget` lines, read-only terms as
# `term\tterm`), lists the glossaries again, and `download_multiple_translations` POSTs translate as
# JSON with `formality`, `tag_handling: "xml"`, `ignore_tags: ["x"]` and `glossary_id`, up to
# `batch_size = 20` texts, each `XMLMachineTranslationMixin.escape_text`'d (html.escape) with
# placeables as `format_replacement` → `<x id="{h_start}"></x>`, put back by `re.escape` match and
# `html.unescape`.
WEBLATE = {"Referer": "https://weblate.example/", "Accept": "application/json; charset=utf-8", "Authorization": f"DeepL-Auth-Key {KEY}"}
WEBLATE_TIMEOUT = 5
PLACEABLE = re.compile(r"%\(\w+\)s|%[sd]|\{\w+\}|<br/>")


def weblate_cleanup(text: str) -> tuple[str, dict[str, str]]:
    """`BatchMachineTranslation.cleanup_text` with the XML mixin's escaping and DeepL's replacement."""
    parts, replacements, start = [], {}, 0
    for found in PLACEABLE.finditer(text):
        parts.append(html.escape(text[start:found.start()]))
        placeholder = f'<x id="{found.start()}"></x>'
        replacements[placeholder] = html.escape(found.group())
        parts.append(placeholder)
        start = found.end()
    parts.append(html.escape(text[start:]))
    return "".join(parts), replacements


def weblate_uncleanup(replacements: dict[str, str], text: str) -> str:
    for source, target in replacements.items():
        text = re.sub(re.escape(source), target, text)
    return html.unescape(text)


WEBLATE_SOURCES = [
    "Putin reiste nach Wostotschny, sagte %s.",
    "Der Kreml meldet {count} neue Fälle in Wladiwostok.",
    "Klicken Sie auf %(button)s, um \"Wostotschny\" & den ORF zu sehen.",
    "Kim Jong Un traf Putin <br/> in Wostotschny.",
    "Der Verteidigungsminister sprach mit %d Journalisten.",
] * 4


def test_weblate_sequence_with_placeables_and_a_glossary(server):
    base = server.url + "/v2"
    stale = httpx.post(f"{base}/glossaries", headers=WEBLATE, timeout=WEBLATE_TIMEOUT, json={
        "name": "weblate:7:DE:EN:0123abcd", "source_lang": "DE", "target_lang": "EN", "entries": "Kreml\tKremlin", "entries_format": "tsv",
    })
    assert stale.status_code == 201  # what an earlier glossary of the project left behind
    # is_glossary_supported
    pairs = httpx.get(f"{base}/glossary-language-pairs", headers=WEBLATE, timeout=WEBLATE_TIMEOUT).json()
    assert ("DE", "EN") in {(p["source_lang"].upper(), p["target_lang"].upper()) for p in pairs["supported_languages"]}
    # get_glossaries → list_glossaries
    listed = httpx.get(f"{base}/glossaries", headers=WEBLATE, timeout=WEBLATE_TIMEOUT).json()
    glossaries = {g["name"]: g["glossary_id"] for g in listed["glossaries"]}
    tsv = "\n".join(["Wostotschny\tVostochny", "ORF\tORF", "Verteidigungsminister\tMinister of Defence"])
    name = "weblate:7:DE:EN:9f8e7d6c"
    assert name not in glossaries
    for old_name, glossary_id in glossaries.items():  # stale glossaries of the pair
        if old_name.startswith("weblate:7:DE:EN:"):
            response = httpx.delete(f"{base}/glossaries/{glossary_id}", headers=WEBLATE, timeout=WEBLATE_TIMEOUT)
            assert response.status_code == 204
    assert len(glossaries) + 1 < 1000  # DeepLTranslation.glossary_count_limit: no oldest to delete
    created = httpx.post(f"{base}/glossaries", headers=WEBLATE, timeout=WEBLATE_TIMEOUT, json={
        "name": name, "source_lang": "DE", "target_lang": "EN", "entries": tsv, "entries_format": "tsv",
    })
    created.raise_for_status()
    glossaries = {g["name"]: g["glossary_id"] for g in httpx.get(f"{base}/glossaries", headers=WEBLATE, timeout=WEBLATE_TIMEOUT).json()["glossaries"]}
    assert "weblate:7:DE:EN:0123abcd" not in glossaries
    glossary_id = glossaries[name]
    cleaned = [weblate_cleanup(text) for text in WEBLATE_SOURCES]
    response = httpx.post(f"{base}/translate", headers=WEBLATE, timeout=WEBLATE_TIMEOUT, json={
        "text": [text for text, _ in cleaned], "source_lang": "DE", "target_lang": "EN", "formality": "default",
        "tag_handling": "xml", "ignore_tags": ["x"], "glossary_id": glossary_id,
    })
    response.raise_for_status()
    payload = response.json()
    assert len(payload["translations"]) == 20
    for (sent, replacements), original, answer in zip(cleaned, WEBLATE_SOURCES, payload["translations"]):
        for placeholder in replacements:
            assert answer["text"].count(placeholder) == 1, (sent, answer["text"])  # byte for byte
        final = weblate_uncleanup(replacements, answer["text"])
        for placeable in PLACEABLE.findall(original):
            assert final.count(placeable) == 1, (original, final)
        assert answer["billed_characters"] == len(sent)
    english = [t["text"] for t in payload["translations"]]
    assert all("Vostochny" in english[i] and "Wostotschny" not in english[i] for i in (0, 2, 3))
    assert "ORF" in english[2] and "Minister of Defence" in english[4]


def test_weblate_configuration_check_without_an_en_de_package_is_refused_honestly(server):
    # BatchMachineTranslation.validate_settings: download_languages, then "test" from en to de
    for kind in ("source", "target"):
        response = httpx.get(server.url + "/v2/languages", params={"type": kind}, headers=WEBLATE, timeout=WEBLATE_TIMEOUT)
        assert response.status_code == 200 and response.json()
    response = httpx.post(server.url + "/v2/translate", headers=WEBLATE, timeout=WEBLATE_TIMEOUT, json={
        "text": ["test"], "source_lang": "en", "target_lang": "de", "formality": "default", "tag_handling": "xml", "ignore_tags": ["x"],
    })
    assert response.status_code == 400  # not 401/403/429/456/503, which would put Weblate into a cooldown
    assert "EN→DE is not served here" in response.json()["message"] and "translations" not in response.json()


def test_a_request_whose_client_gave_up_is_still_decoded_and_cached(server):
    # Weblate gives up after 5 s; the server finishes the batch anyway, so the retry is answered from the cache
    import socket
    from urllib.parse import urlsplit

    texts = ["Der Gesandte reiste nach Wostotschny.", "Kim besuchte den Weltraumbahnhof Wostotschny."]
    body = json.dumps({"text": texts, "source_lang": "DE", "target_lang": "EN-GB"}).encode("utf-8")
    before = server.metric("dolmetsch_sentences_total", '{origin="machine"}')
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as raw:
        raw.sendall(
            b"POST /v2/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: DeepL-Auth-Key {KEY}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        )
    deadline = time.monotonic() + 60
    while server.metric("dolmetsch_sentences_total", '{origin="machine"}') < before + len(texts):
        assert time.monotonic() < deadline, "the abandoned request was never decoded"
        time.sleep(0.1)
    retried = httpx.post(server.url + "/v2/translate", headers=headers(), timeout=60, json={"text": texts, "source_lang": "DE", "target_lang": "EN-GB"})
    origins = [s["origin"] for text in retried.json()["dolmetsch"]["texts"] for s in text["sentences"]]
    assert origins == ["cache", "cache"]


# ---------------------------------------------------------------------------------------------
# durability


def test_glossaries_survive_a_restart(home, server):
    restart_home = home / "restart"
    restart_home.mkdir()
    os.symlink(home / "first" / "cache", restart_home / "cache")  # the word-form index is built once
    with running_server(restart_home, *options(home, restart_home / "state")) as first:
        made = translator(first).create_glossary("durable", "DE", "EN", {"Wostotschny": "Vostochny", "Roskosmos": "Roscosmos"})
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=60) == 0
    with running_server(restart_home, *options(home, restart_home / "state")) as second:
        client = translator(second)
        again = client.get_glossary(made.glossary_id)
        assert (again.name, again.entry_count, again.creation_time) == ("durable", 2, made.creation_time)
        english = client.translate_text("Roskosmos startete in Wostotschny.", source_lang="DE", target_lang="EN-GB", glossary=made.glossary_id).text
        assert "Roscosmos" in english and "Vostochny" in english
    assert (restart_home / "state" / "glossaries" / f"{made.glossary_id}.json").is_file()


# ---------------------------------------------------------------------------------------------
# refusals


def test_refusals(server):
    v2 = server.url + "/v2"
    bad_tsv = "Kreml\tKremlin Palace\nPutin\tPutin\nWostotschny Vostochny\n"
    response = httpx.post(f"{v2}/glossaries", headers=headers(), timeout=30, json={
        "name": "bad", "source_lang": "DE", "target_lang": "EN", "entries": bad_tsv, "entries_format": "tsv",
    })
    assert response.status_code == 400 and "line 3" in response.json()["message"]
    bad_csv = 'Kreml,Kremlin\n"Putin,Putin\n'
    response = httpx.post(f"{v2}/glossaries", headers=headers(), timeout=30, json={
        "name": "bad", "source_lang": "DE", "target_lang": "EN", "entries": "Kreml,Kremlin\nKreml,Kremlin Palace\n", "entries_format": "csv",
    })
    assert response.status_code == 400 and "line 2" in response.json()["message"] and "line 1" in response.json()["message"]
    response = httpx.post(f"{v2}/glossaries", headers=headers(), timeout=30, json={
        "name": "bad", "source_lang": "DE", "target_lang": "EN", "entries": bad_csv, "entries_format": "csv",
    })
    assert response.status_code == 400 and "line 2" in response.json()["message"]
    oversized = "\n".join(f"Wort{n}\tword{n}" for n in range(MAX_ENTRIES + 1))
    response = httpx.post(f"{v2}/glossaries", headers=headers(), timeout=30, json={
        "name": "big", "source_lang": "DE", "target_lang": "EN", "entries": oversized, "entries_format": "tsv",
    })
    assert response.status_code == 400 and str(MAX_ENTRIES) in response.json()["message"]
    response = httpx.post(f"{v2}/glossaries", headers=headers(), timeout=30, json={
        "name": "long", "source_lang": "DE", "target_lang": "EN", "entries": "Kreml\t" + "x" * 2000, "entries_format": "tsv",
    })
    assert response.status_code == 400 and "bytes" in response.json()["message"]
    with pytest.raises(deepl.DeepLException, match="DE→EN"):
        translator(server).create_glossary("en-de", "EN", "DE", {"test": "Test"})
    unknown = "00000000-0000-4000-8000-000000000000"
    for response in (
        httpx.get(f"{v2}/glossaries/{unknown}", headers=headers(), timeout=30),
        httpx.get(f"{v2}/glossaries/not-an-id/entries", headers=headers(), timeout=30),
        httpx.delete(f"{v2}/glossaries/{unknown}", headers=headers(), timeout=30),
        httpx.post(f"{v2}/translate", headers=headers(), timeout=30, json={"text": ["Hallo"], "source_lang": "DE", "target_lang": "EN", "glossary_id": unknown}),
    ):
        assert response.status_code == 404 and response.json() == {"message": "Glossary not found"}
    mine = translator(server).create_glossary("mine", "DE", "EN", {"Kreml": "Kremlin"})
    with pytest.raises(deepl.GlossaryNotFoundException):  # another key's glossary does not exist for this one
        translator(server, OTHER_KEY).get_glossary(mine.glossary_id)
    for target in ("FR", "XX", "", "EN-AU"):  # English only as EN, EN-GB or EN-US
        response = httpx.post(f"{v2}/translate", headers=headers(), timeout=30, json={"text": ["Hallo"], "target_lang": target})
        assert response.status_code == 400 and "target_lang" in response.json()["message"]
    for source in ("FR", "DE-AT"):  # a source language is a bare code, as DeepL has it
        response = httpx.post(f"{v2}/translate", headers=headers(), timeout=30, json={"text": ["Hallo"], "source_lang": source, "target_lang": "EN"})
        assert response.status_code == 400 and "source_lang" in response.json()["message"]
    response = httpx.post(f"{v2}/translate", headers=headers(), timeout=30, json={"text": ["Hallo"], "target_lang": "EN", "glossary_id": mine.glossary_id})
    assert response.status_code == 400 and "source_lang" in response.json()["message"]
    response = httpx.post(f"{v2}/translate", headers=headers(), timeout=30, json={"text": ["Hallo"], "target_lang": "EN", "tag_handling": "latex"})
    assert response.status_code == 400
    for wrong in ({}, headers("not-a-key"), {"Authorization": f"Bearer {KEY}"}):
        response = httpx.post(f"{v2}/translate", headers=wrong, timeout=30, json={"text": ["Hallo"], "target_lang": "EN"})
        assert response.status_code == 403 and "message" in response.json()
        assert httpx.get(f"{v2}/glossaries", headers=wrong, timeout=30).status_code == 403
    with pytest.raises(deepl.AuthorizationException):
        translator(server, "not-a-key").translate_text("Hallo", target_lang="EN-GB")
    response = httpx.get(f"{v2}/document", headers=headers(), timeout=30)
    assert response.status_code == 404 and "message" in response.json()


def test_a_batch_is_decoded_glossary_by_glossary():
    """Sentences of requests with different glossaries taken into one batch are decoded apart, each
    group with its own glossary (the decoder is told which), and a failing group fails only its own."""
    import asyncio

    from dolmetsch.serve.batching import Batcher

    calls = []

    def decode(sentences, alternatives, group=None):
        calls.append((group, tuple(sentences)))
        if group == "broken":
            raise RuntimeError("no enforcer")
        return [f"{group}:{s}" for s in sentences]

    async def main():
        batcher = Batcher(decode, len, token_budget=10_000, max_wait=0.5, queue_limit=100)
        batcher.start()
        try:
            waiting = [
                batcher.submit(["Der Kreml schwieg.", "Ja."], 0, "palace"),
                batcher.submit(["Der Kreml schwieg."], 0, "walls"),
                batcher.submit(["Der Kreml schwieg."], 0),
                batcher.submit(["Nein."], 0, "palace"),
                batcher.submit(["Vielleicht."], 0, "broken"),
            ]
            return await asyncio.gather(*waiting, return_exceptions=True)
        finally:
            batcher.stop()

    done = []  # a loop of its own, on a thread of its own: the session's browser keeps one running here
    runner = threading.Thread(target=lambda: done.append(asyncio.run(main())))
    runner.start()
    runner.join()
    palace, walls, server, palace_again, broken = done[0]
    assert palace == ["palace:Der Kreml schwieg.", "palace:Ja."] and palace_again == ["palace:Nein."]
    assert walls == ["walls:Der Kreml schwieg."] and server == ["None:Der Kreml schwieg."]
    assert isinstance(broken, RuntimeError)
    decoded: dict = {}  # however the queue was cut into batches (a loaded machine may cut it sooner)
    for group, sentences in calls:
        decoded.setdefault(group, []).extend(sentences)
    assert {group: sorted(found) for group, found in decoded.items()} == {
        "palace": ["Der Kreml schwieg.", "Ja.", "Nein."], "walls": ["Der Kreml schwieg."],
        None: ["Der Kreml schwieg."], "broken": ["Vielleicht."],
    }  # each decode call holds one glossary's sentences only


# ---------------------------------------------------------------------------------------------
# the parts without a server: markup, merging, reading entries


def test_markup_that_comes_back_byte_for_byte():
    from dolmetsch.serve.deepl import Prepared

    weblate = Prepared.of('Siehe [X1X] &amp; <x id="5"></x>, &quot;dort&quot; <x id="9"/>.', "xml", frozenset({"x"}), "1")
    assert weblate.mode == "text" and weblate.escape
    assert weblate.source == 'Siehe [X1X] & [X2X], "dort" [X3X].'  # a literal [X1X] of the text is not a stand-in
    assert weblate.finish('See [X1X] & [X2X], "there" [X3X] <b>.') == 'See [X1X] &amp; <x id="5"></x>, "there" <x id="9"/> &lt;b&gt;.'
    nested = Prepared.of("Text <code>a <code>b</code> c</code> <!-- n --> mehr <b>fett</b>.", "xml", frozenset({"code"}), "1")
    assert nested.mode == "html" and nested.source == "Text [X1X] [X2X] mehr <b>fett</b>."
    assert nested.tokens == {"[X1X]": "<code>a <code>b</code> c</code>", "[X2X]": "<!-- n -->"}
    page = Prepared.of('<p>Hallo <span class="x"></span> Welt<br/></p>', "html", frozenset(), "1")
    assert page.mode == "html" and page.source == "<p>Hallo [X1X] Welt<br/></p>"  # void elements stay the page's
    assert Prepared.of("Eins. Zwei.", "", frozenset(), "0").mode == "whole"


def test_the_request_glossary_wins_and_each_conflict_is_named():
    from dolmetsch.glossary.model import Entry, Glossary
    from dolmetsch.serve.glossaries import merge

    server = Glossary((
        Entry("Kreml", "Kremlin", "name", forbidden=("Kreml",)),
        Entry("Kreml-Chef", "Kremlin chief", "term"),
        Entry("Wostotschny", "Vostochny", "name", forbidden=("Wostotschny",)),
        Entry("Weltraumbahnhof Wostotschny", "Vostochny Cosmodrome", "name", forbidden=("Vostochny spaceport", "Kremlin Palace")),
        Entry("Putin", "Putin", "name"),
    ))
    uploaded = (Entry("Kreml", "Kremlin Palace"), Entry("Wostotschny", "Vostochny"), Entry("ORF", "ORF", "keep"))
    merged, conflicts = merge(uploaded, server)
    assert [(c.de, c.server_de) for c in conflicts] == [("Kreml", "Kreml"), ("Kreml", "Kreml-Chef")]
    by_de = {e.de: e for e in merged}
    assert by_de["Kreml"].en == "Kremlin Palace" and by_de["ORF"].kind == "keep" and "Putin" in by_de
    assert by_de["Wostotschny"].forbidden == ("Wostotschny",)  # the same rendering: the server's entry, variants and all
    assert by_de["Weltraumbahnhof Wostotschny"].forbidden == ("Vostochny spaceport",)  # never forbid what the request requires
    assert merge(uploaded, None) == (Glossary(uploaded), ())


def test_entries_are_read_as_deepl_reads_them():
    from dolmetsch.serve.glossaries import GlossaryLimits, GlossaryRefused, parse_entries

    assert parse_entries("Kreml\tKremlin\r\n\n ORF \t ORF \n", "tsv") == [("Kreml", "Kremlin", 1), ("ORF", "ORF", 3)]
    assert parse_entries('"Kreml, der","Kremlin"\nPutin,Putin,DE,EN\n', "csv") == [("Kreml, der", "Kremlin", 1), ("Putin", "Putin", 2)]
    for text, fmt, problem in (
        ("Kreml\tKremlin\tx", "tsv", "line 1"), ("a\tb\n\tc", "tsv", "line 2: empty source"),
        ("a,b,fr,en", "csv", "line 1"), ("a\tb\na\tc", "tsv", "line 2: duplicates"), ("", "tsv", "no entries"),
        ("a\tb", "xlsx", "entries_format"), ("a\u0007b\tc", "tsv", "control"),
    ):
        with pytest.raises(GlossaryRefused, match=problem):
            parse_entries(text, fmt)
    with pytest.raises(GlossaryRefused, match="more than 2 entries"):
        parse_entries("a\tb\nc\td\ne\tf", "tsv", GlossaryLimits(entries=2))
