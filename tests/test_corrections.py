"""Typo corrections (issue 13): the one-edit lookups and the table built with the knowledge give exactly what
searching the whole pool with rapidfuzz gives (the way every correction was worked out before)."""
from __future__ import annotations

import random

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant import Assistant
from assistant.kb.vocabulary import Vocabulary


def searched(vocab: Vocabulary, word: str) -> str:
    """Vocabulary.correction as it was: rapidfuzz OSA over every candidate of a near length."""
    vocab.count("the")  # loaded
    s = vocab.settings
    if len(word) < 3 or not word.isalpha():
        return ""
    edits = s.typo_max_edits_long if len(word) >= 8 else s.typo_max_edits
    if len(word) < s.typo_min_length:
        pool = sorted(w for w in vocab.frame_words  # swapped letters, or one letter left out ('mny' -> 'many')
                      if (len(w) == len(word) and sorted(w) == sorted(word))
                      or (len(w) == len(word) + 1 and w[0] == word[0]
                          and any(w[:i] + w[i + 1:] == word for i in range(len(w)))))
    else:
        pool = [w for n in range(len(word) - edits, len(word) + edits + 1) for w in vocab._typo_targets.get(n, ())]
    if not pool:
        return ""
    found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=8)
    if not found:
        return ""
    best = min(d for _, d, _ in found)
    near = [w for w, d, _ in found if d == best]
    near.sort(key=lambda w: (w not in vocab.frame_words, w[0] != word[0], -vocab.count(w), w))
    return near[0]


def _mutations(word: str, rng: random.Random, edits: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(edits):
        i = rng.randrange(len(word) + 1)
        op = rng.randrange(4)
        if op == 0 and len(word) > 1:
            word = word[:i] + word[i + 1:]
        elif op == 1:
            word = word[:i] + rng.choice(letters) + word[i:]
        elif op == 2 and i < len(word):
            word = word[:i] + rng.choice(letters) + word[i + 1:]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word


def test_lookups_give_what_the_whole_pool_search_gives(assistant: Assistant) -> None:
    store = assistant.store
    vocab = Vocabulary(store.frame.vocabulary, store.frame.words())
    vocab.count("the")
    rng = random.Random(13)
    targets = sorted(w for ws in vocab._typo_targets.values() for w in ws)
    words = set(store.misspelt) | {"peple", "granpa", "teh", "diarhea", "xyzzyq", "zzzz", "aaaa", "bata", "cae"}
    words |= set(rng.sample(targets, 400))  # the word itself
    for edits in (1, 1, 2, 3):  # typos of candidates: one, two and three edits
        words |= {_mutations(w, rng, edits) for w in rng.sample(targets, 400)}
    words |= {"".join(rng.choice("etaoinshrdlu") for _ in range(rng.randrange(3, 12))) for _ in range(300)}
    words |= {w for w in store.frame.words() if w.isalpha()}
    for w in sorted(words):
        assert vocab.search(w) == searched(vocab, w), w


def test_the_built_table_holds_the_correction_of_every_one_word_misspelling(assistant: Assistant) -> None:
    store = assistant.store
    words = {p for p in store.misspelt if " " not in p}
    assert words and set(store.corrections) == words
    assert store.corrections_size > 0
    live = Vocabulary(store.frame.vocabulary, store.frame.words())  # no table: every word worked out
    assert {w: searched(live, w) for w in sorted(words)} == store.corrections
    assert any(store.corrections.values())  # most misspellings are a typo of some word


def test_the_table_answers_only_for_the_word_list_it_was_built_with(assistant: Assistant) -> None:
    store = assistant.store
    word = "zzqx" + "a" * 5  # not a word: nothing near it
    assert Vocabulary(store.frame.vocabulary, store.frame.words(), {word: "people"},
                      store.corrections_size).correction(word) == "people"
    stale = Vocabulary(store.frame.vocabulary, store.frame.words(), {word: "people"}, store.corrections_size + 1)
    assert stale.correction(word) == ""  # another word list: worked out
