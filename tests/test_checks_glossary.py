"""The glossary check and English inflection: plurals of a term's head noun and possessives satisfy the entry."""

from __future__ import annotations

import pytest

from dolmetsch.checks import CheckContext, run_checks, select_checks
from dolmetsch.translation import ReviewedSegment
from dolmetsch.glossary import Entry, Glossary
from dolmetsch.glossary.constraints import forbidden_found, plural_forms, plural_rendering, rendering_present
from dolmetsch.glossary.matcher import GlossaryMatcher

HEAD_OF_STATE = Entry("Staatschef", "head of state", "term")
SPOKESMAN = Entry("Präsidialamtssprecher", "Kremlin spokesman", "term")
WAR = Entry("Angriffskrieg", "war of aggression", "term", forbidden=("war of attack",))
DELIVERY = Entry("Waffenlieferung", "arms delivery", "term")
MEDIA = Entry("US-Medien", "US media", "term")


@pytest.mark.parametrize(
    "entry, english",
    [
        (HEAD_OF_STATE, "The two heads of state met."),
        (HEAD_OF_STATE, "Heads of state met."),  # sentence start
        (HEAD_OF_STATE, "the head of state's health"),
        (HEAD_OF_STATE, "the head of state’s health"),
        (SPOKESMAN, "two Kremlin spokesmen"),
        (SPOKESMAN, "the Kremlin spokesmen's briefing"),
        (WAR, "wars of aggression"),
        (DELIVERY, "arms deliveries"),
        (DELIVERY, "the arms delivery"),
        (MEDIA, "US media reported"),
    ],
)
def test_plurals_and_possessives_of_a_rendering_satisfy_the_entry(entry, english):
    assert rendering_present(entry, english)


@pytest.mark.parametrize(
    "entry, english",
    [
        (HEAD_OF_STATE, "the head of states met"),  # the head noun takes the plural, not the last word
        (HEAD_OF_STATE, "the heads of states met"),
        (HEAD_OF_STATE, "the headship of state"),
        (SPOKESMAN, "two Kremlin spokesmans"),
        (WAR, "war of aggressions"),
    ],
)
def test_wrong_plurals_do_not(entry, english):
    assert not rendering_present(entry, english)


def test_names_are_not_inflected():
    assert not rendering_present(Entry("Putin", "Putin", "name"), "two Putins")
    assert rendering_present(Entry("Putin", "Putin", "name"), "Putin's visit")


def test_plural_rendering_inflects_the_head_noun_of_terms_only():
    assert plural_rendering(HEAD_OF_STATE) == "heads of state"
    assert plural_rendering(SPOKESMAN) == "Kremlin spokesmen"
    assert plural_rendering(DELIVERY) == "arms deliveries"
    assert plural_rendering(MEDIA) == "US media"  # already plural
    assert plural_rendering(Entry("Putin", "Putin", "name")) == "Putin"
    assert plural_rendering(Entry("ORF", "ORF", "keep")) == "ORF"
    assert plural_forms("carrier rocket")[0] == "carrier rockets"


def test_a_forbidden_variant_inside_a_plural_rendering_is_not_reported():
    inside = Entry("Kreml-Chef", "Kremlin chief", "term", forbidden=("chief",))
    assert forbidden_found(inside, "the Kremlin chiefs met") == []
    assert forbidden_found(inside, "the chiefs met") == []  # forbidden variants match as written
    assert forbidden_found(inside, "the chief met") == ["chief"]


def test_the_glossary_check_accepts_heads_of_state():
    """The case that was wrongly flagged: „Die beiden Staatschefs“ → "the two heads of state"."""
    matcher = GlossaryMatcher(Glossary((HEAD_OF_STATE,)))
    segment = ReviewedSegment("Die beiden Staatschefs trafen sich.", "The two heads of state met.", "a.po:3")
    assert run_checks([segment], CheckContext(glossary=matcher), select_checks(["glossary"])) == []
    wrong = ReviewedSegment("Die beiden Staatschefs trafen sich.", "The two leaders met.", "a.po:3")
    (finding,) = run_checks([wrong], CheckContext(glossary=matcher), select_checks(["glossary"]))
    assert finding.check == "glossary" and "'head of state'" in finding.message
