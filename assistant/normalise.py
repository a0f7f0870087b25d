"""Step 1: normalise text (Unicode, case, dashes, number words, units) so questions and lexicon names meet."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 2000

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>]{0,200})?/?>")  # markup pasted in: '<b>', '</span>'
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")

_SIGNS = [
    (re.compile(r"(?<=[a-z])\+(?=[a-z])"), " + "),  # 'chemo+ino'
    (re.compile(r"(?<=[a-z])\+(?=\s|$|[,.?!)])"), " positive "),
    (re.compile(r"(?<=[a-z]{2})-(?=\s|$|[,.?!)])"), " negative "),
    (re.compile(r"(?:≥|>=|=>)\s*(\d+)"), r" \1 plus "),
    (re.compile(r"(?:≤|<=|=<)\s*(\d+)"), r" \1 or under "),
    (re.compile(r"(?<![<>=])>\s*(\d+)"), r" over \1 "),
    (re.compile(r"(?<![<>=])<\s*(\d+)"), r" under \1 "),
    (re.compile(r"(?<=\d)\s*\+"), " plus "),
    (re.compile(r"(?<=\d)\s*%"), " percent "),
]
_UNITS = [
    (re.compile(r"(?<=\d)\s*(?:yo|y o|yrs old|yr old)\b"), " year old"),
    (re.compile(r"(?<=\d)\s*(?:years?|yrs?|y)\b"), " year"),
    (re.compile(r"(?<=\d)\s*(?:months?|mos?|mths?|m)\b"), " month"),
    (re.compile(r"(?<=\d)\s*(?:percent|per cent|pct)\b"), " percent"),
    (re.compile(r"(?<=\d)(?:st|nd|rd|th)\b"), ""),
]
_PAIR = re.compile(r"\b(\d) (?:and|or|vs|versus) (\d) (year)\b")
_PUNCT = re.compile(r"[^\w\s.+%]|_")
_LONE_DOT = re.compile(r"\.(?!\d)")
_SPACES = re.compile(r"\s+")

NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
}
# 'one' and ordinals are words too: only read as numbers next to a unit or 'cycle'.
_SOFT = {"one", "first", "second", "third", "fourth", "fifth"}
_UNIT_WORDS = {"year", "years", "yr", "yrs", "month", "months", "cycle", "cycles", "day", "days", "percent"}


def strip_control(text: str) -> str:
    """Remove ANSI escape sequences, control and bidi/zero-width characters, lone surrogates (safe to echo)."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def _number_words(text: str) -> str:
    words = text.split(" ")
    out: list[str] = []
    for i, w in enumerate(words):
        digit = NUMBER_WORDS.get(w)
        if digit is None:
            out.append(w)
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prev = words[i - 1] if i else ""
        if w in _SOFT and nxt not in _UNIT_WORDS and prev not in _UNIT_WORDS:
            out.append(w)
            continue
        if out and out[-1].isdigit() and out[-1].endswith("0") and len(digit) == 1 and len(out[-1]) == 2:
            out[-1] = str(int(out[-1]) + int(digit))  # seventy nine -> 79
            continue
        out.append(digit)
    return " ".join(out)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case, NFKC, one dash and quote, number words as digits, units folded; punctuation becomes space."""
    t = unicodedata.normalize("NFKC", _TAG.sub(" ", strip_control(text))).translate(_DASHES).translate(_QUOTES)
    t = t.replace("·", ".").replace("µ", "u").lower()
    for pattern, repl in _SIGNS:
        t = pattern.sub(repl, t)
    t = t.replace("'s ", " ").replace("-", " ")
    t = _PUNCT.sub(" ", t)
    t = _LONE_DOT.sub(" ", t)
    t = _SPACES.sub(" ", t).strip()
    t = _number_words(t)
    for pattern, repl in _UNITS:
        t = pattern.sub(repl, t)
    t = _PAIR.sub(r"\1 \3 and \2 \3", t)
    return _SPACES.sub(" ", t).strip()


def tokens(text: str) -> list[str]:
    """Tokens of already-normalised text."""
    return text.split(" ") if text else []
