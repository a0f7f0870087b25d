"""What used to be written in code is data: an entry added to knowledge/frame.toml or knowledge/answers.toml
changes the behaviour with no code change, and a bad entry names the file and field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import KnowledgeCheckError
from assistant.kb.load import load_valid

from .conftest import KNOWLEDGE


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    dest = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, dest)
    return dest


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fresh(root: Path, tmp_path: Path, tag: str) -> Assistant:
    return Assistant(root, cache_dir=tmp_path / tag)


def test_a_number_word_added_is_read_as_digits(knowledge: Path, tmp_path: Path) -> None:
    q = "deux year PFS?"
    assert fresh(knowledge, tmp_path, "a").ask(q).status == "out_of_scope"
    edit(knowledge, "frame.toml", "number_words = { ", 'number_words = { deux = "2", ')
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "answered" and "58.2%" in after.answer


def test_a_unit_spelling_added_is_folded(knowledge: Path, tmp_path: Path) -> None:
    q = "PFS at 2 ans?"
    assert fresh(knowledge, tmp_path, "a").ask(q).status == "out_of_scope"
    edit(knowledge, "frame.toml", "[[normalise.fold]]",
         "[[normalise.fold]]\npattern = '(?<=\\d)\\s*ans\\b'\nreplace = ' year'\n\n[[normalise.fold]]")
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "answered" and "58.2%" in after.answer


def test_a_word_added_to_never_fuzzed_is_no_longer_read_as_a_typo(knowledge: Path, tmp_path: Path) -> None:
    q = "how common was neutropenea"
    before = fresh(knowledge, tmp_path, "a").matcher.tagger.tag(q, q)
    assert ("ae.neutropenia", "fuzzy") in [(m.entity, m.how) for m in before]
    edit(knowledge, "frame.toml", "never_fuzzed = [", 'never_fuzzed = ["neutropenea", ')
    assert not [m for m in fresh(knowledge, tmp_path, "b").matcher.tagger.tag(q, q) if m.how == "fuzzy"]


def test_a_relative_added_to_the_age_pattern_finds_the_age_group(knowledge: Path, tmp_path: Path) -> None:
    q = "my landlord is 72"
    assert not fresh(knowledge, tmp_path, "a").matcher.tagger.tag(q, q)
    edit(knowledge, "frame.toml", "grandmother|grandfather|", "grandmother|grandfather|landlord|")
    found = fresh(knowledge, tmp_path, "b").matcher.tagger.tag(q, q)
    assert [(m.entity, m.how) for m in found] == [("age_70plus", "age")]


def test_clarify_options_are_data(knowledge: Path, tmp_path: Path) -> None:
    q = "what was the median?"
    before = fresh(knowledge, tmp_path, "a").ask(q)
    assert before.status == "clarify" and "What was the median follow-up?" in before.suggestions
    edit(knowledge, "answers.toml", '"stat.median" = ["What was the median progression-free survival by age group",',
         '"stat.median" = ["What was the median age of the patients",')
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "clarify" and after.suggestions[0] == "What was the median age of the patients?"


def test_table_titles_and_starters_are_data(knowledge: Path, tmp_path: Path) -> None:
    edit(knowledge, "answers.toml", 'safety = "Treatment-emergent adverse events (share of patients):"',
         'safety = "Side effects seen in the trial:"')
    edit(knowledge, "answers.toml", 'starters = ["What was the 2-year progression-free survival?"',
         'starters = ["How many patients were enrolled?"')
    a = fresh(knowledge, tmp_path, "b")
    assert a.ask("list all the side effects").answer.startswith("Side effects seen in the trial:\n- ")
    assert a.ask("hello").suggestions[0] == "How many patients were enrolled?"


def test_thresholds_are_data(knowledge: Path, tmp_path: Path) -> None:
    q = "what was the PFS and OS at 2 years"
    before = fresh(knowledge, tmp_path, "a").ask(q)
    assert before.status == "answered" and before.table is None
    edit(knowledge, "answers.toml", "max_facts = 3 ", "max_facts = 1 ")
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "answered" and after.table is not None and len(after.table) == 2


def test_a_role_naming_an_unknown_entity_names_the_file_and_field(knowledge: Path) -> None:
    edit(knowledge, "answers.toml", 'complement = "cue.complement"', 'complement = "cue.nothing_like_it"')
    with pytest.raises(KnowledgeCheckError) as e:
        load_valid(knowledge)
    assert "answers.toml: roles: roles.complement: unknown entity 'cue.nothing_like_it'" in str(e.value)


def test_a_bad_pattern_in_answers_names_the_file_and_field(knowledge: Path) -> None:
    edit(knowledge, "answers.toml", "union = '", "union = '((")
    with pytest.raises(KnowledgeCheckError) as e:
        load_valid(knowledge)
    assert "answers.toml" in str(e.value) and "follow_up.union" in str(e.value)


def test_a_missing_answers_file_is_named(knowledge: Path) -> None:
    (knowledge / "answers.toml").unlink()
    with pytest.raises(KnowledgeCheckError) as e:
        load_valid(knowledge)
    assert "answers.toml: -: -: file missing" in str(e.value)


def test_the_headline_topics_of_an_overview_are_data(knowledge: Path, tmp_path: Path) -> None:
    q = "give me an overview of the trial"
    before = fresh(knowledge, tmp_path, "a").ask(q)
    assert before.table is not None and len(before.table) > 5
    edit(knowledge, "answers.toml", 'headline_topics = ["design", "efficacy", "response", "safety", "deaths", '
         '"neoplasms", "conclusion"]', 'headline_topics = ["conclusion"]')
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "answered" and after.facts and all(f.startswith("conclusion") for f in after.facts)


def test_the_significance_options_are_data(knowledge: Path, tmp_path: Path) -> None:
    q = "was the difference significant?"
    edit(knowledge, "answers.toml", 'significance = ["Was the difference in progression-free survival before vs '
         'after the amendment significant"', 'significance = ["Was the difference in overall survival by TP53 status '
         'significant"')
    after = fresh(knowledge, tmp_path, "b").ask(q)
    assert after.status == "clarify"
    assert after.suggestions[0] == "Was the difference in overall survival by TP53 status significant?"


def test_a_strict_facet_role_keeps_a_neighbouring_figure_out(knowledge: Path, tmp_path: Path) -> None:
    """'timing' is strict: 'how long did it take to reach CR' is no_data, never the CR count. Taking it out of
    the role (data only) lets the neighbouring figure through, which is why it is there."""
    q = "how long did it take to reach CR"
    assert fresh(knowledge, tmp_path, "a").ask(q).status == "no_data"
    edit(knowledge, "answers.toml", 'strict_facets = ["timing", "cycle_count"]', 'strict_facets = ["cycle_count"]')
    assert fresh(knowledge, tmp_path, "b").ask(q).status == "answered"


def test_the_help_intent_role_decides_which_chitchat_gets_fact_suggestions(knowledge: Path, tmp_path: Path) -> None:
    before = fresh(knowledge, tmp_path, "a")
    help_before, hello_before = before.ask("what can I ask?").suggestions, before.ask("hello").suggestions
    assert len(help_before) == 3 and len(hello_before) == 2
    edit(knowledge, "answers.toml", 'help_intent = "chitchat.help"', 'help_intent = "chitchat.greeting"')
    after = fresh(knowledge, tmp_path, "b")
    assert len(after.ask("what can I ask?").suggestions) == 2 and len(after.ask("hello").suggestions) == 3
