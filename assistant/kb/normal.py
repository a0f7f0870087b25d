"""Step 1: the normal form (Unicode, case, dashes, number words, units) in which questions and lexicon names meet."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.kb.settings import NormalSettings

MAX_CHARS = 2000

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>]{0,200})?/?>")  # markup pasted in: '<b>', '</span>'
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")

# each with the characters it cannot match without (one of them must be in the text): most texts skip most of them
_SIGNS = [
    (re.compile(r"(?<=[a-z])\+(?=[a-z])"), " + ", "+"),  # 'chemo+ino'
    (re.compile(r"(?<=[a-z])\+(?=\s|$|[,.?!)])"), " positive ", "+"),
    (re.compile(r"(?<=[a-z]{2})-(?=\s|$|[,.?!)])"), " negative ", "-"),
    (re.compile(r"(?:≥|>=|=>)\s*(\d+)"), r" \1 plus ", "≥>"),
    (re.compile(r"(?:≤|<=|=<)\s*(\d+)"), r" \1 or under ", "≤<"),
    (re.compile(r"(?<![<>=])>\s*(\d+)"), r" over \1 ", ">"),
    (re.compile(r"(?<![<>=])<\s*(\d+)"), r" under \1 ", "<"),
    (re.compile(r"(?<=\d)\s*\+"), " plus ", "+"),
    (re.compile(r"(?<=\d)\s*%"), " percent ", "%"),
    (re.compile(r"(?:^|(?<=\s))&(?=\s|$)"), " and ", "&"),  # 'CR rate & MRD negativity'
]
_TRANSLATED_ASCII = "`"  # the one ASCII character _DASHES and _QUOTES change
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s.+%]|_")
_LONE_DOT = re.compile(r"\.(?!\d)")
_SPACES = re.compile(r"\s+")
_NOT = re.compile(r"(?<=[a-z])n't\b")  # "weren't" is one word ('werent'), never 'weren' and a 't' (T-ALL)


def strip_control(text: str) -> str:
    """Remove ANSI escape sequences, control and bidi/zero-width characters, lone surrogates (safe to echo)."""
    return _CONTROL.sub("", _ANSI.sub("", text))


class Normaliser:
    """The normal form of one knowledge base (its number words and unit spellings: knowledge/frame.toml,
    [normalise]). Lexicon names are stored in it and questions are read in it, so the two always meet.
    Pure and thread-safe; results are cached per instance."""

    def __init__(self, settings: NormalSettings) -> None:
        self.numbers = dict(settings.number_words)
        self.soft = frozenset(settings.soft_numbers)
        self.unit_words = frozenset(settings.unit_words)
        self.fold = [(re.compile(r.pattern), r.replace, needs_digit(r.pattern)) for r in settings.fold]
        self._cached = lru_cache(maxsize=8192)(self._normalise)
        # one ASCII word of letters is only lower-cased (or read as a number): the full pass is for anything else.
        # Exact while every unit fold needs a digit, as the shipped ones do; otherwise every text takes the full pass.
        self._words_fast = all(r"\d" in r.pattern for r in settings.fold)

    def __call__(self, text: str) -> str:
        """Lower-case, NFKC, one dash and quote, number words as digits, units folded; punctuation becomes space."""
        if self._words_fast and text.isascii() and text.isalpha():
            word = text.lower()
            digit = self.numbers.get(word)
            return digit if digit is not None and word not in self.soft else word
        return self._cached(text)

    def _number_words(self, text: str) -> str:
        words = text.split(" ")
        out: list[str] = []
        for i, w in enumerate(words):
            digit = self.numbers.get(w)
            if digit is None:
                out.append(w)
                continue
            nxt = words[i + 1] if i + 1 < len(words) else ""
            prev = words[i - 1] if i else ""
            if w in self.soft and nxt not in self.unit_words and prev not in self.unit_words:
                out.append(w)
                continue
            if out and out[-1].isdigit() and out[-1].endswith("0") and len(digit) == 1 and len(out[-1]) == 2:
                out[-1] = str(int(out[-1]) + int(digit))  # seventy nine -> 79
                continue
            out.append(digit)
        return " ".join(out)

    def _normalise(self, text: str) -> str:
        t = strip_control(text)
        if "<" in t:
            t = _TAG.sub(" ", t)
        t = unicodedata.normalize("NFKC", t)
        if not t.isascii() or _TRANSLATED_ASCII in t:
            t = t.translate(_DASHES).translate(_QUOTES)
        t = t.replace("·", ".").replace("µ", "u").lower()
        for pattern, repl, needs in _SIGNS:
            if any(c in t for c in needs):
                t = pattern.sub(repl, t)
        if "n't" in t:
            t = _NOT.sub("nt", t)
        t = t.replace("'s ", " ").replace("-", " ")
        t = _PUNCT.sub(" ", t)
        t = _LONE_DOT.sub(" ", t)
        t = _SPACES.sub(" ", t).strip()
        t = self._number_words(t)
        digit = _DIGIT.search(t) is not None
        for pattern, repl, needs in self.fold:
            if digit or not needs:
                t = pattern.sub(repl, t)
        return _SPACES.sub(" ", t).strip()


def needs_digit(pattern: str) -> bool:
    """Can the pattern match only a text with a digit in it? True when, outside any alternative or optional part,
    it matches a digit (`\\d`) or looks behind or ahead at one; False when that is not certain (then it is always run).
    """
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]

        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - not certain: always run it
        return False
    return _digit_in(list(parsed), sre_parse)


def _digit_in(items: list, sre_parse) -> bool:  # type: ignore[no-untyped-def,type-arg]
    digit = [(sre_parse.CATEGORY, sre_parse.CATEGORY_DIGIT)]
    for op, av in items:
        if op is sre_parse.IN and list(av) == digit:
            return True
        if op is sre_parse.ASSERT and _digit_in(list(av[1]), sre_parse):  # (?<=\d), (?=\d): positive only
            return True
        if op is sre_parse.SUBPATTERN and _digit_in(list(av[-1]), sre_parse):
            return True
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and av[0] >= 1 and _digit_in(list(av[2]), sre_parse):
            return True
    return False


def tokens(text: str) -> list[str]:
    """Tokens of already-normalised text."""
    return text.split(" ") if text else []
