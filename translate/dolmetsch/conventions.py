"""German and English writing conventions, known once: the post-edit rewrites them, the checks find them.

German writes 1.500 for 1,500, 3,5 for 3.5, „13. September“ for 13 September and quotes with
„…“, ‚…‘ or »…«. `dolmetsch.postedit` turns what a machine leaves of these into English, and the
`numbers` and `quotes` review checks report what a reviewer left; both read the patterns and
tables here, so the rewriter and the checker cannot drift apart (a post-edited sentence never
raises the checks' German-convention findings; tests/test_postedit.py holds them to that).
"""

from __future__ import annotations

import re
from decimal import Decimal

ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")

LOW_OPENERS = (("„", "“”"), ("‚", "‘’"))
"""German low opening marks and the marks that close them (German closes „ with “; some writers with ”)."""
GUILLEMETS = ("»«", "›‹")
"""German »…« and Swiss «…»: whichever of a pair comes first opens."""
GERMAN_MARKS = "„‚»«›‹"
"""Quotation marks English never uses (« » and ‹ › are the Swiss and French order of the same)."""
GERMAN_DOUBLE_MARKS = "„“”\"»«"
QUOTE_MARKS = "\"'“”„‚‘’»«›‹"

NOT_INSIDE_A_NUMBER = r"(?<![\d.,])"
GERMAN_THOUSANDS = re.compile(NOT_INSIDE_A_NUMBER + r"(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?(?![\d]|[.,]\d)")
"""1.500, 1.500.000, 1.500,5: dots between groups of three, maybe a decimal comma."""
GERMAN_DECIMAL = re.compile(NOT_INSIDE_A_NUMBER + r"(\d+),(\d{1,2}|\d{4,})(?![\d]|[.,]\d)")
"""3,5 and 0,25 (a comma before exactly three digits is English thousands: 3,500)."""
GERMAN_DAY_MONTH = re.compile(NOT_INSIDE_A_NUMBER + r"(\d{1,2})\.([ \u00a0]+)(" + "|".join(ENGLISH_MONTHS) + r")\b")
"""13. September in English text (English writes 13 September)."""
SPACE_BEFORE_PERCENT = re.compile(r"(\d)[ \u00a0\u202f]%")


def german_value(text: str) -> Decimal:
    """1.500 → 1500, 3,5 → 3.5 (a dot before other than three digits is read as a decimal point)."""
    if "," in text or re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return Decimal(text.replace(".", "").replace(",", "."))
    return Decimal(text)


def english_value(text: str) -> Decimal:
    return Decimal(re.sub(r"[,\u00a0\u202f\u2009]", "", text))


def english_form(value: Decimal, thousands: bool) -> str:
    """How English writes `value`: decimal point, and a comma between thousands when the German grouped them."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    whole, _, fraction = text.partition(".")
    if thousands:
        whole = f"{int(whole):,}"
    return f"{whole}.{fraction}" if fraction else whole


def is_ambiguous_thousands(written: str) -> bool:
    """1.500 may be German one thousand five hundred or English one point five: one group, no decimals."""
    return re.fullmatch(r"\d{1,3}\.\d{3}", written) is not None
