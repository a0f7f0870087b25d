"""What a new user trips over (issue 12): each item reproduced, then held."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant

from .conftest import DATA, KNOWLEDGE, ROOT

PFS = "What was the 2-year PFS?"


def cli(*args: str, cwd: Path = ROOT, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


# ---------------------------------------------------------------- 10: the database for datasette


def test_the_knowledge_database_has_foreign_keys_no_keyword_tables_and_descriptions(tmp_path: Path) -> None:
    from assistant.kb.build import build
    from assistant.kb.load import load_valid

    out = build(load_valid(KNOWLEDGE), tmp_path / "kb.sqlite")
    conn = sqlite3.connect(out)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert "values" not in tables and "fact_values" in tables
    fks = {t: {(r[2], r[3]) for r in conn.execute(f"pragma foreign_key_list([{t}])")}
           for t in ("caveat_facts", "examples", "fact_values", "lexicon", "facts")}
    assert fks["caveat_facts"] == {("caveats", "caveat_id"), ("facts", "fact_id")}
    assert fks["examples"] == {("facts", "fact_id")} and fks["fact_values"] == {("facts", "fact_id")}
    assert fks["lexicon"] == {("entities", "entity_id")} and fks["facts"] == {("sources", "source")}
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    meta = json.loads(out.with_suffix(".metadata.json").read_text())
    columns = meta["databases"]["kb"]["tables"]
    assert {"anchor", "fuzzy", "record"} <= set(columns["entities"]["columns"])
    assert "form" in columns["lexicon"]["columns"] and "record" in columns["facts"]["columns"]


# ---------------------------------------------------------------- 6: /save, 9: serve without the extra


def test_save_without_a_name_goes_to_the_data_dir_and_errors_name_the_file(assistant: Assistant, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.interfaces.chat import Chat

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    shown: list[str] = []
    chat = Chat(assistant, write=shown.append)
    chat.handle(PFS)
    chat.handle("/save")
    saved = list((tmp_path / "data" / "trial-assistant" / "transcripts").glob("transcript-*.md"))
    assert len(saved) == 1 and shown[-1] == f"Saved 1 turn to {saved[0]}"
    assert not list(tmp_path.glob("*.md"))  # nothing in the working directory
    chat.handle(f"/save {tmp_path}/no/such/t.md")
    assert shown[-1] == f"Could not save the transcript to {tmp_path}/no/such/t.md: No such file or directory"
    (tmp_path / "here").mkdir()
    chat.handle(f"/save {tmp_path}/here/")
    assert shown[-1].startswith(f"Saved 1 turn to {tmp_path}/here/transcript-")
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    chat.handle(f"/save {tmp_path}/ro/t.md")
    if os.geteuid() != 0:  # root may write anywhere
        assert shown[-1] == f"Could not save the transcript to {tmp_path}/ro/t.md: Permission denied"


def test_serve_without_the_server_extra_says_both_install_forms() -> None:
    code = ("import sys; sys.modules['starlette'] = None; from assistant.interfaces.cli import main; "
            "sys.exit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 1
    assert "pip install 'trial-assistant[server]'" in done.stderr and "pip install '.[server]'" in done.stderr


# ---------------------------------------------------------------- 5: one record per input line


@pytest.mark.parametrize("name,text", [
    ("q.jsonl", '{"question": "hello"}\n\n{"question": "What was the 2-year PFS?"}\n   \n'),
    ("q.csv", "id,question\na,hello\n\nb,What was the 2-year PFS?\n,\n"),
    ("q.txt", "hello\n\nWhat was the 2-year PFS?\n \n"),
])
def test_every_input_line_gives_one_record_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    src = tmp_path / name
    src.write_text(text)
    records = [json.loads(ln) for ln in cli("batch", str(src), "--quiet").stdout.splitlines()]
    lines = len(text.splitlines()) - (name.endswith(".csv"))
    assert len(records) == lines == 4
    assert [r["status"] for r in records] == ["chitchat", "invalid_input", "answered", "invalid_input"]


def test_a_txt_file_can_be_one_conversation(tmp_path: Path) -> None:
    src = tmp_path / "q.txt"
    src.write_text("What was the 2-year PFS?\nand at 5 years?\n")
    apart = [json.loads(ln) for ln in cli("batch", str(src), "--quiet").stdout.splitlines()]
    together = [json.loads(ln) for ln in cli("batch", str(src), "--quiet", "--one-session").stdout.splitlines()]
    assert apart[1]["status"] == "clarify"
    assert together[1]["status"] == "answered" and "44.0%" in together[1]["answer"]
    assert together[1]["session"] is None


# ---------------------------------------------------------------- 4: the progress bar in a terminal


def test_the_progress_bar_asks_the_terminal_nothing(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    src = tmp_path / "q.txt"
    src.write_text("What was the 2-year PFS?\n" * 300)
    child = pexpect.spawn(sys.executable, ["-m", "assistant", "batch", str(src), "--output", str(tmp_path / "o.jsonl"),
                                           "--progress"], cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT),
                                                                              "TERM": "xterm-256color"},
                          encoding="utf-8", timeout=60, dimensions=(24, 80))
    child.expect(pexpect.EOF)
    shown = child.before or ""
    child.close()
    assert child.exitstatus == 0, shown
    assert "\x1b[6n" not in shown and "CPR" not in shown  # no cursor-position request, no warning
    assert "300 lines read" in shown and len((tmp_path / "o.jsonl").read_text().splitlines()) == 300


# ---------------------------------------------------------------- 1, 2: the checkout's knowledge, bench defaults


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the checkout's knowledge/ with one fact broken, and a working directory inside it."""
    import shutil

    root = tmp_path / "clone"
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    facts = root / "knowledge" / "facts" / "efficacy.toml"
    facts.write_text(facts.read_text().replace('value = "58.2"', 'value = "58.3"', 1))
    (root / "docs").mkdir()
    return root


def test_kb_commands_read_the_checkout_they_run_in(checkout: Path) -> None:
    for where in (checkout, checkout / "docs"):
        done = cli("kb", "check", cwd=where)
        assert done.returncode == 1 and "pfs.rate.2y" in done.stderr and str(checkout / "knowledge") in done.stderr
    ok = cli("kb", "check", cwd=ROOT)
    assert ok.returncode == 0 and f"in {KNOWLEDGE}" in ok.stdout  # which directory was read, always
    outside = cli("kb", "check", cwd=checkout.parent)  # no knowledge/ here or above: the installed copy
    assert outside.returncode == 0 and "ok:" in outside.stdout
    stats = cli("kb", "stats", cwd=ROOT)
    assert f"from {KNOWLEDGE}" in stats.stdout


def test_eval_and_replay_say_which_knowledge_they_read(checkout: Path) -> None:
    done = cli("eval", str(DATA / "questions_check.jsonl"), cwd=ROOT)
    assert f"knowledge: {KNOWLEDGE}" in done.stderr
    replay = cli("replay", str(ROOT / "transcripts" / "01-survival.md"), cwd=ROOT)
    assert f"knowledge: {KNOWLEDGE}" in replay.stderr


def test_bench_defaults_to_a_labelled_set_that_ships_with_the_package() -> None:
    from assistant.devtools.bench_measure import DEV_SET

    assert DEV_SET.is_file() and DEV_SET.name == "questions.jsonl"
    text = (ROOT / "pyproject.toml").read_text()
    assert '"tests/data/questions.jsonl" = "assistant/_data/questions.jsonl"' in text


# ---------------------------------------------------------------- 8: wording


def _clarify_replies(assistant: Assistant) -> list[tuple[str, str, list[str]]]:
    from assistant.interfaces.batch import answer_items, read_items

    out = []
    for path in sorted(DATA.glob("questions*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for a in answer_items(assistant, read_items(fh, "jsonl")):
                if a.status == "clarify":
                    out.append((a.question, a.answer, a.suggestions))
    return out


def test_every_clarify_option_the_dev_sets_produce_is_a_well_formed_question(assistant: Assistant) -> None:
    import re

    replies = _clarify_replies(assistant)
    assert len(replies) > 80
    bad = []
    for question, answer, options in replies:
        for o in options:
            if not (o[0].isupper() and o.endswith("?")) or re.search(r"\b(\w+) \1\b", o, re.I) \
                    or " that at " in o or "by before" in o or "by after" in o:
                bad.append((question, o))
        if "question about that" in answer or "about results results" in answer:
            bad.append((question, answer[:80]))
    assert not bad, bad[:10]


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text("What was the 2-year PFS?\n")
    assert "1 line read: 1 answered" in cli("batch", str(one)).stderr
    from assistant.kb.contract import Answer, Explain
    from assistant.log.unanswered import UnansweredLog

    log = UnansweredLog(tmp_path / "u.sqlite")
    log.record(Answer(status="no_data", answer="-", question="q", explain=Explain(normalised="q")))
    log.close()
    shown = cli("log", "unanswered", "--db", str(tmp_path / "u.sqlite")).stdout
    assert "1 question shown; 1 unanswered turn logged" in shown


def test_completions_are_natural_questions_and_topic_examples_fit_their_topic(assistant: Assistant) -> None:
    from assistant.interfaces.chat import Chat, example_questions

    examples = example_questions(assistant.store)
    assert "nausea %" not in examples and all((e[0].isupper() or e[0].isdigit()) and e.endswith("?") for e in examples)
    shown: list[str] = []
    Chat(assistant, write=shown.append).handle("/topics")
    names = assistant.store.answers.overview.topic_names
    by_name = {v: k for k, v in names.items()}
    checked = 0
    for line in shown[0].splitlines()[1:]:
        if "  e.g. " not in line:
            continue
        name, example = (x.strip() for x in line.split("  e.g. "))
        topic = by_name.get(name)
        answer = assistant.ask(example)
        assert answer.status == "answered", (name, example)
        assert topic is None or any(assistant.store.facts[f].topic == topic for f in answer.facts), (name, example)
        checked += 1
    assert checked >= 14


# ---------------------------------------------------------------- 3: text wrapped to the terminal


LONG = "How many patients were 70 or older, and what was their median overall survival?"


def test_ask_wraps_on_word_boundaries_at_the_width_and_never_when_piped() -> None:
    wrapped = cli("ask", "--width", "60", "--no-sources", LONG).stdout
    piped = cli("ask", "--no-sources", LONG).stdout
    assert max(map(len, wrapped.splitlines())) <= 60 < max(map(len, piped.splitlines()))
    assert wrapped.split() == piped.split()  # the same words, none split
    assert cli("ask", "--width", "0", "--no-sources", LONG).stdout == piped


def test_chat_wraps_answers_caveats_suggestions_and_tables(assistant: Assistant) -> None:
    from assistant.interfaces.chat import Chat

    for width in (40, 60):
        shown: list[str] = []
        chat = Chat(assistant, write=shown.append, width=width)
        for q in (LONG, "list all the side effects", "What was the median follow-up?"):
            chat.handle(q)
        lines = "\n".join(shown).splitlines()
        too_long = [ln for ln in lines if len(ln) > width and " " in ln.strip()]
        assert not too_long, too_long
    unwrapped: list[str] = []
    Chat(assistant, write=unwrapped.append).handle(LONG)
    assert max(map(len, unwrapped[0].splitlines())) > 60
