"""Words one or two slips apart: a letter left out, added or changed, or two neighbours swapped ('paients' ->
'patients', 'ferbile' -> 'febrile'). The words are kept in buckets by first letter and length, and a bucket is
searched with rapidfuzz's optimal string alignment distance: a few microseconds a word, and no index to hold."""
from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA


def one_slip(a: str, b: str) -> bool:
    """Optimal string alignment distance exactly 1."""
    return a != b and abs(len(a) - len(b)) <= 1 and OSA.distance(a, b, score_cutoff=1) <= 1


class SlipIndex:
    """The words of a fixed set (of at least `min_length` letters) a slip or two from a given word. Buckets are
    built on first use and only read afterwards (a race builds the same buckets twice: harmless)."""

    def __init__(self, words: Iterable[str], min_length: int = 5) -> None:
        self._words = sorted(w for w in set(words) if len(w) >= min_length and w.isalpha())
        self.min_length = min_length
        self._buckets: dict[tuple[str, int], list[str]] | None = None

    def _pool(self, first: str, length: int, spread: int) -> list[str]:
        buckets = self._buckets
        if buckets is None:
            buckets = {}
            for w in self._words:
                buckets.setdefault((w[0], len(w)), []).append(w)
            self._buckets = buckets
        return [w for n in range(length - spread, length + spread + 1) for w in buckets.get((first, n), ())]

    def _within(self, word: str, pool: list[str], edits: int) -> list[str]:
        found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return sorted({w for w, _, _ in found if w != word})

    def near(self, word: str) -> list[str]:
        """The words one slip from `word`, sorted (not `word` itself). Same first letter, or the first two letters
        swapped ('ptients')."""
        if len(word) < self.min_length - 1:
            return []
        pool = self._pool(word[0], len(word), 1)
        if len(word) > 1 and word[1] != word[0]:
            pool = pool + self._pool(word[1], len(word), 0)
        return self._within(word, pool, 1)

    def near_two(self, word: str, min_length: int = 7) -> list[str]:
        """The words with the same first letter two slips from a long `word` ('ptaiens' -> 'patients'), sorted."""
        if len(word) < min_length:
            return []
        return self._within(word, self._pool(word[0], len(word), 2), 2)
