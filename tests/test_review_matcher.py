"""The review page matches glossary terms with the run's one matcher, the enforcer's."""

from __future__ import annotations

from dolmetsch.enforce.strategies import GlossaryEnforcer
from dolmetsch.glossary.matcher import GlossaryMatcher
from dolmetsch.glossary.model import Entry, Glossary
from dolmetsch.review import view


def test_the_page_uses_the_enforcers_matcher_and_its_word_keys():
    glossary = Glossary((Entry("Bundeskanzler", "Federal Chancellor"), Entry("Außenministerin", "Foreign Minister")))
    enforcer = GlossaryEnforcer(glossary)
    assert view._matcher(glossary) is enforcer.matcher
    sentence = "Der Bundeskanzler traf die Außenministerin."
    found = enforcer.matcher.match(sentence)
    looked_up = enforcer.matcher._keys.cache_info().misses
    assert view._matcher(glossary).match(sentence) == found == GlossaryMatcher(glossary).match(sentence)
    assert enforcer.matcher._keys.cache_info().misses == looked_up  # every word's keys already known


def test_each_glossary_has_its_own_matcher():
    first, second = Glossary((Entry("Kanzler", "chancellor"),)), Glossary((Entry("Kanzler", "chancellor"),))
    assert view._matcher(first) is view._matcher(first)
    assert view._matcher(first) is not view._matcher(second)
    assert view._matcher(None) is None
