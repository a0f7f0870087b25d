"""Typos and everyday rewordings of the labelled questions keep their answers.

Each answered, self-contained question of the labelled sets is asked again with one slip in one of its long words
(a letter left out, doubled, or two swapped; a fixed seed, so the run is the same every time), and with everyday
wrappers ('do you know ...', 'I was wondering, ...'). The answer must be the same facts; a small share may move to
asking back or declining, never to other figures."""
from __future__ import annotations

import json
import random
import re

import pytest

from assistant import Assistant

from .conftest import DATA


def _answered_questions() -> list[str]:
    out = []
    for path in sorted(DATA.glob("questions*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if d.get("session") is None and d.get("expected_status") == "answered":
                out.append(d["question"])
    return out


def _slip(q: str, rnd: random.Random) -> str:
    words = q.split()
    long = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long:
        return q
    i = rnd.choice(long)
    w, j = words[i], rnd.randrange(1, len(words[i]) - 1)
    op = rnd.choice(["drop", "swap", "double"])
    words[i] = (w[:j] + w[j + 1:] if op == "drop" else w[:j] + w[j + 1] + w[j] + w[j + 2:] if op == "swap"
                else w[:j] + w[j] + w[j:])
    return " ".join(words)


@pytest.fixture(scope="module")
def answered(assistant: Assistant) -> list[tuple[str, list[str]]]:
    out = []
    for q in _answered_questions():
        a = assistant.ask(q)
        if a.status == "answered":
            out.append((q, sorted(a.facts)))
    return out


@pytest.mark.parametrize("seed", [3, 7, 11])
def test_one_slip_in_a_long_word_keeps_the_answer(assistant: Assistant, answered: list[tuple[str, list[str]]],
                                                   seed: int) -> None:
    rnd = random.Random(seed)
    tried, moved, other = 0, [], []
    for q, facts in answered:
        q2 = _slip(q, rnd)
        if q2 == q:
            continue
        tried += 1
        a = assistant.ask(q2)
        if a.status != "answered":
            moved.append((q2, a.status))
        elif sorted(a.facts) != facts:
            other.append((q2, a.facts[:3]))
    assert tried > 300
    assert len(moved) + len(other) <= 0.02 * tried, (moved + other)[:10]  # measured: 0.4-1.3%
    assert len(other) <= 3, other


@pytest.mark.parametrize("wrap", [lambda q: "do you know " + q[0].lower() + q[1:],
                                  lambda q: "I was wondering, " + q[0].lower() + q[1:],
                                  lambda q: "hi, quick question: " + q[0].lower() + q[1:],
                                  lambda q: q.rstrip("?. ") + " in this trial?",
                                  lambda q: re.sub(r"\bpatients\b", "participants", q)],
                         ids=["do-you-know", "wondering", "hi", "in-this-trial", "participants"])
def test_everyday_wrappers_keep_the_answer(assistant: Assistant, answered: list[tuple[str, list[str]]], wrap) -> None:  # type: ignore[no-untyped-def]
    changed = []
    for q, facts in answered:
        q2 = wrap(q)
        if q2 == q:
            continue
        a = assistant.ask(q2)
        if a.status != "answered" or sorted(a.facts) != facts:
            changed.append((q2, a.status, a.facts[:2]))
    # measured: 0-5 of ~600 (the changes seen are a wrapper glued to a second sentence, 'what is PFS in this trial?'
    # read as its rates, not its definition): at most 1%
    assert len(changed) <= max(3, len(answered) // 100), changed
