"""Robustness: fuzzed and naughty input never breaks `ask`, batch reading, the answer contract or the terminal.

Given any text (and any valid context), when it is asked, then the answer is a valid contract record whose
numbers all come from the knowledge base, the same call gives the same answer, and rendering it shows no raw
control characters. Threads sharing one Assistant get exactly the answers of a sequential run.
"""
from __future__ import annotations

import io
import json
import os
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Assistant
from assistant.interfaces.batch import Item, Writer, answer_items, open_input, read_items
from assistant.errors import InputFormatError
from assistant.kb.load import EXEMPT_PHRASES
from assistant.kb.contract import Answer
from assistant.kb.models import STATUSES, numbers_in
from assistant.interfaces.render import markdown_turn, text

from .conftest import DATA, ROOT

PFS = "What was the 2-year progression-free survival?"
CONTRACT = {"id", "session", "question", "status", "answer", "citations", "facts", "intent", "confidence",
            "context", "explain",
            "suggestions", "caveats"}
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def naughty_strings() -> list[str]:
    """tests/data/naughty_strings.txt: one per line, '#' comments, Python-style backslash escapes."""
    out = []
    for line in (DATA / "naughty_strings.txt").read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            out.append(line.encode("latin-1", "backslashreplace").decode("unicode_escape"))
    return out


NAUGHTY = naughty_strings()
CASES = [json.loads(line) for line in (DATA / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
WORDS = sorted({w for c in CASES for w in c["question"].split()} | {"95%", "CI", "31·5", "2-year", "≥70", "vs"})

# Text that reaches deep into the pipeline: dev-set words, naughty fragments, digits, controls, any character.
SPECIALS = ["\x00", "\x1b[31m", "\x1b]0;x\x07", "\u202e", "\u200b", "\ufeff", "\ud800", "\r", "\n", "\t", "%",
            "·", "'", '"', "{", "}", "|", "\\", "\x85", "\u2028", "😀"]
fragments = st.one_of(st.sampled_from(WORDS), st.sampled_from(SPECIALS), st.sampled_from(NAUGHTY),
                      st.text(max_size=12), st.integers(-10, 10**6).map(str))
questions = st.one_of(
    st.text(max_size=300),
    st.lists(fragments, max_size=25).map(" ".join),
    st.lists(fragments, max_size=25).map("".join),
    st.sampled_from(NAUGHTY),
    st.sampled_from([c["question"] for c in CASES]),
)


def values_ok(answer_text: str, values: frozenset[str]) -> list[str]:
    """Numbers in the text that are not values of the knowledge base (the '95% CI' label is not a number)."""
    for phrase in EXEMPT_PHRASES:
        answer_text = answer_text.replace(phrase, " ")
    return [n for n in numbers_in(answer_text) if n not in values]


def check_contract(answer: Answer, store: Any) -> None:
    """The answer is a valid contract record: fields, statuses, citations, writable JSON, numbers from the KB."""
    rec = answer.contract()
    assert set(rec) - {"table"} == CONTRACT
    assert rec["status"] in STATUSES
    assert isinstance(rec["answer"], str) and rec["answer"].strip()
    assert 0.0 <= rec["confidence"] <= 1.0
    assert all(isinstance(s, str) for s in rec["suggestions"] + rec["caveats"])
    line = json.dumps(rec, ensure_ascii=False)
    line.encode("utf-8")  # writable to a UTF-8 file or stream
    assert Answer.model_validate_json(line).status == answer.status
    if answer.status == "answered":
        assert answer.citations and answer.facts
    for c in answer.citations:
        assert c.reference and c.locator and c.quote
        assert not c.fact or c.fact in store.facts
    assert all(f in store.facts for f in answer.facts)
    if "table" in rec:
        assert isinstance(rec["table"], list) and all(isinstance(r, dict) for r in rec["table"])
    if answer.status != "invalid_input":  # those describe the input ('line 7: not valid JSON at column 2')
        assert values_ok(answer.answer, store.values) == [], answer.answer
    for caveat in answer.caveats:
        assert values_ok(caveat, store.values) == [], caveat


def raw_controls(s: str) -> list[str]:
    """Characters a terminal would act on: C0/C1 controls (newline and tab aside), ESC, bidi overrides, zero-width
    marks."""
    return [c for c in s if c not in "\n\t" and (unicodedata.category(c) in ("Cc", "Cs") or 0x202A <= ord(c) <= 0x202E
                                           or 0x2066 <= ord(c) <= 0x2069 or c in "\u200b\u200e\u200f\ufeff")]


@pytest.fixture(scope="session")
def contexts(assistant: Assistant) -> list[Any]:
    """A few real dialogue contexts (after a dev-set turn) to ask follow-ups in."""
    out = [None]
    for q in (PFS, "what were the most common side effects?", "how was inotuzumab dosed?", "hello"):
        out.append(assistant.ask(q).context)
    return out


# ---------------------------------------------------------------- ask


@FUZZ
@given(q=questions, which=st.integers(0, 4))
def test_any_text_gets_a_valid_answer(assistant: Assistant, contexts: list[Any], q: str, which: int) -> None:
    """Given any text and context, ask never raises and answers within the contract, numbers from the KB."""
    answer = assistant.ask(q, contexts[which], id="x", session="s")
    check_contract(answer, assistant.store)
    assert answer.id == "x" and answer.session == "s"


@FUZZ
@given(q=questions, which=st.integers(0, 4))
def test_same_input_and_context_give_the_same_answer(assistant: Assistant, contexts: list[Any], q: str,
                                                      which: int) -> None:
    """Asked twice, and asked of an assistant without an answer cache: identical records and contexts."""
    first = assistant.ask(q, contexts[which])
    again = assistant.ask(q, contexts[which])
    fresh = Assistant(store=assistant.store, cache_size=0).ask(q, contexts[which])
    assert first.contract() == again.contract() == fresh.contract()
    assert first.context == again.context == fresh.context
    assert first.explain == fresh.explain


@FUZZ
@given(q=questions)
def test_rendered_text_never_carries_raw_controls(assistant: Assistant, q: str) -> None:
    """Whatever was asked, terminal text and Markdown show no control characters or escape sequences."""
    answer = assistant.ask(q)
    for shown in (text(answer), text(answer, status=True), markdown_turn(answer, heading=q[:40])):
        assert raw_controls(shown) == []
        assert "\x1b" not in shown


@pytest.mark.parametrize("q", NAUGHTY, ids=[f"naughty{i}" for i in range(len(NAUGHTY))])
def test_naughty_strings(assistant: Assistant, q: str) -> None:
    answer = assistant.ask(q)
    check_contract(answer, assistant.store)
    assert raw_controls(text(answer)) == [] and raw_controls(markdown_turn(answer)) == []
    answer.contract()["question"].encode("utf-8")


def test_naughty_file_covers_the_classes() -> None:
    joined = "".join(NAUGHTY)
    for needle in ("DROP TABLE", "<script>", "%s", "{0}", "\u202e", "\u200b", "😀", "\x00", "\x1b["):
        assert needle in joined, needle
    assert any(len(s) > 2000 for s in NAUGHTY)


def test_stable_answers_survive_markup_and_invisible_characters(assistant: Assistant) -> None:
    """The same question wrapped in markup, zero-width and bidi marks is still answered with the right figure."""
    for q in (f"<b>{PFS}</b>", "\u200b" + PFS.replace(" ", " \u200b"), "\u202e" + PFS, "\x1b[31m" + PFS + "\x1b[0m",
              f"{PFS}'); DROP TABLE facts;--"):
        a = assistant.ask(q)
        assert a.status == "answered" and "58.2%" in a.answer, q


def test_megabyte_input_is_rejected_quickly(assistant: Assistant) -> None:
    """Given 1 MB of text, the answer is invalid_input (the sanity bound is generous: no timing claim)."""
    for big in ("x" * 1_000_000, (PFS + " ") * 21_000, ("\u200b" * 500_000) + PFS, ("😀" * 250_000).encode()):
        t0 = time.perf_counter()
        a = assistant.ask(big)
        assert time.perf_counter() - t0 < 5
        assert a.status == "invalid_input"
        assert len(a.question) <= 2000
        check_contract(a, assistant.store)


def test_bytes_nul_and_non_text(assistant: Assistant) -> None:
    assert assistant.ask(b"\xff\xfe\xfa").status == "invalid_input"
    assert assistant.ask(PFS.encode()).status == "answered"
    assert assistant.ask("\x00").status == "invalid_input"
    for odd in (None, 42, ["a"], {"q": 1}, 3.5):
        a = assistant.ask(odd)
        assert a.status == "invalid_input"
        check_contract(a, assistant.store)
    assert assistant.ask("").status == "invalid_input"
    assert assistant.ask(" \t\u200b ").status == "invalid_input"


def test_lone_surrogates_are_replaced_not_fatal(assistant: Assistant) -> None:
    """A JSON '\\ud800' escape decodes to a lone surrogate: the answer must still be writable as UTF-8."""
    a = assistant.ask("\ud800 " + PFS)
    assert a.status == "answered" and "58.2%" in a.answer
    assert "\ud800" not in a.question and "\ufffd" in a.question
    json.dumps(a.contract(), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- threads


def conversations(cases: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Cases grouped into conversations (a session's turns in order; a question without session alone)."""
    groups: OrderedDict[Any, list[dict[str, Any]]] = OrderedDict()
    for n, c in enumerate(cases):
        groups.setdefault(("s", c["session"]) if c["session"] is not None else ("n", n), []).append(c)
    return list(groups.values())


def converse(assistant: Assistant, conv: list[dict[str, Any]]) -> list[tuple[Any, dict[str, Any], str]]:
    ctx = None
    out = []
    for c in conv:
        a = assistant.ask(c["question"], ctx, id=c["id"], session=c["session"])
        ctx = a.context if c["session"] is not None else None
        out.append((c["id"], a.contract(), a.context.model_dump_json()))
    return out


@pytest.mark.parametrize("cache_size", [4096, 0])
def test_sixteen_threads_get_the_sequential_answers(assistant: Assistant, cache_size: int) -> None:
    """Given one shared Assistant, 16 threads running the dev set's conversations (each three times, cold cache
    first) get exactly the records and contexts of a sequential run."""
    convs = conversations(CASES)
    expected = [converse(Assistant(store=assistant.store, cache_size=0), conv) for conv in convs]
    shared = Assistant(store=assistant.store, cache_size=cache_size)
    work = list(range(len(convs))) * 3
    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(lambda i: converse(shared, convs[i]), work))
    for i, result in zip(work, got):
        assert result == expected[i], convs[i][0]["question"]


# ---------------------------------------------------------------- batch lines

plain = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=80)
record = st.fixed_dictionaries(
    {"question": st.one_of(questions, st.integers(), st.none())},
    optional={"id": st.one_of(st.integers(), plain),
              "session": st.one_of(st.none(), st.sampled_from(["a", "b"]), st.integers(0, 3))},
)
jsonl_line = st.one_of(record.map(json.dumps), plain, st.sampled_from(["{", "[]", "null", '{"question": 1}', "{}"]))


def run_batch(assistant: Assistant, content: str, suffix: str) -> tuple[list[Item], list[Answer], str]:
    """Write `content` to a file, read it as the batch command does, answer it, and write jsonl records."""
    fd, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass", newline="") as f:  # bad bytes too
            f.write(content)
        stream, fmt = open_input(name)
        with stream:
            items = list(read_items(stream, fmt))
        answers = list(answer_items(assistant, items))
    finally:
        os.unlink(name)
    out = io.StringIO()
    writer = Writer(out, "jsonl")
    for a in answers:
        writer.write(a)
    return items, answers, out.getvalue()


@FUZZ
@given(lines=st.lists(jsonl_line, min_size=1, max_size=15))
def test_fuzzed_jsonl_batch(assistant: Assistant, lines: list[str]) -> None:
    """Given any jsonl lines, every line (blank ones too) gets exactly one valid record, in order."""
    items, answers, written = run_batch(assistant, "\n".join(lines) + "\n", ".jsonl")
    assert len(answers) == len(lines) == len(items)
    for item, a in zip(items, answers):
        check_contract(a, assistant.store)
        assert a.id == item.id
    written.encode("utf-8")
    assert [json.loads(x)["status"] for x in written.split("\n") if x] == [a.status for a in answers]


@FUZZ
@given(lines=st.lists(st.one_of(plain, st.sampled_from([n for n in NAUGHTY if "\n" not in n and "\r" not in n])),
                      min_size=1, max_size=15))
def test_fuzzed_txt_batch(assistant: Assistant, lines: list[str]) -> None:
    """Given a text file, every line is one question and gets one valid record."""
    items, answers, written = run_batch(assistant, "\n".join(lines) + "\n", ".txt")
    assert len(answers) == len(lines)
    for a in answers:
        check_contract(a, assistant.store)
    written.encode("utf-8")


@FUZZ
@given(rows=st.lists(st.tuples(st.one_of(plain, st.integers()), st.one_of(st.just(""), st.sampled_from(["a", "b"])),
                               st.one_of(plain, st.sampled_from(NAUGHTY))), min_size=1, max_size=10))
def test_fuzzed_csv_batch(assistant: Assistant, rows: list[tuple[Any, str, str]]) -> None:
    """Given a CSV with a header, every row (quoted newlines and all) gets one valid record."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "session", "question"])
    w.writerows(rows)
    content = buf.getvalue()
    if "\r" in content or "\x00" in content:
        content = content.replace("\r", " ").replace("\x00", " ")
    try:
        items, answers, written = run_batch(assistant, content, ".csv")
    except InputFormatError:
        return  # a header the reader refuses is a clear error, not a crash
    assert len(answers) == len(rows)
    for a in answers:
        check_contract(a, assistant.store)


def test_batch_command_survives_naughty_lines(tmp_path: Path) -> None:
    """End to end: the naughty strings as a jsonl batch (lone surrogates as JSON escapes) give one record each."""
    src = tmp_path / "naughty.jsonl"
    src.write_text("".join(json.dumps({"id": n, "question": q}) + "\n" for n, q in enumerate(NAUGHTY)),
                   encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "assistant", "batch", str(src), "-q"], capture_output=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    records = [json.loads(line) for line in proc.stdout.decode("utf-8").split("\n") if line]
    assert [r["id"] for r in records] == list(range(len(NAUGHTY)))
    assert all(r["status"] in STATUSES for r in records)


def test_lone_surrogate_in_batch_id_and_session(assistant: Assistant) -> None:
    """JSON escapes of lone surrogates in id and session still give a record that can be written as UTF-8."""
    items, answers, written = run_batch(assistant, '{"id": "\\ud800", "session": "\\udc80", "question": "hi"}\n',
                                        ".jsonl")
    written.encode("utf-8")
    assert [a.status for a in answers] == ["chitchat"]


def test_printable_alphabet_round_trip(assistant: Assistant) -> None:
    """Every printable ASCII character alone is a valid, writable answer."""
    for ch in string.printable:
        check_contract(assistant.ask(ch), assistant.store)
