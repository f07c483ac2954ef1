"""Sentence spans remembered between runs: an unchanged text is never split by SoMaJo again."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE
from dolmetsch.document import sentence_memo as memo_module
from dolmetsch.document import sentences
from dolmetsch.document.sentence_memo import SentenceMemo, memo_name

PARAGRAPH = EXAMPLE.read_text(encoding="utf-8").split("\n\n")[3]


@pytest.fixture
def fresh_memo(tmp_path, monkeypatch):
    """split_sentences with a memo of its own in `tmp_path`."""
    memo = SentenceMemo(tmp_path / "memo.sqlite")
    monkeypatch.setattr(sentences, "sentence_memo", lambda: memo)
    return memo


def test_a_text_split_once_is_not_split_again(fresh_memo, tmp_path, monkeypatch):
    spans = sentences.split_sentences(PARAGRAPH)
    assert len(spans) > 1
    again = SentenceMemo(tmp_path / "memo.sqlite")  # as a later run opens it
    monkeypatch.setattr(sentences, "sentence_memo", lambda: again)

    def never(*args):
        raise AssertionError("SoMaJo ran for a text split before")

    monkeypatch.setattr(sentences, "_somajo_sentences", never)
    assert sentences.split_sentences(PARAGRAPH) == spans
    with pytest.raises(AssertionError):
        sentences.split_sentences(PARAGRAPH + " Neu.")  # a changed text is split afresh


def test_an_unusable_cache_only_means_splitting_again(fresh_memo, tmp_path, monkeypatch):
    expected = sentences.split_sentences(PARAGRAPH)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    broken = SentenceMemo(tmp_path / "file" / "memo.sqlite")
    monkeypatch.setattr(sentences, "sentence_memo", lambda: broken)
    broken.put(PARAGRAPH, expected)
    assert broken.get(PARAGRAPH) is None
    assert sentences.split_sentences(PARAGRAPH) == expected


def test_the_memo_is_per_somajo_release_and_rules(monkeypatch, tmp_path):
    from importlib.metadata import version

    name = memo_name()
    assert name.startswith(f"somajo-{version('SoMaJo')}-rules-")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    memo_module.sentence_memo.cache_clear()
    try:
        assert memo_module.sentence_memo().path == tmp_path / "dolmetsch" / "sentences" / name
    finally:
        memo_module.sentence_memo.cache_clear()
