"""LibreTranslate's real clients against `dolmetsch serve`, started for real: each unchanged, each
ignoring the extra `dolmetsch` field of the answers."""

from __future__ import annotations

import re

import pytest

httpx = pytest.importorskip("httpx")
libretranslatepy = pytest.importorskip("libretranslatepy")

from test_serve import running_server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve-clients"), "--max-wait-ms", "5") as running:
        yield running


def test_libretranslatepy_translate_languages_detect(server):
    api = libretranslatepy.LibreTranslateAPI(server.url)
    english = api.translate("Putin reiste nach Wostotschny.", "de", "en", timeout=60)
    assert "Vostochny" in english and "Wostotschny" not in english
    languages = api.languages(timeout=30)
    assert {"code": "de", "name": "German", "targets": ["en"]} in languages
    assert api.detect("Das ist ein Satz, der auf Deutsch geschrieben ist.", timeout=30)[0]["language"] == "de"


# Weblate's LibreTranslate machinery, weblate/machinery/libretranslate.py at WeblateOrg/weblate
# commit 191178643327b18dd2a1d668c99792b33db8d2fa (Weblate 5): `download_multiple_translations`
# POSTs `json={"api_key": ..., "q": texts, "source": ..., "target": ...}` with a
# `request_timeout = 20` and reads `payload["translatedText"][index]`; `download_languages` GETs
# /languages and reads each "code". weblate/machinery/base.py replaces placeables by
# `replacement_start + n + replacement_end` = "[X<n>X]" before sending and sends up to
# `batch_size = 20` strings at once; its requests carry `Accept: application/json; charset=utf-8`.
WEBLATE_HEADERS = {"Accept": "application/json; charset=utf-8", "Referer": "https://weblate.example/"}


def test_weblate_request_shape_with_placeables(server):
    codes = [x["code"] for x in httpx.get(server.url + "/languages", headers=WEBLATE_HEADERS, timeout=20).json()]
    assert "de" in codes and "en" in codes
    texts = [
        f"Der Kreml meldet [X{n}X] neue Fälle in Wladiwostok." if n % 2 else f"Klicken Sie auf [X{n}X], um Putin zu [X{n + 100}X] sehen."
        for n in range(20)
    ]
    response = httpx.post(
        server.url + "/translate", headers=WEBLATE_HEADERS, timeout=20,
        json={"api_key": "", "q": texts, "source": "de", "target": "en"},
    )
    response.raise_for_status()
    translated = response.json()["translatedText"]
    assert len(translated) == 20
    for german, english in zip(texts, translated):
        for token in re.findall(r"\[X\d+X\]", german):
            assert english.count(token) == 1, (german, english)
    assert all("Wladiwostok" not in english for english in translated[1::2])


def test_omegat_get_with_a_query_string(server):
    # OmegaT's LibreTranslate plugin sends GET /translate?q=…&source=…&target=… (LibreTranslate answers 405)
    response = httpx.get(
        server.url + "/translate", params={"q": "Kim Jong Un reiste nach Wladiwostok.", "source": "de", "target": "en"}, timeout=20
    )
    assert response.status_code == 200
    assert "Vladivostok" in response.json()["translatedText"]
