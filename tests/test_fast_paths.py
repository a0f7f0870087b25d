"""Shortcuts taken for speed (issue 13) give what the long way gives: the normal form skips a substitution only
when the text lacks a character it cannot match without."""
from __future__ import annotations

import json
import unicodedata

import assistant.kb.normal as normal
from assistant import Assistant
from assistant.kb.normal import needs_digit, strip_control

from .conftest import DATA, SHARED


def normalised_the_long_way(n: normal.Normaliser, text: str) -> str:
    """Normaliser._normalise with every substitution run."""
    t = unicodedata.normalize("NFKC", normal._TAG.sub(" ", strip_control(text))).translate(normal._DASHES)
    t = t.translate(normal._QUOTES).replace("·", ".").replace("µ", "u").lower()
    for pattern, repl, _ in normal._SIGNS:
        t = pattern.sub(repl, t)
    t = normal._NOT.sub("nt", t)
    t = t.replace("'s ", " ").replace("-", " ")
    t = normal._PUNCT.sub(" ", t)
    t = normal._LONE_DOT.sub(" ", t)
    t = normal._SPACES.sub(" ", t).strip()
    t = n._number_words(t)
    for pattern, repl, _ in n.fold:
        t = pattern.sub(repl, t)
    return normal._SPACES.sub(" ", t).strip()


def _questions() -> list[str]:
    out = []
    for path in sorted(DATA.glob("*.jsonl")) + sorted((SHARED / "data").glob("*-dev.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                q = json.loads(line)["question"]
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(q, str):
                out.append(q)
    out += (DATA / "naughty_strings.txt").read_text(encoding="utf-8").splitlines()
    signs = ["a+b", "ino+", "CD22+ and CD19-", "≥70", ">= 70", "=>70", "≤ 60", "<=60", "=<60", "> 5", "< 5", "5+",
             "50 %", "age ≥ 70 yrs", "‘quoted’ `tick`", "the patient`s age", "3–5 years", "５年", "2nd cycle", "1 or 2 year", "<b>5</b>y"]
    return out + signs + [s.upper() for s in signs]


def test_the_normal_form_is_the_long_way_s(assistant: Assistant) -> None:
    n = assistant.store.normalise
    texts = _questions()
    assert len(texts) > 10_000
    for t in texts:
        assert n._normalise(t) == normalised_the_long_way(n, t), t


def test_needs_digit_is_true_only_when_certain() -> None:
    assert needs_digit(r"(?<=\d)\s*(?:years?|yrs?|y)\b") and needs_digit(r"\b(\d) (?:and|or) (\d) (year)\b")
    assert needs_digit(r"a\d") and needs_digit(r"(?:\d)+")
    for p in (r"(\d+|foo)", r"(?<!\d)x", r"\d?x", r"\d*x", r"[0-9x]", r"x", r"(", r"a|\d"):
        assert not needs_digit(p), p


def test_fuzzy_windows_search_only_phrases_of_a_length_that_can_reach_the_cutoff(assistant: Assistant) -> None:
    from rapidfuzz import fuzz, process

    tagger = assistant.matcher.tagger
    windows = set()
    for q in _questions()[:4000]:
        toks = assistant.store.normalise(q).split(" ")
        for size in (1, 2, 3):
            windows.update((size, " ".join(toks[i:i + size])) for i in range(len(toks) - size + 1))
    windows = {w for w in windows if len(w[1]) >= 4}
    assert len(windows) > 5000
    kept = total = 0
    for size, text in sorted(windows)[::3]:
        cutoff = tagger.cutoff(len(text))
        near = tagger._near_length(size, len(text), cutoff)
        every = tagger.fuzzy[size]
        assert process.extract(text, near, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3) == [
            (c, s, near.index(c)) for c, s, _ in process.extract(text, every, scorer=fuzz.ratio, score_cutoff=cutoff,
                                                                 limit=3)], text
        kept, total = kept + len(near), total + len(every)
    assert kept < 0.7 * total  # it does leave phrases out


def test_a_sentence_end_is_read_back_as_the_pattern_finds_it() -> None:
    from assistant.understand.account import _SENTENCE_END, _ends_sentence

    texts = _questions()[:3000] + ["a.\n b", "a. \u00a0\u2003b", "a;\tb", "a:\n", "x.\u200bb", " . b", "\n\n", "?", ""]
    for t in texts:
        for end in range(len(t) + 1):
            assert _ends_sentence(t, end) == bool(_SENTENCE_END.search(t[:end])), (t, end)
            assert (end <= len(t) - len(t.lstrip())) == (not t[:end].strip()), (t, end)
