"""Issue 9, classes found on fresh sets 28 and later (examples written for the tests, not taken from the sets)."""
from __future__ import annotations

from assistant import Assistant

from .conftest import turns


def test_that_beside_a_named_measure_is_the_last_answer_beside_it(assistant: Assistant) -> None:
    """'was that higher than PFS at 2 years?' after 2-year OS: both figures, not the named one alone."""
    *_, a = turns(assistant, "what was the 2-year overall survival?", "was that higher than PFS at 2 years?")
    assert a.status == "answered" and "63.6%" in a.answer and "2-year progression-free" in a.answer, a.answer
    *_, b = turns(assistant, "PFS at 5 years?", "was OS better than that?")
    assert b.status == "answered" and "44.0%" in b.answer and "46.0%" in b.answer, b.answer


def test_a_measure_named_without_that_stays_alone(assistant: Assistant) -> None:
    """'and PFS at 5 years?' after 5-year OS is PFS only: nothing points back at the OS figure."""
    *_, a = turns(assistant, "OS at 5 years?", "and PFS at 5 years?")
    assert a.status == "answered" and "44.0%" in a.answer and "46.0%" not in a.answer, a.answer
