"""General English vocabulary: how common a word is, and the common word a typo was meant to be.

The word list is the English frequency dictionary that ships with symspellpy (82,765 words with counts from
Google Books n-grams). It is read from the installed package's data file without importing the package,
once per process and only when a question has a word the lexicon and the frame words do not explain.
It lives in kb/ because the knowledge build works out the corrections of the lexicon's misspellings with it
(kb/build.py); the word accounting (understand/account.py) asks it about the rest.
"""
from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

from assistant.errors import KnowledgeError, KnowledgeCheckError
from assistant.kb.settings import VocabularySettings


def _data_file(settings: VocabularySettings) -> Path:
    spec = importlib.util.find_spec(settings.package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        path = Path(loc) / settings.file
        if path.is_file():
            return path
    raise KnowledgeCheckError([KnowledgeError("frame.toml", "vocabulary", "file",
                                              f"{settings.file} not found in the '{settings.package}' package "
                                              f"(pip install {settings.package})")])


def data_file_size(settings: VocabularySettings) -> int:
    """The size in bytes of the word list: a correction table built with one word list is used only with it."""
    return _data_file(settings).stat().st_size


def short_pool(word: str, frame_words: frozenset[str]) -> list[str]:
    """The frame words a short word may be a typo of: the same letters swapped, or one letter left out (same
    first letter)."""
    return sorted(w for w in frame_words
                  if (len(w) == len(word) and sorted(w) == sorted(word))
                  or (len(w) == len(word) + 1 and w[0] == word[0]
                      and any(w[:i] + w[i + 1:] == word for i in range(len(w)))))


class Vocabulary:
    """Word counts, loaded lazily and shared read-only by every thread.

    `known` is the correction table built with the knowledge (kb/build.py: `correction` of every one-word
    misspelling in the lexicon, worked out there as below); it answers those words without the ~0.5 ms fuzzy
    search, and only while the word list is the one it was built from (`known_size`, its size in bytes)."""

    def __init__(self, settings: VocabularySettings, frame_words: frozenset[str],
                 known: dict[str, str] | None = None, known_size: int = -1, lean: bool = False) -> None:
        self.settings = settings
        self.frame_words = frame_words
        self._known = known or {}
        self._known_size = known_size
        self._known_ok: bool | None = None  # is the installed word list the one the table was built from?
        self._lean = lean  # keep only the candidates' counts: enough for `search` (the build), a quarter the memory
        self._counts: dict[str, int] | None = None
        self._typo_targets: dict[int, list[str]] = {}
        self._letters = ""  # every character of a candidate word
        self._pools: dict[tuple[int, int], list[str]] = {}  # (length, edits) -> candidate words, built once
        self._lock = threading.Lock()

    def _load(self) -> dict[str, int]:
        with self._lock:
            if self._counts is None:
                counts: dict[str, int] = {}
                floor = self.settings.typo_count
                with open(_data_file(self.settings), encoding="utf-8") as f:
                    for line in f:
                        word, _, n = line.rstrip("\n").partition(" ")
                        if not n.isdigit():
                            continue
                        if not self._lean or int(n) >= floor and len(word) >= self.settings.typo_min_length \
                                and word.isalpha():
                            counts[word] = int(n)
                        else:  # a later line of a word counts, as in the full table
                            counts.pop(word, None)
                targets: dict[int, list[str]] = {}
                for w, n in counts.items():
                    if n >= floor and len(w) >= self.settings.typo_min_length and w.isalpha():
                        targets.setdefault(len(w), []).append(w)
                for w in self.frame_words:
                    if len(w) >= 3 and w.isalpha():
                        targets.setdefault(len(w), []).append(w)
                self._typo_targets = {k: sorted(set(v)) for k, v in targets.items()}
                self._letters = "".join(sorted({c for v in self._typo_targets.values() for w in v for c in w}))
                self._counts = counts
        return self._counts

    def count(self, word: str) -> int:
        """How often the word occurs in the reference corpus (0: not an English word it knows)."""
        counts = self._counts if self._counts is not None else self._load()
        return counts.get(word, 0)

    def common(self, word: str) -> bool:
        return self.count(word) >= self.settings.common_count

    @lru_cache(maxsize=4096)  # noqa: B019 - one Vocabulary per store
    def correction(self, word: str) -> str:
        """The frequent word (or frame word) `word` is one edit away from ('peple' -> 'people'); '' if none."""
        if word in self._known:
            if self._known_ok is None:
                self._known_ok = data_file_size(self.settings) == self._known_size
            if self._known_ok:
                return self._known[word]
        return self.search(word)

    def search(self, word: str) -> str:
        """`correction` worked out over the word list (what the built table holds for the words it has)."""
        if self._counts is None:
            self._load()
        if len(word) < 3 or not word.isalpha():
            return ""
        edits = self.settings.typo_max_edits_long if len(word) >= 8 else self.settings.typo_max_edits
        if len(word) < self.settings.typo_min_length:  # short words: swapped letters ('teh' -> 'the') or one
            near = self._fuzzy(word, short_pool(word, self.frame_words), edits)  # letter dropped ('mny' -> 'many')
        elif edits < 1:
            near = self._fuzzy(word, self._pool(len(word), edits), edits)
        else:
            # The candidates one edit away (or the word itself) are found by lookups, and ranked as the search would
            # rank them: by distance (the word itself is 0), then in pool order (by length, then alphabetically),
            # the first 8. Only when there are none and two edits are allowed is the pool searched.
            near = self._one_edit(word)
            if word in near:
                near = [word]
            elif near or edits == 1:
                near = sorted(near, key=lambda w: (len(w), w))[:8]
            else:
                near = self._fuzzy(word, self._pool(len(word), edits), edits)
        if not near:
            return ""
        # prefer a frame word, then the most frequent word; the same first letter breaks ties
        near.sort(key=lambda w: (w not in self.frame_words, w[0] != word[0], -self.count(w), w))
        return near[0]

    def _pool(self, length: int, edits: int) -> list[str]:
        """The candidate words of a length within `edits` of `length`, by length, then alphabetically."""
        key = (length, edits)
        pool = self._pools.get(key)
        if pool is None:  # racing threads build the same list: harmless
            pool = self._pools[key] = [w for n in range(length - edits, length + edits + 1)
                                       for w in self._typo_targets.get(n, ())]
        return pool

    def _one_edit(self, word: str) -> set[str]:
        """The candidate words at most one edit (OSA: a deletion, insertion, substitution or swap of two neighbouring
        letters) from `word`: every such string made of the candidates' letters, looked up."""
        n, letters = len(word), self._letters
        strings = {word[:i] + word[i + 1:] for i in range(n)}
        strings.update(word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(n - 1))
        for i in range(n + 1):
            head, tail, rest = word[:i], word[i:], word[i + 1:]
            strings.update(head + c + tail for c in letters)
            if i < n:
                strings.update(head + c + rest for c in letters)
        # the candidates among them, as _load chose them (no set of all candidates: it would cost 1 MB)
        counts, floor, shortest = self._counts or {}, self.settings.typo_count, self.settings.typo_min_length
        found = {w for w in strings & counts.keys() if counts[w] >= floor and len(w) >= shortest and w.isalpha()}
        found.update(w for w in strings & self.frame_words if len(w) >= 3 and w.isalpha())
        return found

    @staticmethod
    def _fuzzy(word: str, pool: list[str], edits: int) -> list[str]:
        """The closest pool words within `edits` (OSA), the first 8 by distance and pool order."""
        if not pool:
            return []
        from rapidfuzz import process  # only when a word needs correcting: keeps the cold start short
        from rapidfuzz.distance import OSA

        found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=8)
        if not found:
            return []
        best = min(d for _, d, _ in found)
        return [w for w, d, _ in found if d == best]
