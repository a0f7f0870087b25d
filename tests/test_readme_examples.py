"""Every `$ command` shown in README.md runs as shown (issue 12): its output matches the README's, where `...`
stands for text left out (inside a line) or lines left out (a line of its own). Figures that vary by machine
(bench, load test) are compared with their numbers blanked; timestamps always are. Commands run in a fresh
workspace that looks like a clone (knowledge/, tests/, transcripts/), with private XDG directories."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import ROOT
from .readme_examples import Example, examples, matches

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = examples(README)
VARYING = ("assistant bench", "python -m assistant.devtools.loadtest")  # timings: numbers blanked
FILES = {"questions.txt": "What was the 2-year progression-free survival?\nHow common was nausea?\n"}
NUMBER = re.compile(r"\d[\d,.]*")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    ws = tmp_path_factory.mktemp("clone")
    for name in ("knowledge", "transcripts"):
        shutil.copytree(ROOT / name, ws / name)
    (ws / "tests").mkdir()
    (ws / "tests" / "data").symlink_to(ROOT / "tests" / "data")
    for name, text in FILES.items():
        (ws / name).write_text(text, encoding="utf-8")
    yield ws


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[str]:
    pytest.importorskip("starlette")
    from assistant.devtools.loadtest import LocalServer

    s = LocalServer(["--no-log", "--no-access-log"])
    try:
        yield f"127.0.0.1:{s.port}"
    finally:
        s.stop()


def _env(ws: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "120"}
    for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(ws / ".xdg" / var.lower())
    env.pop("TRIAL_ASSISTANT_LOG", None)
    return env


def _shell(command: str, server: str | None) -> str:
    py = sys.executable
    command = re.sub(r"(^|\|\s*)assistant ", lambda m: f"{m.group(1)}{py} -m assistant ", command)
    command = command.replace("python -m assistant.", f"{py} -m assistant.")
    if server:
        command = command.replace("localhost:8000", server)
    return command


def _prepare(ex: Example, ws: Path) -> None:
    """Set up what the example's output shows happened before it (a changed transcript, logged questions)."""
    if ex.command == "assistant replay transcripts/" and any(x.startswith("--- ") for x in ex.expected):
        saved = ws / "transcripts" / "01-survival.md"
        old = [x[1:] for x in ex.expected if x.startswith("-") and not x.startswith("---")]
        new = [x[1:] for x in ex.expected if x.startswith("+") and not x.startswith("+++")]
        text = saved.read_text(encoding="utf-8")
        for o, n in zip(old, new):
            text = text.replace(n, o, 1)
        saved.write_text(text, encoding="utf-8")
    cat = re.fullmatch(r"cat (\S+)", ex.command)
    if cat and not (ws / cat.group(1)).exists():  # an input file the README shows: the workspace has it
        (ws / cat.group(1)).write_text("\n".join(ex.expected).rstrip("\n") + "\n", encoding="utf-8")
    if ex.command.startswith("assistant log unanswered"):
        from assistant import Assistant

        log = ws / ".xdg" / "xdg_data_home" / "trial-assistant" / "unanswered.sqlite"
        assistant = Assistant(log=log)
        for row in ex.expected[1:]:
            m = re.match(r"\s*(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\S+\s+(.+)$", row)
            if m:
                for _ in range(int(m.group(1))):
                    assistant.ask(m.group(2))
        assistant.log.close()


def _blank(lines: list[str]) -> list[str]:
    return [" ".join(NUMBER.sub("#", x).split()) for x in lines]


def _json_lines(lines: list[str]) -> list[str]:
    """A JSON reply shown over several lines for reading: joined back into the one line the service sends."""
    joined, out = "", []
    for x in lines:
        if x.startswith(("{", "[")) and joined:
            out.append(joined)
            joined = ""
        joined += x.strip() if joined else x
    return out + ([joined] if joined else [])


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"line{e.line}" for e in EXAMPLES])
def test_the_readme_example_runs_as_shown(ex: Example, workspace: Path, request: pytest.FixtureRequest) -> None:
    if ex.command.startswith("assistant bench"):
        pytest.importorskip("bm25s", reason="the bench example shows the BM25 baseline: pip install '.[bench]'")
    server = request.getfixturevalue("server") if ex.command.startswith("curl") else None
    _prepare(ex, workspace)
    done = subprocess.run(["bash", "-c", _shell(ex.command, server)], cwd=workspace, env=_env(workspace),
                          capture_output=True, text=True, timeout=300)
    actual = (done.stdout + done.stderr).splitlines()
    expected = ex.expected
    if ex.command.startswith("curl"):
        expected, actual = _json_lines(expected), actual
    if ex.command.startswith(VARYING):
        expected, actual = _blank(expected), _blank(actual)
    problem = matches(expected, actual)
    assert not problem, f"README.md line {ex.line}: $ {ex.command}\n{problem}"
