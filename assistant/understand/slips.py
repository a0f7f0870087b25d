"""Words one slip apart: a letter left out, added or changed, or two neighbours swapped ('paients' -> 'patients',
'ferbile' -> 'febrile'). A deletion index answers in a few dictionary lookups, with no search over the words."""
from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA


def one_slip(a: str, b: str) -> bool:
    """Optimal string alignment distance exactly 1."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return (a[i + 1:] == b[i:]) if len(a) > len(b) else (a[i:] == b[i + 1:])


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


class SlipIndex:
    """The words of a fixed set (of at least `min_length` letters) one slip from a given word. Built lazily on
    first use, read-only afterwards (a race builds the same index twice: harmless)."""

    def __init__(self, words: Iterable[str], min_length: int = 5) -> None:
        self._words = sorted(w for w in set(words) if len(w) >= min_length and w.isalpha())
        self.min_length = min_length
        self._index: dict[str, list[str]] | None = None

    def near(self, word: str) -> list[str]:
        """The words one slip from `word`, sorted (not `word` itself)."""
        if len(word) < self.min_length - 1:
            return []
        index = self._index
        if index is None:
            index = {}
            for w in self._words:
                for key in _deletions(w):
                    index.setdefault(key, []).append(w)
            self._index = index
        return sorted({w for k in _deletions(word) for w in index.get(k, ()) if one_slip(word, w)})

    def near_two(self, word: str, min_length: int = 7) -> list[str]:
        """The words with the same first letter two slips from a long `word` ('ptaiens' -> 'patients'), sorted:
        searched over the words of about its length only, and only when nothing is one slip away."""
        if len(word) < min_length:
            return []
        pool = [w for w in self._words if w[0] == word[0] and abs(len(w) - len(word)) <= 2]
        return sorted(w for w in pool if OSA.distance(word, w, score_cutoff=2) <= 2 and w != word)
