"""General English vocabulary: how common a word is, and the common word a typo was meant to be.

The word list is the English frequency dictionary that ships with symspellpy (82,765 words with counts from
Google Books n-grams). It is read from the installed package's data file without importing the package,
once per process and only when a question has a word the lexicon and the frame words do not explain.
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


def _dropped(longer: str, word: str) -> bool:
    """`word` is `longer` with one letter left out."""
    return any(longer[:i] + longer[i + 1:] == word for i in range(len(longer)))


class Vocabulary:
    """Word counts, loaded lazily and shared read-only by every thread."""

    def __init__(self, settings: VocabularySettings, frame_words: frozenset[str]) -> None:
        self.settings = settings
        self.frame_words = frame_words
        self._counts: dict[str, int] | None = None
        self._typo_targets: dict[int, list[str]] = {}
        self._pools: dict[tuple[int, int], list[str]] = {}  # (length, edits) -> candidate words, built once
        self._lock = threading.Lock()

    def _load(self) -> dict[str, int]:
        with self._lock:
            if self._counts is None:
                counts: dict[str, int] = {}
                with open(_data_file(self.settings), encoding="utf-8") as f:
                    for line in f:
                        word, _, n = line.rstrip("\n").partition(" ")
                        if n.isdigit():
                            counts[word] = int(n)
                targets: dict[int, list[str]] = {}
                floor = self.settings.typo_count
                for w, n in counts.items():
                    if n >= floor and len(w) >= self.settings.typo_min_length and w.isalpha():
                        targets.setdefault(len(w), []).append(w)
                for w in self.frame_words:
                    if len(w) >= 3 and w.isalpha():
                        targets.setdefault(len(w), []).append(w)
                self._typo_targets = {k: sorted(set(v)) for k, v in targets.items()}
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
        if self._counts is None:
            self._load()
        if len(word) < 3 or not word.isalpha():
            return ""
        edits = self.settings.typo_max_edits_long if len(word) >= 8 else self.settings.typo_max_edits
        if len(word) < self.settings.typo_min_length:  # short words: swapped letters ('teh' -> 'the') or one
            pool = sorted(w for w in self.frame_words  # letter dropped from a frame word ('mny' -> 'many')
                          if (len(w) == len(word) and sorted(w) == sorted(word))
                          or (len(w) == len(word) + 1 and w[0] == word[0] and _dropped(w, word)))
        else:
            key = (len(word), edits)
            pool = self._pools.get(key)
            if pool is None:  # racing threads build the same list: harmless
                pool = self._pools[key] = [w for n in range(len(word) - edits, len(word) + edits + 1)
                                           for w in self._typo_targets.get(n, ())]
        if not pool:
            return ""
        from rapidfuzz import process  # only when a word needs correcting: keeps the cold start short
        from rapidfuzz.distance import OSA

        found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=8)
        if not found:
            return ""
        best = min(d for _, d, _ in found)
        near = [w for w, d, _ in found if d == best]
        # prefer a frame word, then the most frequent word; the same first letter breaks ties
        near.sort(key=lambda w: (w not in self.frame_words, w[0] != word[0], -self.count(w), w))
        return near[0]
