"""The knowledge ships inside the wheel: a non-editable install answers from any directory."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    return next(out.glob("trial_assistant-*.whl"))


def test_the_wheel_contains_the_knowledge_and_type_marker(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("assistant/_knowledge/sources/article.txt", "assistant/_knowledge/facts/efficacy.toml",
                 "assistant/_knowledge/intents.toml", "assistant/_knowledge/lexicon/measures.toml",
                 "assistant/_knowledge/answers.toml", "assistant/_data/questions.jsonl",
                 "assistant/py.typed", "assistant/core.py", "assistant/answer/strategies/lookup.py",
                 "assistant/interfaces/http/static/chat.html", "assistant/interfaces/http/static/chat.js",
                 "assistant/interfaces/http/static/chat.css", "assistant/interfaces/http/static/widget.js",
                 "assistant/interfaces/http/static/widget.css"):
        assert path in names, path


def test_a_non_editable_install_answers_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "TRIAL_ASSISTANT_CACHE": str(tmp_path / "cache")}
    code = ("import assistant; from assistant import Assistant; a = Assistant(); "
            "print(assistant.__file__); print(a.ask('What was the 2-year PFS?').answer)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    where, answer = proc.stdout.splitlines()[:2]
    assert where.startswith(str(target))
    assert "58.2%" in answer
