"""The bilingual glossary: curated TSV files, lint, TBX exchange, and matching German text.

`Glossary.load(paths)` reads `glossary/*.tsv`; `checks.check(glossary)` lints it;
`GlossaryMatcher(glossary).match(sentence)` finds entries in German text (inflection-aware);
`constraints` checks an English rendering against the matched entries.
"""

from dolmetsch.glossary.model import Entry, Glossary

__all__ = ["Entry", "Glossary"]
