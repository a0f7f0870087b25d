"""Issue 9, classes found on fresh sets 28 and later (examples written for the tests, not taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns

STATUSES = [
    # a head count of a measure whose facts count nobody is not reported, even beside something unreported
    ("How many patients needed dose reductions or dose delays?", "no_data"),
    # 'shouldn't', and one's own 'chance', are personal
    ("my father has high-risk cytogenetics, does that mean he shouldn't get this regimen?", "medical_advice"),
    ("is my chance of being alive at 2 years 63.6%?", "medical_advice"),
    ("what was the chance of being alive at 2 years?", "answered"),
    # 'split' with nothing before it: split what?
    ("how was it split?", "clarify"),
    # another trial's regimen in younger adults; one's own survival, 'personally'
    ("How did full-dose hyper-CVAD do in the young adult study?", "out_of_scope"),
    ("With my TP53 mutation, how long will I personally live?", "medical_advice"),
    # a median the article gives only by subgroup, asked of everyone by name; a trial site it does not name
    ("What was the median PFS for the entire 80-patient cohort?", "no_data"),
    ("which site ran the study?", "no_data"),
    # a statistic of something the trial did not report is about the trial
    ("what was the rate of infection as an adverse event?", "no_data"),
    # a count in thousands is a number; 'does she need', 'would you choose ... for my patient' are personal
    ("dad's platelets are 15k during maintenance, does he need a transfusion?", "medical_advice"),
    ("would you choose this regimen over hyper-CVAD for my 64-year-old patient?", "medical_advice"),
    # another trial's code beside one of this trial's cohorts is still another trial
    ("what did E1910 with blinatumomab show in younger adults?", "out_of_scope"),
    # another trial by name; another population; joining the trial is a personal decision
    ("how did INO-VATE compare?", "out_of_scope"),
    ("What's the usual Besponsa dose for relapsed/refractory ALL?", "out_of_scope"),
    ("Can my grandpa join? he's 83", "medical_advice"),
    ("can I join the gym?", "out_of_scope"),
    # courtesy and 'in general' words are not what is asked, and no off-trial question is answered for them
    ("Would there be a possible oral medication available", "out_of_scope"),
    ("So I am having general headaches?", "out_of_scope"),
    # ... but a situation told beside a personal question is a decision
    ("My husband is being treated on this protocol. Should he stop?", "medical_advice"),
    ("My doctor offered mini-hyper-CVD with inotuzumab. Should I accept?", "medical_advice"),
    ("pharmacist here - how should I split the ino for my patient with BSA 1.8?", "medical_advice"),
    # thanks and small talk as people write them
    ("you've been really helpful, thanks", "chitchat"),
    ("how's your day going?", "chitchat"),
    # survival of a set of patients the article gives none for; intrathecal prophylaxis
    ("how did the patients who developed MDS do - survival after the second cancer?", "no_data"),
    ("did they give intrathecal chemo prophylaxis?", "no_data"),
    # a remark beside the question asks nothing; survival joined with a measure no fact joins it to is unreported
    ("any VOD reported? inotuzumab is known for it", "no_data"),
    ("did MRD negativity predict better survival?", "no_data"),
    ("should my grandfather choose this over palliative care?", "medical_advice"),
    ("median time to neutrophil and platelet recovery after cycle 1?", "no_data"),
]

ANSWERS = [
    # a complete response with platelet recovery, and 'vs without' it: both counts
    ("How many had CR with platelet recovery compared with those without?", ["66 of the 74", "Six patients"]),
    ("was it a multi centre study?", ["single-center"]),
    ("Which vol of Lancet Haematol was it in?", ["10(6)"]),
    # 'differed' is the comparison cue; the second question of a compound is answered too
    ("What was the original cycle 1 inotuzumab dose? I also need to know how it differed from later cycles.",
     ["1.3–1.8 mg/m2", "1.0–1.3 mg/m2"]),
    ("I keep hearing the 5-year OS was 46% - is that right?", ["46.0%"]),
    # what the article says of the first 4 cycles as a whole, for one cohort or for each cycle
    ("Before the amendment, for how many cycles was inotuzumab given?", ["first 4 cycles"]),
    ("After the amendment, which days was InO given in each of the first four cycles?", ["day 2", "day 8"]),
    # a group whose survival is not reported: what the article does report of it, and that survival is not
    ("how did those who enrolled MRD-positive do?", ["4 of the 5", "does not report survival"]),
    # the authors' view of too much chemotherapy; 'kick in'; an aside naming a drug the article does not dose
    ("Did the authors feel the regimen was too intense for the oldest patients?", ["dose reduction"]),
    ("from which patient did the change kick in?", ["50th"]),
    ("how common was hyperglycemia? (thinking about the dex)", ["56%"]),
    ("Tell me about the one non-responder - what was the disease biology?", ["tetraploidy"]),
    # where the asker writes is no topic; question words side by side ask one question
    ("For a patient-education handout: what was the 2-year OS?", ["63.6%"]),
    ("I'm writing for a health news website: how many patients were enrolled and over what years?",
     ["80 patients", "2011"]),
    ("when and where was it published?", ["2023"]),
    # the article's own words for its conclusion; 'contributed'; the authors' safety point for the oldest
    ("what's the bottom line of the study?", ["tolerability"]),
    ("besides infections, what else contributed to deaths in remission?", ["second"]),
    ("what safety problem did they note in patients 70 or older?", ["cytopenia", "immunosuppression"]),
    ("For a slide deck: what was the study design?", ["phase 2"]),
    # a weaker measure name side by side with another is answered too
    ("sample size and median age", ["80 patients", "68"]),
    # a role and a comma, or a role and where they work, before the question is a preface
    ("journalist, quick piece - how many patients and what was the 2-year OS?", ["80 patients", "63.6%"]),
    ("Nurse on the ward - how common was mucositis?", ["26%"]),
    ("What percentage had neuropathy? asking bc of the vincristine", ["45%"]),
    ("what's the 2-year PFS? with CI if possible", ["58.2%"]),
    ("what actually changed with the amendment for InO dosing?", ["0.9 mg/m2"]),
    ("abdo pain %?", ["24%"]),
    # a sentence opening with a lower-case question word after a full stop is a question of its own
    ("hi, I read about a trial of inotuzumab in older people. how many people were in it and how old were they?",
     ["80 patients", "68 years"]),
    # a personal situation only told, beside a question about the trial, is no decision
    ("My husband is being treated on this protocol. What did people die of while in remission?", ["infection"]),
    ("what were the most common side effects affecting blood counts?", ["80%", "70%"]),
    # an interval in per cent is written as the article writes it, in a table too
    ("can you give me the 2- and 5-year PFS with their CIs?", ["46.7%", "31.2%"]),
    ("hypokalaemia - how often? relevant since pts get steroids", ["44%"]),
    ("pfs w/o CTG-HR", ["60.4"]),
    ("how long was median f/u in this long-term update", ["92.8"]),
    ("peripheral neuropathy rate? vincristine heavy regimen so curious", ["45%"]),
    ("what GI side effects were seen? constipation, nausea, diarrhoea %s", ["58%", "54%", "34%"]),
    # 'how many ... evaluable for response outcomes': the count, 'outcomes' is no survival asked
    ("how many patients were evaluable for response outcomes?", ["74"]),
    # 'did NOT have' a group is its opposite, never the group itself
    ("median PFS for patients who did NOT have high-risk cytogenetics?", ["60.4"]),
    ("did the authors suggest anything for patients 70 and older?", ["dose reduction"]),
    ("what about heme tox - thrombocytopenia?", ["80%"]),
    ("was MRD measured by flow, and what was the neg rate?", ["94%"]),
    ("what kind of study was this, design-wise?", ["phase 2"]),
]


@pytest.mark.parametrize("q, status", STATUSES)
def test_the_status_of_each_class(assistant: Assistant, q: str, status: str) -> None:
    a = assistant.ask(q)
    assert a.status == status, (q, a.status, a.answer)


@pytest.mark.parametrize("q, figures", ANSWERS)
def test_the_figures_of_each_class(assistant: Assistant, q: str, figures: list[str]) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and all(f in a.answer for f in figures), (q, a.status, a.answer)


def test_how_was_that_split_is_the_last_dose_and_its_days(assistant: Assistant) -> None:
    """'how was that split?' after the amended dose in cycles 2-4: that dose, day by day; then cycle 1's."""
    _, a, b = turns(assistant, "InO dose in cycles 2 to 4 after the amendment?", "how was that split?", "and in cycle 1?")
    assert a.status == "answered" and "0.3 mg/m2 on day 2" in a.answer and "day 8" in a.answer, a.answer
    assert b.status == "answered" and "0.9 mg/m2" in b.answer and "1.3" not in b.answer, b.answer


def test_a_fact_of_everyone_leaves_no_group_for_the_next_turn(assistant: Assistant) -> None:
    """The inotuzumab cycles hold for everyone and for each cohort: 'and during maintenance?' names no cohort."""
    _, a = turns(assistant, "In how many cycles was inotuzumab given?", "and during maintenance?")
    assert a.status == "answered" and "12 cycles" in a.answer, a.answer


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


def test_a_median_given_only_by_subgroup_is_the_last_turns_subgroups(assistant: Assistant) -> None:
    """'what were the actual median PFS numbers?' after the cohorts' P value: both cohorts' medians, no clarify."""
    *_, a = turns(assistant, "did PFS differ between patients treated before and after the amendment?",
                  "what were the actual median PFS figures?")
    assert a.status == "answered" and "34.7" in a.answer and "56.4" in a.answer, a.answer
    b = assistant.ask("What was the median PFS for the entire 80-patient cohort?")
    assert "only by subgroup" in b.answer, b.answer


def test_that_compared_with_a_named_measure_keeps_the_timepoint(assistant: Assistant) -> None:
    """'how does that compare with OS at the same timepoint?' after 5-year PFS: both 5-year figures."""
    *_, a = turns(assistant, "2-year PFS?", "and at 5 years?", "how does that compare with OS at the same timepoint?")
    assert a.status == "answered" and "46.0%" in a.answer and "44.0%" in a.answer and "63.6%" not in a.answer, a.answer


def test_the_overall_rate_after_a_subset_is_everyones(assistant: Assistant) -> None:
    """'and the overall MRD negativity rate?' after the 72 evaluated early: the 94%, not their 85% again."""
    *_, a = turns(assistant, "how many were evaluated for an early MRD response?", "and the overall MRD negativity rate?")
    assert a.status == "answered" and "94%" in a.answer and "85%" not in a.answer, a.answer


def test_an_overview_with_no_group_keeps_subgroup_facts_only_as_breakdowns(assistant: Assistant) -> None:
    """'all the side effects': every adverse event, not the authors' point about the oldest patients (its measures
    are no adverse event the whole trial reports); an overview of PFS still breaks PFS down by subgroup."""
    a = assistant.ask("all the side effects")
    assert a.status == "answered" and "80%" in a.answer and "70 or older" not in a.answer, a.answer
    b = assistant.ask("give me an overview of the PFS results")
    assert b.status == "answered" and "44.0%" in b.answer and "70.2" in b.answer, b.answer


def test_short_follow_ups_name_the_other_cohort_or_every_grade(assistant: Assistant) -> None:
    """'post?' after the pre-amendment follow-up is the post-amendment one; 'and neutropenia in general?' after
    febrile neutropenia is neutropenia, not a general medical question; 'how did they do?' is their survival."""
    _, a = turns(assistant, "median follow-up for the pre-amendment cohort?", "post?")
    assert a.status == "answered" and "29.7" in a.answer and "104.4" not in a.answer, a.answer
    _, b = turns(assistant, "how common was febrile neutropenia?", "and neutropenia in general?")
    assert b.status == "answered" and "70%" in b.answer, b.answer
    _, c = turns(assistant, "how many were 70 or older?", "how did they do?")
    assert c.status == "answered" and "34.7" in c.answer, c.answer


def test_they_who_gave_the_drug_do_not_lean_on_the_last_measure(assistant: Assistant) -> None:
    """'did they also give blinatumomab?' after the 5-year PFS: about blinatumomab, not the PFS again."""
    _, a = turns(assistant, "what was the 5-year PFS?", "did they also give blinatumomab?")
    assert a.status == "answered" and "Blincyto" in a.answer and "44.0%" not in a.answer, a.answer


def test_follow_ups_name_the_route_the_time_range_and_liver_problems(assistant: Assistant) -> None:
    """'and how is it given?' after the drug's class; 'range of time?' after the second cancers; 'liver problems in
    general then?' after VOD: the route, the time range, the liver side effects."""
    _, a = turns(assistant, "what kind of drug is inotuzumab?", "and how is it given?")
    assert a.status == "answered" and "intravenously" in a.answer, a.answer
    *_, b = turns(assistant, "did anyone develop a second cancer?", "what kinds were they?", "range of time?")
    assert b.status == "answered" and "2.7-65.8" in b.answer, b.answer
    _, c = turns(assistant, "any VOD reported?", "liver problems in general then?")
    assert c.status == "answered" and "59%" in c.answer, c.answer


def test_each_after_a_split_is_each_group_and_not_one(assistant: Assistant) -> None:
    """'median PFS in each?' after the age split: each age group's, and 'and OS?' then keeps them; 'the median
    follow-up in each?' after one cohort's count is both cohorts', not that one's."""
    *_, a = turns(assistant, "How were patients split up by age?", "median PFS in each?", "p value?", "and OS?")
    assert a.status == "answered" and "75.2" in a.answer and ".048" in a.answer, a.answer
    b = assistant.ask("How many enrolled after the amendment vs before, and what was the median follow-up in each?")
    assert b.status == "answered" and "104.4" in b.answer and "29.7" in b.answer, b.answer


def test_lab_side_effects_by_their_lay_names(assistant: Assistant) -> None:
    """'glucose and potassium?' after ALT: hyperglycaemia and hypokalaemia; 'the blood count ones' after GI ones."""
    _, a = turns(assistant, "how often was ALT raised?", "glucose and potassium?")
    assert a.status == "answered" and "56%" in a.answer and "44%" in a.answer, a.answer
    _, b = turns(assistant, "most common GI side effects?", "ok and the blood count ones")
    assert b.status == "answered" and "80%" in b.answer and "33%" in b.answer, b.answer


def test_how_much_each_day_is_never_another_fact_of_the_cycle(assistant: Assistant) -> None:
    """'how much each day?' after the amended cycle 1 days: an amount of that dose, never the MRD after cycle 1."""
    _, a = turns(assistant, "after the amendment, on which days of cycle 1 was ino given?", "how much each day?")
    assert "MRD" not in a.answer and "84%" not in a.answer, a.answer


def test_the_authors_on_the_oldest(assistant: Assistant) -> None:
    """'did the authors say anything specific about the over-70s?': their point about cytopenia, no clarify."""
    a = assistant.ask("did the authors say anything specific about the over-70s?")
    assert a.status == "answered" and "cytopenia" in a.answer, a.answer


def test_a_negated_group_is_never_the_group(assistant: Assistant) -> None:
    """'patients who did not have high-risk cytogenetics': 60.4 months, not the 14.7 of those who had them."""
    a = assistant.ask("what was the median PFS for patients who didn't have high-risk cytogenetics?")
    assert a.status == "answered" and "60.4" in a.answer and "14.7" not in a.answer, a.answer
