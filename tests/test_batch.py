"""`assistant batch`: inputs (txt, csv, jsonl, stdin), outputs (jsonl, csv, markdown), bad lines, sessions."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.interfaces.batch import Item, answer_items
from assistant.interfaces.cli import main

ROOT = Path(__file__).resolve().parent.parent
PFS2 = "What was the 2-year progression-free survival?"
PFS5 = "and at 5 years?"


def run_batch(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["batch", *args])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines()]


def test_txt_input_jsonl_output_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "q.txt"
    src.write_text(f"{PFS2}\nHow common was nausea?\nWhat is the weather in Paris?\n", encoding="utf-8")
    code, out, err = run_batch(capsys, str(src))
    records = jsonl(out)
    assert code == 0
    assert [r["id"] for r in records] == [1, 2, 3]
    assert [r["status"] for r in records] == ["answered", "answered", "out_of_scope"]
    assert "58.2%" in records[0]["answer"] and "54%" in records[1]["answer"]
    assert "3 lines read: 2 answered, 1 out_of_scope" in err


def test_csv_input_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "q.csv"
    src.write_text("id,session,question\n"
                   f"a,s1,{PFS2}\n"
                   "b,s2,How common was nausea?\n"
                   f"c,s1,{PFS5}\n", encoding="utf-8")
    code, out, _ = run_batch(capsys, str(src), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert "58.2%" in rows[0]["answer"] and "44.0" in rows[2]["answer"]
    assert rows[0]["status"] == "answered" and "paragraph 4" in rows[0]["citations"]


def test_sessions_give_working_follow_ups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given two conversations interleaved in one file
    src = tmp_path / "q.jsonl"
    lines = [{"id": 1, "session": "A", "question": PFS2},
             {"id": 2, "session": "B", "question": "How common was nausea?"},
             {"id": 3, "session": "A", "question": PFS5},
             {"id": 4, "question": PFS5}]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    code, out, _ = run_batch(capsys, str(src))
    records = jsonl(out)
    assert code == 0 and [r["id"] for r in records] == [1, 2, 3, 4]
    # Then the follow-up in session A is about PFS; without a session there is nothing to follow up
    assert records[2]["status"] == "answered" and "44.0" in records[2]["answer"]
    assert records[2]["session"] == "A"
    assert records[3]["status"] != "answered" or "44.0" not in records[3]["answer"]


def test_bad_lines_become_invalid_input_and_the_batch_goes_on(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "q.jsonl"
    src.write_text(json.dumps({"id": "ok1", "question": PFS2}) + "\n"
                   "{not json\n"
                   "[1, 2]\n"
                   + json.dumps({"id": "noq"}) + "\n"
                   + json.dumps({"id": "num", "question": 42}) + "\n"
                   "\n"
                   + json.dumps({"id": "ok2", "question": "How common was nausea?"}) + "\n", encoding="utf-8")
    code, out, err = run_batch(capsys, str(src))
    records = jsonl(out)
    assert code == 0
    assert [r["status"] for r in records] == ["answered"] + ["invalid_input"] * 5 + ["answered"]
    assert "not valid JSON" in records[1]["answer"] and records[1]["id"] == 2
    assert records[3]["id"] == "noq" and "'question'" in records[3]["answer"]
    assert records[5]["id"] == 6 and "empty line" in records[5]["answer"]  # one record per input line
    assert "5 invalid_input" in err


def test_csv_without_question_column_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "q.csv"
    src.write_text("id,text\n1,hello\n", encoding="utf-8")
    code, _, err = run_batch(capsys, str(src))
    assert code == 1 and err == "error: CSV input needs a header row with a 'question' column\n"


def test_markdown_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "q.txt"
    src.write_text(f"{PFS2}\nall the side effects\n", encoding="utf-8")
    code, out, _ = run_batch(capsys, str(src), "--format", "markdown")
    assert code == 0
    assert out.startswith("# Answers\n")
    assert f"### 1: {PFS2}" in out and "*Status: `answered`*" in out
    assert '> "the 2-year progression-free survival (PFS) rate was 58.2% (95% CI, 46.7%-68.2%)"' in out
    assert "| Result | Value | Chart |" in out and "| Nausea | 54% | ██████████▊ |" in out


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = tmp_path / "q.txt", tmp_path / "answers.jsonl"
    src.write_text(f"{PFS2}\n", encoding="utf-8")
    code, out, _ = run_batch(capsys, str(src), "--output", str(dst), "--quiet")
    assert code == 0 and out == ""
    assert "58.2%" in jsonl(dst.read_text(encoding="utf-8"))[0]["answer"]


@pytest.mark.parametrize("text,first", [
    (f"{PFS2}\n{PFS5}\n", 1),
    (json.dumps({"id": "x", "session": "s", "question": PFS2}) + "\n"
     + json.dumps({"id": "y", "session": "s", "question": PFS5}) + "\n", "x"),
])
def test_stdin_txt_or_jsonl(text: str, first: object) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "assistant", "batch", "-"], input=text, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    records = jsonl(done.stdout)
    assert records[0]["id"] == first and "58.2%" in records[0]["answer"]
    if first == "x":  # jsonl lines with a session are one conversation
        assert "44.0" in records[1]["answer"]


def test_forced_progress_bar_keeps_the_answers(tmp_path: Path) -> None:
    # The progress bar goes to stderr only; stdout still carries exactly the answers, in order
    src = tmp_path / "q.txt"
    src.write_text("".join(f"{q}\n" for q in [PFS2, "How common was nausea?"] * 5), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "assistant", "batch", str(src), "--progress"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in jsonl(done.stdout)] == list(range(1, 11))
    assert "10 lines read" in done.stderr


def test_answers_stream(assistant) -> None:
    # Given an endless input, answers still come one by one (nothing is read ahead into memory)
    endless = (Item(n, id=n, question="How common was nausea?") for n in itertools.count(1))
    first = list(itertools.islice(answer_items(assistant, endless), 3))
    assert [a.id for a in first] == [1, 2, 3] and all("54%" in a.answer for a in first)


def test_a_bug_on_one_line_is_that_lines_record_and_the_batch_goes_on(assistant) -> None:
    class Flaky:
        """The real assistant, except that one question raises as a bug would."""

        def ask(self, question: str, context=None, **kw):  # type: ignore[no-untyped-def]
            if question == "boom":
                raise RuntimeError("a bug")
            return assistant.ask(question, context, **kw)

    items = [Item(1, id=1, question="How common was nausea?"), Item(2, id=2, question="boom"),
             Item(3, id=3, question="How common was nausea?")]
    out = list(answer_items(Flaky(), items))
    assert [a.id for a in out] == [1, 2, 3]
    assert out[1].status == "invalid_input" and "internal error (RuntimeError)" in out[1].answer
    assert "Traceback" not in out[1].answer
    assert out[0].status == out[2].status == "answered" and "54%" in out[2].answer


def test_an_unexpected_error_in_a_command_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import assistant.interfaces.oneshot as oneshot

    def broken(args):  # type: ignore[no-untyped-def]
        raise TypeError("unhashable type: 'list'")

    monkeypatch.delenv("ASSISTANT_DEBUG", raising=False)
    monkeypatch.setattr(oneshot, "run", broken)
    code = main(["ask", "How common was nausea?"])
    err = capsys.readouterr().err
    assert code == 70 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error (TypeError" in err
