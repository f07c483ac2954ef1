"""An optional German–English dictionary: Ding (Debian's `trans-de-en`, /usr/share/trans/de-en).

Ding lines read `German | German :: English | English`: the `|`-separated parts correspond, each
part lists synonyms separated by `;`, and annotations follow in braces ({m} gender, {adj}),
brackets ([pol.]), parentheses, slashes (/USA/) or angle brackets. When a German synonym and its
English both end in a parenthesis holding a name (Nordkorea (Demokratische Volksrepublik Korea)
:: North Korea (Democratic People's Republic of Korea)), the two parentheses are an entry too.
A headword's senses come from the lines where it is the main headword first (the first synonym
of the first part, not marked plural-only), fuller entries (those listing inflected forms as
further parts) first.

The file is 25 MB; indexing all of it takes seconds, so `prefetch` reads it once (half a second)
for the words a caller will need, and `lookup` reads it again only for a word not prefetched. Nothing needs the dictionary; when it is absent its suggestions are missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DING_PATH = Path("/usr/share/trans/de-en")
ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|/[^/]*/|<[^>]*>")
NOT_PARENTHESIS = re.compile(r"\{[^}]*\}|\[[^\]]*\]|/[^/]*/|<[^>]*>")
GENDER = re.compile(r"\{([mfn])\}")
PARENTHESIS = re.compile(r"\(([^()]*)\)\s*$")
LEADING_ARTICLE = re.compile(r"^(der|die|das|the|to|a|an) ", re.IGNORECASE)


@dataclass(frozen=True)
class Sense:
    """The English of one German headword, best first, and the German's grammatical gender if given."""

    english: tuple[str, ...]
    gender: str | None = None


@dataclass
class DingDictionary:
    path: Path = DING_PATH
    _found: dict[str, list[tuple[tuple[int, int], tuple[str, ...], str | None]]] = field(default_factory=dict, repr=False)
    _fetched: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def available(cls, path: Path = DING_PATH) -> "DingDictionary | None":
        return cls(Path(path)) if Path(path).is_file() else None

    def prefetch(self, words: Iterable[str]) -> None:
        """Read the file once for all of `words` not looked up yet."""
        wanted = {w for w in words if w and w not in self._fetched}
        if not wanted:
            return
        first_words = {w.split()[0] for w in wanted}
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                german, separator, english = line.rstrip("\n").partition(" :: ")
                if separator and not first_words.isdisjoint(german.replace("(", " ").replace(";", " ").split()):
                    self._add(german, english, wanted)
        self._fetched |= wanted

    def lookup(self, german: str) -> Sense | None:
        self.prefetch([german])
        found = self._found.get(german)
        if not found:
            return None
        senses: list[str] = []
        gender = None
        for _, english, sense_gender in sorted(found, key=lambda item: item[0]):
            senses.extend(e for e in english if e not in senses)
            gender = gender or sense_gender
        return Sense(tuple(senses), gender)

    def _add(self, german: str, english: str, wanted: set[str]) -> None:
        german_parts, english_parts = german.split(" | "), english.split(" | ")
        if len(german_parts) == len(english_parts):
            pairs = list(zip(german_parts, english_parts))
        else:
            pairs = [(german_parts[0], english_parts[0])]
        for part_index, (german_part, english_part) in enumerate(pairs):
            senses = tuple(s for s in (clean(e) for e in english_part.split("; ")) if s)
            if not senses:
                continue
            for synonym_index, synonym in enumerate(german_part.split("; ")):
                main = part_index == 0 and synonym_index == 0 and "{pl}" not in synonym
                rank = (0 if main else 1 + part_index, -len(pairs))
                headword = clean(synonym)
                if headword in wanted:
                    gender = GENDER.search(synonym)
                    self._found.setdefault(headword, []).append((rank, senses, gender.group(1) if gender else None))
                inner_de = PARENTHESIS.search(NOT_PARENTHESIS.sub("", synonym).strip())
                inner_en = PARENTHESIS.search(NOT_PARENTHESIS.sub("", english_part.split("; ")[0]).strip())
                if inner_de and inner_en and inner_de.group(1)[:1].isupper() and inner_en.group(1)[:1].isupper():
                    inner = clean(inner_de.group(1))
                    if inner in wanted:
                        self._found.setdefault(inner, []).append((rank, (clean(inner_en.group(1)),), None))


def clean(text: str) -> str:
    """A headword or sense without annotations, leading article or typographic apostrophe."""
    text = " ".join(ANNOTATION.sub(" ", text).split())
    text = LEADING_ARTICLE.sub("", text)
    return text.replace("’", "'").strip(" ,.")
