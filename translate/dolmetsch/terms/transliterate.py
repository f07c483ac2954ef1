"""Russian, Ukrainian and Belarusian names from German spelling to the spelling English news uses.

German news writes Cyrillic names in the German transliteration (Duden, *Die deutsche
Rechtschreibung*, transcription tables for Russian and Ukrainian, as dpa, APA and ORF apply them):
Wladimir, Wostotschny, Koslow, Selenskyj. English news writes them in BGN/PCGN romanisation
(BGN/PCGN *Romanization of Russian*, 1947) with the simplifications Reuters, AP and BBC apply, and
Ukrainian names in Ukraine's national system (Cabinet of Ministers Resolution No. 55, 2010, adopted
by BGN/PCGN in 2019): Vladimir, Vostochny, Kozlov, Kharkiv.

Going straight from German letters to English letters loses information, because German
transliteration merges Cyrillic letters: `s` is с or з (Sergej/Selenskyj, Maslow/Koslow), `sch` is
ш or ж (Schoigu/Schukow), a final `i` is и or ий (Nowosti/Dmitri), an `o` after `sch`/`tsch` is о or
ё (Gorbatschow). So the German form is turned back into every Cyrillic spelling it can stand for
(`cyrillic_candidates`, the Duden table inverted), the one most frequent in a Russian or Ukrainian
word list (wordfreq) is taken, and that is romanised forward (`romanise`). Rules, German → Cyrillic:

    w → в   s → с/з (ss → с)   sch → ш/ж   tsch → ч   schtsch → щ   ch → х   z → ц   x → кс
    ja/ju/je/jo → я/ю/е/ё (ья, ью, ье after a consonant)   j → й   y → ы (Ukrainian и)
    final i → и/ий, final y → ы/ый, -ij/-yj → -ий/-ый   Ukrainian: h → г, i → і, ji → ї, je → є

Cyrillic → English (BGN/PCGN, news style; Ukrainian national 2010):

    в v   ж zh   з z   х kh   ц ts   ч ch   ш sh   щ shch   ы y   ь ъ dropped   ю yu   я ya
    е ye at the start and after a vowel (e after и: Dmitriev), else e; ё yo, e after ж ч ш щ
    й y before a vowel (none before я ю е ё: Maya), i after а/е/у (Sergei, Nikolai) or before a
    consonant (Shoigu), y after о (Tolstoy)
    -ий/-ый → -y (Dmitry, Vostochny, Zhirinovsky); final -ия → -ia (Maria, Yulia)
    Ukrainian: г h, и y, і i, ї yi/i, є ye/ie, ю yu/iu, я ya/ia, й y/i (initial forms first), зг zgh

Names whose established English spelling departs from the rules (a person's own choice, a
cultural tradition: Zelensky, Klitschko, Yuri, Alexander) are listed in `ESTABLISHED`.

Whether a German name is of Cyrillic origin at all is decided by `cyrillic_evidence`: letter
patterns German does not have (`-ow`, `-ew`, `-enko`, `-itsch`, `-ij`, `-ej`, `tsch`, `schtsch`,
`j` after a consonant, `Wl-`), patterns that mark a German or other Latin-script name (umlauts,
`ck`, `tz`, `ph`, `th`, `c`, `-mann`, `-er`), and whether the name is far more frequent in Russian
or Ukrainian text than in German text (Peskow/Песков) — so Schmidt, Scholz, Wagner, Pankow, Watson
and Xi Jinping stay as they are.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

RUSSIAN, UKRAINIAN = "ru", "uk"
LANGUAGES = (RUSSIAN, UKRAINIAN)
"""Belarusian names reach German and English news in their Russian form (Lukaschenko → Lukashenko),
so they go through the Russian tables; names whose bearers chose a Belarusian spelling are in ESTABLISHED."""

VOWELS = frozenset("aeiouyäöü")
CYRILLIC_VOWELS = frozenset("аеёиоуыэюяієї")
HUSHERS = frozenset("жчшщ")
MAX_CANDIDATES = 2048
"""Bound on the Cyrillic spellings tried for one word (each ambiguity doubles them)."""

CYRILLIC_THRESHOLD = 2.0
"""Evidence from which a name is taken to be of Cyrillic origin (see `cyrillic_evidence`)."""

ESTABLISHED: tuple[tuple[str, str, str], ...] = (
    # (Cyrillic or German form, English, why) — spellings English news uses instead of the rule's output.
    ("Юрий", "Yuri", "AP/Reuters/BBC write Yuri (Yuri Gagarin), not the rule's Yury"),
    ("Александр", "Alexander", "the English given name, as Reuters, AP and BBC write it (not Aleksandr)"),
    ("Alexander", "Alexander", "German and English share the given name (Russian Александр)"),
    ("Алексей", "Alexei", "Reuters, AP and BBC: Alexei (Navalny), not Aleksei"),
    ("Александра", "Alexandra", "the English given name"),
    ("Максим", "Maxim", "Reuters, AP and BBC: Maxim, not Maksim"),
    ("Зеленский", "Zelensky", "BBC and Guardian spelling of the Ukrainian president (AP: Zelenskyy)"),
    ("Зеленський", "Zelensky", "BBC and Guardian spelling of the Ukrainian president (AP: Zelenskyy)"),
    ("Кличко", "Klitschko", "the brothers' own spelling, used by all English news"),
    ("Владимир Кличко", "Wladimir Klitschko", "the boxer's own spelling"),
    ("Володимир Кличко", "Wladimir Klitschko", "the boxer's own spelling"),
    ("Виталий", "Vitali", "Vitali Klitschko's own spelling"),
    ("Віталій", "Vitali", "Vitali Klitschko's own spelling"),
    ("Чайковский", "Tchaikovsky", "the composer's established English spelling"),
    ("Тихановская", "Tsikhanouskaya", "her own Belarusian-based spelling, used by English news"),
    ("Светлана Тихановская", "Sviatlana Tsikhanouskaya", "her own Belarusian-based spelling"),
)


@dataclass(frozen=True)
class Evidence:
    """How strongly a word looks like a German transliteration of a Cyrillic name, and why."""

    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Romanised:
    """A name in English spelling, with the Cyrillic it was read as and how sure that is."""

    german: str
    english: str
    cyrillic: str
    language: str
    evidence: Evidence
    alternatives: tuple[str, ...] = ()
    established: str = ""
    """Why ESTABLISHED overrode the rule, when it did."""

    @property
    def changed(self) -> bool:
        return self.english != self.german


# --- evidence ----------------------------------------------------------------------------------

POSITIVE_PATTERNS: tuple[tuple[str, float, str], ...] = (
    (r"(ow|ew|jew|ow[ae]|ew[ae]|jew[ae])$", 2, "ending -ow/-ew"),
    (r"(itsch|ytsch|owna|ewna)$", 2, "ending -itsch/-owna"),
    (r"enko$", 2, "ending -enko"),
    (r"(ij|yj)$", 2, "ending -ij/-yj"),
    (r"[aeou]j$", 2, "ending -ej/-aj/-oj"),
    (r"(skaja|zkaja|skij|zkij)$", 2, "ending -skaja/-skij"),
    (r"(ski|zki)$", 1, "ending -ski"),
    (r"(tschuk|juk|tschenko)$", 2, "Ukrainian ending -tschuk/-juk"),
    (r"[ai]w$", 2, "Ukrainian ending -iw"),
    (r"schtsch", 2, "schtsch"),
    (r"^w[ljsnmr]", 2, "initial W + consonant"),
    (r"[bcdfgklmnprstvwz]j", 2, "j after a consonant"),
    (r".tsch", 1, "tsch inside the word"),
    (r"^tsch", 1, "initial tsch"),
    (r"sch[kpnt]", 1, "sch + consonant"),
    (r"[bdgklmnprstvwz]y[bdgklmnprstvwz]", 1, "y between consonants"),
    (r"[bdgklmnprstvwz]yj?$", 1, "final -y"),
    (r"(?<![sz]k)(?<=[bdfgklmnprstvwz])i$", 1, "final -i after a consonant"),
    (r"(sk|zk)$", 1, "ending -sk"),
    (r"[aeiou]w[aeiou]", 0.5, "w between vowels"),
    (r"[aeiou]w[bdgklmnprstz]", 1, "w before a consonant"),
)
NEGATIVE_PATTERNS: tuple[tuple[str, float, str], ...] = (
    (r"[äöüßq]|c(?!h)", -3, "letters German transliteration of Cyrillic does not use"),
    (r"(ck|tz|ph|th|dt|pf|qu|ey|ay)", -2, "German or English letter group"),
    (r"(mann|meier|maier|berg|burg|dorf|hausen|stein|rich|hardt)$", -2, "German name ending"),
    (r"(eu|äu|au)", -1, "German diphthong"),
    (r"ie", -1, "German ie"),
    (r"[aeiou]h[lmnr]", -1, "German lengthening h"),
    (r"[^aeiou]er$", -1, "ending -er"),
)


def _marker_evidence(word: str) -> tuple[float, list[str]]:
    lower = word.lower()
    score, reasons = 0.0, []
    for pattern, weight, reason in POSITIVE_PATTERNS + NEGATIVE_PATTERNS:
        if re.search(pattern, lower):
            score += weight
            reasons.append(reason)
    return score, reasons


# --- German → Cyrillic -------------------------------------------------------------------------

GERMAN_TO_CYRILLIC: tuple[tuple[str, str, str, str], ...] = (
    # (German letters, context, Russian spellings, Ukrainian spellings), most likely first; the
    # first row whose letters come next and whose context holds wins (empty: not in this language).
    ("schtsch", "", "щ", "щ"),
    ("tsch", "", "ч", "ч"),
    ("sch", "", "ш ж", "ш ж"),
    ("ch", "", "х", "х"),
    ("ck", "", "к", "к"),
    ("tz", "", "ц", "ц"),
    ("ss", "after vowel, before vowel", "с", "с"),
    ("ss", "", "сс с", "сс с"),
    ("ja", "soft", "я ья", "я ья"),
    ("ja", "", "я", "я"),
    ("ju", "soft", "ю ью", "ю ью"),
    ("ju", "", "ю", "ю"),
    ("je", "soft", "ье е", "ьє є"),
    ("je", "", "е", "є"),
    ("jo", "soft", "ё ьо", "йо ьо"),
    ("jo", "initial", "йо ё", "йо"),
    ("jo", "", "ё йо", "йо"),
    ("ji", "soft", "ьи йи", "ьї ї"),
    ("ji", "", "йи", "ї"),
    ("j", "after vowel", "й", "й"),
    ("j", "", "й ь", "й ь"),
    ("ij", "final", "ий", "ій ий"),
    ("yj", "final", "ый ий", "ий"),
    ("ia", "", "ия иа", "ія іа"),
    ("i", "after vowel, before consonant or end", "й и", "й ї"),
    ("i", "final, not after vowel", "и ий", "і ій ий и"),
    ("i", "", "и", "і и"),
    ("y", "final", "ы ый ий", "и ий"),
    ("y", "", "ы", "и"),
    ("e", "initial", "э е", "е є э"),
    ("e", "after vowel", "э е", "е є"),
    ("e", "", "е э", "е є"),
    ("o", "after husher", "о ё", "о"),
    ("o", "", "о", "о"),
    ("s", "before k p t f", "с", "с"),
    ("s", "", "с з", "с з"),
    ("z", "", "ц", "ц"),
    ("x", "", "кс", "кс"),
    ("h", "", "х г", "г"),
    ("g", "", "г", "г ґ"),
    ("l", "before consonant or end", "л ль", "л ль"),
    ("l", "", "л", "л"),
    ("n", "final", "н нь", "н нь"),
    ("n", "before consonant or end", "н", "н нь"),
    ("n", "", "н", "н"),
    ("t", "final", "т", "т ть"),
    ("t", "", "т", "т"),
    ("w", "", "в", "в"),
    ("v", "", "в", "в"),
    ("f", "", "ф", "ф"),
    ("-", "", "-", "-"),
    ("a", "", "а", "а"),
    ("b", "", "б", "б"),
    ("d", "", "д", "д"),
    ("k", "", "к", "к"),
    ("m", "", "м", "м"),
    ("p", "", "п", "п"),
    ("r", "", "р", "р"),
    ("u", "", "у", "у"),
)
"""The Duden transcription tables read backwards; the rules are spelt out in the module docstring."""


@dataclass(frozen=True)
class _Position:
    """Where a row's German letters would start in a word, to test a row's context."""

    word: str
    start: int
    end: int
    after_husher: bool

    def holds(self, context: str) -> bool:
        return all(self._holds(part.strip()) for part in context.split(",")) if context else True

    def _holds(self, condition: str) -> bool:
        before, after = self.word[self.start - 1 : self.start], self.word[self.end : self.end + 1]
        after_vowel = self.start > 0 and before in VOWELS
        return {
            "initial": self.start == 0 or before == "-",
            "final": after in ("", "-"),
            "after vowel": after_vowel,
            "not after vowel": not after_vowel,
            "soft": not (self.start == 0 or before == "-") and not after_vowel,
            "before vowel": after in VOWELS and after != "",
            "before consonant or end": after in ("", "-") or (after.isalpha() and after not in VOWELS),
            "before k p t f": after != "" and after in "kptf",
            "after husher": self.after_husher,
        }[condition]


def _alternatives(word: str, language: str) -> list[list[str]]:
    """The German word cut into units, each with the Cyrillic spellings it can stand for, most likely
    first (GERMAN_TO_CYRILLIC); empty when it has a letter the table does not know."""
    w = word.lower()
    column = 3 if language == UKRAINIAN else 2
    units: list[list[str]] = []
    i = 0
    while i < len(w):
        for row in GERMAN_TO_CYRILLIC:
            german, context, spellings = row[0], row[1], row[column]
            if spellings and w.startswith(german, i):
                at = _Position(w, i, i + len(german), bool(units) and units[-1][0] in HUSHERS)
                if at.holds(context):
                    break
        else:
            return []
        units.append(spellings.split())
        i += len(german)
    return units


def cyrillic_candidates(word: str, language: str = RUSSIAN) -> list[str]:
    """Every Cyrillic spelling the German transliteration `word` can stand for, most likely first
    (empty if it has letters German transliteration of Cyrillic never writes)."""
    units = _alternatives(word, language)
    if not units:
        return []
    size = 1
    for index, options in enumerate(units):
        if size * len(options) > MAX_CANDIDATES:
            units[index] = options[:1]
        size *= len(units[index])
    return ["".join(parts) for parts in itertools.product(*units)]


# --- Cyrillic → English ------------------------------------------------------------------------

RUSSIAN_LETTERS = MappingProxyType({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "zh", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
})
UKRAINIAN_LETTERS = MappingProxyType({
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ь": "", "'": "", "’": "",
})
UKRAINIAN_POSITIONAL = MappingProxyType({"є": ("ye", "ie"), "ї": ("yi", "i"), "й": ("y", "i"), "ю": ("yu", "iu"), "я": ("ya", "ia")})
"""Ukrainian letters written one way at the start of a word and another elsewhere (KMU 55)."""


def _romanise_russian_word(word: str) -> str:
    out: list[str] = []
    n = len(word)
    for i, c in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < n else ""
        if c == "е":
            out.append("ye" if not prev or prev in "ьъй" or (prev in CYRILLIC_VOWELS and prev != "и") else "e")
        elif c == "ё":
            out.append("e" if prev in HUSHERS else "yo")
        elif c == "й":
            if nxt and nxt in "яюеё":
                continue  # the vowel's own y stands for it: Майя → Maya (BGN/PCGN: Mayya)
            if nxt and nxt in CYRILLIC_VOWELS:
                out.append("y")
            elif nxt:
                out.append("i")
            elif prev in "иы":
                out[-1] = "y"
            elif prev in "оё":
                out.append("y")
            else:
                out.append("i")
        elif c == "я" and prev == "и" and i == n - 1:
            out.append("a")
        elif c in "юяё" and prev and prev in "ьъ":
            out.append(RUSSIAN_LETTERS.get(c, "yo"))
        elif c == "и" and prev and prev in "ьъ":
            out.append("yi")
        else:
            out.append(RUSSIAN_LETTERS.get(c, c))
    return "".join(out)


def _romanise_ukrainian_word(word: str) -> str:
    out: list[str] = []
    for i, c in enumerate(word):
        if c in UKRAINIAN_POSITIONAL:
            out.append(UKRAINIAN_POSITIONAL[c][0 if i == 0 else 1])
        elif c == "г" and i and word[i - 1] == "з":
            out.append("gh")
        else:
            out.append(UKRAINIAN_LETTERS.get(c, c))
    return "".join(out)


def romanise(cyrillic: str, language: str = RUSSIAN) -> str:
    """Cyrillic text in English news spelling (see the module docstring), capitalised as written."""
    convert = _romanise_ukrainian_word if language == UKRAINIAN else _romanise_russian_word
    pieces = re.split(r"([\s\-]+)", cyrillic)
    result = []
    for piece in pieces:
        if not piece or piece.isspace() or set(piece) <= set("-"):
            result.append(piece)
            continue
        latin = convert(piece.lower())
        result.append(latin[:1].upper() + latin[1:] if piece[:1].isupper() else latin)
    return "".join(result)


# --- the whole name ----------------------------------------------------------------------------

Frequency = Callable[[str, str], float]
"""(word, language) → Zipf frequency (0 for unknown words), as wordfreq.zipf_frequency."""


def wordfreq_frequency(word: str, language: str) -> float:
    from wordfreq import zipf_frequency  # loads its word lists on first use

    return zipf_frequency(word, language)


class Transliterator:
    """Decides whether German-spelled names are of Cyrillic origin and respells them for English.

    `frequency` gives Zipf frequencies (wordfreq by default, loaded on first use); results are
    cached per instance.
    """

    def __init__(self, frequency: Frequency | None = None):
        self._frequency = frequency or wordfreq_frequency
        self._cache: dict[tuple[str, str], float] = {}
        self._best: dict[tuple[str, str], tuple[str, float]] = {}

    def frequency(self, word: str, language: str) -> float:
        key = (word.lower(), language)
        if key not in self._cache:
            self._cache[key] = self._frequency(key[0], language)
        return self._cache[key]

    @cached_property
    def established(self) -> dict[str, tuple[str, str]]:
        return {cyrillic.lower(): (english, why) for cyrillic, english, why in ESTABLISHED}

    def best_cyrillic(self, word: str, language: str) -> tuple[str, float]:
        """The Cyrillic spelling of `word` most frequent in `language` (the rules' first choice if none is known)."""
        key = (word.lower(), language)
        if key not in self._best:
            candidates = cyrillic_candidates(word, language)
            if not candidates:
                self._best[key] = ("", 0.0)
            else:
                scored = [(self.frequency(c, language), -rank, c) for rank, c in enumerate(candidates)]
                zipf, _, best = max(scored)
                self._best[key] = (best, zipf)
        return self._best[key]

    def cyrillic_evidence(self, word: str) -> Evidence:
        """Letter patterns (see the module docstring) plus how much more frequent the word's best
        Cyrillic reading is in Russian or Ukrainian than the word itself is in German."""
        if not _respellable(word) or len(word) < 3:
            return Evidence(0.0, ("too short, an acronym or not a word",))
        score, reasons = _marker_evidence(word)
        if score <= -3:
            return Evidence(score, tuple(reasons))
        foreign = max(self.best_cyrillic(word, language)[1] for language in LANGUAGES)
        dominance = foreign - self.frequency(word, "de")
        if dominance >= 1.5:
            score, reason = score + 2, f"far more frequent in Cyrillic ({dominance:+.1f} Zipf)"
        elif dominance >= 0.5:
            score, reason = score + 1, f"more frequent in Cyrillic ({dominance:+.1f} Zipf)"
        elif dominance < -0.2:
            score, reason = score - 1, f"more frequent in German ({dominance:+.1f} Zipf)"
        else:
            reason = ""
        if reason:
            reasons.append(reason)
        return Evidence(score, tuple(reasons))

    def name_evidence(self, words: Sequence[str]) -> Evidence:
        """The words' evidence added up, but never less than the strongest word's less one, so one
        clearly Cyrillic word (Koslow) carries an international given name (Alexander) along."""
        scored = [self.cyrillic_evidence(w) for w in words if _respellable(w)]
        if not scored:
            return Evidence(0.0, ())
        strongest = max(scored, key=lambda e: e.score)
        total = sum(e.score for e in scored)
        reasons = tuple(dict.fromkeys(r for e in scored for r in e.reasons))
        return Evidence(max(total, strongest.score - 1), reasons)

    def language_of(self, words: Sequence[str]) -> str:
        """Russian or Ukrainian: whichever list knows the name's Cyrillic readings better; Ukrainian
        letter patterns (Wolodymyr, Charkiw) decide when neither does."""
        totals = {language: sum(self.best_cyrillic(w, language)[1] for w in words) for language in LANGUAGES}
        if abs(totals[UKRAINIAN] - totals[RUSSIAN]) >= 0.5:
            return max(totals, key=totals.get)
        joined = " ".join(w.lower() for w in words)
        if re.search(r"[bdgklmnprstvwz]y[bdgklmnprstvwz]|[ai]w\b|ji|yj\b|ytsch\b|(?<![cs])h", joined):
            return UKRAINIAN
        return RUSSIAN

    def romanise_name(self, name: str, *, force: bool = False) -> Romanised | None:
        """`name` (one or more words) in English news spelling, or None when it does not look
        Cyrillic (unless `force`) or has letters the German tables never write."""
        respelled = [w for w in re.split(r"[\s\-]+", name) if _respellable(w)]
        evidence = self.name_evidence(respelled)
        if not respelled or (not force and evidence.score < CYRILLIC_THRESHOLD):
            return None
        language = self.language_of(respelled)
        respelled_words = set(respelled)
        parts = re.split(r"([\s\-]+)", name)
        cyrillic_parts, english_parts, reasons = [], [], []
        for part in parts:
            if part not in respelled_words:
                cyrillic_parts.append(part)
                english_parts.append(part)
                continue
            best, _ = self.best_cyrillic(part, language)
            if not best:
                return None
            cyrillic_parts.append(_case_like(part, best))
            known = self.established.get(best) or self.established.get(part.lower())
            if known:
                english_parts.append(_case_like(part, known[0]))
                reasons.append(known[1])
            else:
                english_parts.append(romanise(cyrillic_parts[-1], language))
        cyrillic = "".join(cyrillic_parts)
        whole = self.established.get(cyrillic.lower())
        if whole:
            return Romanised(name, whole[0], cyrillic, language, evidence, established=whole[1])
        english = "".join(english_parts)
        alternatives = self._alternatives(parts, respelled_words, language, english)
        return Romanised(name, english, cyrillic, language, evidence, alternatives, "; ".join(reasons))

    def _alternatives(self, parts: list[str], respelled: set[str], language: str, english: str) -> tuple[str, ...]:
        """Other readings whose English differs, for the curator to choose from: the rules' first
        choice where the word list chose another, and the best reading in the other language."""
        readings = []
        for other in LANGUAGES:
            readings.append((other, lambda word, lang=other: (cyrillic_candidates(word, lang) or [""])[0]))
            readings.append((other, lambda word, lang=other: self.best_cyrillic(word, lang)[0]))
        found: list[str] = []
        for reading_language, read in readings:
            out = []
            for part in parts:
                if part not in respelled:
                    out.append(part)
                    continue
                cyrillic = read(part)
                if not cyrillic:
                    break
                out.append(romanise(_case_like(part, cyrillic), reading_language))
            else:
                text = "".join(out)
                if text != english and text not in found:
                    found.append(text)
        return tuple(found)


def _respellable(word: str) -> bool:
    """A word the tables apply to: letters, not an acronym (RIA, TASS stay as written)."""
    return word[:1].isalpha() and not (len(word) > 1 and word.isupper())


def _case_like(model: str, text: str) -> str:
    """`text` with its first letter capitalised when `model`'s is."""
    return text[:1].upper() + text[1:] if model[:1].isupper() else text
