"""The intent rules' literal prefilters never skip a search that would have matched (issue 13)."""
from __future__ import annotations

import json
import re

from assistant import Assistant
from assistant.understand.prefilter import cheapest, passes, requirements

from .conftest import DATA, SHARED


def _texts(assistant: Assistant) -> list[str]:
    files = sorted(DATA.glob("*.jsonl")) + sorted((SHARED / "data").glob("*-dev.jsonl"))
    out = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(assistant.store.normalise(json.loads(line)["question"]))
            except (ValueError, KeyError, TypeError):
                continue
    out += [assistant.store.normalise(x) for x in (DATA / "naughty_strings.txt").read_text(encoding="utf-8").splitlines()]
    return out


def test_a_prefilter_never_rejects_a_text_its_pattern_matches(assistant: Assistant) -> None:
    texts = _texts(assistant)
    patterns = [p for r in assistant.store.intents.values() for p in r.patterns]
    assert len(texts) > 3000 and len(patterns) > 50
    skipped = 0
    for p in patterns:
        compiled, group = re.compile(p), cheapest(p)
        for t in texts:
            if not passes(group, t):
                skipped += 1
                assert compiled.search(t) is None, (p, t)
    assert skipped > 0.5 * len(patterns) * len(texts)  # it does skip most searches


def test_requirements_read_literals_and_alternatives() -> None:
    assert requirements(r"\b(years?|months?) left\b") == [("month", "year"), (" left",)]
    assert requirements(r"\b(can|could|may) (i|we) (have|get) this") == [("can", "could", "may"), ("get", "have"),
                                                                          (" this",)]
    assert requirements(r"(?<!how )\bshould (i|we)") == [("should ",)]
    assert requirements(r"\b(a|b)?x") == [] and requirements("(") == []
    assert passes((), "anything") and not passes(("left",), "right")


def test_the_one_word_fast_path_of_the_normal_form_is_exact(assistant: Assistant) -> None:
    n = assistant.store.normalise
    words = set()
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(re.findall(r"[A-Za-z]+", line))
    settings = assistant.store.frame.normalise
    words |= set(settings.number_words) | {w.upper() for w in settings.number_words} | {"Fifth", "ONE", "Second"}
    assert len(words) > 2000
    assert [w for w in words if n(w) != n._normalise(w)] == []
