"""What an SMS costs, and texts made cheap: GSM-7 where the text allows it.

One SMS carries 160 GSM-7 characters (153 per part of a longer one) or 70 UCS-2 ones (67 per
part). A single emoji, curly quote or "ê" turns the whole text into UCS-2 and doubles its
price, so texts are cleaned before they go: typographic signs become their plain forms,
letters outside the alphabet lose their accent ("ê" → "e"), emoji and other symbols go. A
text in a script GSM-7 lacks (Arabic) stays UCS-2, without its emoji.
"""

from __future__ import annotations

import math
import re
import unicodedata

from content.sms import GSM7, GSM7_EXTENDED, is_gsm7, length

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Signs that have a plain GSM-7 form.
REPLACED = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "«": '"',
        "»": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2022": "-",
        "·": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u200d": "",
        "\ufe0f": "",
        "\t": " ",
        "×": "x",
        "÷": "/",
        "≤": "<=",
        "≥": ">=",
        "≠": "!=",
        "²": "2",
        "³": "3",
        "½": "1/2",
        "¼": "1/4",
        "°": "o",
        "➡": "->",
        "→": "->",
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "ç": "c",
    }
)
_GUILLEMETS = re.compile(r"«\s*|\s*»")  # French quotes and their spaces: "..."
# A tick or a cross that stands alone says something (a booklet's "1. ✅"): written out; before
# a word ("✅ J'accepte") it only decorates it, and goes with the other emoji.
_TICK = re.compile("[\u2705\u2714\u2713](?!\ufe0f?[ ]*\\w)")
_CROSS = re.compile("[\u274c\u2716\u2717](?!\ufe0f?[ ]*\\w)")
_SPACES = re.compile(r"[ ]{2,}")
_SPACE_BEFORE_NEWLINE = re.compile(r"[ ]+\n")


def _plain(char: str) -> str:
    """One character GSM-7 lacks: its letter without the accent, nothing for a symbol or an
    emoji, itself for a letter of another script (the text then goes in UCS-2)."""
    base = unicodedata.normalize("NFKD", char)
    letters = "".join(c for c in base if not unicodedata.combining(c))
    if letters and all(c in GSM7 or c in GSM7_EXTENDED for c in letters):
        return letters
    category = unicodedata.category(char)
    if category[0] in "LN":  # a letter or digit of another script: kept
        return char
    # Punctuation as its plain form; emoji, pictographs and other symbols go.
    return {"Pd": "-", "Pi": '"', "Pf": '"', "Ps": "(", "Pe": ")", "Zs": " "}.get(
        category, ""
    )  # emoji, pictographs, other symbols, combining marks left alone


def clean(text: str) -> str:
    """The text as it goes by SMS: GSM-7 where every letter has a GSM-7 form; else (another
    script) UCS-2 as written, without its emoji and symbols."""
    text = _CROSS.sub("X", _TICK.sub("OK", _GUILLEMETS.sub('"', text))).translate(REPLACED)
    cleaned = "".join(c if c in GSM7 or c in GSM7_EXTENDED else _plain(c) for c in text)
    if not is_gsm7(cleaned):  # Arabic...: its punctuation (؟ ،) and vowel marks are kept
        cleaned = "".join(c for c in text if c in GSM7 or _written(c))
    cleaned = _SPACE_BEFORE_NEWLINE.sub("\n", _SPACES.sub(" ", cleaned))
    return "\n".join(line.strip() for line in cleaned.strip().split("\n"))


def _written(char: str) -> bool:
    """A letter, digit, mark, punctuation or space of any script (not an emoji or symbol)."""
    category = unicodedata.category(char)
    return category[0] in "LNPZ" or category == "Mn"


def segments(text: str) -> int:
    """How many SMS the text takes (parts of one concatenated message)."""
    if not text:
        return 0
    size = length(text)
    if is_gsm7(text):
        return 1 if size <= GSM7_SINGLE else math.ceil(size / GSM7_PART)
    return 1 if size <= UCS2_SINGLE else math.ceil(size / UCS2_PART)


def coding(text: str) -> int:
    """Kannel's `coding`: 0 for GSM-7, 2 for UCS-2."""
    return 0 if is_gsm7(text) else 2
