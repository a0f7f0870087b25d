"""The README documents every subcommand and chat command, and CI runs exactly its test command."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from assistant.interfaces.chat import ALIASES, COMMANDS as CHAT_COMMANDS
from assistant.interfaces.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTALL_AND_CHAT = "python3 -m pip install . && assistant chat"
INSTALL_AND_TEST = "python3 -m pip install '.[test]' && python3 -m pytest -q"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_subcommand_is_documented_with_an_example(name: str) -> None:
    assert re.search(rf"^\s*(\$ )?assistant {name}\b", README, re.M), f"no example of `assistant {name}` in README.md"


@pytest.mark.parametrize("command", [*CHAT_COMMANDS, *ALIASES])
def test_every_chat_command_is_documented(command: str) -> None:
    assert re.search(rf"`{re.escape(command)}[` ]", README), f"chat command {command} missing from README.md"


def test_the_two_commands_and_ci() -> None:
    assert INSTALL_AND_CHAT in README and INSTALL_AND_TEST in README
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    lines = [ln for ln in ci.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "set -euo pipefail"
    assert lines[-1] == INSTALL_AND_TEST
    assert ci.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_sections_and_pointers() -> None:
    for heading in ("## HTTP service", "## Evaluation and benchmarks", "## Limitations"):
        assert heading in README
    assert "knowledge/README.md" in README
    for status in ("answered", "clarify", "no_data", "out_of_scope", "medical_advice", "chitchat", "invalid_input"):
        assert f"`{status}`" in README
