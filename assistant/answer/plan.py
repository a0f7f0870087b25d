"""The Plan: what a question is answered with (status, facts, presentation), before any text is written."""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.kb.contract import Frame, SlotValue

from assistant.kb.models import Fact

NOT_MAIN = {"ci_low", "ci_high", "p", "range_low", "range_high", "timepoint", "label", "day", "cycle", "year",
            "reference", "age_low", "age_high"}  # value kinds that are never the headline figure


@dataclass
class Plan:
    """What to answer: status, facts, presentation, and how the slots were found."""

    status: str
    kind: str = ""
    rule: str = ""
    facts: list[Fact] = field(default_factory=list)
    table: bool = False
    reply: str = ""
    options: list[str] = field(default_factory=list)
    missing: str = ""
    extreme: str = ""
    slots: list[SlotValue] = field(default_factory=list)
    frame: Frame | None = None
    new_topic: bool = False
    confidence: float = 0.0
    note: str = ""
    unplaced: list[str] = field(default_factory=list)  # words the question used that were not understood
    also_missing: str = ""  # a part of the question the article does not report ('... and vomiting')


def main_value(fact: Fact):  # type: ignore[no-untyped-def]
    """The headline number of a fact: its declared `main` value, else its only figure; None when ambiguous."""
    if fact.main:
        return fact.value(fact.main)
    figures = [v for v in fact.values if v.kind not in NOT_MAIN and v.num is not None]
    return figures[0] if len(figures) == 1 else None
