"""Knowledge base: coverage of every number, integrity checks, deterministic build, clear errors for broken files."""
from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.kb.load import say_numbers

from assistant.kb import load as kb
from assistant.kb.build import build, dump
from assistant.errors import KnowledgeCheckError
from assistant.kb.models import numbers_in

from .conftest import KNOWLEDGE

ARTICLE = (KNOWLEDGE / "sources" / "article.txt").read_text(encoding="utf-8")
BODY = ARTICLE[: ARTICLE.index("Jabbour E, Short NJ")]
NUMBER = re.compile(r"(?<![A-Za-z0-9.·])(?:\d+(?:[.·]\d+)?|[.·]\d+)")
EXEMPT = {"95": "the '95' of '95% CI' / '95 CI' is a format token", ".1": "footnote marker after (NCT01371630)"}


@pytest.fixture(scope="module")
def knowledge() -> kb.Knowledge:
    return kb.load_valid(KNOWLEDGE)


def quote_spans(knowledge: kb.Knowledge) -> list[tuple[int, int, set[str]]]:
    """(start, end, values) of every fact quote located in the article (whitespace-tolerant)."""
    spans = []
    for f in knowledge.facts.values():
        pattern = r"\s+".join(re.escape(w) for w in f.quote.split())
        values = {v.value.replace("·", ".") for v in f.values}
        for m in re.finditer(pattern, ARTICLE):
            spans.append((m.start(), m.end(), values))
    return spans


# ---------------------------------------------------------------- coverage


def test_given_the_article_body_when_numbers_are_extracted_then_each_is_a_value_of_a_fact_quoting_it(knowledge):
    spans = quote_spans(knowledge)
    missing = []
    for m in NUMBER.finditer(BODY):
        token = m.group().replace("·", ".")
        if token in EXEMPT:
            continue
        if not any(s <= m.start() < e and token in values for s, e, values in spans):
            context = BODY[max(0, m.start() - 30): m.end() + 30].replace("\n", " ")
            missing.append(f"{token!r} in ...{context}...")
    assert not missing, "numbers not covered by any fact:\n" + "\n".join(missing)


def test_every_paragraph_of_the_body_is_quoted_by_some_fact(knowledge):
    spans = quote_spans(knowledge)
    paragraphs = [p for p in BODY.split("\n") if len(p.strip()) > 40]
    for p in paragraphs:
        start = ARTICLE.index(p)
        assert any(s >= start and e <= start + len(p) + 1 for s, e, _ in spans), f"no fact quotes: {p[:60]}"


@pytest.mark.parametrize("statement", [
    "open-label", "single-center", "phase 2", "2011", "2022", "68 years", "Besponsa", "Blinctyto", "anti-CD22",
    "intravenously", "6-mercaptopurine", "vincristine", "methotrexate", "prednisone", "3 years", "12 cycles",
    "2.7", "myelodysplastic", "mixed-phenotype", "tetraploidy", "CRLF2", "dose reduction", "infections",
])
def test_given_a_categorical_statement_then_a_fact_quotes_it(knowledge, statement):
    assert any(statement.lower() in f.quote.lower() for f in knowledge.facts.values()), statement


def test_every_adverse_event_listed_is_its_own_fact(knowledge):
    listed = re.findall(r"([a-zA-Z ]+) \((\d+)%\)", BODY.split("most common treatment-emergent")[1].split(".")[0])
    assert len(listed) == 16
    incidence = {v.value for f in knowledge.facts.values() if f.topic == "safety"
                 for v in f.values if len(f.measure) == 1 and f.measure[0].startswith("ae.")}
    assert {pct for _, pct in listed} <= incidence


def test_warning_caveats_name_only_figures_of_every_fact_they_are_said_with(knowledge):
    """A warning caveat is said in the answer text, so every figure in it is one of each linked fact's values:
    it never puts another group's figure beside the one asked (group labels such as '65-69' aside)."""
    labels = {"60", "64", "65", "69", "70", "53"}
    for c in knowledge.caveats.values():
        if c.severity != "warning":
            continue
        for fid in c.facts:
            values = {v.value.replace("·", ".") for v in knowledge.facts[fid].values}
            extra = [n for n in say_numbers(c.say) if n not in labels and n not in values]
            assert not extra, (c.id, fid, extra)


def test_caveats_cover_the_known_contradictions(knowledge):
    text = " ".join(c.say.lower() for c in knowledge.caveats.values())
    assert "14.7" in text and "109.6" in text  # identical CI for under-70 and 70+ median PFS
    assert any("follow-up" in c.say.lower() or "follow up" in c.say.lower() for c in knowledge.caveats.values())
    assert len(knowledge.caveats) >= 8
    linked = {fid for c in knowledge.caveats.values() for fid in c.facts}
    assert any(fid.startswith("age.") for fid in linked)


def test_quotes_keep_the_article_misspellings_while_says_spell_correctly(knowledge):
    quotes = " ".join(f.quote for f in knowledge.facts.values())
    # a say may quote a misspelling only to point it out ('the headline reads "... Inotuzuamb ..." (misspelled)')
    says = " ".join(f.say for f in knowledge.facts.values() if "misspelled" not in f.say)
    assert "Blinctyto" in quotes
    assert "Inotuzuamb" not in says and "blinatumoamab" not in says


# ---------------------------------------------------------------- integrity


def test_the_packaged_knowledge_passes_every_check():
    _, errors = kb.load(KNOWLEDGE)
    assert errors == []


def test_every_fact_has_three_examples_and_values_in_its_quote(knowledge):
    for f in knowledge.facts.values():
        assert len(f.examples) >= 3, f.id
        for v in f.values:
            assert kb.value_in_quote(v.value, f.quote), (f.id, v.value)


# ---------------------------------------------------------------- broken files: each error names file, id and field


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, dst)
    return dst


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


BROKEN = [
    ("absorbs an unknown measure", "lexicon/measures.toml", 'absorbs = ["response"]  # \'died while', 'absorbs = ["nosuch"]  # \'died while',
     ("lexicon/measures.toml", "death_remission", "absorbs")),
    ("changed number", "facts/efficacy.toml", '{ kind = "rate", value = "58.2", unit = "%" }',
     '{ kind = "rate", value = "58.3", unit = "%" }', ("facts/efficacy.toml", "pfs.rate.2y", "values.1.value")),
    ("missing quote", "facts/efficacy.toml",
     'quote = "the 2-year progression-free survival (PFS) rate was 58.2% (95% CI, 46.7%-68.2%)"\n', "",
     ("facts/efficacy.toml", "pfs.rate.2y", "quote")),
    ("quote not in source", "facts/efficacy.toml", "the 2-year progression-free survival (PFS) rate was 58.2%",
     "the 2-year progression-free survival (PFS) rate was 58.2 %", ("facts/efficacy.toml", "pfs.rate.2y", "quote")),
    ("number in say not a value", "facts/efficacy.toml",
     'say = "The 2-year progression-free survival rate was 58.2%',
     'say = "The 2-year progression-free survival rate was 59.2%', ("facts/efficacy.toml", "pfs.rate.2y", "say")),
    ("duplicate id", "facts/efficacy.toml", 'id = "pfs.rate.5y"', 'id = "pfs.rate.2y"',
     ("facts/efficacy.toml", "pfs.rate.2y", "id")),
    ("unknown entity", "facts/efficacy.toml", 'measure = ["pfs"]', 'measure = ["pfz"]',
     ("facts/efficacy.toml", "pfs.rate.2y", "measure")),
    ("too few examples", "facts/efficacy.toml", '  "2 yr PFS rate?",\n', "",
     ("facts/efficacy.toml", "pfs.rate.2y", "examples")),
    ("bad TOML", "facts/efficacy.toml", "[[fact]]", "[[fact]", ("facts/efficacy.toml", "", "")),
    ("bad value kind", "facts/efficacy.toml", '{ kind = "rate", value = "58.2"', '{ kind = "ratio", value = "58.2"',
     ("facts/efficacy.toml", "pfs.rate.2y", "values.1.kind")),
    ("unknown counted_by fact", "facts/safety.toml", 'counted_by = "design.enrolment"', 'counted_by = "design.enrol"',
     ("facts/safety.toml", "safety.population", "counted_by")),
]


@pytest.mark.parametrize("name,file,old,new,where", BROKEN, ids=[b[0] for b in BROKEN])
def test_given_a_broken_file_when_checked_then_the_error_names_file_id_and_field(tmp_path, name, file, old, new, where):
    root = _copy(tmp_path)
    _edit(root / file, old, new)
    _, errors = kb.load(root)
    assert errors, "the check should fail"
    hits = [e for e in errors if e.file == where[0] and e.record == where[1] and (not where[2] or e.field == where[2])]
    assert hits, f"expected an error at {where}; got: {[str(e) for e in errors]}"
    assert str(hits[0]).startswith(f"{where[0]}: ")


def test_a_synonym_naming_two_entities_is_rejected(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "lexicon" / "cues.toml", 'names = ["median", ', 'names = ["median", "progression-free survival", ')
    _, errors = kb.load(root)
    assert any(e.field == "names" and "also names entity" in e.message for e in errors)


def test_load_valid_raises_one_typed_error_listing_all(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "facts" / "efficacy.toml", 'value = "58.2"', 'value = "58.3"')
    _edit(root / "facts" / "efficacy.toml", 'measure = ["pfs"]', 'measure = ["nope"]')
    with pytest.raises(KnowledgeCheckError) as err:
        kb.load_valid(root)
    assert len(err.value.errors) >= 2
    assert "facts/efficacy.toml: pfs.rate.2y" in str(err.value)


# ---------------------------------------------------------------- build


def test_build_is_deterministic_and_readable(tmp_path, knowledge):
    a, b = build(knowledge, tmp_path / "a.sqlite"), build(knowledge, tmp_path / "b.sqlite")
    assert hashlib.sha256(a.read_bytes()).hexdigest() == hashlib.sha256(b.read_bytes()).hexdigest()
    conn = sqlite3.connect(a)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"sources", "facts", "fact_values", "caveats", "caveat_facts", "lexicon", "entities", "examples",
            "intents", "facts_fts"} <= tables
    row = conn.execute("select say from facts where id = 'pfs.rate.2y'").fetchone()
    assert "58.2%" in row[0]
    assert conn.execute("select count(*) from facts_fts where facts_fts match 'thrombocytopenia'").fetchone()[0] >= 1
    assert conn.execute("select value from fact_values where fact_id='pfs.rate.5y' and kind='rate'").fetchone()[0] == "44.0"


def test_dump_of_two_builds_is_equal(tmp_path, knowledge):
    import sqlite_utils

    a = build(knowledge, tmp_path / "a.sqlite")
    b = build(knowledge, tmp_path / "b.sqlite")
    assert dump(sqlite_utils.Database(a)) == dump(sqlite_utils.Database(b))


def test_content_hash_changes_when_knowledge_changes(tmp_path):
    root = _copy(tmp_path)
    before = kb.content_hash(root)
    _edit(root / "lexicon" / "cues.toml", '"median", ', '"median", "mid value", ')
    assert kb.content_hash(root) != before


def test_numbers_in_reads_decimals_middle_dots_and_skips_units():
    assert numbers_in("0.9 mg/m2 on day 8, TP53, CD22, 31·5, P =.77") == ["0.9", "8", "31.5", ".77"]
