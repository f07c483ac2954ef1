"""Every installed pair served: the English→German companion package beside German→English,
so Weblate's configuration check (it translates "test" from English to German) is answered by a
real model; the glossary, the memory and the German→English post-edit stay with their own pair.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

httpx = pytest.importorskip("httpx")
deepl = pytest.importorskip("deepl")
libretranslatepy = pytest.importorskip("libretranslatepy")

from conftest import ROOT, TINY_MODEL  # noqa: E402
from test_serve import running_server  # noqa: E402

EN_DE_MODEL = ROOT / "tests" / "fixtures" / "translate-en_de-tiny.argosmodel"
EN_DE_FACTS = ROOT / "tests" / "fixtures" / "tiny_model_en_de_facts.json"
KEY = "pairs-key:fx"


def greedy(source: str) -> str:
    """What the companion model gives for one of its probe sentences (recorded when it was built)."""
    return next(p["greedy"] for p in json.loads(EN_DE_FACTS.read_text(encoding="utf-8"))["probes"] if p["source"] == source)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve-pairs")
    (home / "keys.txt").write_text(KEY + "\n", encoding="utf-8")
    with running_server(home, "--model", str(EN_DE_MODEL), "--api-keys", str(home / "keys.txt"), "--data-dir", str(home / "state")) as running:
        yield running


def test_the_banner_names_every_pair(server):
    assert "en→de (English - German (tiny test model))" in server.log.read_text(encoding="utf-8")


def test_libretranslatepy_sees_and_translates_both_pairs(server):
    api = libretranslatepy.LibreTranslateAPI(server.url, KEY)
    languages = api.languages(timeout=30)
    assert {"code": "de", "name": "German", "targets": ["en"]} in languages
    assert {"code": "en", "name": "English", "targets": ["de"]} in languages
    assert api.translate("Kim visited Russia.", "en", "de", timeout=60) == greedy("Kim visited Russia.")
    english = api.translate("Putin reiste nach Wostotschny.", "de", "en", timeout=60)
    assert "Vostochny" in english  # the glossary still holds on its own pair


def test_auto_takes_the_one_source_served_into_the_target(server):
    response = httpx.post(server.url + "/translate", timeout=60, json={"q": "This is a test.", "source": "auto", "target": "de", "api_key": KEY})
    assert response.status_code == 200
    assert response.json()["translatedText"] == greedy("This is a test.")
    assert response.json()["detectedLanguage"]["language"] == "en"
    detected = httpx.post(server.url + "/detect", timeout=30, data={"q": "Das ist ein Satz, der auf Deutsch geschrieben ist.", "api_key": KEY}).json()
    assert [d["language"] for d in detected] == ["de", "en"]
    detected = httpx.post(server.url + "/detect", timeout=30, data={"q": "This is a test.", "api_key": KEY}).json()
    assert [d["language"] for d in detected] == ["en", "de"]  # the most likely first


def test_another_pair_gets_no_glossary_and_no_german_to_english_post_edit(server):
    # the German→English post-edit would rewrite the German quotes „…“ into English ones
    source = "Kim: “Always support Putin's decisions”"
    response = httpx.post(server.url + "/translate", timeout=60, json={"q": source, "source": "en", "target": "de", "api_key": KEY})
    assert response.status_code == 200
    german = response.json()["translatedText"]
    assert german == "Kim: „Entscheidungen von Putin immer unterstützen“", german  # learnt verbatim (ARTICLE_PAIRS, turned round)
    assert response.json()["dolmetsch"]["sentences"][0]["terms"] == []  # "Putin" is a glossary term of de→en only


def test_the_cache_keeps_pairs_apart(server):
    def ask(source: str, target: str) -> dict:
        body = {"q": "Test", "source": source, "target": target, "api_key": KEY}
        return httpx.post(server.url + "/translate", timeout=60, json=body).json()["dolmetsch"]["sentences"][0]

    assert ask("en", "de")["translation"] == "Test"
    again = ask("en", "de")
    assert again["origin"] == "cache"
    assert ask("de", "en")["origin"] == "machine"  # the same sentence, another pair: decoded, not the cached German


# Weblate's configuration check, weblate/machinery/base.py at WeblateOrg/weblate commit
# db58819b5f1e06230b89e1816038662d6c42786a: `BatchMachineTranslation.validate_settings` calls
# `download_languages` and then translates "test" from "en" to "de"; any error refuses the settings.
# The DeepL machinery (weblate/machinery/deepl.py, commit 01c5add9a741963306778566dce8069d66ec68d9)
# reads /v2/languages for both types and POSTs the text XML-escaped with tag_handling "xml"; the
# LibreTranslate machinery (weblate/machinery/libretranslate.py) GETs /languages and POSTs `q` as a list.
WEBLATE_DEEPL = {"Referer": "https://weblate.example/", "Accept": "application/json; charset=utf-8", "Authorization": f"DeepL-Auth-Key {KEY}"}


def test_weblate_deepl_configuration_check_passes(server):
    base = server.url + "/v2"
    sources = httpx.get(base + "/languages", params={"type": "source"}, headers=WEBLATE_DEEPL, timeout=5).json()
    targets = httpx.get(base + "/languages", params={"type": "target"}, headers=WEBLATE_DEEPL, timeout=5).json()
    assert {"EN", "DE"} <= {s["language"] for s in sources}
    assert {"DE", "EN-GB", "EN-US"} <= {t["language"] for t in targets}
    response = httpx.post(base + "/translate", headers=WEBLATE_DEEPL, timeout=5, json={
        "text": ["test"], "source_lang": "en", "target_lang": "de", "formality": "default", "tag_handling": "xml", "ignore_tags": ["x"],
    })
    assert response.status_code == 200
    [translation] = response.json()["translations"]
    assert translation["text"] == greedy("test") == "Test"
    assert translation["detected_source_language"] == "EN" and translation["billed_characters"] == 4


def test_weblate_libretranslate_configuration_check_passes(server):
    codes = [x["code"] for x in httpx.get(server.url + "/languages", timeout=20).json()]
    assert "en" in codes and "de" in codes
    response = httpx.post(server.url + "/translate", timeout=20, json={"api_key": KEY, "q": ["test"], "source": "en", "target": "de"})
    assert response.status_code == 200 and response.json()["translatedText"] == ["Test"]


def test_official_deepl_client_translates_into_german(server):
    client = deepl.Translator(KEY, server_url=server.url)
    assert {"DE", "EN"} <= {l.code for l in client.get_source_languages()}
    assert "DE" in {l.code for l in client.get_target_languages()}
    result = client.translate_text("This is a test.", source_lang="EN", target_lang="DE")
    assert result.text == greedy("This is a test.") and result.detected_source_lang == "EN"
    unnamed = client.translate_text("Hello", target_lang="DE")  # no source: the one served into German
    assert unnamed.text == greedy("Hello") and unnamed.detected_source_lang == "EN"


def test_a_glossary_is_refused_for_another_pair(server):
    client = deepl.Translator(KEY, server_url=server.url)
    glossary = client.create_glossary("pairs", "DE", "EN", {"Wostotschny": "Vostochny"})
    with pytest.raises(deepl.DeepLException, match="DE→EN"):
        client.translate_text("This is a test.", source_lang="EN", target_lang="DE", glossary=glossary.glossary_id)  # an id: the client checks an object itself


# ---------------------------------------------------------------------------------------------
# which packages are served


def serve(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from dolmetsch.cli import main; main()", "serve", "--offline", "--port", "0", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_two_packages_for_one_pair_are_refused():
    done = serve("--model", str(TINY_MODEL), "--model", str(TINY_MODEL))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"dolmetsch: error: {TINY_MODEL}: translates de→en, as {TINY_MODEL} does: give one package per pair"]


def test_a_server_without_german_to_english_is_refused():
    done = serve("--model", str(EN_DE_MODEL))
    assert done.returncode == 2
    assert "none of the --model packages translates de→en" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_without_model_every_installed_pair_is_served(isolated_argos):
    from dolmetsch.models.install import install_from_file
    from dolmetsch.serve.engine import served_packages

    install_from_file(EN_DE_MODEL)
    install_from_file(TINY_MODEL)
    served = served_packages([], offline=True)
    assert [package.codes for _, package in served] == [("de", "en"), ("en", "de")]
    assert all(given is None for given, _ in served)


def test_auto_among_several_sources_takes_german_where_the_text_looks_german():
    from dolmetsch.serve.app import ApiError, _likely_source

    pairs = [("de", "en"), ("fr", "en"), ("en", "de")]
    assert _likely_source(pairs, "en", ["Das ist ein Satz, der auf Deutsch geschrieben ist."]) == "de"
    assert _likely_source(pairs, "en", ["Ceci est une phrase."]) == "fr"  # the only other source into English
    assert _likely_source(pairs, "de", ["Ceci est une phrase."]) == "en"  # the only source into German
    with pytest.raises(ApiError, match="Cannot tell which of es, fr"):
        _likely_source([*pairs, ("es", "en")], "en", ["Una frase corta."])


def test_of_several_installed_packages_for_one_pair_the_newest_is_served(isolated_argos):
    import shutil

    from dolmetsch.models.install import install_from_file
    from dolmetsch.models.package import installed_packages
    from dolmetsch.serve.engine import served_packages

    install_from_file(TINY_MODEL)
    older = install_from_file(EN_DE_MODEL).package.path
    # as argospm may leave several versions side by side; the newest neither first nor last by name
    shutil.copytree(older, older.with_name("a-older"))
    newer = older.with_name("b-newer")
    shutil.copytree(older, newer)
    metadata = json.loads((newer / "metadata.json").read_text(encoding="utf-8"))
    (newer / "metadata.json").write_text(json.dumps({**metadata, "package_version": "9.0"}), encoding="utf-8")
    assert [p.path.name for p in installed_packages() if p.codes == ("en", "de")] == ["a-older", "b-newer", older.name]
    [_, (_, served)] = served_packages([], offline=True)
    assert served.path == newer
