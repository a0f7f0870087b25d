"""Understanding and answering: statuses, exact cited figures, follow-ups, comparisons, honesty (issue 3)."""
from __future__ import annotations

import json

import pytest

from assistant.kb.models import numbers_in

from assistant import Answer

from assistant import Context

from assistant import ContextError
from assistant.kb.load import say_numbers
from assistant.kb.models import STATUSES


def ask_all(assistant, *questions: str) -> list[Answer]:
    """Ask questions as one conversation, passing each answer's context to the next."""
    out, ctx = [], None
    for q in questions:
        a = assistant.ask(q, ctx)
        out.append(a)
        ctx = a.context
    return out


# ---------------------------------------------------------------- exact, cited figures


@pytest.mark.parametrize("question,status,expected", [
    ("What was the 2-year progression-free survival?", "answered", ["58.2%", "46.7%", "68.2%"]),
    ("5 yr OS?", "answered", ["46.0%"]),
    ("What was the overall response rate?", "answered", ["99%"]),
    ("MRD negativity rate", "answered", ["94%"]),
    ("How common was nausea?", "answered", ["54%"]),
    ("how many patients had low platelets", "answered", ["80%"]),
    ("How many patients were enrolled?", "answered", ["80"]),
    ("What was the median age?", "answered", ["68"]),
    ("median follow-up", "answered", ["92.8"]),
    ("InO dose in cycle 1 after the amendment?", "answered", ["0.9", "0.6", "0.3"]),
    ("What was the maximum total inotuzumab dose after the amendment?", "answered", ["2.7"]),
    ("median OS in patients 70 and older", "answered", ["34.7"]),
    ("median PFS for the 60-64 group", "answered", ["70.2"]),
    ("PFS with high-risk cytogenetics", "answered", ["14.7"]),
    ("TP53 mutated median survival", "answered", ["33.2"]),
    ("how many patients developed a second cancer", "answered", ["9"]),
    ("What is the brand name of inotuzumab ozogamicin?", "answered", ["Besponsa"]),
    ("what's the DOI of the paper?", "answered", ["10.1016/S2352-3026(23)00073-X"]),
])
def test_given_a_question_when_asked_then_the_answer_has_the_sources_figures(assistant, question, status, expected):
    a = assistant.ask(question)
    assert a.status == status, (question, a.status, a.answer)
    for text in expected:
        assert text in a.answer, (question, a.answer)
    assert a.citations and a.facts
    for c in a.citations:
        assert c.quote and c.locator.startswith("paragraph") and "doi:10.1016/S2352-3026(23)00073-X" in c.reference


def test_every_citation_quote_is_verbatim_in_the_source(assistant, store):
    text = " ".join(open(__import__("tests.conftest", fromlist=["KNOWLEDGE"]).KNOWLEDGE / "sources" / "article.txt",
                         encoding="utf-8").read().split())
    for q in ("2-year PFS", "nausea", "dose of inotuzumab after the amendment", "second neoplasms"):
        for c in assistant.ask(q).citations:
            assert c.quote in text


def test_the_answer_text_carries_no_reference_list(assistant):
    a = assistant.ask("What was the 2-year progression-free survival?")
    assert "doi" not in a.answer.lower() and "Lancet" not in a.answer


# ---------------------------------------------------------------- statuses


@pytest.mark.parametrize("question,status", [
    ("What is the weather in Paris tomorrow?", "out_of_scope"),
    ("how do i reset my bank password", "out_of_scope"),
    ("What are the symptoms of Adult Acute Lymphoblastic Leukemia ?", "out_of_scope"),
    ("What causes leukemia?", "out_of_scope"),
    ("What was the rate of veno-occlusive disease?", "no_data"),
    ("How many patients went on to a stem cell transplant?", "no_data"),
    ("what was the grade 3-4 neutropenia rate", "no_data"),
    ("hazard ratio for OS by age", "no_data"),
    ("should my 74 year old mother get this treatment?", "medical_advice"),
    ("what dose of inotuzumab should I take?", "medical_advice"),
    ("hello", "chitchat"),
    ("thanks!", "chitchat"),
    ("what can I ask you?", "chitchat"),
    ("who are you", "chitchat"),
    ("", "invalid_input"),
    ("   \n\t ", "invalid_input"),
    ("x" * 2001, "invalid_input"),
    ("what was the median?", "clarify"),
])
def test_given_a_question_then_the_status_is_honest(assistant, question, status):
    a = assistant.ask(question)
    assert a.status == status, (question, a.status, a.answer)
    assert a.status in STATUSES
    if status != "answered":
        assert a.answer


def test_no_data_says_what_the_knowledge_base_holds_instead(assistant):
    a = assistant.ask("What was the rate of veno-occlusive disease?")
    assert "not report" in a.answer.lower()
    assert "59%" in a.answer or "ALT" in a.answer


def test_an_unreported_slot_combination_is_no_data_not_a_neighbouring_figure(assistant):
    a = assistant.ask("What was the 2-year overall survival in patients 70 and older?")
    assert a.status == "no_data"
    assert "63.6" not in a.answer.split("What it does report")[0]


def test_medical_advice_declines_without_answering_the_decision_with_a_statistic(assistant):
    a = assistant.ask("should my 74 year old mother get this treatment?")
    assert a.status == "medical_advice"
    assert "can't advise" in a.answer or "cannot advise" in a.answer
    assert not numbers_in(a.answer) and not a.facts and not a.citations  # a personal decision gets no figure


def test_clarify_offers_two_or_three_candidate_questions(assistant):
    a = assistant.ask("what was the median PFS?")
    assert a.status == "clarify"
    assert 2 <= len(a.suggestions) <= 3
    assert all(s.endswith("?") for s in a.suggestions)


# ---------------------------------------------------------------- follow-ups


def test_given_a_survival_question_when_followed_by_a_timepoint_then_the_measure_carries_over(assistant):
    first, second, third = ask_all(assistant, "What was the 2-year progression-free survival?", "and at 5 years?",
                                   "what about OS?")
    assert "58.2%" in first.answer
    assert second.status == "answered" and "44.0%" in second.answer
    assert third.status == "answered" and "46.0%" in third.answer
    slots = {(s.slot, s.source) for s in third.explain.slots}
    assert ("timepoint", "context") in slots and ("measure", "question") in slots


def test_follow_up_on_a_subgroup(assistant):
    _, a = ask_all(assistant, "median overall survival for patients aged 60-64", "and for the 70+ group?")
    assert a.status == "answered" and "34.7" in a.answer and "75.2" not in a.answer


def test_follow_up_on_an_adverse_event(assistant):
    _, a = ask_all(assistant, "How common was nausea?", "and diarrhea?")
    assert a.status == "answered" and "34%" in a.answer


def test_follow_up_on_dosing_cycles(assistant):
    _, a = ask_all(assistant, "inotuzumab dose in cycle 1 after the amendment", "and in later cycles?")
    assert a.status == "answered" and "0.6" in a.answer and "cycles 2" in a.answer


def test_a_new_topic_replaces_the_context(assistant):
    _, _, a = ask_all(assistant, "median OS for patients 70 and older", "and PFS?", "How common was nausea?")
    assert a.status == "answered" and "54%" in a.answer


def test_context_expires_after_a_few_turns(assistant):
    answers = ask_all(assistant, "2-year PFS?", "hello", "thanks", "who are you", "what can I ask you")
    assert answers[-1].context.frames and answers[-1].context.frames[0].age == 0  # chit-chat keeps the topic
    ctx = answers[0].context
    from assistant.answer import context as ctxmod

    for _ in range(4):
        ctx = ctxmod.advance(ctx, None, False)
    assert ctx.frames == []


def test_context_is_a_json_round_trip(assistant):
    a = assistant.ask("What was the 2-year progression-free survival?")
    wire = json.loads(json.dumps(a.context.model_dump(mode="json")))
    b = assistant.ask("and at 5 years?", wire)
    c = assistant.ask("and at 5 years?", a.context.model_dump_json())
    assert b.answer == c.answer and "44.0%" in b.answer


@pytest.mark.parametrize("bad", ['{"frames": "nope"}', "[1, 2]", "not json", {"turn": -1}, {"frames": [{"age": "x"}]},
                                 {"version": 1, "hacked": True},
                                 {"frames": [{"facts": ["no.such.fact"]}]}, {"frames": [{"slots": {"measure": ["x"]}}]}])
def test_a_malformed_or_tampered_context_raises_a_typed_error(assistant, bad):
    with pytest.raises(ContextError):
        assistant.ask("and at 5 years?", bad)


# ---------------------------------------------------------------- comparisons and superlatives


def test_most_and_least_common_adverse_events(assistant):
    most = assistant.ask("What was the most common side effect?")
    least = assistant.ask("which adverse event was least common?")
    assert "thrombocytopenia" in most.answer.lower() and "80%" in most.answer
    assert "abdominal pain" in least.answer.lower() and "24%" in least.answer


def test_best_age_group(assistant):
    a = assistant.ask("Which age group did best?")
    assert a.status == "answered" and "70.2" in a.answer and "60-64" in a.answer


def test_amendment_difference_significance(assistant):
    a = assistant.ask("Was the PFS difference before vs after the amendment significant?")
    assert a.status == "answered" and ".77" in a.answer and "not statistically significant" in a.answer


def test_significance_follow_up_uses_the_conversation(assistant):
    _, a = ask_all(assistant, "median OS by age group", "was that significant?")
    assert a.status == "answered" and ".048" in a.answer


def test_overview_answers_carry_table_rows(assistant):
    a = assistant.ask("list all the side effects")
    assert a.status == "answered" and a.table and len(a.table) == 16
    row = next(r for r in a.table if r["label"].lower().startswith("thrombocytopenia"))
    assert row["value"] == "80%" and row["number"] == 80.0 and row["unit"] == "%"


# ---------------------------------------------------------------- caveats


def test_a_caveat_is_said_when_it_bears_on_the_answer(assistant):
    a = assistant.ask("median PFS for patients under 70 vs 70 and older")
    assert a.status == "answered" and "60.4" in a.answer
    assert a.caveats and any("14.7" in c for c in a.caveats)
    assert "Caveat:" in a.answer


# ---------------------------------------------------------------- the number guarantee and determinism


def test_every_number_in_every_answer_is_a_knowledge_value(assistant, store):
    questions = [q for f in store.facts.values() for q in f.examples]
    questions += [r.examples[0] for r in store.intents.values() if r.examples]
    bad = []
    for q in questions:
        a = assistant.ask(q)
        for text in (a.answer, *a.caveats):
            bad += [(q, n) for n in say_numbers(text) if n not in store.values]
    assert not bad


def test_identical_input_and_context_give_identical_output(assistant):
    a1 = assistant.ask("and at 5 years?", assistant.ask("2-year OS?").context)
    a2 = assistant.ask("and at 5 years?", assistant.ask("2-year OS?").context)
    assert a1.model_dump() == a2.model_dump()


def test_explain_names_the_rule_slots_and_runner_up(assistant):
    a = assistant.ask("most common side effect")
    assert a.explain.rule == "superlative"
    assert a.explain.runner_up
    assert any(s.slot == "cue" and s.value == "sup.max" for s in a.explain.slots)


def test_contract_json_has_exactly_the_contract_fields(assistant):
    a = assistant.ask("2-year PFS?", id="q1", session="s1")
    data = a.contract()
    # the brief's contract: id, session, question, status, answer, citations, facts, intent, confidence,
    # suggestions, caveats, table (overview answers only), context, explain
    assert set(data) == {"id", "session", "question", "status", "answer", "citations", "facts", "intent",
                         "confidence", "suggestions", "caveats", "context", "explain"}
    assert data["id"] == "q1" and data["session"] == "s1"
    assert Context.model_validate(data["context"]) == a.context
    assert [w["role"] for w in data["explain"]["words"]] == ["term", "term", "term"]  # '2 year' (2y), 'pfs'
    assert data["explain"]["reason"] and data["explain"]["rule"] == "lookup"


# ---------------------------------------------------------------- thresholds: too weak, or too close to call


def _decided(assistant, m):
    words = assistant.accountant.account(m.normalised, m.normalised, m.mentions)
    return assistant.decider.decide(m, words)


def test_given_a_weak_match_then_the_assistant_asks_back_instead_of_guessing(assistant):
    from assistant.answer.context import parse

    m = assistant.matcher.match("2-year PFS")
    m.score = 0.1
    plan = assistant.planner.plan(m, _decided(assistant, m), parse(None))
    assert plan.status == "clarify" and plan.options


def test_given_two_close_rules_with_different_facts_then_clarify_offers_both(assistant):
    from assistant.answer.context import parse

    m = assistant.matcher.match("most common side effect")
    lookup = assistant.store.intents["lookup"]
    m.runner_up, m.runner_score = lookup, m.score - 0.01
    plan = assistant.planner.plan(m, _decided(assistant, m), parse(None))
    assert plan.status == "clarify" and len(plan.options) == 2


def test_clarify_choice_picks_the_offered_question(assistant):
    first = assistant.ask("what was the median PFS?")
    assert first.status == "clarify"
    picked = assistant.ask("the first one", first.context)
    assert picked.status == "answered" and picked.facts


def test_a_drug_the_trial_did_not_use_is_not_answered_with_trial_figures(assistant):
    assert assistant.ask("What are the usual side effects of rituximab?").status == "out_of_scope"
    a = assistant.ask("Did this trial use rituximab?")
    assert a.status == "no_data" and "does not mention rituximab" in a.answer
