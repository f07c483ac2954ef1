"""The bilingual glossary: curated TSV files, lint, TBX exchange, matching German text, word forms.

`load_glossary(paths)` reads `glossary/*.tsv` (or TBX); `lint.check(glossary)` lints it;
`GlossaryMatcher(glossary).match(sentence)` finds entries in German text (inflection-aware);
`constraints` judges an English rendering against the matched entries (the review checks use it
too). Nothing here loads the engine: decode-time enforcement is `dolmetsch.enforce`, term
extraction `dolmetsch.terms`.
"""

from dolmetsch.glossary.loading import applicable_glossaries, load_enforced, load_glossary
from dolmetsch.glossary.model import Entry, Glossary

__all__ = ["Entry", "Glossary", "applicable_glossaries", "load_enforced", "load_glossary"]
