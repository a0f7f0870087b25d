"""Issue 9, classes found on fresh sets 23-27 (examples written for the tests, not taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns


# The classes whose test is a status, or an answer holding one figure: one table each.
STATUSES = [
    # a dose to dispense or infuse for a patient, and a relative's decision many words after 'should', are personal
    ("I'm a pharmacist: what inotuzumab dose should I dispense for my 78-year-old patient?", "medical_advice"),
    ("how much inotuzumab should we infuse?", "medical_advice"),
    ("should I prescribe blinatumomab to my patient?", "medical_advice"),
    ("Should my mother, who is 74 and just diagnosed with B-ALL, enrol in this trial?", "medical_advice"),
    ("should my husband, now 71 and newly diagnosed, join the study?", "medical_advice"),
    ("can you recommend a treatment for my mum?", "medical_advice"),
    ("can you explain whether inotuzumab is right for me?", "medical_advice"),
    # ... but a request to the assistant 'for me', or for a book, is not
    ("Can you compare the 2-year PFS and OS rates for me?", "answered"),
    ("could you summarise the MRD results for me?", "answered"),
    ("Can you recommend a good haematology textbook?", "out_of_scope"),
    ("Were patient-reported outcomes collected?", "no_data"),
]

ANSWERS = [
    # head counts and rates the article gives
    ("how many patients were 70 or older?", "28"),
    ("how many people were still alive after five years?", "46"),
    ("cycles 2 to 4 total InO per cycle after they lowered it?", "0.3"),
    # a preface before a colon, words of writing and 'containing' are no topic; a preface naming a topic is one
    ("Quick question for a patient leaflet: what proportion of patients responded to the treatment?", "99%"),
    ("I'm a nurse preparing a handout: how many patients reported tiredness/fatigue?", "55%"),
    ("OS at 2 years: what was it?", "63.6%"),
    ("For a press piece: what was the median follow-up for the whole study?", "92.8"),
    ("After the amendment, how many cycles of blinatumomb followed the InO-containing cycles?", "4 cycles"),
    ("Clinical pharmacist question: what drugs are in POMP?", "vincristine"),
    ("Writing a grant: what's the journal citation for this paper (journal, volume, pages)?", "e433"),
    ("MRD question: how many enrolled patients were already in MRD-positive remission, and how many became negative?",
     "4 of the 5"),
]


@pytest.mark.parametrize("q, status", STATUSES)
def test_the_status_of_each_class(assistant: Assistant, q: str, status: str) -> None:
    a = assistant.ask(q)
    assert a.status == status, (q, a.status, a.answer)


@pytest.mark.parametrize("q, figure", ANSWERS)
def test_the_figure_of_each_class(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


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


# ---- classes found on fresh set 24 (examples written for the tests, not taken from the set)

def test_the_difference_across_groups_keeps_the_conversations_measure(assistant: Assistant) -> None:
    """After median PFS by age: 'was the difference across the age groups significant?' is PFS's P (.11)."""
    *_, a = turns(assistant, "What was the median PFS in patients aged 60 to 64?", "what about the 70+ group?",
                  "was the difference across the age groups significant?")
    assert a.status == "answered" and ".11" in a.answer and ".048" not in a.answer, a.answer


@pytest.mark.parametrize("q", ["did anyone actually die of liver disease?", "were there deaths from nausea?"])
def test_a_cause_of_death_the_article_does_not_give_is_not_reported(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data", (q, a.status, a.answer)
    assert "59%" not in a.answer and "54%" not in a.answer


@pytest.mark.parametrize("q, figure", [("did anyone die of infection?", "8"),
                                       ("did anyone die of a second cancer?", "9")])
def test_a_cause_of_death_the_article_gives_is_answered(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and f"n = {figure}" in a.answer, (q, a.answer)


def test_how_it_was_given_in_a_phase_is_its_schedule_there(assistant: Assistant) -> None:
    *_, a = turns(assistant, "How many cycles of blinatumomab followed?", "and how was it given during maintenance?")
    assert a.status == "answered" and "every 3 cycles" in a.answer, a.answer


def test_how_many_patients_did_it_enroll_is_the_enrolment(assistant: Assistant) -> None:
    *_, a = turns(assistant, "what is the NCT number?", "and how many patients did it enroll?")
    assert a.status == "answered" and "80" in a.answer, a.answer
    assert "80 patients" not in assistant.ask("did it include blinatumomab?").answer  # 'include' is no enrolment


def test_kinds_asked_after_a_subgroup_are_the_kinds_not_the_subgroup(assistant: Assistant) -> None:
    """'what kinds of second cancers were they?' after the age of those patients: 'they' are the cancers."""
    *_, a = turns(assistant, "Were there any second blood cancers in this trial?", "how old were those patients?",
                  "what kinds of second cancers were they?")
    assert a.status == "answered" and "myelodysplastic" in a.answer and "64-87" not in a.answer, a.answer


@pytest.mark.parametrize("q", ["MRD negativity rate overall in this trial?", "what was the MRD negative rate?"])
def test_the_mrd_negativity_rate_is_the_trials_not_the_early_subset(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "94%" in a.answer and "85%" not in a.answer, (q, a.answer)


def test_the_early_mrd_rate_is_the_early_subset(assistant: Assistant) -> None:
    a = assistant.ask("whats the early MRD neg rate, and in how many pts was it checked")
    assert a.status == "answered" and "85%" in a.answer and "72" in a.answer, a.answer
    *_, b = turns(assistant, "How many patients were evaluated for an early MRD response?",
                  "and what % of them were MRD negative?")
    assert b.status == "answered" and "85%" in b.answer and "94%" not in b.answer, b.answer


def test_the_median_age_and_range_of_a_named_set_are_theirs(assistant: Assistant) -> None:
    a = assistant.ask("What was the median age, and age range, of the patients who developed a second blood cancer?")
    assert a.status == "answered" and "71" in a.answer and "64-87" in a.answer and "68" not in a.answer, a.answer


def test_a_preface_as_a_nurse_is_no_topic(assistant: Assistant) -> None:
    a = assistant.ask("As a nurse I want to prepare patients for side effects. What were the most common "
                      "gastrointestinal ones and how often did they occur?")
    assert a.status == "answered" and "58%" in a.answer and "54%" in a.answer, a.answer
    assert assistant.ask("As a percentage, how many responded?").status == "answered"


def test_the_most_common_ones_are_several(assistant: Assistant) -> None:
    a = assistant.ask("which gi ones were most common?")
    assert a.status == "answered" and "58%" in a.answer and "54%" in a.answer, a.answer
    one = assistant.ask("what was the most common GI side effect?")
    assert "58%" in one.answer and "54%" not in one.answer, one.answer


# ---- classes found on fresh set 25 (examples written for the tests, not taken from the set)

@pytest.mark.parametrize("q", ["How long was each inotuzumab infusion?", "how long was the inotuzumab infusion?"])
def test_how_long_is_not_answered_by_a_fact_with_no_length_of_time(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data", (q, a.status, a.answer)
    assert "intravenously" not in a.answer


@pytest.mark.parametrize("q, figure", [("how long did enrolment last?", "2011"), ("how long was the study?", "2011"),
                                       ("how long was maintenance?", "3 years")])
def test_how_long_a_phase_lasted_is_its_own_period(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer and "33.2" not in a.answer, (q, a.answer)


def test_a_cr_with_full_count_recovery_is_the_cr(assistant: Assistant) -> None:
    a = assistant.ask("How many patients achieved a CR (with full count recovery)?")
    assert a.status == "answered" and "66" in a.answer, a.answer
    assert assistant.ask("time to count recovery?").status == "no_data"


def test_second_haematologic_cancers_are_the_second_neoplasms(assistant: Assistant) -> None:
    a = assistant.ask("When did second haematologic cancers appear after starting treatment?")
    assert a.status == "answered" and "32.6" in a.answer, a.answer


def test_those_in_remission_after_a_cycle_keeps_the_conversations_measure(assistant: Assistant) -> None:
    """'and in those in remission after the first cycle?' after MRD negativity: their MRD negativity (84%)."""
    *_, a = turns(assistant, "What was the overall response rate?", "and MRD negativity?",
                  "and in those in remission after the first cycle?")
    assert a.status == "answered" and "84%" in a.answer and "94%" not in a.answer, a.answer


# ---- classes found on fresh set 26 (examples written for the tests, not taken from the set)

def test_a_percent_sign_asks_for_a_rate_in_a_follow_up(assistant: Assistant) -> None:
    *_, a = turns(assistant, "how many pts were evaluated for early MRD response", "and what % were negative?")
    assert a.status == "answered" and "85%" in a.answer, a.answer


@pytest.mark.parametrize("q", ["good morning! hope you're well", "hi! thanks!"])
def test_greetings_in_several_sentences_get_one_greeting_back(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "chitchat" and "Your first question" not in a.answer, (q, a.answer)


def test_a_greeting_before_a_question_is_dropped(assistant: Assistant) -> None:
    a = assistant.ask("Hope you're well. What was the 5-year OS?")
    assert a.status == "answered" and "46.0%" in a.answer, a.answer


def test_a_relatives_story_before_a_question_leaves_no_group_on_it(assistant: Assistant) -> None:
    """'my mum is 72 and was just diagnosed ...' tells; 'the patients in it' are the trial's (median age 68)."""
    a = assistant.ask("Hi, my mum is 72 and was just diagnosed with B-cell leukaemia. Her doctor mentioned a study "
                      "with inotuzumab and low-dose chemo. How old were the patients in it?")
    assert a.status == "answered" and "68" in a.answer, (a.status, a.answer)
    b = assistant.ask("My dad is 74 and was just diagnosed with B-ALL. What was this trial actually testing?")
    assert b.status == "answered" and "inotuzumab" in b.answer, b.answer


def test_the_conclusion_about_dosing_for_the_elderly_is_the_dose_reduction(assistant: Assistant) -> None:
    a, b = turns(assistant, "what did the investigators conclude about dosing for the elderly?",
                 "Was that concern about patients over a particular age?")
    assert a.status == "answered" and "dose reduction" in a.answer, a.answer
    assert b.status == "answered" and "70" in b.answer, b.answer
