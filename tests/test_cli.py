"""The command line: `assistant ask`, --json, --context, --version, exit codes and one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import __version__
from assistant.interfaces.cli import main
from assistant.kb.contract import Context

ROOT = Path(__file__).resolve().parent.parent
PFS2 = "What was the 2-year progression-free survival?"


def cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=input, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_ask_prints_the_answer_and_its_citation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", PFS2]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[answered]\n")
    assert "The 2-year progression-free survival rate was 58.2% (95% CI 46.7%-68.2%)." in out
    assert "Source: Jabbour E" in out and "paragraph 4" in out


def test_ask_joins_words_and_can_drop_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-sources", "How", "common", "was", "nausea?"]) == 0
    out = capsys.readouterr().out
    assert "54%" in out and "Source:" not in out


def test_ask_json_is_the_contract_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", PFS2]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "answered" and record["question"] == PFS2
    assert "58.2%" in record["answer"]
    assert record["citations"][0]["quote"].startswith("the 2-year progression-free survival (PFS) rate was 58.2%")
    assert {"id", "session", "facts", "intent", "confidence", "suggestions", "caveats"} <= set(record)
    assert record["context"]["turn"] == 1 and record["explain"]["words"]  # the brief's contract has both


def test_ask_json_overview_carries_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "all the side effects"]) == 0
    record = json.loads(capsys.readouterr().out)
    rows = {r["label"]: r for r in record["table"]}
    assert rows["Nausea"]["number"] == 54 and rows["Nausea"]["unit"] == "%"


@pytest.mark.parametrize("question,status", [
    ("What is the weather in Paris?", "out_of_scope"),
    ("should my 74 year old mother get this treatment?", "medical_advice"),
    ("hello", "chitchat"),
    ("", "invalid_input"),
])
def test_ask_exits_0_for_every_reply(capsys: pytest.CaptureFixture[str], question: str, status: str) -> None:
    assert main(["ask", "--json", question]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == status


def test_context_file_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given no saved context yet, when a script asks two questions with --context
    ctx = tmp_path / "conversation.json"
    assert main(["ask", "--context", str(ctx), PFS2]) == 0
    first = Context.model_validate_json(ctx.read_text(encoding="utf-8"))
    assert first.turn == 1
    capsys.readouterr()
    assert main(["ask", "--json", "--context", str(ctx), "and at 5 years?"]) == 0
    # Then the follow-up is understood, and the file holds the updated context
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "answered" and "44.0" in record["answer"]
    assert Context.model_validate_json(ctx.read_text(encoding="utf-8")).turn == 2


def test_malformed_context_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"frames": 7}', encoding="utf-8")
    assert main(["ask", "--context", str(bad), "and at 5 years?"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(bad) in err and "malformed context" in err
    assert bad.read_text(encoding="utf-8") == '{"frames": 7}'  # left as it was


def test_version() -> None:
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"assistant {__version__}"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    with pytest.raises(SystemExit) as e:
        main(["ask"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["nonsense"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["batch", "x.txt", "--format", "xml"])
    assert e.value.code == 2


def test_library_errors_are_one_line_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--knowledge", "/nonexistent", "hello"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "knowledge directory not found" in err
    assert main(["batch", "/nonexistent/questions.txt"]) == 1
    assert capsys.readouterr().err == "error: input file not found: /nonexistent/questions.txt\n"


def test_kb_check_of_a_missing_directory_fails_without_a_traceback() -> None:
    done = cli("kb", "check", "--knowledge", "/nonexistent")
    assert done.returncode == 1
    assert "knowledge directory not found" in done.stderr and "Traceback" not in done.stderr


def test_ask_does_not_import_prompt_toolkit() -> None:
    # Heavy imports are lazy: prompt-toolkit only for `chat` (and a batch progress bar)
    code = ("import sys, assistant.interfaces.cli as c; c.main(['ask', 'hello']); "
            "print('PT' if 'prompt_toolkit' in sys.modules else 'no PT')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("no PT")


def test_log_unanswered_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from assistant import core
    from assistant.interfaces import oneshot

    seen: list[dict[str, object]] = []

    class Old(core.Assistant):  # an Assistant from before the `log` keyword
        def __init__(self, knowledge=None, **kw):  # type: ignore[no-untyped-def]
            if "log" in kw:
                raise TypeError("__init__() got an unexpected keyword argument 'log'")
            seen.append(kw)
            super().__init__(knowledge)

    monkeypatch.setattr(core, "Assistant", Old)
    assert isinstance(oneshot.open_assistant(None, False), Old)
    assert isinstance(oneshot.open_assistant(None, True), Old)
    assert "cannot log unanswered questions" in capsys.readouterr().err
    monkeypatch.undo()

    # With today's Assistant the flag is accepted by chat, ask and batch
    monkeypatch.setenv("TRIAL_ASSISTANT_LOG", str(tmp_path / "log.sqlite"))
    assert main(["ask", "--log-unanswered", "What is the weather in Paris?"]) == 0
    assert "[out of scope]" in capsys.readouterr().out
