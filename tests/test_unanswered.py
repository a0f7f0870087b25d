"""The unanswered-question log: what is recorded, where, safely under several processes, and the CLI."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.interfaces.cli import main
from assistant.kb.contract import Answer, Explain
from assistant.log.unanswered import LOGGED, UnansweredLog, default_path, resolve

ROOT = Path(__file__).resolve().parent.parent


def rows(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("select normalised, question, status from unanswered order by id").fetchall()


def fake(status: str, question: str = "What about X?", norm: str = "what about x") -> Answer:
    return Answer.model_validate({"status": status, "answer": "...", "question": question,
                                  "explain": Explain(normalised=norm)})


@pytest.fixture
def logged(assistant, tmp_path):  # type: ignore[no-untyped-def]
    """An Assistant sharing the session's knowledge store, logging to a fresh file."""
    from assistant import Assistant

    path = tmp_path / "unanswered.sqlite"
    return Assistant(store=assistant.store, log=path), path


# ---------------------------------------------------------------- what is recorded


@pytest.mark.parametrize("status", ["answered", "clarify", "no_data", "out_of_scope", "medical_advice", "chitchat",
                                    "invalid_input"])
def test_given_a_turn_then_only_no_data_out_of_scope_and_clarify_are_recorded(tmp_path: Path, status: str) -> None:
    log = UnansweredLog(tmp_path / "u.sqlite")
    assert log.record(fake(status)) is (status in LOGGED)
    assert log.count() == (1 if status in LOGGED else 0)
    if status in LOGGED:
        assert rows(log.path) == [("what about x", "What about X?", status)]


def test_given_logging_on_when_questions_are_asked_then_unanswered_turns_are_logged(logged: Any) -> None:
    assistant, path = logged
    answered = assistant.ask("What was the 2-year progression-free survival?")
    weather = assistant.ask("What is the weather in Paris?")
    assert answered.status == "answered" and "58.2%" in answered.answer
    assert weather.status == "out_of_scope"
    assert [r[2] for r in rows(path)] == ["out_of_scope"]
    assert rows(path)[0][:2] == ("what is the weather in paris", "What is the weather in Paris?")


def test_given_a_cached_answer_then_every_asking_is_logged(logged: Any) -> None:
    assistant, path = logged
    for _ in range(3):
        assert assistant.ask("What is the weather in Paris?").status == "out_of_scope"
    assert len(rows(path)) == 3


def test_given_the_other_statuses_then_nothing_is_logged(logged: Any) -> None:
    assistant, path = logged
    for q, status in [("hello", "chitchat"), ("", "invalid_input"),
                      ("should my 74 year old mother get this treatment?", "medical_advice")]:
        assert assistant.ask(q).status == status
    assert not path.exists() or rows(path) == []


def test_given_a_broken_log_then_answers_still_come(assistant: Any, tmp_path: Path) -> None:
    from assistant import Assistant

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log's folder should be")
    log = UnansweredLog(blocker / "unanswered.sqlite")
    a = Assistant(store=assistant.store, log=log)
    answer = a.ask("What is the weather in Paris?")
    assert answer.status == "out_of_scope"
    assert log.failures == 1


def test_the_log_is_in_wal_mode(tmp_path: Path) -> None:
    log = UnansweredLog(tmp_path / "u.sqlite")
    log.record(fake("no_data"))
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_given_several_processes_writing_at_once_then_no_row_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    script = (
        "import sys\n"
        "from assistant.kb.contract import Answer, Explain\n"
        "from assistant.log.unanswered import UnansweredLog\n"
        "log = UnansweredLog(sys.argv[1])\n"
        "for n in range(150):\n"
        "    log.record(Answer(status='no_data', answer='-', question=f'q{n}', explain=Explain(normalised=f'q {n}')))\n"
        "assert log.failures == 0, log.failures\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)], env=env) for _ in range(4)]
    assert [p.wait(60) for p in procs] == [0, 0, 0, 0]
    assert UnansweredLog(path).count() == 600


# ---------------------------------------------------------------- where


def test_resolve_follows_the_documented_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAL_ASSISTANT_LOG", raising=False)
    assert resolve(None) is None
    assert resolve(False) is None
    assert resolve(True).path == default_path()  # type: ignore[union-attr]
    assert str(default_path()).startswith(os.environ["XDG_DATA_HOME"])
    assert default_path().name == "unanswered.sqlite"
    assert resolve(tmp_path / "x.sqlite").path == tmp_path / "x.sqlite"  # type: ignore[union-attr]
    log = UnansweredLog(tmp_path / "y.sqlite")
    assert resolve(log) is log
    with pytest.raises(TypeError):
        resolve(3.5)
    monkeypatch.setenv("TRIAL_ASSISTANT_LOG", str(tmp_path / "env.sqlite"))
    assert resolve(None).path == tmp_path / "env.sqlite"  # type: ignore[union-attr]
    assert resolve(True).path == tmp_path / "env.sqlite"  # type: ignore[union-attr]
    assert resolve(False) is None


def test_given_the_environment_variable_then_the_assistant_logs(assistant: Any, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import Assistant

    monkeypatch.setenv("TRIAL_ASSISTANT_LOG", str(tmp_path / "env.sqlite"))
    a = Assistant(store=assistant.store)
    assert a.ask("What is the weather in Paris?").status == "out_of_scope"
    assert len(rows(tmp_path / "env.sqlite")) == 1
    assert Assistant(store=assistant.store, log=False).log is None


def test_by_default_nothing_is_logged(assistant: Any, monkeypatch: Any) -> None:
    from assistant import Assistant

    monkeypatch.delenv("TRIAL_ASSISTANT_LOG", raising=False)
    assert Assistant(store=assistant.store).log is None


# ---------------------------------------------------------------- assistant log unanswered


def fill(path: Path) -> None:
    log = UnansweredLog(path)
    for _ in range(3):
        log.record(fake("out_of_scope", "What is the weather in Paris?", "what is the weather in paris"))
    for _ in range(2):
        log.record(fake("no_data", "What was the cost of treatment?", "what was the cost of treatment"))
    log.record(fake("clarify", "what was the median?", "what was the median"))
    log.close()


def test_log_unanswered_lists_the_most_frequent_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path / "u.sqlite")
    assert main(["log", "unanswered", "--db", str(tmp_path / "u.sqlite"), "--top", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["count", "last", "seen"]
    assert out[1].split()[0] == "3" and out[1].endswith("what is the weather in paris")
    assert out[2].split()[0] == "2" and out[2].endswith("what was the cost of treatment")
    assert "what was the median" not in "\n".join(out)
    assert "6 unanswered turns logged" in out[-1]


def test_log_unanswered_as_jsonl_with_a_status_filter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path / "u.sqlite")
    assert main(["log", "unanswered", "--db", str(tmp_path / "u.sqlite"), "--status", "no_data",
                 "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 1
    assert records[0]["normalised"] == "what was the cost of treatment"
    assert records[0]["count"] == 2 and records[0]["statuses"] == "no_data"
    assert records[0]["example"] == "What was the cost of treatment?"
    assert records[0]["last_seen"] > 0


def test_log_unanswered_reads_the_environment_variable(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    fill(tmp_path / "env.sqlite")
    monkeypatch.setenv("TRIAL_ASSISTANT_LOG", str(tmp_path / "env.sqlite"))
    assert main(["log", "unanswered"]) == 0
    assert "what is the weather in paris" in capsys.readouterr().out


def test_log_unanswered_on_an_empty_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", "unanswered", "--db", str(tmp_path / "none.sqlite")]) == 0
    assert "No unanswered questions logged" in capsys.readouterr().out


def test_log_unanswered_rejects_a_bad_top(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", "unanswered", "--db", str(tmp_path / "u.sqlite"), "--top", "0"]) == 2
    assert "--top" in capsys.readouterr().err


def test_log_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["log"])
    assert e.value.code == 2
