"""Run every `$ command` in README.md's text/console blocks and compare with the output shown."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass
class Example:
    line: int
    command: str
    expected: list[str]


def examples(readme: str) -> list[Example]:
    out: list[Example] = []
    lang, current = None, None
    for n, line in enumerate(readme.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            if lang is None:
                lang = m.group(1)
            else:
                lang, current = None, None
            continue
        if lang not in ("text", "console"):
            continue
        if line.startswith("$ "):
            current = Example(n, line[2:], [])
            out.append(current)
        elif current is not None:
            current.expected.append(line)
    return out


STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


def normal(line: str) -> str:
    return STAMP.sub("<time>", line.rstrip())


def matches(expected: list[str], actual: list[str]) -> str:
    """'' when the output matches (`...` in a line: anything there; a line of only `...`: any lines)."""
    exp = [normal(x) for x in expected]
    act = [normal(x) for x in actual]
    while exp and not exp[-1].strip():
        exp.pop()
    while act and not act[-1].strip():
        act.pop()

    def fits(pattern: str, line: str) -> bool:
        parts = [re.escape(p) for p in pattern.split("...")]
        return re.fullmatch(".*?".join(parts), line) is not None

    def walk(i: int, j: int) -> bool:
        if i == len(exp):
            return j == len(act)
        if exp[i].strip() in ("...", "…"):
            return any(walk(i + 1, k) for k in range(j, len(act) + 1))
        return j < len(act) and fits(exp[i], act[j]) and walk(i + 1, j + 1)

    if walk(0, 0):
        return ""
    for k, e in enumerate(exp):
        a = act[k] if k < len(act) else "<end of output>"
        if e.strip() not in ("...",) and not fits(e, a):
            return f"line {k + 1}: expected {e!r}\n                got {a!r}"
    return f"expected {len(exp)} lines, got {len(act)}: {act[len(exp):len(exp) + 2]}"
