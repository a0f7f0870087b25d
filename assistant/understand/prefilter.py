"""Literal prefilters for the intent rules' regular expressions: the literal text a pattern cannot match without.

`requirements(pattern)` reads the pattern with the parser behind `re` and returns groups of literals: the top-level
literal runs ("should "), and for a top-level group of alternatives the leading literal of each ("can", "could",
"may"). A match needs one literal of every group in the text, so `passes()` False means the pattern cannot match
and the search is skipped; True means search as before. Exact by construction (tests check it over every labelled
and off-trial question); a pattern the parser cannot read gets no prefilter.
"""
from __future__ import annotations

import re

try:  # the parser behind `re` (3.11+: re._parser)
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

LITERAL, SUBPATTERN, BRANCH, AT, ASSERT, ASSERT_NOT, IN, MAX_REPEAT, MIN_REPEAT = (
    sre_parse.LITERAL, sre_parse.SUBPATTERN, sre_parse.BRANCH, sre_parse.AT, sre_parse.ASSERT,
    sre_parse.ASSERT_NOT, sre_parse.IN, sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT)


def _leading(items) -> str:
    """The literal text every match of this sequence starts with ('' if none)."""
    out = []
    for op, av in items:
        if op is LITERAL:
            out.append(chr(av))
        elif op in (AT, ASSERT, ASSERT_NOT):
            if out:
                break
            continue  # zero-width before any text
        elif op is SUBPATTERN and not out:
            inner = av[-1]
            alts = _alternatives(inner)
            if alts is not None and len(alts) == 1:
                out.append(alts[0])
            break
        else:
            break
    return "".join(out)


def _alternatives(items) -> list[str] | None:
    """For a sequence that is one branch: the leading literal of each alternative (None if one has none)."""
    items = list(items)
    if len(items) == 1 and items[0][0] is BRANCH:
        leads = [_leading(list(b)) for b in items[0][1][1]]
        return None if any(not x for x in leads) else leads
    lead = _leading(items)
    return [lead] if lead else None


def requirements(pattern: str) -> list[tuple[str, ...]]:
    """Groups of literals: a match needs, for every group, one of its literals in the text. [] for none known."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - no prefilter is always correct
        return []
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return []
    out: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            out.append(("".join(run),))
        run.clear()

    for op, av in parsed:
        if op is LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is SUBPATTERN:
            alts = _alternatives(av[-1])
        elif op is BRANCH:  # 3.11+ inlines a non-capturing group of alternatives
            alts = _alternatives([(op, av)])
        else:
            continue
        if alts and all(len(a) >= 2 for a in alts):
            out.append(_minimal(alts))
    flush()
    return out


def _minimal(literals: list[str]) -> tuple[str, ...]:
    """The literals without those containing another ('risks' holds 'risk': testing 'risk' tests both)."""
    unique = set(literals)
    return tuple(sorted(a for a in unique if not any(b != a and b in a for b in unique)))


def cheapest(pattern: str) -> tuple[str, ...]:
    """The one requirement worth testing before a search: the group with the fewest literals (then the longest),
    () when there is none."""
    groups = requirements(pattern)
    if not groups:
        return ()
    return min(groups, key=lambda g: (len(g), -min(map(len, g))))


def passes(group: tuple[str, ...], text: str) -> bool:
    """Could the pattern match `text`? False only when none of the group's literals is in it."""
    return not group or any(lit in text for lit in group)
