"""Issue 9, classes found on fresh sets 36 and later (examples written for the tests, not taken from the sets)."""
from __future__ import annotations

import pytest

from assistant import Assistant

from .conftest import turns

STATUSES = [
    # who developed or makes a drug or regimen is not in the article; 'who developed MDS' still counts the patients
    ("who first developed the hyper-CVAD regimen?", "no_data"),
    ("who makes blinatumomab?", "no_data"),
    ("who developed MDS?", "answered"),
    # a drug's target, class and route are that drug's only: the article gives inotuzumab's, not blinatumomab's
    ("what does blinatumomab target?", "no_data"),
    ("what kind of drug is blinatumomab?", "no_data"),
    ("what antigen does inotuzumab bind to?", "answered"),
    # a target enrolment is the sample size plan, never the drug target
    ("did they reach the target enrollment?", "no_data"),
    # travelling, and agreeing to a doctor's proposal, are personal decisions
    ("can we travel abroad between cycles?", "medical_advice"),
    ("dad's haematologist wants to add blinatumomab, should we agree to it?", "medical_advice"),
    # 'people his age' with no conversation names no age: ask back
    ("how long did people his age live?", "clarify"),
    # why the protocol changed, or blinatumomab was added, is not in the article (what changed is)
    ("why did they change the dosing from patient 50?", "no_data"),
    ("why exactly was blinatumomab added?", "no_data"),
    # another trial of a drug ('is there a ... trial going on?') is not this trial's route
    ("is there an oral inotuzumab trial going on?", "out_of_scope"),
    # whether one is cured, after one's own test result, is personal
    ("my 6-month MRD test came back negative, does that mean I'm cured?", "medical_advice"),
    ("is my husband cured now?", "medical_advice"),
    # 'it' with no conversation, beside a group: what is asked of them?
    ("What was it in the younger group?", "clarify"),
    # one's relative's survival is a personal prognosis; monitoring advice is the clinician's
    ("so does that mean dad will probably live about 3 years? please be honest", "medical_advice"),
    ("what should we watch for with inotuzumab?", "medical_advice"),
    # the survival of a set of patients the article gives none for
    ("what was the survival of the patients who developed a second neoplasm?", "no_data"),
    # a remark after the question ('That's what we watch for') asks nothing
    ("Was any VOD reported? That's what we watch for with inotuzumab.", "no_data"),
    # a relative's expectations, one's own outlook or safety from relapse are personal
    ("My dad is 66 and starting treatment. Can he expect to live at least 70 months?", "medical_advice"),
    ("I'm 68 with a TP53 mutation. What's my outlook on this regimen?", "medical_advice"),
    ("My mum has been in remission 6 years after similar treatment. Is she safe from relapse now?", "medical_advice"),
    # total deaths, dose delays and the site's location are not reported
    ("How many patients in total died during the trial?", "no_data"),
    ("How many times were doses reduced or delayed during consolidation?", "no_data"),
    ("Where was the study centre located?", "no_data"),
    # a greeting beside a statement asks nothing yet; 'anyone there?' is a greeting
    ("Hello! I've just been forwarded this article by a colleague.", "chitchat"),
    ("good evening, anyone there?", "chitchat"),
    # kitchen 'induction' is no trial term among unknown words; what a figure means for oneself is personal
    ("What induction hob would you recommend for a small flat?", "out_of_scope"),
    ("I'm 67 - does that mean I have a 46% chance of being alive in 5 years?", "medical_advice"),
    # a duration in days of something given in cycles is not reported
    ("how long was each blinatumomab cycle in days?", "no_data"),
    ("What was the data cutoff date?", "no_data"),
    # set 44's classes
    ("So that means she has about a 50/50 chance of being alive in 5 years?", "medical_advice"),
    ("Is my 71 yo sister likely to get a second cancer from this treatment?", "medical_advice"),
    ("Where was this study run?", "no_data"),
    ("Did they compare the results with a historical control group?", "no_data"),
    # set 45's classes
    ("How many patients completed the full maintenance phase?", "no_data"),
    ("I'm 70 and finishing treatment - what's my personal risk of getting MDS?", "medical_advice"),
    ("How long did patients survive after developing the second neoplasm?", "no_data"),
    ("Will my dad make it to 5 years?", "medical_advice"),
    ("Would you recommend a transplant for my uncle who is 66?", "medical_advice"),
    # set 48's classes: a drug's development elsewhere is not this trial; a comparison naming no groups asks back
    ("is there a subcutaneous version of blinatumomab in development?", "out_of_scope"),
    ("is inotuzumab available as a pill?", "out_of_scope"),
    ("how did PFS compare between the groups?", "clarify"),
    ("is there a difference in OS between patients?", "clarify"),
    ("was MRD measured by NGS too or only flow?", "no_data"),
    # event-free survival is not reported: PFS is not given in its place; a head count 'in total' is no total dose
    ("what was the EFS?", "no_data"),
    ("2-year event-free survival?", "no_data"),
    ("how many people died in total?", "no_data"),
    # a cycle's length is not reported; 'each' with nothing before it is of what?
    ("how long did each cycle of blinatumomab last?", "no_data"),
    ("how long was each blinatumomab cycle?", "no_data"),
    ("what was the median for each?", "clarify"),
    ("how long did each last?", "clarify"),
    # set 49's classes: 'the other one' or 'the second group' with no conversation names no group: ask back;
    # going on with a drug despite one's own side effect is a personal decision
    ("what about the other one?", "clarify"),
    ("and the first group?", "clarify"),
    ("my hands are numb since starting vincristine - should I carry on?", "medical_advice"),
    # set 50's classes: going on with daily life through treatment is personal; the flow assay's sensitivity is not
    # reported (this trial's MRD method, not another topic)
    ("could my husband continue driving during the induction cycles?", "medical_advice"),
    ("how sensitive was the flow cytometry assay used for MRD?", "no_data"),
    # set 51's classes: an adverb between 'should I' and the decision; a drug for another illness is general medicine
    ("should I also take blinatumomab or only inotuzumab?", "medical_advice"),
    ("should my mother really get the inotuzumab?", "medical_advice"),
    ("is dexamethasone effective against the flu?", "out_of_scope"),
    ("I have stiff person syndrome. What is new in treatment in this study?", "medical_advice"),
    # set 52's classes: how one relative would cope, and one's own value judged, are personal; where to be treated
    # is general; 'and before?' with no conversation asks back
    ("could my 78-year-old father handle this regimen?", "medical_advice"),
    ("my husband's platelets are 30, is that too low?", "medical_advice"),
    ("who is the best leukaemia specialist in London?", "out_of_scope"),
    ("and before?", "clarify"),
    # a drug's approval history is not this trial's; beside this trial named it is not reported
    ("when did the FDA approve inotuzumab?", "out_of_scope"),
    ("was the combination in this trial FDA approved?", "no_data"),
    # a figure no fact gives alone, or a sum, names nothing
    ("what is 55% of 80?", "out_of_scope"),
    # a situation pointed back at after the dash is one personal question; another formulation of a drug is not
    # this trial's; the corresponding author is not reported; a lifesaver is thanks
    ("my wife got MDS after her leukaemia treatment - was it caused by inotuzumab?", "medical_advice"),
    ("any data on subcutaneous blinatumomab?", "out_of_scope"),
    ("who was the corresponding author of the paper?", "no_data"),
    ("you're a lifesaver, thank you", "chitchat"),
    # set 55's classes: whether a relative is too old, or should enrol, is personal; 'is that good?' alone asks back
    ("is my father too frail for this at 85?", "medical_advice"),
    ("she wants to know if her 71 year old brother should join something like this", "medical_advice"),
    ("is that good?", "clarify"),
    # how a test works in general is general medicine; how this trial tested TP53 is not reported
    ("how is a CRLF2 rearrangement detected?", "out_of_scope"),
    ("how were TP53 mutations detected in the study?", "no_data"),
]

ANSWERS = [
    # the unreported marker is in the named measure's own quote: answered from it
    ("was the one non-responder CRLF2 positive?", ["CRLF2"]),
    ("what was the profile of the patient who did not respond?", ["tetraploidy"]),
    ("what target does inotuzumab hit?", ["CD22"]),
    # what changed at the amendment gives the new doses; what the study is about names the regimen
    ("what changed after the amendment?", ["0.9"]),
    ("what is this study about?", ["inotuzumab"]),
    ("size of the 60-64 subgroup?", ["25"]),
    # an age told beside 'my age group' names that age's group
    ("I'm 66, what was PFS in my age group?", ["46.6"]),
    ("my dad is 72 - OS by age group?", ["60-64", "65-69", "70"]),
    # 'non responding', plural abbreviations, 'mechanism class', 'walk me through', 'tend'
    ("did the non responding patient carry a TP53 mutation?", ["TP53"]),
    ("how many CRs were there?", ["66"]),
    ("mechanism class of inotuzumab?", ["antibody-drug conjugate"]),
    ("walk me through the amended inotuzumab dosing", ["0.9"]),
    # 'enrolled' inside a group's description is the group, not the enrolment
    ("how many patients enrolled while in MRD-positive remission?", ["5 patients"]),
    ("did PFS differ between patients enrolled before vs after the amendment?", ["P = .77"]),
    # blinatumomab's maintenance schedule holds for the amended cohort, the only one that got it
    ("after the amendment, was blinatumomab given continuously during maintenance?", ["continuously"]),
    # a count and a median side by side, joined by '+' or '&': each one's own figure
    ("number of second hematologic neoplasms + median time to onset?", ["9 patients", "32.6"]),
    ("CR rate & MRD negativity?", ["66", "94%"]),
    ("median age and total number enrolled?", ["68", "80"]),
    # the oldest of a set of patients is the top of their age range, not the oldest age group
    ("how old was the oldest patient with a second neoplasm?", ["64-87"]),
    # which age groups were used: the groups and their sizes
    ("what were the age groups?", ["n = 25", "n = 27", "n = 28"]),
    ("how many were already in CR when they started?", ["6 already had complete remission"]),
    ("amended InO schedule in cycles 2-4?", ["day 8"]),
    ("How many patients harbored a TP53 mutation?", ["24"]),
    ("how many peoples was in the study?", ["80"]),
    ("Which age bracket had the most patients?", ["n = 28"]),
    # everyday verbs and nouns around a trial question
    ("What page range does the article occupy?", ["e433"]),
    ("How was blinatumomab built into maintenance after the amendment?", ["every 3 cycles"]),
    ("Sceptical reader: did adding blinatumomab significantly improve PFS?", ["P = .77"]),
    ("What chromosomal feature did the non-responder have?", ["tetraploidy"]),
    ("Was the trend in OS across the age groups significant?", ["P = .048"]),
    ("Which lineage of ALL was studied?", ["B-cell"]),
    ("Did 5-year PFS fall below 50%?", ["44.0%"]),
    ("Is the median follow-up longer than 7 years?", ["92.8"]),
    # the main safety concern: the deaths in remission for everyone, cytopenia for the oldest
    ("what was the main safety concern with this combination?", ["deaths during remission"]),
    ("main safety concern for patients 70 or older", ["cytopenia"]),
    # a situation told with 'and' is one statement beside the question
    ("My wife has ALL and is about to start this treatment. What was the most common side effect?", ["80%"]),
    ("what else besides infections contributed to deaths in remission?", ["second disorder"]),
    ("Who are the 2nd and 3rd authors?", ["Short NJ", "Senapati J"]),
    ("Were hepatic lab abnormalities common?", ["59%", "55%"]),
    # a median compared with a duration: the median, not a survival rate at that time
    ("Was median PFS for CTG-HR under 2 years?", ["14.7"]),
    # set 43's classes
    ("What was the oldest age among patients who got a second blood cancer?", ["64-87"]),
    ("How many were in the youngest age band, 60-64?", ["25"]),
    ("What is inotuzumab directed against?", ["CD22"]),
    ("At what point was blinatumomab added to the protocol?", ["50th"]),
    ("Why were only 74 patients assessed for response if 80 enrolled?", ["6 already had complete remission"]),
    ("In which year range was enrollment and what was the median age?", ["2011", "68"]),
    ("Was inotuzumab given in every cycle or only some of them?", ["first 4 cycles"]),
    ("How many deaths in remission were associated with development of a second disorder?", ["n = 9"]),
    ("what type of conjugate is inotuzumab and against which antigen?", ["antibody-drug conjugate", "CD22"]),
    ("What's the full title of the original Lancet Haematol article?", ["Mini-hyper-CVD plus inotuzumab"]),
    ("was the study blinded or open?", ["open-label"]),
    ("In the amended maintenance, how often was a blinatumomab cycle inserted?", ["every 3 cycles"]),
    # an age told with the diagnosis names the group 'people his age' asks about
    ("My dad was just diagnosed at 74. What did this trial find for people his age in terms of median OS?", ["34.7"]),
    # set 46's classes: a set named by a measure keeps its own facts beside the whole trial's
    ("Second neoplasms: median age of patients and median time from starting treatment?", ["71", "32.6"]),
    ("How many induction cycles included inotuzumab?", ["first 4 cycles"]),
    # ALL as a second neoplasm is one of its types, beside MDS
    ("How many MDS vs how many ALL as second neoplasms?", ["5 patients", "3 patients"]),
    ("How many developed a second ALL?", ["3 patients"]),
    # set 47's classes: 'when' of enrolment is its dates, not the count; 'before maintenance' only places the cycles
    ("when did they enroll them?", ["2011", "2022"]),
    ("For how many cycles was blinatumomab given after the amendment, before maintenance?", ["4 cycles"]),
    # set 48's classes: 'before vs after the protocol change' is the amendment cohorts (not 'the protocol' as the
    # trial); the amended protocol is its regimen, not its survival; inotuzumab's class in the article's words
    ("Was there a difference in PFS between patients treated before vs after the protocol change?",
     ["34.7", "56.4", ".77"]),
    ("what was the amended protocol?", ["0.9"]),
    ("what kind of drug is inotuzumab ozogamicin - is it an antibody?", ["anti-CD22"]),
    ("were these newly diagnosed patients or relapsed ones?", ["newly diagnosed"]),
    # ALL last beside MDS is the second ALL; a median age against a threshold is the median age; why some were
    # not assessed for response is the remission at entry
    ("How many second neoplasms were myelodysplastic syndrome vs ALL?", ["5 patients", "3 patients"]),
    ("was the median age under 70?", ["68 years"]),
    ("Why weren't 6 of the patients assessed for response?", ["already had complete remission"]),
    ("how many patients got blinatumomab in total?", ["31"]),
    # set 49's classes: a count asked beside 'tell me about' a group is its head count; the youngest and oldest
    # age groups are two of the age groups (not the unreported age range); reducing the dose is the dose reduction;
    # 'lead to' is an everyday verb
    ("tell me about the patients with TP53 mutations: how many were there?", ["24"]),
    ("median PFS for the oldest and youngest age groups?", ["70.2", "34.2"]),
    ("did the researchers suggest lowering the dose for older patients?", ["dose reduction"]),
    ("did a TP53 mutation lead to shorter OS?", ["33.2", "46.6"]),
    # set 50's classes: why not every patient was assessed for response is the remission at entry
    ("why were not all the patients evaluated for response?", ["already had complete remission"]),
    # the chemotherapy needing adjustment is the conclusion's tolerability; why it does is the cytopenia in the oldest
    ("does the chemotherapy need adjusting, according to the paper?", ["tolerability"]),
    ("why would the chemo need adjustment?", ["cytopenia"]),
    # set 51's classes: a median held against an unreported timepoint is the median; a rate against a percentage is
    # the rate, no comparison of groups; 'drop' between two timepoints gives both; a told story, a nurse mixing
    # things up and 'not asking for advice' beside a plain trial question
    ("was median OS in the 65-69 group longer than 4 years?", ["46.6"]),
    ("did over 90% of patients become MRD negative?", ["94%"]),
    ("how much did PFS drop from 2 to 5 years?", ["44.0%"]),
    ("I keep mixing these up: how many patients were 60-64?", ["25"]),
    ("just the basics please, not advice: how many patients were in the trial?", ["80"]),
    ("my aunt was diagnosed in the spring and she is 66, the whole family has been reading about it. in this trial "
     "what was the median OS for people aged 65-69?", ["46.6"]),
    # set 52's classes: what the authors said of a group is their conclusion about it; one site or many is the
    # design; whether every patient got blinatumomab is how many did; a story ending in '..' before the question
    ("what did the authors note about the patients 70 or older?", ["cytopenia"]),
    ("was the study run at several sites?", ["single-center"]),
    ("were all the patients given blinatumomab?", ["31"]),
    ("dad is exhausted on his chemo... how many patients in the trial had fatigue?", ["55%"]),
    # set 53's classes: a percentage quoted back names the measure whose headline figure it is (one measure's only)
    ("the 99% - what was that?", ["overall response rate"]),
    ("was it really 45%? the neuropathy?", ["45%"]),
    # set 54's classes: a situation before a dash, then a trial question; 'from what point' blinatumomab was added;
    # a measure 'at the start of the trial' is the original protocol's; how a dose was split; orally or by infusion
    ("my dad's ankles are swollen - how many patients in the trial had swollen legs?", ["39%"]),
    ("from what point in enrolment was blinatumomab added?", ["50th"]),
    ("what was the induction regimen at the start of the trial?", ["day 3"]),
    ("what was the inotuzumab dose in cycle 1 at the start of the trial?", ["1.3"]),
    ("how was the amended cycle 1 inotuzumab dose split?", ["0.6", "day 8"]),
    ("was inotuzumab taken orally or by infusion?", ["intravenously"]),
    # set 55's classes: 'arising' is an everyday verb
    ("did any MDS cases arise as a second neoplasm?", ["5 patients"]),
    # set 56's classes: those in remission are who the MRD negativity after cycle 1 is of
    ("what share were MRD negative after cycle 1 among the patients in remission then?", ["84%"]),
]


@pytest.mark.parametrize("q, status", STATUSES)
def test_the_status_of_each_class(assistant: Assistant, q: str, status: str) -> None:
    a = assistant.ask(q)
    assert a.status == status, (q, a.status, a.answer)


@pytest.mark.parametrize("q, figures", ANSWERS)
def test_the_figures_of_each_class(assistant: Assistant, q: str, figures: list[str]) -> None:
    a = assistant.ask(q)
    assert a.status == "answered" and all(f in a.answer for f in figures), (q, a.status, a.answer)


def test_my_age_group_is_not_another_age_groups_figure(assistant: Assistant) -> None:
    """'I'm 66': the 65-69 PFS, never the 60-64 one (70.2)."""
    a = assistant.ask("I'm 66, what was PFS in my age group?")
    assert "70.2" not in a.answer, a.answer


def test_a_bare_when_after_another_topic_is_not_the_second_cancers_timing(assistant: Assistant) -> None:
    """'when did it happen?' after the 2-year OS, 'and when?' after blinatumomab: not reported, never the 32.6
    months to second cancers; after MDS the timing of second cancers is what was asked."""
    _, a = turns(assistant, "what was the 2-year OS?", "when did it happen?")
    assert a.status == "no_data" and "32.6" not in a.answer, a.answer
    b = assistant.ask("what is blinatumomab and when?")
    assert "32.6" not in b.answer, b.answer
    _, c = turns(assistant, "what is inotuzumab?", "how soon?")
    assert c.status == "no_data" and "32.6" not in c.answer, c.answer
    _, d = turns(assistant, "how many got MDS?", "and when?")
    assert d.status == "answered" and "32.6" in d.answer, d.answer
    e = assistant.ask("how many got a second cancer and when?")
    assert e.status == "answered" and "32.6" in e.answer, e.answer


def test_who_developed_the_regimen_and_when_gives_no_figure(assistant: Assistant) -> None:
    """A compound about the regimen's history: nothing the article reports, so no figure at all."""
    a = assistant.ask("who originally developed the hyper-CVAD regimen and when?")
    assert a.status == "no_data" and "32.6" not in a.answer, a.answer


def test_a_fragment_opening_for_leans_on_the_conversation(assistant: Assistant) -> None:
    """'for pts treated before the amendment?' after the median follow-up: their follow-up, not their PFS."""
    _, a = turns(assistant, "median f/u?", "for pts treated before the amendment?")
    assert a.status == "answered" and "104.4" in a.answer and "56.4" not in a.answer, a.answer


def test_route_and_days_in_cycles_after_the_amendment(assistant: Assistant) -> None:
    """A cycle asked fits a fact about the first 4 cycles as a whole: the amended days in cycles 2-4."""
    a = assistant.ask("after the amendment, which days was inotuzumab given in cycles 2-4?")
    assert a.status == "answered" and "day 2" in a.answer and "day 8" in a.answer, a.answer
    b = assistant.ask("how was inotuzumab given?")
    assert b.status == "answered" and "intravenous" in b.answer.lower(), b.answer


def test_a_statistic_of_the_conversations_own_measure_keeps_its_group(assistant: Assistant) -> None:
    """'CI for the OS?' after the 65-69 OS is their CI (10.7-109.5), not the 2- and 5-year rates; with no
    conversation it is the trial's OS intervals."""
    *_, a = turns(assistant, "median PFS for the 65-69 year olds?", "and OS for them?", "CI for the OS?")
    assert a.status == "answered" and "10.7" in a.answer and "63.6%" not in a.answer, a.answer
    b = assistant.ask("CI for the OS?")
    assert b.status == "answered" and "63.6%" in b.answer, b.answer


def test_a_route_asked_after_blinatumomab_talk_is_the_named_drugs(assistant: Assistant) -> None:
    """After the amended cohort's blinatumomab, 'and was the inotuzumab IV?' is inotuzumab's route for everyone."""
    *_, a = turns(assistant, "how many cycles of blinatumomab were added after the amendment?", "and was the inotuzumab IV?")
    assert a.status == "answered" and "intravenously" in a.answer, a.answer


def test_a_compound_says_each_caveat_once(assistant: Assistant) -> None:
    """'How many CRs and how many CRps?': both counts, and the response-count caveat they share said once."""
    a = assistant.ask("How many CRs and how many CRps?")
    assert a.status == "answered" and "66 of the 74" in a.answer and "CRp" in a.answer, a.answer
    assert a.answer.count("Caveat: The response counts do not add up") == 1, a.answer


def test_a_count_of_a_group_overall_is_not_the_conversations_measure(assistant: Assistant) -> None:
    """'and how many pts had TP53 mutations overall?' after the non-responder: the 24, not the non-responder again."""
    _, a = turns(assistant, "was the non-responder TP53 mutated?", "and how many pts had TP53 mutations overall?")
    assert a.status == "answered" and "24" in a.answer and "did not respond" not in a.answer, a.answer


def test_a_typo_as_near_two_lexicon_words_takes_the_dropped_letter(assistant: Assistant) -> None:
    """'logest' is 'longest' (a letter dropped), never the more common 'lowest' (opposite answer); 'comon' is
    'common', not 'colon'; 'hw many' is 'how many'."""
    a = assistant.ask("Which age group had the logest median OS?")
    assert a.status == "answered" and "60-64" in a.answer and "Shortest" not in a.answer, a.answer
    b = assistant.ask("how comon was constipation")
    assert b.status == "answered" and "58%" in b.answer, b.answer
    c = assistant.ask("hw many pts were looked at for response outcomes")
    assert c.status == "answered" and "74 patients" in c.answer, c.answer


def test_a_long_story_before_the_question_does_not_hide_it(assistant: Assistant) -> None:
    """Many sentences of everyday words told before the question: the question is answered, the story dropped."""
    q = ("I'm sorry if this is a long message. My father is 71 and was just diagnosed with B-cell ALL, and the "
         "doctors mentioned a study using mini-hyper-CVD with inotuzumab. I haven't slept properly in days, I keep "
         "reading things online and getting more scared. He is a strong man, he raised three of us alone. What I "
         "really want to know is: in that study, what was the median overall survival for patients 70 or older?")
    a = assistant.ask(q)
    assert a.status == "answered" and "34.7" in a.answer and "could not answer" not in a.answer, a.answer


def test_a_short_story_beside_a_vague_question_is_still_off_trial(assistant: Assistant) -> None:
    """'I think that the card is stolen. What are my next steps?': the story sets the topic; not the conclusion."""
    a = assistant.ask("I think that the card is stolen. What are my next steps?")
    assert a.status in ("out_of_scope", "medical_advice") and "promising" not in a.answer, a.answer


def test_a_timepoint_after_a_median_asks_the_rate_then(assistant: Assistant) -> None:
    """'at 2 years?' after the median remission duration: the 2-year rate (84.0%), not a median at 2 years."""
    _, a = turns(assistant, "What was the median continuous remission duration?", "at 2 years?")
    assert a.status == "answered" and "84.0%" in a.answer, a.answer


def test_a_comparison_naming_no_groups_takes_the_conversations_when_the_article_splits_by_them(
        assistant: Assistant) -> None:
    """'how did OS compare between the groups?' after TP53-mutated PFS: both TP53 groups; after another topic
    whose groups the article does not split the measure by, the comparison asks back or answers the whole trial."""
    _, a = turns(assistant, "what was PFS in TP53 mutated patients?", "how did OS compare between the groups?")
    assert a.status == "answered" and "46.6" in a.answer and "33.2" in a.answer, a.answer
    _, b = turns(assistant, "median follow-up after the amendment?", "median PFS before vs after?")
    assert b.status == "answered" and "34.7" in b.answer and "56.4" in b.answer, b.answer
    assert any(s.slot == "group" and s.source == "context" for s in b.explain.slots), b.explain.slots  # /why says so
    c = assistant.ask("did TP53 mutations affect PFS?")  # the opposite arm is a fill of the comparison's own
    assert any(s.slot == "group" and s.value == "tp53_wt" and s.source == "default" for s in c.explain.slots), \
        c.explain.slots


def test_a_count_asked_of_a_rate_is_not_answered_by_the_rate(assistant: Assistant) -> None:
    """'how many could be evaluated for it?' after the MRD negativity rate: the 79 evaluable for MRD, never the 94%
    as if it were a count, nor the 74 evaluated for response; after the early MRD response, its own 72."""
    _, a = turns(assistant, "what was the MRD negative rate?", "how many patients could be evaluated for it?")
    assert a.status == "answered" and "Seventy-nine" in a.answer and "94%" not in a.answer \
        and "74" not in a.answer, a.answer
    _, b = turns(assistant, "what was the overall response rate?", "and how many were evaluable for that?")
    assert b.status == "answered" and "74" in b.answer and "Seventy-nine" not in b.answer, b.answer
    _, c = turns(assistant, "tell me about the early MRD response", "how many were assessed for it?")
    assert c.status == "answered" and "72" in c.answer and "Seventy-nine" not in c.answer, c.answer


def test_a_dose_compared_per_day_and_per_cycle_in_one_cohort_is_that_cohorts(assistant: Assistant) -> None:
    """'per-day vs per-cycle' in the amended cycle 1 compares two doses of one cohort: never the original doses."""
    a = assistant.ask("in the amended first cycle, what was the inotuzumab dose per day vs per cycle?")
    assert a.status == "answered" and "0.6" in a.answer and "1.3" not in a.answer, a.answer


def test_the_amendment_cohorts_os_is_not_reported(assistant: Assistant) -> None:
    """OS 'between those two groups' after the amendment PFS comparison: not reported, never the trial's OS."""
    _, a = turns(assistant, "Was there a difference in PFS between patients treated before vs after the protocol "
                 "change?", "what about OS between those two groups?")
    assert a.status == "no_data" and "63.6" not in a.answer, a.answer


def test_another_drug_asked_after_a_drug_profile_is_that_drugs(assistant: Assistant) -> None:
    """'and blinatumomab?' after what inotuzumab is: blinatumomab's own facts, never inotuzumab's again."""
    _, a = turns(assistant, "What is inotuzumab ozogamicin?", "and blinatumomab?")
    assert a.status == "answered" and "Blincyto" in a.answer and "CD22" not in a.answer, a.answer


def test_both_topics_are_asked_of_after_a_new_topic_replaced_the_first(assistant: Assistant) -> None:
    """'was either one significant?' after the OS, then the PFS, across the age groups: both P values (.048 and
    .11); a question about one of them still answers one."""
    _, _, a = turns(assistant, "what was the p value for OS across the three age groups?", "and for PFS across them?",
                    "so was either one significant?")
    assert a.status == "answered" and ".048" in a.answer and ".11" in a.answer, a.answer
    _, _, b = turns(assistant, "median PFS under 70 vs 70 and older?", "and OS?", "p values for those two comparisons?")
    assert b.status == "answered" and ".27" in b.answer and ".17" in b.answer, b.answer
    _, _, c = turns(assistant, "median PFS under 70 vs 70 and older?", "and OS?", "was that significant?")
    assert c.status == "answered" and ".17" in c.answer and ".27" not in c.answer, c.answer


def test_a_percentage_quoted_back_in_a_conversation_is_the_conversations_measure(assistant: Assistant) -> None:
    """'was it really 45%?' after the 5-year PFS: the PFS (44.0%), never neuropathy's 45% as if it were asked."""
    _, a = turns(assistant, "what was the 5-year PFS?", "was it really 45%?")
    assert "44.0%" in a.answer and "neuropathy" not in a.answer.lower(), a.answer


def test_a_tampered_earlier_topic_is_a_context_error(assistant: Assistant) -> None:
    """The context's earlier topic is checked like its frames: an unknown fact id there is named, never used."""
    from assistant.errors import ContextError

    _, b = turns(assistant, "what was the p value for OS across the three age groups?", "and for PFS across them?")
    sent = b.context.model_dump()
    assert sent["earlier"], sent  # the OS topic is kept aside
    sent["earlier"][0]["facts"] = ["made.up"]
    with pytest.raises(ContextError, match="earlier.0.facts.0"):
        assistant.ask("so was either one significant?", sent)
