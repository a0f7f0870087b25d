"""Step 1b: split a compound message into the questions it asks.

"When did enrolment start? And when did it end?", "What was the P value, and which group lived longest?"
and "I'm writing a piece on late effects. How many developed a second cancer?" each hold more than one part.
Parts are split at sentence ends and at 'and'/'also'/'but' followed by a question word (the words are data:
knowledge/frame.toml, [compound]). Each part is answered in turn, the context of one feeding the next, and
the answers are merged (compose.merge): every part is answered or said to be unanswerable.
"""
from __future__ import annotations

import re

from assistant.kb.settings import CompoundSettings

_SENTENCE = re.compile(r"(?<=[?!;])\s+|(?:(?<=[a-z0-9)%][.])|(?<=[A-Z]{2}[.]))\s+(?=[A-Z])"  # '... B-ALL. What'
                       r"|(?:(?<=[a-z0-9)%]{2}[.])|(?<=[a-z0-9)%][.]{2})|(?<=[a-z0-9)%][.]{3}))"  # 'chemo.. how many'
                       r"\s+(?=(?:how|what|which|when|who|why|where|was|were|did|does|is|are|in|for|can|could)\s)")
_PREFACE_END = re.compile(r":\s+|\s[-\u2013\u2014]\s")


def _split_preface(part: str) -> bool:
    """A preface `Splitter._after_preface` split off before its question ('I'm a nurse preparing a handout:')."""
    return part.rstrip().endswith(":") and "?" not in part


class Splitter:
    """Pure and thread-safe: patterns compiled once from the settings."""

    def __init__(self, settings: CompoundSettings) -> None:
        self.settings = settings
        starts = "|".join(sorted(map(re.escape, settings.question_starts), key=len, reverse=True))
        words = "|".join(sorted(map(re.escape, settings.comma_starts), key=len, reverse=True)) or "(?!)"
        joins = "|".join(sorted(map(re.escape, settings.joiners), key=len, reverse=True))
        also = "|".join(sorted((re.escape(j) for j in settings.joiners if "also" in j.split()), key=len, reverse=True))
        plain = "|".join(sorted((re.escape(j) for j in settings.joiners if "also" not in j.split()), key=len,
                                reverse=True)) or "(?!)"
        inside = "".join(rf"(?<!\b{re.escape(w)})" for w in settings.subjects)  # 'did they also give ...', but
        told = "|".join(map(re.escape, settings.statements)) or "(?!)"  # 'how many patients and what was PFS?'
        joined = rf"(?:\s*,\s*|\s+)(?:{plain})|{inside}(?:\s*,\s*|\s+)(?:{also})" if also else rf"(?:\s*,\s*|\s+)(?:{joins})"
        self.join = re.compile(rf"(?:{joined})\s+(?=(?:{starts})\b(?!\s+(?:{told})\b))",
                               re.IGNORECASE) if starts else None
        self.joiner = re.compile(rf"(?:{joins})", re.IGNORECASE)  # every `join` match holds one: a cheap test first
        self.comma = re.compile(rf"\s*,\s*(?=(?:{words})\b)", re.IGNORECASE)
        # 'and how many people, what median age?': a joiner before the opening question word
        self.comma_opener = re.compile(rf"^\W*(?:(?:{joins})\s+)?(?:{words})\b", re.IGNORECASE)
        prefaces = "|".join(sorted(map(re.escape, settings.preface_starts), key=len, reverse=True))
        self.preface = re.compile(rf"^\W*(?:{prefaces})\b", re.IGNORECASE) if prefaces else None
        self.opener = re.compile(rf"^\W*(?:{starts})\b", re.IGNORECASE) if starts else None
        self.embedded = re.compile(settings.embedded, re.IGNORECASE) if settings.embedded else None
        self.role = re.compile(settings.role, re.IGNORECASE) if settings.role else None
        self.remark = re.compile(settings.remark, re.IGNORECASE) if settings.remark else None
        leads = "|".join(sorted(map(re.escape, settings.lead_ins), key=len, reverse=True))
        self.lead_in = re.compile(rf"^\W*(?:(?:{leads})\b\W*)+", re.IGNORECASE) if leads else None
        self.max_parts = settings.max_parts
        self.pointers = frozenset(settings.pointers)

    def split(self, text: str) -> list[str]:
        """The parts of a message (one part when it asks one thing)."""
        parts: list[str] = []
        for sentence in _SENTENCE.split(text.strip()):
            told = self.preface is not None and self.preface.match(sentence) is not None and not sentence.rstrip().endswith("?")
            # 'My husband has ALL and is about to start this treatment.' tells one thing: never split at its 'and'
            pieces = self.join.split(sentence) if self.join is not None and not told and self.joiner.search(
                sentence) else [sentence]
            pieces = self._rejoined(pieces)
            pieces = [self._without_lead_in(p) for p in pieces]
            pieces = [x for p in pieces for x in self._after_preface(p)]
            # 'How many patients, what was their median age': a comma splits only a part that is a question itself
            pieces = [x for p in pieces for x in (self.comma.split(p) if self.comma_opener.match(p) else [p])]
            parts.extend(p.strip() for p in pieces if any(c.isalnum() for c in p))
        if len(parts) > self.max_parts:
            asking = [self.asks(p) for p in parts]
            if 0 < sum(asking) < self.max_parts:  # a long story told before the question: the story as one part
                parts = [" ".join(p for p, a in zip(parts, asking) if not a)] + [p for p, a in zip(parts, asking) if a]
            else:  # a long message is one question with many clauses: do not over-split
                parts = parts[:self.max_parts - 1] + [" ".join(parts[self.max_parts - 1:])]
        if len(parts) > 1 and self.remark is not None:  # 'any VOD? ino is known for it': the question alone
            parts = [p for p in parts if not (self.remark.search(p) and not p.rstrip().endswith("?"))] or parts
        if len(parts) == 1:  # one question: as written, greeting and all ('good morning, can you help me?')
            return [text.strip()]
        return parts or [text]

    def _rejoined(self, pieces: list[str]) -> list[str]:
        """'where and when was it published?': question words alone before the joiner ask with the part after it."""
        out: list[str] = []
        for p in pieces:
            words = re.findall(r"[a-z]+", out[-1].lower()) if out else []
            if words and all(w in self.settings.question_starts for w in words):
                out[-1] = f"{out[-1]} and {p}"
            else:
                out.append(p)
        return out

    def _after_preface(self, part: str) -> list[str]:
        """'I'm a nurse preparing a handout: how many ...' and 'Quick question for a patient leaflet - what ...':
        the preface (kept with its colon, so it reads as one) and the question after it."""
        m = _PREFACE_END.search(part)
        if m is None or self.opener is None or "?" in part[:m.start()]:
            return [part]
        before, after = part[:m.start()], part[m.end():]
        told = (self.role is not None and self.role.search(before) is not None) or (
            self.lead_in is not None and self.lead_in.match(before) is not None) or (  # 'my aunt's legs are
            self.preface is not None and self.preface.match(before) is not None  # swollen - how many ...?'
            and not set(re.findall(r"[a-z]+", after.lower())) & self.pointers)  # not 'was it caused by ...?'
        return [before.rstrip() + ":", after] if told and self.opener.match(after) else [part]

    def _without_lead_in(self, part: str) -> str:
        """'hi, quick question: how many enrolled' -> 'how many enrolled' (only when a question follows)."""
        if self.lead_in is None or self.opener is None:
            return part
        m = self.lead_in.match(part)
        if m is None or not m.group(0).strip():
            return part
        rest = part[m.end():]
        colon = ":" in m.group(0)  # 'What I really want to know is: in that study, what was ...': all of it asks
        return rest if rest and (self.opener.match(rest) or colon) else part

    def tells_role(self, part: str) -> bool:
        """A preface telling who asks ('I'm a research coordinator doing a lit summary.')."""
        if _split_preface(part):
            return True
        if self.role is None or part.rstrip().endswith("?") or self.role.search(part) is None:
            return False
        if self.embedded is not None and self.embedded.search(part):
            return False
        return not self._asked_after(part)

    def _asked_after(self, part: str) -> bool:
        """'Hi, journalist here - how many patients were in it': a question after a dash or colon."""
        rest = re.split(r"\s[-\u2013\u2014]\s|:\s", part, maxsplit=1)
        return len(rest) == 2 and self.opener is not None and self.opener.match(rest[1]) is not None

    def asks(self, part: str) -> bool:
        """Does the part ask something? A part that opens like a statement about the asker ('I'm a pharmacist.',
        'My mum read about it.') and does not end with '?' is a preface, dropped when a question remains."""
        if _split_preface(part):
            return False
        if self.remark is not None and self.remark.search(part) and not part.rstrip().endswith("?"):
            return False  # 'ino is known for it': a remark beside the question
        if part.rstrip().endswith("?") or (self.opener is not None and self.opener.match(part) is not None):
            return True
        if self.embedded is not None and self.embedded.search(part):  # 'caller wants to know how many patients were in the trial'
            return True
        if self._asked_after(part):
            return True
        if self.tells_role(part):  # 'Journalist here, on deadline.'
            return False
        return self.preface is None or self.preface.match(part) is None
