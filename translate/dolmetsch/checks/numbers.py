"""The numbers check: every number in the German is in the English, with its value, written the English way.

German writes 1.500 for 1,500, 3,5 for 3.5 and „13. September“ for 13 September; English may
also spell small numbers out (zwei → two, 2. → second), turn 14.30 Uhr into 2.30 pm, put a scale
word after a number (1,5 Millionen → 1.5 million, 1.5m, 1,500,000) or write 1990s for 1990er. So
each German number becomes the set of values an English rendering may have, and the English is
read the English way; a German value missing from it is an error, and so is a number the English
still writes the German way (1.500 meaning 1500, 3,5, „13. September“). Written by hand: no
library compares numbers across the two languages' conventions (pofilter's `numbers` test
compares digit strings and flags a correct 1,500).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dolmetsch.checks.base import ERROR, CheckContext, Finding
from dolmetsch.conventions import (
    ENGLISH_MONTHS,
    NOT_INSIDE_A_NUMBER,
    GERMAN_DAY_MONTH,
    GERMAN_DECIMAL,
    GERMAN_THOUSANDS,
    english_form,
    english_value,
    german_value,
    is_ambiguous_thousands,
)
from dolmetsch.translation import ReviewedSegment

NAME = "numbers"

MONTHS = tuple(month.lower() for month in ENGLISH_MONTHS)
SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
SMALL_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth")
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TENS_ORDINALS = ("twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth")
OTHER_WORDS = {"hundred": 100, "hundredth": 100, "thousand": 1000, "thousandth": 1000, "dozen": 12,
               "once": 1, "twice": 2, "thrice": 3, "half": Decimal("0.5"), "quarter": Decimal("0.25")}
"""English number words beyond one to ninety-nine (what news copy spells out)."""
ENGLISH_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
                  "k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "bn": 10**9, "tn": 10**12}
GERMAN_SCALES = {"tausend": 10**3, "tsd": 10**3, "million": 10**6, "millionen": 10**6, "mio": 10**6,
                 "milliarde": 10**9, "milliarden": 10**9, "mrd": 10**9, "billion": 10**12, "billionen": 10**12}
SCALE_WORDS = {10**3: "thousand", 10**6: "million", 10**9: "billion", 10**12: "trillion"}

GERMAN_DATE = re.compile(NOT_INSIDE_A_NUMBER + r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
GERMAN_TIME = re.compile(NOT_INSIDE_A_NUMBER + r"(\d{1,2})[.:]([0-5]\d)(?![\d.,])")
GERMAN_NUMBER = re.compile(
    NOT_INSIDE_A_NUMBER + r"(?P<number>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+\.\d+|\d+)(?![\d])"
    r"(?P<scale>\s*-?\s*(?:Millionen|Million|Mio\.?|Milliarden|Milliarde|Mrd\.?|Billionen|Billion|Tausend|Tsd\.?)(?!\w))?"
    r"(?P<percent>\s*(?:%|Prozent))?"
)
GERMAN_O_CLOCK = re.compile(r"\s*Uhr\b")
ENGLISH_NUMBER = re.compile(
    NOT_INSIDE_A_NUMBER + r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])"
    r"(?P<scale>\s*-?\s*(?:thousand|million|billion|trillion)s?\b|(?:k|m|mn|mln|bn|tn)\b)?",
    re.IGNORECASE,
)
ENGLISH_TIME = re.compile(
    NOT_INSIDE_A_NUMBER + r"(\d{1,2})(?:[.:]([0-5]\d))?\s*(a\.m\.|p\.m\.|am\b|pm\b|o'clock|o’clock)?(?![\d])", re.IGNORECASE
)
ENGLISH_WORD = re.compile(r"[A-Za-z]+")
YEAR_RANGE_BEFORE = re.compile(r"(\d{4})\s*[/–-]\s*$")


@dataclass(frozen=True)
class GermanNumber:
    """A number as the German writes it, the values its English rendering may have, and how English writes it."""

    text: str
    values: frozenset
    times: tuple[tuple[int, int], ...] = ()
    english: str = ""


@dataclass
class EnglishNumbers:
    """The values an English sentence states (digits, number words, month names, times)."""

    values: set
    times: list[tuple[int, int, bool]]
    written: list[tuple[str, frozenset]]
    """Each number as written in digits, with its values (to name what the English has instead)."""

    def has(self, number: GermanNumber) -> bool:
        if number.values & self.values:
            return True
        return any(m == minute and (h == hour if meridiem else h % 12 == hour % 12)
                   for hour, minute in number.times for h, m, meridiem in self.times)


def _scale(word: str | None, scales: dict[str, int]) -> int:
    if not word:
        return 1
    key = word.strip(" -.").casefold()
    return scales.get(key, scales.get(key.rstrip("s"), 1))


def german_numbers(german: str) -> list[GermanNumber]:
    """Every number of a German sentence, with the values an English rendering may give it."""
    found: list[GermanNumber] = []
    taken: list[tuple[int, int]] = []
    for match in GERMAN_DATE.finditer(german):
        day, month, year = match.group(1), match.group(2), match.group(3)
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
            continue
        taken.append(match.span())
        found.append(GermanNumber(day, frozenset({Decimal(day)}), english=str(int(day))))
        found.append(GermanNumber(f"{day}.{month}.", frozenset({Decimal(month)}), english=MONTHS[int(month) - 1].title()))
        if year:
            values = {Decimal(year)} if len(year) == 4 else {Decimal(year), Decimal(2000 + int(year)), Decimal(1900 + int(year))}
            found.append(GermanNumber(year, frozenset(values), english=year))
    for match in GERMAN_TIME.finditer(german):
        if _inside(match.span(), taken):
            continue
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 24:
            continue
        dotted = "." in match.group(0)
        taken.append(match.span())
        values = frozenset({Decimal(match.group(0))}) if dotted else frozenset()  # 1.50 may be a Swiss decimal
        found.append(GermanNumber(match.group(0), values, ((hour, minute),), english=f"{hour}:{minute:02d}"))
    for match in GERMAN_NUMBER.finditer(german):
        if _inside(match.span("number"), taken):
            continue
        found.append(_german_number(german, match))
    return found


def _german_number(german: str, match: re.Match) -> GermanNumber:
    text = match.group("number")
    value = german_value(text)
    scale = _scale(match.group("scale"), GERMAN_SCALES)
    values = {value * scale}
    times: tuple[tuple[int, int], ...] = ()
    if match.group("percent"):
        values.add(value / 100)  # 50 Prozent → half
    if scale == 1 and GERMAN_O_CLOCK.match(german, match.end("number")) and value <= 24:
        times = ((int(value), 0),)  # 14 Uhr → 2 pm
    start, end = match.span("number")
    if german[end : end + 2] == "er" and len(text) == 2 and text.endswith("0"):
        values |= {Decimal(1900 + int(text)), Decimal(2000 + int(text))}  # 90er → 1990s
    before = YEAR_RANGE_BEFORE.search(german[:start])
    if before and text.isdigit():
        century = before.group(1)[:2]
        values |= {Decimal(f"{century}{text}")} if len(text) == 2 else {Decimal(text[-2:])}  # 2019/20, 2019–2020
    written = match.group(0).strip()
    grouped = bool(re.match(r"\d{1,3}(?:\.\d{3})+(?:,|$)", text))
    english = english_form(value, thousands=grouped)
    if scale > 1:
        english += " " + SCALE_WORDS[scale]
    if match.group("percent"):
        english += "%"
    return GermanNumber(written, frozenset(values), times, english)


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] < end for start, end in taken)


def english_numbers(english: str) -> EnglishNumbers:
    """The values an English sentence states, read the English way."""
    values: set = set()
    written: list[tuple[str, frozenset]] = []
    for match in ENGLISH_NUMBER.finditer(english):
        value = english_value(match.group("number"))
        stated = {value, value * _scale(match.group("scale"), ENGLISH_SCALES)}
        values |= stated
        written.append((match.group(0).strip(), frozenset(stated)))
    times = []
    for match in ENGLISH_TIME.finditer(english):
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").casefold()
        if not match.group(2) and not suffix:
            continue
        meridiem = suffix.startswith(("a", "p"))
        if suffix.startswith("p") and hour < 12:
            hour += 12
        elif suffix.startswith("a") and hour == 12:
            hour = 0
        times.append((hour, minute, meridiem))
    values |= _word_values(english)
    return EnglishNumbers(values, times, written)


def _word_values(english: str) -> set:
    """Spelt-out numbers (two, second, twenty-one, a million) and capitalised month names (September → 9, not may)."""
    written = ENGLISH_WORD.findall(english)
    words = [w.casefold() for w in written]
    values: set = set()
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in MONTHS and written[index][0].isupper():
            values.add(Decimal(MONTHS.index(word) + 1))
            continue
        value = _word_value(word)
        if value is None and word in ("a", "an") and (following in ENGLISH_SCALES or following == "hundred"):
            value = 1
        if value is None:
            continue
        if index > 0 and words[index - 1] in TENS and value in range(1, 10):
            values.add(Decimal(20 + 10 * TENS.index(words[index - 1]) + value))  # twenty-one
        values.add(Decimal(value))
        if following in ENGLISH_SCALES or following == "hundred":
            values.add(Decimal(value) * (100 if following == "hundred" else ENGLISH_SCALES[following]))
    return values


def _word_value(word: str):
    for table in (SMALL, SMALL_ORDINALS):
        if word in table:
            return table.index(word)
    for table in (TENS, TENS_ORDINALS):
        if word in table:
            return 20 + 10 * table.index(word)
    return OTHER_WORDS.get(word)


def german_formats_left(english: str, german_values: set) -> Iterator[tuple[str, str, Decimal]]:
    """Numbers the English still writes the German way: (as written, how English writes it, value).

    1.500 alone may be English (one point five): it counts only when the German has 1500 and not 1.5.
    """
    for match in GERMAN_THOUSANDS.finditer(english):
        written = match.group(0)
        value = german_value(written)
        if is_ambiguous_thousands(written) and (value not in german_values or english_value(written) in german_values):
            continue
        yield written, english_form(value, thousands=True), value
    for match in GERMAN_DECIMAL.finditer(english):
        value = german_value(match.group(0))
        yield match.group(0), english_form(value, thousands=False), value
    for match in GERMAN_DAY_MONTH.finditer(english):
        day, month = match.group(1), match.group(3)
        yield f"{day}. {month}", f"{day} {month}", Decimal(day)


def number_problems(german: str, english: str) -> Iterator[str]:
    """What is wrong with the numbers of one segment, one message per problem."""
    expected = german_numbers(german)
    if not expected and not any(c.isdigit() for c in english):
        return
    found = english_numbers(english)
    acceptable = set().union(*(n.values for n in expected)) if expected else set()
    for written, fix, value in german_formats_left(english, acceptable):
        found.values.add(value)
        yield f"'{written}' is written the German way (English: {fix})"
    extra = [text for text, values in found.written if not values & acceptable]
    seen: set[str] = set()
    for number in expected:
        if found.has(number) or number.text in seen:
            continue
        seen.add(number.text)
        message = f"'{number.text}' is not in the English (English: {number.english})"
        if extra:
            message += f"; it has {', '.join(extra)}"
        yield message


def numbers_in_english(segments: Sequence[ReviewedSegment], context: CheckContext) -> Iterator[Finding]:
    """Segments whose English lacks a German number's value or writes a number the German way."""
    for segment in segments:
        if not segment.en.strip():
            continue  # the untranslated check reports it
        for message in number_problems(segment.de, segment.en):
            yield Finding(segment.where, NAME, message, ERROR)
