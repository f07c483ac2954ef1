"""Term extraction: glossary proposals from an article, with English suggestions, best first.

`extract.Extractor` runs `candidates.CandidateFinder` (names, adjectives, acronyms, terms found
with the HanTa tagger and wordfreq) and `suggest.Suggester` (exonyms, re-transliteration of
Cyrillic names, the Ding dictionary, the model's rendering). Kept apart from `dolmetsch.glossary`,
which the translation path needs, because it brings HanTa, wordfreq, Babel and Ding with it.
"""
