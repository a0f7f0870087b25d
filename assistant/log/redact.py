"""Identifier-like text is taken out of a question before it is logged: e-mail addresses, phone and record
numbers (NHS numbers, MRNs: long digit runs), dates (of birth, of a visit) and a name the asker gives
("my name is Ana Lopez"). Codes that mix letters and digits ("NCT01371630", "E1910") are kept: they name trials."""
from __future__ import annotations

import re

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w.])\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?![\w.])"), "[date]"),
    (re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}\b"), "[date]"),
    (re.compile(rf"(?i)\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"), "[date]"),
    (re.compile(r"(?<![\w])\+?\(?\d[\d ()-]{7,}\d(?![\w])"), "[number]"),  # phone, NHS number '943 476 5919'
    (re.compile(r"(?<![A-Za-z\d])\d{6,}(?![A-Za-z\d])"), "[number]"),  # record numbers
    (re.compile(r"(?i)\b(my name is|my name's|i am called|i'm called|name:)\s+[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?"),
     r"\1 [name]"),
]


def redact(text: str) -> str:
    """The text with identifier-like tokens replaced by [email], [date], [number] or [name]."""
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text
