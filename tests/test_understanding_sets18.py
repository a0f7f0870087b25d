"""Issue 9, classes found after fresh set 17 and on fresh sets 18 and 19 (examples written for the tests, not
taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant


@pytest.mark.parametrize("q", ["how long did it take?", "how soon?", "what was the time to onset?"])
def test_a_bare_timing_question_with_no_turn_before_asks_back(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "clarify", (q, a.status, a.answer)
    assert "32.6" not in a.answer  # the one timing fact is not a guess at what was meant


def test_a_bare_timing_question_after_a_topic_is_answered_from_it(assistant: Assistant) -> None:
    first = assistant.ask("how many patients got a second cancer?")
    a = assistant.ask("how long did it take?", context=first.context)
    assert a.status == "answered" and "32.6" in a.answer


def test_how_many_patients_alone_is_still_the_enrolment(assistant: Assistant) -> None:
    a = assistant.ask("how many patients?")
    assert a.status == "answered" and "80" in a.answer


@pytest.mark.parametrize("q", ["which hospital ran it?", "who ran it?", "where was it conducted?",
                               "where was the trial done", "where is the study"])
def test_it_with_a_verb_of_running_a_study_is_this_trial(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data", (q, a.status, a.answer)
    assert "single-center" in a.answer


def test_a_hospital_question_not_about_a_study_is_out_of_scope(assistant: Assistant) -> None:
    assert assistant.ask("which hospital is best for knee surgery").status == "out_of_scope"
