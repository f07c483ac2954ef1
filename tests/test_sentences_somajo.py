"""SoMaJo as the sentence splitter builds it: the emoji step skipped on tokens without emoji changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from somajo import SoMaJo

from dolmetsch.document import sentences

CASES = Path(__file__).parent / "data" / "german_sentence_cases.tsv"
TEXTS = [
    "Das ist gut 😀. Wirklich 👍🏽!",
    "Familie 👨‍👩‍👧 und Herz ❤️ am Ende.",
    "Ein Zeichen ☺ ohne Auswahl, eins mit ☺️ und ein Text-Stil ☺︎ danach.",
    "Flaggen 🇩🇪🇺🇦 und Tasten 1️⃣ #️⃣ sowie © ® ™ im Satz.",
    "Nur ein Variantenwähler\ufe0f ohne Zeichen davor.",
    "Smileys :-) und :D und <3 bleiben Emoticons. Danach ein Satz.",
    "Keine Emojis hier. Der 2. Weltkrieg endete 1945. Die Fans jubelten.",
]


def tokens(tokenizer: SoMaJo, text: str) -> list:
    return [
        [(t.text, t.token_class, t.original_spelling, t.space_after, t.first_in_sentence, t.last_in_sentence) for t in sentence]
        for sentence in tokenizer.tokenize_text([text])
    ]


@pytest.fixture(scope="module")
def plain() -> SoMaJo:
    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True)


@pytest.fixture(scope="module")
def skipping() -> SoMaJo:
    tokenizer = SoMaJo("de_CMC", split_camel_case=False, split_sentences=True)
    sentences._skip_emoji_search_without_emoji(tokenizer)
    return tokenizer


def test_the_splitters_tokenizer_skips_the_emoji_step():
    assert "_split_emojis" in vars(sentences.somajo_tokenizer()._tokenizer)


@pytest.mark.parametrize("text", TEXTS + [row.split("\t")[0] for row in CASES.read_text(encoding="utf-8").splitlines()[1:] if row])
def test_skipping_the_emoji_step_without_emoji_gives_the_same_tokens(plain, skipping, text):
    assert tokens(skipping, text) == tokens(plain, text)


def test_emoji_are_still_found(skipping):
    found = [t[0] for sentence in tokens(skipping, TEXTS[0]) for t in sentence if t[1] == "emoticon"]
    assert found == ["😀", "👍🏽"]
