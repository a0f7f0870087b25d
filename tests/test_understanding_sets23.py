"""Issue 9, classes found on fresh set 23 (examples written for the tests, not taken from the set)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns


def test_the_measure_difference_after_a_comparison_is_that_comparison(assistant: Assistant) -> None:
    """'was the OS difference significant?' after OS under 70 vs 70 and older: P = .17, not the three age groups'."""
    *_, a = turns(assistant, "PFS under 70 vs 70 and older?", "and OS?", "was the OS difference significant?")
    assert a.status == "answered" and ".17" in a.answer and ".048" not in a.answer, a.answer


@pytest.mark.parametrize("q, wanted, other", [
    ("was the OS difference between under 70 and 70 and older significant?", ".17", ".048"),
    ("p value for PFS in patients under 70 vs those 70 or older?", ".27", ".11"),
])
def test_the_p_value_of_two_groups_is_their_comparison_only(assistant: Assistant, q: str, wanted: str,
                                                           other: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and wanted in a.answer and other not in a.answer, a.answer


def test_the_difference_between_two_measures_is_still_a_comparison_of_them(assistant: Assistant) -> None:
    *_, a = turns(assistant, "OS for 70 and older?", "what is the difference between OS and PFS?")
    assert a.status == "answered" and a.intent == "compare", (a.intent, a.answer)


@pytest.mark.parametrize("q", ["How many patients completed all of maintenance?",
                               "how many patients received maintenance?",
                               "how many people finished the maintenance therapy?"])
def test_a_head_count_the_article_does_not_give_is_not_reported(assistant: Assistant, q: str) -> None:
    """The maintenance fact describes POMP; it holds no number of patients: no description in its place."""
    a = assistant.ask(q)
    assert a.status == "no_data", (q, a.status, a.answer)
    assert "POMP" not in a.answer


@pytest.mark.parametrize("q, figure", [("how many patients were 70 or older?", "28"),
                                       ("how many people were still alive after five years?", "46"),
                                       ("cycles 2 to 4 total InO per cycle after they lowered it?", "0.3")])
def test_head_counts_and_rates_the_article_gives_are_answered(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["What was this trial actually testing?", "what was the trial studying?",
                               "what was the study evaluating?"])
def test_what_a_trial_was_testing_is_its_regimen(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "inotuzumab" in a.answer and "blinatumomab" in a.answer, (q, a.answer)


def test_a_relatives_age_told_before_a_question_is_no_question_about_that_age(assistant: Assistant) -> None:
    """'My dad is 74 and was just diagnosed.' names only an age group: it is not answered with that group's
    survival, alone or beside a question that is."""
    a = assistant.ask("My dad is 74 and was just diagnosed with B-ALL. What was this trial actually testing?")
    assert a.status == "answered" and "inotuzumab" in a.answer and "34.7" not in a.answer, a.answer
    b = assistant.ask("My mum is 72. What did they frobnicate?")
    assert b.status != "answered" and "34.7" not in b.answer, (b.status, b.answer)


def test_a_statement_naming_a_measure_still_holds_the_question(assistant: Assistant) -> None:
    a = assistant.ask("I can't find the follow-up range.")
    assert a.status == "answered" and "42.0" in a.answer


@pytest.mark.parametrize("q", ["I'm a pharmacist: what inotuzumab dose should I dispense for my 78-year-old patient?",
                               "how much inotuzumab should we infuse?",
                               "should I prescribe blinatumomab to my patient?"])
def test_a_dose_to_dispense_or_infuse_for_a_patient_is_a_personal_decision(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "medical_advice", (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["What were the nervous-system type side effects?", "any neurological side effects?",
                               "neuro side effects"])
def test_nervous_system_side_effects_are_headache_and_neuropathy(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "46%" in a.answer and "45%" in a.answer, (q, a.status, a.answer)


def test_a_general_neurology_question_is_not_about_the_trial(assistant: Assistant) -> None:
    assert assistant.ask("What is a neurological issue").status == "out_of_scope"
    assert assistant.ask("what is neurotoxicity?").status != "answered"


@pytest.mark.parametrize("q", ["which trial can you tell me about?", "what trial is this?", "which study do you cover?"])
def test_which_trial_this_is_gives_the_paper_and_its_registration(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "NCT01371630" in a.answer and "Jabbour" in a.answer, (q, a.answer)


def test_alongside_is_a_word_of_the_question(assistant: Assistant) -> None:
    *_, a = turns(assistant, "What was the MRD negativity rate?",
                  "and what was the overall response rate alongside that?")
    assert a.status == "answered" and "99%" in a.answer, a.answer
