"""The bilingual glossary: curated TSV files, lint, TBX exchange, matching German text, enforcement.

`load_glossary(paths)` reads `glossary/*.tsv` (or TBX); `checks.check(glossary)` lints it;
`GlossaryMatcher(glossary).match(sentence)` finds entries in German text (inflection-aware);
`constraints` checks an English rendering against the matched entries; `align` finds where a
term renders in a hypothesis; `enforce` makes the decoder honour the glossary. Term extraction lives apart, in `dolmetsch.terms`.
"""

from dolmetsch.glossary.loading import applicable_glossaries, load_enforced, load_glossary
from dolmetsch.glossary.model import Entry, Glossary

__all__ = ["Entry", "Glossary", "applicable_glossaries", "load_enforced", "load_glossary"]
