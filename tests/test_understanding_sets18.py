"""Issue 9, classes found after fresh set 17 and on fresh sets 18 and 19 (examples written for the tests, not
taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns


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


@pytest.mark.parametrize("q, figure, absent", [
    ("what was median PFS without blinatumomab?", "56.4", "34.7"),
    ("median PFS with blinatumomab?", "34.7", "56.4"),
    ("for those treated before blina was added, what was the median PFS?", "56.4", "34.7"),
    ("how many patients were on the blinatumomab version?", "31", "49 patients"),
])
def test_cohorts_named_by_blinatumomab(assistant: Assistant, q: str, figure: str, absent: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer and absent not in a.answer, (q, a.answer)


def test_with_or_without_blinatumomab_is_the_whole_trial(assistant: Assistant) -> None:
    a = assistant.ask("CR rate with or without blinatumomab")
    assert a.status == "answered" and "66 of the 74" in a.answer


def test_an_advice_turn_leaves_its_age_group_for_people_his_age(assistant: Assistant) -> None:
    advice, survival, dosing = turns(assistant, "my grandad is 75, should he have this treatment?",
                                      "in the trial, how long did people his age live?",
                                      "and what did the researchers say about dosing for patients like him?")
    assert advice.status == "medical_advice"
    assert survival.status == "answered" and "34.7" in survival.answer and "63.6" not in survival.answer
    assert dosing.status == "answered" and "dose reduction" in dosing.answer


def test_people_his_age_with_no_conversation_asks_back(assistant: Assistant) -> None:
    a = assistant.ask("how long did people his age live?")
    assert a.status == "clarify" and "63.6" not in a.answer


def test_a_group_narrowed_by_another_is_still_not_answered_with_either(assistant: Assistant) -> None:
    a = assistant.ask("median OS for TP53-mutated patients aged 70 or older")
    assert a.status == "no_data" and "34.7" not in a.answer and "33.2" not in a.answer


def test_the_two_groups_of_a_conversation_are_compared(assistant: Assistant) -> None:
    *_, compared = turns(assistant, "how many patients were treated after the amendment?",
                          "and before it?", "was PFS different between the two groups?")
    assert compared.status == "answered" and "34.7" in compared.answer and "56.4" in compared.answer
    assert "58.2" not in compared.answer  # not the whole trial's PFS


def test_whats_in_that_after_a_drug_is_its_components(assistant: Assistant) -> None:
    _, components = turns(assistant, "what maintenance did the first patients get?", "what's in that?")
    assert components.status == "answered" and "vincristine" in components.answer


def test_a_tie_in_coverage_leaves_no_word_unexplained(assistant: Assistant) -> None:
    a = assistant.ask("was MRD assessed by flow cytometry?")
    assert a.status == "answered"
    assert not [w for w in a.explain.words if w.role == "unplaced"]


def test_a_measure_naming_a_set_of_patients_replaces_the_group_its_fact_carried(assistant: Assistant) -> None:
    *_, timing, kinds = turns(assistant, "were there any second cancers?", "how old were those patients?",
                               "and how long after treatment did they appear?", "which types?")
    assert timing.status == "answered" and "32.6" in timing.answer
    assert kinds.status == "answered" and "myelodysplastic" in kinds.answer


def test_it_with_a_verb_of_giving_keeps_the_conversations_drug(assistant: Assistant) -> None:
    *_, maintenance = turns(assistant, "how many blinatumomab cycles after the amendment?",
                             "was it given in maintenance as well?")
    assert maintenance.status == "answered" and "every 3 cycles" in maintenance.answer
    assert "3 years" not in maintenance.answer  # not the original POMP maintenance


def test_should_my_relative_join_this_trail_is_advice(assistant: Assistant) -> None:
    assert assistant.ask("should my mum join this trail?").status == "medical_advice"


def test_eligible_for_that_evaluation_after_mrd_is_the_mrd_evaluation(assistant: Assistant) -> None:
    _, eligible = turns(assistant, "what share were MRD negative?", "how many were eligible for that evaluation?")
    assert eligible.status == "answered" and "Seventy-nine" in eligible.answer


def test_a_reference_word_inside_a_groups_name_points_at_nothing_earlier(assistant: Assistant) -> None:
    *_, count, follow_up = turns(assistant, "when was the protocol amended?",
                                  "how many were treated after that change?", "and their median follow-up?")
    assert count.status == "answered" and "31" in count.answer
    assert follow_up.status == "answered" and "29.7" in follow_up.answer and "92.8" not in follow_up.answer


def test_a_timepoint_alone_leans_on_the_conversation(assistant: Assistant) -> None:
    _, rate = turns(assistant, "what about the continuous remission duration?", "rate at 2 years?")
    assert rate.status == "answered" and "84.0%" in rate.answer and "63.6%" not in rate.answer


def test_an_everyday_phrase_for_a_measure_alone_asks_back(assistant: Assistant) -> None:
    a = assistant.ask("how long was it?")
    assert a.status == "clarify" and "3 years" not in a.answer
    assert assistant.ask("what is the matter?").status == "out_of_scope"
    assert "80" in assistant.ask("How many people were enrolled?").answer


def test_blinatumomab_in_maintenance_as_a_bolus_or_infusion(assistant: Assistant) -> None:
    a = assistant.ask("was blinatumomab in maintenance a bolus or a continuous infusion?")
    assert a.status == "answered" and "continuously" in a.answer


def test_a_joiner_before_a_question_word_still_splits_at_the_comma(assistant: Assistant) -> None:
    _, both = turns(assistant, "when did enrolment run?", "and how many people, what median age?")
    assert both.status == "answered" and "80 patients" in both.answer and "68 years" in both.answer


def test_the_count_of_a_cohort_named_by_that_version(assistant: Assistant) -> None:
    _, count = turns(assistant, "from which patient was the protocol amended?",
                      "how many ended up being treated under that version?")
    assert count.status == "answered" and "31" in count.answer


def test_a_question_after_a_role_preface_and_a_dash_is_asked(assistant: Assistant) -> None:
    a = assistant.ask("Hello, nurse here - how many patients were enrolled and what was their median age?")
    assert a.status == "answered" and "80 patients" in a.answer and "68 years" in a.answer


@pytest.mark.parametrize("q, figures", [
    ("my aunt heard of a study giving older people inotuzumab with gentler chemo - how many took part?", ["80"]),
    ("what % of patients had their platelets fall?", ["80%"]),
    ("about upset tummy: what were the nausea rates?", ["54%"]),
    ("was MRD measured by flow cytometry?", ["94%"]),
    ("what was the CR rate and the 5-year OS?", ["66 of the 74", "46.0%"]),
    ("give me the overall response rate and the 2-year PFS", ["99%", "58.2%"]),
    ("median OS for the 60-64 group and for TP53 mutated patients?", ["75.2", "33.2"]),
    ("what type of trial was it, was it blinded?", ["open-label"]),
    ("why were not all 80 evaluable?", ["complete remission"]),
    ("summarise the main efficacy results please", ["99%", "63.6%"]),
    ("avg age of participants?", ["68"]),
    ("how many were alive at 5 years, percentage wise?", ["46.0%"]),
    ("how was blinatumomab integrated into maintenance?", ["every 3 cycles"]),
    ("fair enough. what was the CR rate?", ["66 of the 74"]),
    ("what do the researchers suggest for the over 70s?", ["dose reduction"]),
    ("What does MRD stand for and what was it here?", ["minimal residual disease", "94%"]),
    ("how did they brake the patients down by age?", ["n = 25", "n = 28"]),
    ("was this trial in young adults or older patients?", ["older patients"]),
    ("what does POMP stand fr", ["mercaptopurine"]),
    ("how was blina given in maintenance - bolus or continuous?", ["continuously"]),
])
def test_fresh_set_wordings_are_understood(assistant: Assistant, q: str, figures: list[str]) -> None:
    """Wordings of the classes found on sets 18, 19 and 21 (examples written for the tests)."""
    a = assistant.ask(q)
    assert a.status == "answered", (q, a.status, a.answer)
    for figure in figures:
        assert figure in a.answer, (q, figure, a.answer)


def test_what_age_were_they_after_a_topic_is_the_age(assistant: Assistant) -> None:
    _, age = turns(assistant, "how many patients were enrolled?", "what age were they?")
    assert age.status == "answered" and "68" in age.answer


@pytest.mark.parametrize("q, status, figure, absent", [
    ("did they add rituximab for the CD20 positive patients?", "no_data", "", ""),
    ("how was the sample size worked out, was it powered for anything?", "no_data", "", ""),
    ("how was the sample size calculated?", "no_data", "", ""),
    ("what is Amgen's stock price?", "out_of_scope", "", ""),
    ("were there any cases of pancreatitis?", "no_data", "", ""),
    ("how did the investigators define high risk cytogenetics?", "no_data", "", ""),
    ("what is the half life of vincristine?", "out_of_scope", "", ""),
    ("what is the half life of inotuzumab?", "no_data", "", ""),
    ("I have a TP53 mutation, will this work for me?", "medical_advice", "", ""),
    ("how does blinatumomab work?", "no_data", "", "Blincyto"),
    ("why all 80?", "clarify", "", "Mini-hyper-CVD"),
    ("what was the complete response rate after induction?", "answered", "66 of the 74", "Mini-hyper-CVD was"),
    ("was there a non-responder to induction?", "answered", "tetraploidy", "Mini-hyper-CVD was"),
    ("give me the age breakdown of the patients", "answered", "n = 27", "median OS"),
    ("what did the authors suggest for older patients regarding the dose?", "answered", "dose reduction", "1.8 mg/m2"),
    ("did CTG-HR matter for progression-free survival?", "answered", "60.4", "58.2%"),
    ("median age and range of those who got a second cancer", "answered", "64-87", "32.6"),
    ("how many relapsed in the CNS?", "no_data", "CNS", "31"),
    ("what premedication was given in this trial?", "no_data", "supportive care", "mg/m2"),
    ("my mum was wiped out on treatment, how many reported fatigue?", "answered", "55%", "54%"),
    ("tell me abt the non-responder", "answered", "tetraploidy", "66 of the 74"),
    ("how long was the maintenance under the original protocol, I mean", "answered", "3 years", "definition"),
    ("I have a TP53 mutation - does that mean I'll probably live about 3 years?", "medical_advice", "", ""),
    ("would you move my patient to the fractionated schedule mid-treatment?", "medical_advice", "", ""),
    ("what sort of things can you help me with?", "chitchat", "", ""),
    ("what share of patients got pneumonia?", "no_data", "", ""),
    ("did the CD20-positive patients also get rituximab?", "no_data", "rituximab", ""),
    ("Mum has a fever of 38.6 after chemo - can we wait until the morning?", "medical_advice", "", ""),
    ("please calculate my patient's exact inotuzumab dose for day 8", "medical_advice", "", ""),
    ("when did they start recruting patients?", "answered", "2011", ""),
    ("what was the time to neutrophil count recovery?", "no_data", "", ""),
    ("were the patients newly diagnosed or relapsed?", "answered", "newly diagnosed", ""),
])
def test_fresh_set_classes_get_their_status(assistant: Assistant, q: str, status: str, figure: str,
                                            absent: str) -> None:
    """The classes found on sets 18-22: the status, a figure the reply holds, and one it must not hold."""
    a = assistant.ask(q)
    assert a.status == status and figure in a.answer, (q, a.status, a.answer)
    assert not absent or absent not in a.answer, (q, a.answer)
