"""Step 2: find lexicon entities in a normalised question: exact phrases first, then typos (rapidfuzz)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from assistant.kb.normal import tokens
from assistant.kb.store import Store
from assistant.understand.slips import SlipIndex, one_slip

@dataclass(frozen=True)
class Mention:
    """One entity found in the question."""

    entity: str
    slot: str
    start: int
    end: int
    text: str
    score: float
    how: str  # exact | fuzzy | case | age | generic | value


class Tagger:
    """Longest-match phrase lookup over tokens, then length-aware fuzzy matching of what is left."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.phrases = store.lexicon
        self.frame_words = store.frame.words()
        self.everyday = frozenset(store.frame.tagger.never_fuzzed) | self.frame_words  # never fuzzed into a term
        self.everyday_slips = SlipIndex(self.everyday)  # 'negatie' is 'negative' (one slip), not 'negatives' (two)
        age = store.frame.tagger.age_pattern
        self.age = re.compile(age) if age else None
        self.max_len = max((len(p.split(" ")) for p in self.phrases), default=1)
        sizes: dict[str, set[int]] = {}  # first word -> the lengths in words of the phrases it starts
        for p in self.phrases:
            words = p.split(" ")
            sizes.setdefault(words[0], set()).add(len(words))
        self.sizes = {w: tuple(sorted(s, reverse=True)) for w, s in sizes.items()}  # longest first
        self.fuzzy: dict[int, list[str]] = {}
        for phrase, ids in self.phrases.items():
            if len(phrase) >= 5 and phrase not in store.generic and not any(c.isdigit() for c in phrase) and all(
                    store.entities[i].fuzzy for i in ids):
                self.fuzzy.setdefault(len(phrase.split(" ")), []).append(phrase)
        for n in self.fuzzy:
            self.fuzzy[n].sort()
        self.within = frozenset(store.frame.tagger.within_phrases) & frozenset(  # frame words allowed in a window
            w for n, ps in self.fuzzy.items() if n > 1 for p in ps for w in p.split(" "))
        self._within: dict[tuple[int, int], list[str]] = {}  # (words, characters) -> the phrases a window could match
        self.starting: dict[str, list[str]] = {}  # first word -> phrases of two or more words it starts
        for phrase in self.phrases:
            if " " in phrase and phrase not in store.generic:
                self.starting.setdefault(phrase.split(" ", 1)[0], []).append(phrase)
        self.ages = sorted((e.ages[0], e.ages[1], e.id) for e in store.entities.values() if len(e.ages) == 2)
        self.age_sets = frozenset(store.frame.tagger.own_age)  # 'my age group': the group of the age told
        quoted = store.frame.tagger.quoted_value
        self.quoted = re.compile(quoted) if quoted else None
        given: dict[float, set[str]] = {}  # a headline percentage -> the measures of the facts giving it
        for f in store.facts.values():
            for v in f.values:
                if v.unit == "%" and v.kind in ("percent", "rate") and v.num is not None:
                    given.setdefault(v.num, set()).add(f.measure[0])
        self.figures = {n: next(iter(ms)) for n, ms in given.items() if len(ms) == 1}  # one measure's only
        # all case-sensitive names ('ALL', 'CRS') in one alternation, longest first
        names = sorted(store.case_sensitive, key=lambda p: (-len(p), p))
        self.case_ids = store.case_sensitive
        self.case = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])") if names else None

    @staticmethod
    def cutoff(length: int) -> float:
        """Longer words tolerate more edits; short ones must be near-exact (5-6 chars: one edit)."""
        return 90.0 if length <= 6 else 87.0 if length <= 9 else 85.0

    def _add(self, out: list[Mention], phrase: str, start: int, end: int, score: float, how: str) -> None:
        if how == "exact" and phrase in self.store.generic:
            how = "generic"
        for eid in self.phrases.get(phrase, ()):
            e = self.store.entities[eid]
            out.append(Mention(eid, e.slot, start, end, phrase, round(score, 3), how))

    def tag(self, norm: str, original: str = "", quoted: bool = True) -> list[Mention]:
        """The mentions in a normalised question; `quoted`: a percentage quoted back may name its measure (not in
        a conversation, whose own measure it is then)."""
        toks = tokens(norm)
        out: list[Mention] = []
        covered = [False] * len(toks)
        i = 0
        for size in self._segments(toks):
            if size:
                self._add(out, " ".join(toks[i:i + size]), i, i + size, 1.0, "exact")
                covered[i:i + size] = [True] * size
            i += size or 1
        self._fuzzy(toks, covered, out)
        out = self._completed(toks, covered, out)
        if self.ages and self.age is not None and all(m.entity in self.age_sets for m in out if m.slot == "group"):
            # 'I'm 66. PFS in my age group?': the age names the group of the age groups
            for groups in self.age.findall(norm):
                age = int(next(g for g in groups if g))
                for lo, hi, eid in self.ages:
                    if lo <= age <= hi:
                        out.append(Mention(eid, "group", -1, -1, str(age), 1.0, "age"))
                        break
                break
        if quoted and self.quoted is not None and not any(m.slot == "measure" for m in out):
            for hit in self.quoted.finditer(norm):  # 'was it really 99%?': the measure whose figure that is
                measure = self.figures.get(float(hit.group(1)))
                if measure is not None:
                    at = len(norm[:hit.start(1)].split())
                    out.append(Mention(measure, "measure", at, at + 2, hit.group(1) + " percent", 1.0, "value"))
                    break
        if self.case is not None and original:
            for written in dict.fromkeys(self.case.findall(original)):
                for eid in self.case_ids[written]:
                    if not any(m.entity == eid for m in out):
                        out.append(Mention(eid, self.store.entities[eid].slot, -1, -1, written, 1.0, "case"))
        return out

    def _segments(self, toks: list[str]) -> list[int]:
        """The exact phrases that together cover the most words, then (on a tie) leave the fewest unexplained
        words, then use the fewest phrases, the leftmost first after that: one entry per step, the phrase's
        length or 0 for a word no phrase takes. 'being alive with the leukemia not coming back' is one name of
        PFS, not 'being alive' (OS) and 'not coming back' (CRD).
        An unexplained word is one neither a phrase nor a frame word explains: 'measured by flow cytometry' is
        'flow cytometry' with 'by' a frame word, not 'by flow' with 'cytometry' left over."""
        n = len(toks)
        # from word i on: (words covered, -unexplained words left, -phrases)
        best: list[tuple[int, int, int]] = [(0, 0, 0)] * (n + 1)
        take = [0] * n
        everyday = self.everyday
        for i in range(n - 1, -1, -1):
            value, size_i = best[i + 1], 0
            if toks[i] not in everyday:
                value = (value[0], value[1] - 1, value[2])
            for size in self.sizes.get(toks[i], ()):  # only lengths some phrase starting with the word has
                if size <= n - i and " ".join(toks[i:i + size]) in self.phrases:
                    after = best[i + size]
                    cand = (after[0] + size, after[1], after[2] - 1)
                    if size_i == 0 and cand >= value or cand > value:
                        value, size_i = cand, size
            best[i], take[i] = value, size_i
        steps, i = [], 0
        while i < n:
            steps.append(take[i])
            i += take[i] or 1
        return steps

    def _completed(self, toks: list[str], covered: list[bool], out: list[Mention]) -> list[Mention]:
        """A term followed by words that a longer name of it spells with a typo ('progression free survivel', 'TP53
        mutatd', 'gi side affects'): that one name (of the term or one narrower), not the term and another beside it.
        The words after the term are one word nothing placed, or a mention that is itself a typo or a misspelling."""
        misspelt = self.store.misspelt
        by_start = {m.start: m for m in out if m.start >= 0}
        # The list is kept as every mention it has held, in order, less the ones taken out (by identity), and
        # `m in out` is read from a count of the mentions in it (Mention is frozen, so hashable by value): linear
        # in the mentions, where rebuilding and searching the list for each name completed was quadratic.
        held, gone, present = list(out), set(), Counter(out)
        for a in list(out):
            if not present[a] or a.start < 0 or a.end >= len(toks):
                continue
            b = by_start.get(a.end)
            if b is not None and present[b] and any(m.how == "fuzzy" or m.text in misspelt for m in (a, b)):
                end = b.end
            elif b is None and a.how == "exact" and not covered[a.end] and len(toks[a.end]) >= 4 \
                    and toks[a.end] not in self.everyday:
                end = a.end + 1
            else:
                continue
            written = " ".join(toks[a.end:end])
            related = {a.entity, *self.store.entities[a.entity].expands,
                       *(self.store.entities[b.entity].expands if b is not None else ())}
            best: tuple[float, str] | None = None
            for name in self.starting.get(a.text.split(" ", 1)[0], ()):
                if name.startswith(a.text + " ") and related & set(self.phrases[name]):
                    score = fuzz.ratio(name[len(a.text) + 1:], written)
                    if score >= 85 and (best is None or score > best[0]):
                        best = (score, name)
            if best is None:
                continue
            for m in (a, b):  # out = [m for m in out if m is not a and m is not b]
                if m is not None and id(m) not in gone:
                    gone.add(id(m))
                    present[m] -= 1
            for eid in (e for e in self.phrases[best[1]] if e in related):
                new = Mention(eid, self.store.entities[eid].slot, a.start, end, best[1],
                              round(min(a.score, best[0] / 100.0), 3), "fuzzy")
                held.append(new)
                present[new] += 1
            covered[a.end:end] = [True] * (end - a.end)
        return [m for m in held if id(m) not in gone]

    def _everyday_nearer(self, word: str, term: str) -> bool:
        """Is an everyday word fewer slips from `word` than the term it fuzzes to ('negatie' is 'negative', not
        'negatives'; 'acctualy' is 'actually', not 'accrual')?"""
        if self.everyday_slips.near(word):
            return True
        two = self.everyday_slips.near_two(word)  # as near as the term: the everyday word ('acctualy', 'accrual')
        return bool(two) and OSA.distance(word, term) >= min(OSA.distance(word, w) for w in two)

    def _near_length(self, size: int, length: int, cutoff: float) -> list[str]:
        """The fuzzy phrases of `size` words whose length lets fuzz.ratio with a text of `length` characters reach
        `cutoff`, in their order: the ratio is at most 100 * (1 - |la - lb| / (la + lb)), so the others score below
        it and searching without them finds the same phrases (the cut keeps a margin far above rounding)."""
        key = (size, length)
        found = self._within.get(key)
        if found is None:
            found = [p for p in self.fuzzy[size] if 100.0 * (1 - abs(len(p) - length) / (len(p) + length)) >= cutoff - 1e-6]
            if length <= 200:  # windows of three words: a few hundred lengths at most are kept
                self._within[key] = found
        return found

    def _fuzzy(self, toks: list[str], covered: list[bool], out: list[Mention]) -> None:
        for size in (3, 2, 1):
            choices = self.fuzzy.get(size)
            if not choices:
                continue
            for i in range(len(toks) - size + 1):
                if any(covered[i:i + size]):
                    continue
                window = toks[i:i + size]
                if size == 1 and len(window[0]) < 5:
                    continue
                if any(len(t) < 4 or any(c.isdigit() for c in t) for t in window):
                    continue
                # an everyday word is never fuzzed into a term; inside a longer window it may stand as itself
                # when phrases use it and knowledge lets it ('cytogentic high risk'): then it must match exactly
                kept = [t for t in window if t in self.everyday]
                if kept and (size == 1 or len(kept) == size or not all(t in self.within for t in kept)):
                    continue
                text = " ".join(window)
                cutoff = self.cutoff(len(text))
                found = process.extract(text, self._near_length(size, len(text), cutoff), scorer=fuzz.ratio,
                                        score_cutoff=cutoff, limit=3)
                # every word must be a near miss of its counterpart ('limit increased' is not 'alt increased')
                best = next((c for c in found if all((a == b) if a in self.everyday else fuzz.ratio(a, b) >= 75
                                                     for a, b in zip(window, c[0].split(" ")))), None)
                if best and size == 1 and not one_slip(text, best[0]) and self._everyday_nearer(text, best[0]):
                    continue  # nearer an everyday word than the term: the word the accounting corrects it to
                if best:
                    self._add(out, best[0], i, i + size, best[1] / 100.0, "fuzzy")
                    covered[i:i + size] = [True] * size
