"""Issue 9, the classes found on fresh sets 8 and 9 (examples written for the tests, not taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns


def test_a_comparison_follow_up_keeps_the_measure_and_both_arms(assistant: Assistant) -> None:
    first, vs, overall = turns(assistant, "what was the median PFS for patients under 70?", "versus the 70+?",
                                "and for OS?")
    assert vs.status == "answered" and "34.2" in vs.answer and "60.4" in vs.answer
    assert "34.7" not in vs.answer and "69.0" not in vs.answer  # OS was not asked
    assert overall.status == "answered" and "69.0" in overall.answer and "34.7" in overall.answer


@pytest.mark.parametrize("q", [
    "my patient wants to know if she can skip the blinatumomab cycles, is that ok?",
    "Can my mother stop her maintenance early since she feels fine?",
    "i has ALL and I'm MRD positive, will inotuzumab make me negative?",
    "72 year old patient, how many mg of inotuzumab do I draw up for cycle 1?",
    "can my husband have blinatumomab after his stroke?",
    "Is it ok if I skip my POMP to go on holiday?",
    "I'm on maintenance and so tired, can I just stop it?",
])
def test_personal_decisions_about_a_patient_or_relative_are_medical_advice(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "medical_advice", (q, a.status, a.answer)
    assert not a.facts


def test_a_definition_answers_only_the_names_it_explains(assistant: Assistant) -> None:
    assert assistant.ask("what does open label mean?").status == "answered"
    a = assistant.ask("Explain what a phase 3 trial is.")
    assert a.status != "answered" and "open-label" not in a.answer.lower()


def test_why_the_protocol_was_amended_is_not_reported(assistant: Assistant) -> None:
    a = assistant.ask("Why did they amend the protocol at patient 50?")
    assert a.status == "no_data" and not any(ch.isdigit() for ch in a.answer.split(".")[0])
    assert assistant.ask("From which patient did they amend the protocol?").status == "answered"


@pytest.mark.parametrize("q, figure", [
    ("Hi! I'm a study coordinator writing a lit review. How many patients were eligible for MRD evaluation?", "Seventy-nine"),
    ("Reporter here, on deadline. What was the median age?", "68"),
])
def test_a_preface_telling_who_asks_does_not_make_the_question_off_topic(assistant: Assistant, q: str,
                                                                         figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


def test_a_preface_naming_another_trial_still_declines(assistant: Assistant) -> None:
    assert assistant.ask("I'm a nurse in the GRAALL study. What was the 2-year OS?").status == "out_of_scope"


def test_commas_split_questions_that_open_with_a_question_word(assistant: Assistant) -> None:
    a = assistant.ask("How many patients, what was their median age, and what was the overall response rate?")
    assert a.status == "answered" and all(x in a.answer for x in ("80", "68", "99%")), a.answer
    # a clause before the comma is not a question of its own
    b = assistant.ask("When the under-70s were pooled, what was their median PFS?")
    assert "60.4" in b.answer and "69.0" not in b.answer


@pytest.mark.parametrize("q, status, figure", [
    ("how many patients were 75 or older?", "no_data", None),
    ("how many were younger than 65?", "answered", "25"),
    ("what was the 4-week mortality?", "no_data", None),
    ("what share were alive without their leukemia getting worse at 2 years?", "answered", "58.2"),
    ("not counting deaths in remission, what fraction stayed in remission at 5 years?", "answered", None),
])
def test_age_cut_offs_timepoints_and_lay_measures(assistant: Assistant, q: str, status: str,
                                                  figure: str | None) -> None:
    a = assistant.ask(q)
    assert a.status == status, (q, a.status, a.answer)
    if figure:
        assert figure in a.answer
    if q.startswith("what share"):
        assert "63.6" not in a.answer  # the 2-year OS was not asked


def test_a_typo_after_a_term_completes_its_longer_name(assistant: Assistant) -> None:
    a = assistant.ask("what was the 2 year progression free survivel?")
    assert a.status == "answered" and "58.2" in a.answer and "63.6" not in a.answer


@pytest.mark.parametrize("q", ["median white blood cell count at diagnosis?", "what was the male/female split?"])
def test_baseline_labs_and_sex_are_not_reported(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data" and not a.facts, (a.status, a.answer)


@pytest.mark.parametrize("q", ["My aunt is 80, is she to old for this treatment?",
                               "can I have a glass of wine while on inotuzumab?",
                               "Should I pick the version with blinatumomab or without it for myself?"])
def test_more_personal_decisions(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "medical_advice"


@pytest.mark.parametrize("q", ["what is the normal platelet count", "What's the normal range for ALT in adults?"])
def test_general_medicine_with_a_trial_word_is_not_answered(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "out_of_scope"


@pytest.mark.parametrize("q", ["Describe the patient who didnt respond to the treatment",
                               "who was the one who didnt respond?", "Did any patient fail to respond?"])
def test_the_non_responder(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "tetraploidy" in a.answer, a.answer


def test_other_of_an_unnamed_kind_is_not_answered_with_another_measures_types(assistant: Assistant) -> None:
    a = assistant.ask("Apart from inotuzumab, which other antibody was added to the regimen later on?")
    assert "neoplasm" not in a.answer.lower() and "mds" not in a.answer.lower()
    b = assistant.ask("Besides the first author, which other authors are named in the reference?")
    assert b.status == "answered" and "Short" in b.answer


@pytest.mark.parametrize("q, figure", [("95% CI for median OS in the TP53 mutatd group", "33.2"),
                                       ("median OS in the 60-64s", "75.2"),
                                       ("Starting from wich patient was the protocol amended?", "50th")])
def test_typos_after_terms_and_in_question_words(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


def test_an_age_cut_off_the_article_lacks_is_not_answered_with_the_nearest_group(assistant: Assistant) -> None:
    a = assistant.ask("what was the median OS for patients aged 75 and above?")
    assert a.status == "no_data" and "34.7" not in a.answer


@pytest.mark.parametrize("q", ["what are the GI side affects?", "what were the gi side effects"])
def test_a_misspelt_name_after_a_term_is_read_as_one_name(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "Nausea" in a.answer and "Thrombocytopenia" not in a.answer, a.answer


def test_the_teae_definition_defines_adverse_events_not_their_kinds(assistant: Assistant) -> None:
    assert "treatment-emergent" in assistant.ask("What is a TEAE?").answer
    assert "stands for" not in assistant.ask("what is GI side affects?").answer


def test_a_head_count_after_a_median_counts_the_group_not_the_median(assistant: Assistant) -> None:
    _, count = turns(assistant, "median OS in patients 70 and older?", "how many patients that old were in it?")
    assert count.status == "answered" and "28" in count.answer
    assert "34.7" not in count.answer  # the median of the turn before is not a head count


def test_a_count_follow_up_keeps_a_measure_that_has_counts(assistant: Assistant) -> None:
    _, count = turns(assistant, "what was the CR rate?", "how many?")
    assert count.status == "answered" and "66" in count.answer


@pytest.mark.parametrize("q, figure", [("how mny patients had a CR", "66"), ("wat was the median age", "68")])
def test_a_short_question_word_with_a_letter_missing_is_a_typo(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["What is the prednisone for?", "what is methotrexate", "what is GI side affects?",
                               "what is nausea?"])
def test_what_an_everyday_drug_or_symptom_is_is_a_general_question(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "out_of_scope" and not a.facts, (q, a.status, a.answer)


@pytest.mark.parametrize("q, figure", [("What is Besponsa?", "CD22"), ("what was prednisone used for in this trial?",
                                                                       "POMP"), ("what is the median age", "68"),
                                       ("What is the 5-year OS?", "46.0"), ("what is PFS", "progression-free")])
def test_what_the_trials_own_drugs_and_figures_are_is_still_answered(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["How were the patients split by age?", "give me the number in each age group"])
def test_how_the_patients_were_split_is_a_head_count_per_group(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and all(n in a.answer for n in ("25", "27", "28")), (q, a.answer)
    assert "75.2" not in a.answer  # not the survival of each group


def test_a_measure_split_by_age_is_still_the_measure_by_age(assistant: Assistant) -> None:
    a = assistant.ask("what was the PFS split by age?")
    assert a.status == "answered" and "70.2" in a.answer and "34.2" in a.answer and "58.2" not in a.answer


@pytest.mark.parametrize("q, figure", [("how often was blood sugar high?", "56"),
                                       ("PFS for cytogentic high-risk (CTG-HR) pts vs the others?", "14.7")])
def test_which_way_a_value_went_is_understood_and_keeps_phrases_whole(assistant: Assistant, q: str,
                                                                      figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["What exchange rate will I receive?",
                               "what day of the week does the twenty second fall on this month"])
def test_everyday_words_do_not_complete_a_trial_phrase_by_fuzzing(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "out_of_scope"


def test_the_main_safety_concern_names_the_deaths_in_remission(assistant: Assistant) -> None:
    a = assistant.ask("what was the main safety concern highlighted?")
    assert a.status == "answered" and "deaths during remission" in a.answer
    older = assistant.ask("main safety concern for pts 70 or older")
    assert older.status == "answered" and "cytopenia" in older.answer


@pytest.mark.parametrize("q", ["what about the other group?", "and in that group?"])
def test_a_group_named_only_by_reference_with_no_conversation_is_asked_back(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "clarify"


def test_a_joiner_after_a_subject_does_not_split_the_question(assistant: Assistant) -> None:
    assert assistant.splitter.split("did they also give rituximab?") == ["did they also give rituximab?"]
    assert assistant.splitter.split("what was the median age and also what was the ORR") == [
        "what was the median age", "what was the ORR"]


@pytest.mark.parametrize("q", ["did they also give rituximab?", "did patients get ibrutinib"])
def test_whether_the_patients_got_a_drug_the_article_never_names_is_no_data(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data" and not a.facts, (q, a.status, a.answer)


@pytest.mark.parametrize("q", ["side effects of ibrutinib", "what is rituximab", "did they give ibrutinib in E1910?"])
def test_another_drug_or_trial_alone_is_still_out_of_scope(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "out_of_scope"


@pytest.mark.parametrize("q", ["should I tell my doctor to cut the vincristine?",
                               "fingers tingling after cycle 2, should I tell my doctor to cut the vincristine?"])
def test_asking_whether_to_tell_the_doctor_to_change_a_drug_is_medical_advice(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "medical_advice"


def test_should_i_see_the_paper_is_not_medical_advice(assistant: Assistant) -> None:
    assert assistant.ask("should I see the full paper?").status != "medical_advice"


@pytest.mark.parametrize("q, figure", [("how long were the post-amendment patients followed?", "29.7"),
                                       ("How long were the post-amendment patients followed, median?", "29.7"),
                                       ("how long were pre-amendment pts followed", "104.4")])
def test_how_long_a_named_group_was_followed_is_its_follow_up(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer and "34.7" not in a.answer, (q, a.answer)


def test_the_most_common_side_effects_plural_are_the_five_highest(assistant: Assistant) -> None:
    a = assistant.ask("what were the most common side effects?")
    assert a.status == "answered" and all(x in a.answer for x in ("80%", "70%", "59%", "58%", "56%")), a.answer
    assert a.answer.count("Most common") == 1 and "55%" not in a.answer and "54%" not in a.answer
    one = assistant.ask("what was the most common side effect?")
    assert "80%" in one.answer and "70%" not in one.answer
    gi = assistant.ask("What were the most frequent stomach/gut side effects?")
    assert "58%" in gi.answer and "54%" in gi.answer and "80%" not in gi.answer


def test_in_most_of_them_is_a_majority_not_a_superlative(assistant: Assistant) -> None:
    a = assistant.ask("did the leukemia come back in most of them?")
    assert a.status == "answered" and "80.2" in a.answer and "Highest" not in a.answer
    cause = assistant.ask("what killed most of the patients who died in remission?")
    assert cause.status == "answered" and "infection" in cause.answer.lower()


@pytest.mark.parametrize("q, figure", [("how many reached a complete remision?", "66"),
                                       ("MRD- by FCM overall?", "94%"),
                                       ("what was unusual about the one patient who didn't respond", "tetraploidy"),
                                       ("how common were fevers with low white counts", "33%"),
                                       ("is the remission lasting?", "not reached")])
def test_more_everyday_and_clinician_wordings(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, (q, a.status, a.answer)


def test_a_listed_misspelling_is_corrected_only_to_a_lexicon_word(assistant: Assistant) -> None:
    words = assistant.ask("how many reached a complete remision?").explain.words
    assert not any("revision" in w.detail for w in words)


@pytest.mark.parametrize("q, status", [("ok cool, thank you so much, bye", "chitchat"),
                                       ("How do I get my father enrolled in NCT01371630? he's 70", "medical_advice")])
def test_goodbyes_and_enrolling_a_relative(assistant: Assistant, q: str, status: str) -> None:
    assert assistant.ask(q).status == status


def test_a_side_effect_attributed_to_one_drug_is_not_reported(assistant: Assistant) -> None:
    _, drug = turns(assistant, "how common was neuropathy?", "is that from the vincristine?")
    assert drug.status == "no_data" and "45%" not in drug.answer
    overall = assistant.ask("was it caused by the treatment?")
    assert overall.status == "answered" and "not considered" in overall.answer


@pytest.mark.parametrize("q", ["and infections, how many had any infection as a side effect?",
                               "how many patients had infections in this trial?"])
def test_how_many_had_infections_is_not_answered_with_the_infection_deaths(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data" and "8" not in a.answer, (q, a.status, a.answer)
    assert "8" in assistant.ask("how many died of infection?").answer


# ---- classes from fresh set 13's misses (examples written for the tests)

@pytest.mark.parametrize("q", ["how many patients were assessed for safety?",
                               "How many patients were included in the safety analysis?"])
def test_how_many_were_assessed_for_safety_gives_the_head_count(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "All patients were assessed for safety" in a.answer and "80" in a.answer


def test_the_words_that_cover_most_of_the_question_win_over_the_leftmost_phrase(assistant: Assistant) -> None:
    a = assistant.ask("what are the odds of being alive with the leukemia not coming back after 2 years?")
    assert a.status == "answered" and "58.2" in a.answer
    assert "63.6" not in a.answer  # 'being alive' is not OS here
    b = assistant.ask("tell me about the patient who didnt respond to the treatment")
    assert b.status == "answered" and "tetraploidy" in b.answer


def test_a_complete_response_count_names_its_denominator(assistant: Assistant) -> None:
    a = assistant.ask("how many of the evaluable patients got a CR?")
    assert a.status == "answered" and "66" in a.answer and "74" in a.answer


def test_a_per_drug_measure_with_no_drug_named_gives_each_drugs_figure(assistant: Assistant) -> None:
    a = assistant.ask("how many cycles were given after the amendment?")
    assert a.status == "answered" and "12 cycles" in a.answer and "4 cycles" in a.answer
    one = assistant.ask("how many cycles of blinatumomab after the amendment?")
    assert one.status == "answered" and "12 cycles" not in one.answer


def test_confidence_intervals_for_two_arms_are_not_read_as_a_rate(assistant: Assistant) -> None:
    a = assistant.ask("what were the 95% CIs for median PFS before and after the amendment?")
    assert a.status == "answered" and "11.3" in a.answer and "15.0" in a.answer


@pytest.mark.parametrize("q", ["what trial do you cover?", "which study is this?", "what is the trial called?"])
def test_which_trial_this_is_answers_with_the_paper(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "inotuzumab ozogamicin" in a.answer and "Jabbour" in a.answer


def test_who_was_in_the_trial_says_how_many(assistant: Assistant) -> None:
    a = assistant.ask("Who was in this trial?")
    assert a.status == "answered" and "80 patients" in a.answer and "older patients" in a.answer


def test_a_second_blood_cancer_is_answered_with_its_types(assistant: Assistant) -> None:
    a = assistant.ask("Did anyone develop a second blood cancer after treatment?")
    assert a.status == "answered" and "9 patients" in a.answer and "myelodysplastic" in a.answer


def test_which_cycles_a_drug_was_given_in_is_its_own_cycles(assistant: Assistant) -> None:
    a = assistant.ask("inotuzamab ozogamicin - which cycles was it given in?")
    assert a.status == "answered" and "first 4 cycles" in a.answer and "POMP" not in a.answer


def test_components_of_a_named_drug_are_never_another_drugs(assistant: Assistant) -> None:
    a = assistant.ask("what are the components of blinatumomab?")
    assert a.status == "no_data" and "mercaptopurine" not in a.answer
    b = assistant.ask("Tell me about the blinatumomab part of the regimen")
    assert b.status == "answered" and "mercaptopurine" not in b.answer and "blinatumomab" in b.answer
    c = assistant.ask("what drugs are part of the regimen?")
    assert c.status == "answered" and "inotuzumab ozogamicin" in c.answer and "mercaptopurine" not in c.answer


@pytest.mark.parametrize("q, figure, wrong", [
    ("How were patients split up by age in this trial?", "n = 27", "75.2"),
    ("was the dose split up after the amendment?", "0.6 mg/m2", "34.7"),
    ("how many patients got split doses?", "31", "mg/m2"),
    ("PFS with split dosing", "34.7", "58.2"),
])
def test_split_is_the_amended_dosing_or_a_breakdown_by_what_the_question_says(
        assistant: Assistant, q: str, figure: str, wrong: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer and wrong not in a.answer


def test_median_pfs_not_split_by_anything_is_not_one_arm(assistant: Assistant) -> None:
    a = assistant.ask("Median PFS for the entire cohort (not split by anything)?")
    assert a.status != "answered" or "34.7" not in a.answer


@pytest.mark.parametrize("q", ["tell me a joke about chatbots", "you're pretty smart for a bot lol",
                               "lol you're faster than my oncologist"])
def test_banter_with_everyday_or_unknown_words_is_chitchat(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "chitchat"


def test_banter_beside_a_trial_question_does_not_hide_it(assistant: Assistant) -> None:
    a = assistant.ask("you're great, what was the 5 year OS?")
    assert a.status == "answered" and "46.0%" in a.answer


@pytest.mark.parametrize("q", ["Can I get the flu vaccine while on blinatumomab?",
                               "my legs are swollen on treatment, is that dangerous?",
                               "How can I lower my risk of getting MDS after this treatment?"])
def test_personal_symptoms_and_risks_are_medical_advice(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "medical_advice"


def test_a_b_or_t_question_is_about_the_population() -> None:
    a = Assistant(cache_size=0).ask("What type of ALL was studied, B or T?")
    assert a.status == "answered" and "B-cell" in a.answer


def test_a_follow_up_about_those_who_started_before_is_the_original_cohort(assistant: Assistant) -> None:
    first = assistant.ask("What was the median follow-up for patients treated after the amendment?")
    a = assistant.ask("and for those who started before?", context=first.context)
    assert first.status == "answered" and "29.7" in first.answer
    assert a.status == "answered" and "104.4" in a.answer


def test_an_electrolyte_the_article_does_not_list_is_not_reported_in_a_conversation(assistant: Assistant) -> None:
    first = assistant.ask("what was the hypokalemia rate")
    a = assistant.ask("what about low magnesium", context=first.context)
    assert first.status == "answered" and "44%" in first.answer
    assert a.status == "no_data"


def test_how_the_dose_was_split_is_never_the_amended_cohorts_survival(assistant: Assistant) -> None:
    a = assistant.ask("how was the dose split?")
    assert a.status in ("answered", "clarify") and "34.7" not in a.answer and "PFS" not in a.answer


@pytest.mark.parametrize("q, figure", [
    ("How many paients were aged 60 to 64?", "25 patients"),  # not 'parents'
    ("ferbile neutropenia rate", "33%"),  # not 'fertile'
    ("any swlling of the legs reported?", "39%"),  # not 'selling'
    ("of pts who came in mrd positive how many turned negatie", "4"),  # 'negative', not 'negatives' (downsides)
    ("after the ameendmnet what ino dose was given in cycles 2 to 4", "0.6 mg/m2"),  # near a listed misspelling
    ("what was the main cause of deaths in remision", "infection"),  # the listed 'remision' is 'remission'
    ("Were the patients Philadlphia chromosome positive or negative?", "B-cell"),  # a capitalised typo
    ("Were the patients Philadelphia chromosome posittive or negative?", "B-cell"),
    ("What was the median PFS in patents with TP53-mutated disease?", "33.2"),
])
def test_a_typo_is_read_as_the_lexicon_word_it_is_one_slip_from(q: str, figure: str) -> None:
    a = Assistant(cache_size=0).ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


def test_an_english_word_near_a_term_is_tried_and_kept_only_when_it_reads_better() -> None:
    a = Assistant(cache_size=0).ask("PFS for cytogentic high-risk (CTG-HR) pts vs the others?")
    assert a.status == "answered" and "high-risk" in a.answer
    b = Assistant(cache_size=0).ask("what was the main safety concern highlighted?")
    assert b.status == "answered" and "remission" in b.answer


def test_a_contraction_is_one_word_not_a_t_and_all() -> None:
    a = Assistant(cache_size=0).ask("Why weren't all 80 people assessed for response?")
    assert a.status == "answered" and "74" in a.answer


def test_a_greeting_before_a_compound_question_does_not_hide_its_first_part(assistant: Assistant) -> None:
    a = assistant.ask("hi, quick question: how many enrolled, and what was their median age?")
    assert a.status == "answered" and "80 patients" in a.answer and "68 years" in a.answer
    assert assistant.ask("good morning, can you help me?").status == "chitchat"


def test_asking_the_assistant_to_tell_a_cause_is_not_a_general_causes_question(assistant: Assistant) -> None:
    a = assistant.ask("can you tell me main cause of death in remission")
    assert a.status == "answered" and "infection" in a.answer and "99%" not in a.answer


@pytest.mark.parametrize("q", ["were there deaths while participants were still in remission, and why?",
                               "How many participants died of infections during remission?",
                               "What was the most common cause of death while participants were in remission?"])
def test_remission_beside_deaths_says_when_they_died_not_the_response(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "infections" in a.answer and "99%" not in a.answer and "66" not in a.answer


def test_remission_duration_without_the_deaths_in_remission_keeps_both(assistant: Assistant) -> None:
    a = assistant.ask("If you leave out the deaths in remission, what was the continuous remission rate at 2 years?")
    assert a.status == "answered" and "%" in a.answer


@pytest.mark.parametrize("q", ["I was wondering, how many enrolled, and what was their median age?",
                               "I'd like to know how many enrolled and what was the median age"])
def test_a_lead_in_before_a_compound_question_keeps_both_parts(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and "80 patients" in a.answer and "68 years" in a.answer


@pytest.mark.parametrize("q", ["did anyone get pancreatitis?", "any cases of pancreatitis?", "was pancreatitis reported?",
                               "any reports of bleeding?", "rate of hepatic VOD / sinusoidal obstruction syndrome with ino"])
def test_a_side_effect_the_article_lacks_asked_of_the_patients_or_the_report_is_not_reported(
        assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.status == "no_data" and "%" not in a.answer


@pytest.mark.parametrize("q", ["what is pancreatitis?", "how is bleeding treated?", "pancreatitis?"])
def test_a_side_effect_named_alone_or_in_general_is_still_out_of_scope(assistant: Assistant, q: str) -> None:
    assert assistant.ask(q).status == "out_of_scope"


def test_of_them_after_a_subset_is_that_subset(assistant: Assistant) -> None:
    first = assistant.ask("How many patients were evaluated for an early MRD response?")
    a = assistant.ask("and what % of them were MRD negative?", context=first.context)
    assert a.status == "answered" and "85%" in a.answer and "94%" not in a.answer
    alone = assistant.ask("what % were MRD negative?")
    assert "94%" in alone.answer


def test_a_percentage_the_article_gives_only_as_counts_is_not_reported(assistant: Assistant) -> None:
    a = assistant.ask("what percentage of all patients died in remission?")
    assert a.status == "no_data" and "%" not in a.answer
    b = assistant.ask("what proportion had a CR?")  # '66 of the 74' has its total: a proportion
    assert b.status == "answered" and "66" in b.answer and "74" in b.answer


@pytest.mark.parametrize("q, figure", [
    ("when was blinatumomab added to the protocol?", "50th"),
    ("what year was this published", "2023"),
    ("Was the study run at lots of hospitals or just one?", "single-center"),
    ("was maintenance given for 3 years?", "3 years"),
    ("If you censor deaths in remission, what's the 5-year continuous remission rate?", "80.2%"),
    ("Besides infections, what else was behind the deaths in remission?", "second disorder"),
    ("In how many of the chemo cycles was inotuzumab included?", "4 cycles"),
    ("Was blinatumomab part of the regimen from the very begining of the trial?", "50th"),
    ("was blina part of the original protocol or added later", "50th"),
    ("Of the pts who came in already in remission but still MRD positive, how many became MRD negative?", "4 of the 5"),
    ("Do the researchers think the dose should be changed for elderley patients?", "dose reduction"),
    ("what about low platlets - how many had that?", "80%"),
    ("So I read that some people got a second cancer later on - I'm wondering, what was the earliest and the latest "
     "that happened after they started the treatment, in months?", "65.8"),
    ("ok so the protocol was changed halfway through and blinatumomab was added, right? I'm trying to figure out "
     "what median PFS numbers they reported for the group before the change and the group after it", "56.4"),
])
def test_fresh_set_classes_are_answered(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


@pytest.mark.parametrize("q, status", [
    ("How does full-dose hyper-CVAD do in adults under 40?", "out_of_scope"),
    ("I was MRD negative after cycle 1. Do I really need the rest of the cycles?", "medical_advice"),
    ("I'm scared of getting MDS later on - should I decline the trial?", "medical_advice"),
    ("Should I have a transplant or just continue maintenance?", "medical_advice"),
    ("ok that's all for today, bye!", "chitchat"),
    ("that's it, thanks", "chitchat"),
    ("whats the median", "clarify"),
    ("Did patients routinely get G-CSF support?", "no_data"),
    ("Was tumour lysis syndrome seen?", "no_data"),
    ("what was the 3 year OS?", "no_data"),
    ("How long was it?", "clarify"),  # not maintenance: nothing says what, so it asks back
    ("how long did it take for neutrophil counts to recover after each cycle", "no_data"),
    ("What was the average length of hospital stay during induction?", "no_data"),
    ("Did people loose their hair on this regimen?", "no_data"),
    ("what about headaches?", "out_of_scope"),  # a symptom follow-up with no conversation: a forum post
])
def test_fresh_set_classes_get_their_status(assistant: Assistant, q: str, status: str) -> None:
    assert assistant.ask(q).status == status


def test_a_symptom_follow_up_after_a_turn_that_left_no_topic_is_still_a_follow_up(assistant: Assistant) -> None:
    first = assistant.ask("Is there any data on quality of life?")
    a = assistant.ask("okay, what about fatigue?", context=first.context)
    assert first.status == "no_data" and a.status == "answered" and "55%" in a.answer
    assert assistant.ask("okay, what about fatigue?").status == "out_of_scope"  # no conversation: a forum post


@pytest.mark.parametrize("q", ["when was blinatumomab added?", "when were the amended patients enrolled?",
                               "why did the blinatumomab cohort get a lower dose?"])
def test_when_or_why_of_a_cohort_is_never_answered_with_its_survival(assistant: Assistant, q: str) -> None:
    a = assistant.ask(q)
    assert a.intent != "group.outcomes" and "PFS" not in a.answer and "OS was" not in a.answer


@pytest.mark.parametrize("q, figure", [
    ("how many ptaiens were 70 or older", "28 patients"),  # two slips in a long word, no English word
    ("what changd in the protoocol amendment?", "50th"),  # 'changed', not the frame word 'change'
    ("how many ppl were acctualy in this trial in total", "80 patients"),  # 'actually', not 'accrual'
])
def test_two_slips_in_a_long_word_are_read_as_the_lexicon_word_unless_an_everyday_word_is_as_near(
        q: str, figure: str) -> None:
    a = Assistant(cache_size=0).ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


def test_a_relative_deciding_after_a_trial_answer_is_advice(assistant: Assistant) -> None:
    first = assistant.ask("My mom is 72 and was just diagnosed with B-ALL. What did this study find for patients 70 "
                          "and older?")
    a = assistant.ask("Do you think she should go on it?", context=first.context)
    assert first.status == "answered" and "34.7" in first.answer
    assert a.status == "medical_advice"


@pytest.mark.parametrize("q, figure", [
    ("how long was maintenance?", "3 years"),
    ("how long was maintenance after the amendment?", "12 cycles"),
    ("what maintenance did patients get after induction?", "POMP"),
])
def test_how_long_asks_a_duration_and_prefers_the_facts_that_give_one(assistant: Assistant, q: str,
                                                                       figure: str) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and figure in a.answer, a.answer


def test_how_long_alone_asks_back(assistant: Assistant) -> None:
    assert assistant.ask("how long?").status == "clarify"


@pytest.mark.parametrize("q, status, absent", [
    ("What was the early (4-week) mortality rate during induction?", "no_data", "4 cycles"),  # weeks are not cycles
    ("How many deaths were there in total during the study?", "no_data", "(n = 8)"),
    ("What were the results of mini-hyper-CVD plus inotuzumab in relapsed/refractory ALL (the salvage study)?",
     "out_of_scope", "80 patients"),
    ("Hello! I'm an oncology pharmacist with a few questions about NCT01371630.", "chitchat", "80 patients"),
    ("How do I manage the mucositis my patient has from methotrexate at home?", "medical_advice", "%"),
    ("I'm on maintenance and I missed a dose of 6-MP yesterday, should I double up?", "medical_advice", "%"),
    ("How do I treat constipation at home in general?", "out_of_scope", "%"),
    ("How many patients received a stem cell transplant in first remission?", "no_data", "%"),
])
def test_fresh17_classes_get_their_status(assistant: Assistant, q: str, status: str, absent: str) -> None:
    a = assistant.ask(q)
    assert a.status == status and absent not in a.answer, a.answer


def test_a_measure_named_before_besides_is_still_asked(assistant: Assistant) -> None:
    a = assistant.ask("How many sites participated besides the main center, and which hospital was it?")
    assert "single-center" in a.answer and "80 patients" not in a.answer and "Highest" not in a.answer


@pytest.mark.parametrize("q, figure", [
    ("what happend to patients who started with MRD positive remission, did they clear it?", "4 of the 5"),
    ("what does the anti-CD22 ADC refer to in the article", "antibody"),
    ("Is there data on hospitalization length or days spent inpatient?", "hospitalisation"),
])
def test_fresh17_wordings_are_understood(assistant: Assistant, q: str, figure: str) -> None:
    a = assistant.ask(q)
    assert figure in a.answer, a.answer
