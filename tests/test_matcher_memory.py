"""What the glossary matcher keeps in memory between sentences, and what it spares."""

from __future__ import annotations

from dolmetsch.glossary import wordforms
from dolmetsch.glossary.matcher import GlossaryMatcher, word_keys
from dolmetsch.glossary.model import Entry, Glossary


def test_the_matcher_keeps_only_the_keys_its_entries_have():
    matcher = GlossaryMatcher(Glossary((Entry("Kreml", "Kremlin"), Entry("Wladimir Putin", "Vladimir Putin"))))
    assert [m.text for m in matcher.match("Wladimir Putins Kreml lud den Gast ein.")] == ["Wladimir Putins", "Kreml"]
    assert matcher._keys("Gast") == ()  # no entry word has any of its keys: the cache holds no set for it
    assert set(matcher._keys("Putins")) == {"putin"} < word_keys("Putins")


def test_simplemmas_own_memo_stays_small():
    """The matcher remembers each word's keys; simplemma need not remember every lemma a second time."""
    assert wordforms.german_lemmatizer()._cached_lemmatize.cache_info().maxsize == wordforms.LEMMA_CACHE_SIZE <= 4096


def test_a_sentence_is_matched_once_while_the_memo_has_room(monkeypatch):
    matcher = GlossaryMatcher(Glossary((Entry("Kreml", "Kremlin"),)), sentence_memo_size=2)
    matched, real = [], matcher._match
    monkeypatch.setattr(matcher, "_match", lambda text: matched.append(text) or real(text))
    sentences = ["Im Kreml.", "Vor dem Kreml.", "Ohne Begriff."]
    first = [matcher.match(s) for s in sentences]
    assert [matcher.match(s) for s in sentences] == first and [m.text for m in first[0]] == ["Kreml"]
    assert matched == [*sentences, "Ohne Begriff."]  # the first two kept, the third (no room) matched again
    first[0].clear()
    assert [m.text for m in matcher.match("Im Kreml.")] == ["Kreml"]  # a caller's list is its own
