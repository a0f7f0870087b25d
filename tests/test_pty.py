"""`assistant chat` in a real pseudo-terminal: the prompt-toolkit front end, end to end."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent


def test_chat_in_a_pseudo_terminal(tmp_path: Path) -> None:
    # Given `python -m assistant chat` on a terminal
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "NO_COLOR": "1",
           "XDG_STATE_HOME": str(tmp_path / "state"),
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # pexpect does not answer cursor-position requests
    child = pexpect.spawn(sys.executable, ["-m", "assistant", "chat"], env=env, cwd=str(ROOT),
                          encoding="utf-8", timeout=60, dimensions=(40, 120))
    try:
        child.expect("/help for commands")
        child.expect(">")
        # When a question is typed, then the cited answer appears
        child.sendline("What was the 2-year progression-free survival?")
        child.expect(r"58\.2% \(95% CI 46\.7%-68\.2%\)")
        child.expect("paragraph 4")
        child.expect(">")
        # And /quit ends the program cleanly
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = (tmp_path / "state" / "trial-assistant" / "history").read_text(encoding="utf-8")
    assert "What was the 2-year progression-free survival?" in history
