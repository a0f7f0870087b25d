"""Step 2b: account for every word of a question.

After tagging, each token is one of
  term      part of a lexicon mention (exact, typo, generic)
  frame     a frame word (knowledge/frame.toml): understood, names nothing
  number    a number or unit
  unplaced  a common English word (or a typo of one) that the lexicon cannot place
  foreign   a rare or unknown word, a name, an acronym or a code: an entity this trial knows nothing about
The decision step reads the unplaced and foreign words; `explain` shows the whole accounting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA, Indel

from assistant.kb.contract import WordRead

from assistant.kb.normal import Normaliser, tokens
from assistant.kb.settings import FrameWords
from assistant.understand.slips import SlipIndex
from assistant.understand.tagger import Mention
from assistant.kb.vocabulary import Vocabulary

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d[\w.]*")
_SENTENCE_END = re.compile(r"[.?!:;]\s*$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TYPO = re.compile(r"typo of '([^' ]+)'")
_NEAR = re.compile(r"(?:typo of|near) '([^' ]+)'")


def _ends_sentence(text: str, end: int) -> bool:
    """Does text[:end] end a sentence (_SENTENCE_END: '.?!:;' then only white space)? Read back from `end`, not
    searched from the start: linear, not quadratic, over a long question's words."""
    j = end - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j >= 0 and text[j] in ".?!:;"


@dataclass
class Accounting:
    """What each word of the question was read as."""

    words: list[WordRead] = field(default_factory=list)

    def corrected(self, near: bool = False) -> str:
        """The question with typos corrected ('peple' -> 'people', 'progresion' -> 'progression'), to be tagged
        again so that phrases with a typo inside are found whole; '' when there were none. `near`: also English
        words read as a near lexicon word ('main safety concern' as 'concerns'), a reading to try, not to trust."""
        pattern = _NEAR if near else _TYPO
        fixed = [m.group(1) if (m := pattern.search(w.detail)) else w.text for w in self.words]
        return " ".join(fixed) if fixed != [w.text for w in self.words] else ""

    def unknown(self) -> int:
        """How many words were not understood (unplaced or foreign)."""
        return sum(w.role in ("unplaced", "foreign") for w in self.words)

    def of(self, role: str) -> list[WordRead]:
        return [w for w in self.words if w.role == role]

    @property
    def foreign(self) -> list[WordRead]:
        return self.of("foreign")

    @property
    def unplaced(self) -> list[WordRead]:
        return self.of("unplaced")

    def content(self) -> list[WordRead]:
        """Words that carry content: terms, unplaced and foreign (frame words and numbers do not)."""
        return [w for w in self.words if w.role in ("term", "unplaced", "foreign")]


class Accountant:
    """Classifies the words left over by the tagger. Pure and thread-safe (the vocabulary loads once)."""

    def __init__(self, frame: FrameWords, misspelt: frozenset[str] = frozenset(),
                 normalise: Normaliser | None = None, corrections: dict[str, str] | None = None,
                 corrections_size: int = -1, lexicon_words: frozenset[str] = frozenset(),
                 proper_words: frozenset[str] | None = None) -> None:
        self.settings = frame
        self.lexicon_words = lexicon_words  # a listed misspelling is corrected only to a word the lexicon uses
        self.normalise = normalise or Normaliser(frame.normalise)
        self.misspelt = frozenset(p for p in misspelt if " " not in p)  # one-word misspellings in the lexicon
        self.frame_words = frame.words()
        self.vocab = Vocabulary(frame.vocabulary, self.frame_words, corrections, corrections_size)
        f = frame.foreign
        self.endings = tuple(sorted(set(f.drug_endings), key=len, reverse=True))
        self.code = re.compile(f.code_pattern) if f.code_pattern else None
        self.acronym = re.compile(f.acronym_pattern) if f.acronym_pattern else None
        self.user_names = [tokens(self.normalise(p)) for p in frame.user_names]
        self.slips = SlipIndex(lexicon_words if proper_words is None else proper_words)  # not to a misspelling

    def _lexicon_typo(self, word: str) -> str:
        """The lexicon word an unknown word is one slip from ('paients' -> 'patients', 'ferbile' -> 'febrile'),
        before any everyday word it is also near ('parents'): a question to this assistant means its own words
        first. The same first letter; '' when none, or when two fit equally."""
        same = self._lexicon_slips(word)
        return same[0] if len(same) == 1 else ""

    def _lexicon_slips(self, word: str) -> list[str]:
        """The lexicon words an unknown word is as near to (one, or several that fit equally: 'logest' is
        'longest' or 'lowest')."""
        if len(word) < 5:
            return []
        same = [w for w in self.slips.near(word) if w[0] == word[0]]
        if not same and not self.vocab.count(word):  # 'ptaiens': two slips, in a long word that is no English word
            same = self.slips.near_two(word)  # unless an everyday word is as near ('acctualy': 'actually')
            everyday = self.vocab.correction(word) if same else ""
            if everyday and everyday not in same and OSA.distance(word, everyday) <= 2:
                same = []
        if len(same) > 1:  # 'patient' or 'patients', 'change' or 'changed': one word and its ending, the longer
            longest = max(same, key=len)
            same = [longest] if all(longest.startswith(w) for w in same) else same
        return list(same)

    # ------------------------------------------------------------ shapes in the original text

    def _shapes(self, original: str) -> dict[str, set[str]]:
        """lower-case word -> shapes seen in the original: 'caps' (AML), 'name' (capitalised mid-sentence)."""
        out: dict[str, set[str]] = {}
        found = list(_WORD.finditer(original))
        letters = [m.group(0) for m in found if m.group(0)[0].isalpha()]
        shouting = sum(w[0].isupper() for w in letters) > max(2, len(letters) * 0.6)
        lead = len(original) - len(original.lstrip())  # a word at or before this starts the text
        for m in found:
            w = m.group(0)
            if not w[0].isalpha() or shouting:
                continue
            start = m.start() <= lead or _ends_sentence(original, m.start())
            for part in re.split(r"[-']", w):
                key = self.normalise(part)
                if not key:
                    continue
                shapes = out.setdefault(key, set())
                inner = part[1:]
                if part.isupper() and len(part) >= 2:
                    shapes.add("caps")
                elif part[0].isupper() and (not start or (any(c.isupper() for c in inner)
                                                          and any(c.islower() for c in inner))):
                    shapes.add("name")  # 'Sarah' mid-sentence, or 'PhALLCON' anywhere
        return out

    # ------------------------------------------------------------ one word

    def _shape(self, word: str, shapes: set[str]) -> str:
        if self.code is not None and self.code.match(word):
            return "a code or trial name"
        if len(word) >= 6 and word.isalpha():
            for end in self.endings:
                if word.endswith(end) and len(word) - len(end) >= 3:
                    return f"a drug name (ending -{end})"
        if "caps" in shapes and len(word) <= 7 and (self.acronym is None or self.acronym.match(word.upper())):
            return "an acronym"  # not a cell marker ('CD20': the acronym pattern leaves it out)
        if "name" in shapes and self.settings.foreign.proper_names:
            return "a name"
        return ""

    def classify(self, word: str, shapes: set[str] | None = None) -> WordRead:
        """One leftover word: frame, number, unplaced or foreign (with why)."""
        shapes = shapes or set()
        if _NUMBER.fullmatch(word):
            return WordRead(text=word, role="number")
        if word in self.frame_words:
            return WordRead(text=word, role="frame")
        if shapes and len(word) >= 6 and not self.vocab.count(word) and (fix := self._lexicon_typo(word)):
            return WordRead(text=word, role="unplaced", detail=f"typo of '{fix}'")  # 'Jabbbour', 'Philadlphia'
        shape = self._shape(word, shapes)
        if shape:
            return WordRead(text=word, role="foreign", detail=shape)
        if len(word) <= self.settings.decision.short_word or not word.isalpha():
            return WordRead(text=word, role="unplaced", detail="too short to place")
        if self.vocab.count(word):
            if self.vocab.common(word):
                return WordRead(text=word, role="unplaced", detail="a common English word")
            return WordRead(text=word, role="foreign", detail="a rare word")
        slips = self._lexicon_slips(word)
        if len(slips) > 1:  # 'logest': 'longest' (a letter dropped) before 'lowest' (one changed), never by how
            near = sorted(((Indel.normalized_similarity(word, w), w) for w in slips), reverse=True)  # common a word is
            ranked = [w for _, w in near]
            if near[0][0] - near[1][0] < 1e-9:  # as near both: no guess
                return WordRead(text=word, role="unplaced", detail=f"as near '{ranked[0]}' as '{ranked[1]}'")
            slips = ranked[:1]
        fix = (slips[0] if slips else "") or self.vocab.correction(word)
        if fix:
            if fix in self.frame_words:
                return WordRead(text=word, role="frame", detail=f"typo of '{fix}'")
            return WordRead(text=word, role="unplaced", detail=f"typo of '{fix}'")
        return WordRead(text=word, role="foreign", detail="not an English word")

    # ------------------------------------------------------------ the question

    def account(self, norm: str, original: str, mentions: list[Mention]) -> Accounting:
        toks = tokens(norm)
        covered: dict[int, Mention] = {}
        for m in mentions:
            for i in range(max(m.start, 0), max(m.end, 0)):
                covered.setdefault(i, m)
        for m in mentions:  # case-sensitive names and ages carry no token span: find them
            if m.start >= 0:
                continue
            span = tokens(self.normalise(m.text))
            for i in range(len(toks) - len(span) + 1):
                if span and toks[i:i + len(span)] == span:
                    for j in range(i, i + len(span)):
                        covered.setdefault(j, m)
                    break
        skip = self._user_name_positions(toks)
        left = any(i not in covered and i not in skip and t not in self.frame_words and not _NUMBER.fullmatch(t)
                   for i, t in enumerate(toks))
        # the original text's word shapes matter only for words neither the lexicon nor the frame explains
        shapes = self._shapes(original) if original and left else {}
        written = {self.normalise(w.group(0)): w.group(0) for w in _WORD.finditer(original)
                   if w.group(0)[0].isalpha()} if original and left else {}
        words: list[WordRead] = []
        for i, t in enumerate(toks):
            m = covered.get(i)
            if m is not None:
                how = "" if m.how == "exact" else f" ({m.how})"
                meant = self._meant(m, i, t)
                if meant:
                    how = f" (typo of '{meant}')" if not self.vocab.common(t) else f" (fuzzy, near '{meant}')"
                if t in self.misspelt and not how and (fix := self._lexicon_typo(t) or self.vocab.correction(t)) and (
                        not self.lexicon_words or fix in self.lexicon_words):  # 'remision' is not 'revision'
                    how = f" (typo of '{fix}')"  # 'progresion': the word it stands for may complete a phrase
                words.append(WordRead(text=t, role="term", detail=m.entity + how))
            elif i in skip:
                words.append(WordRead(text=t, role="frame", detail="the asker's name"))
            else:
                read = self.classify(t, shapes.get(t))
                if read.role in ("foreign", "unplaced") and written.get(t, t) != t:
                    read.written = written[t]
                words.append(read)
        return Accounting(words)

    def _meant(self, m: Mention, i: int, typed: str) -> str:
        """The word a typo inside a fuzzy mention stands for ('' when the mention is not word for word; for an
        English word in its own right, 'chromosome' read as 'chromosomes', the caller only notes it): its counterpart in the
        phrase; one slip from a proper lexicon word before a listed misspelling ('remisison' -> 'remission', not
        'remision'); a listed misspelling matched by a typo, the word it stands for ('ameendmnet' -> 'amendment')."""
        if m.how != "fuzzy" or m.start < 0:
            return ""
        phrase = m.text.split(" ")
        if len(phrase) != m.end - m.start:
            return ""
        target = phrase[i - m.start]
        if target == typed:
            return ""
        fix = self._lexicon_typo(typed)
        if fix:
            return fix
        if target in self.misspelt and (fix := self.vocab.correction(target)) and fix in self.lexicon_words:
            return fix
        return target

    def _user_name_positions(self, toks: list[str]) -> set[int]:
        out: set[int] = set()
        for frame in self.user_names:
            n = len(frame)
            for i in range(len(toks) - n):
                if toks[i:i + n] == frame:
                    out.add(i + n)
        return out
