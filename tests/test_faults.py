"""Faults: a damaged knowledge cache, an unwritable cache directory, broken knowledge files, a killed batch.

Given a fault the assistant can recover from, it recovers without the user noticing (or with one warning);
given one it cannot, it stops with the clear error of the knowledge check (file, record id, field).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
import warnings
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import KnowledgeCheckError
from assistant.kb.models import numbers_in
from assistant.kb.store import open_store

from .conftest import KNOWLEDGE, ROOT

PFS = "What was the 2-year progression-free survival?"


def env(**extra: str) -> dict[str, str]:
    """A child environment that imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def cli(*args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env(**extra), timeout=timeout, stdin=subprocess.DEVNULL)


def answers_pfs(store) -> None:  # type: ignore[no-untyped-def]
    a = Assistant(store=store).ask(PFS)
    assert a.status == "answered" and "58.2%" in a.answer


# ---------------------------------------------------------------- the knowledge cache


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge (so edits elsewhere cannot change its hash during a test)."""
    dest = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, dest)
    return dest


@pytest.fixture()
def built(tmp_path: Path, knowledge_copy: Path):  # type: ignore[no-untyped-def]
    """A freshly built cache directory: (cache dir, cache file, its good bytes, the store)."""
    cache = tmp_path / "cache"
    store = open_store(knowledge_copy, cache)
    [path] = list(cache.glob("kb-*.sqlite"))
    return cache, path, path.read_bytes(), store


@pytest.mark.parametrize("damage", ["empty", "garbage", "half", "header_only", "not_marked_complete"])
def test_damaged_cache_is_rebuilt_transparently(built, knowledge_copy: Path,  # type: ignore[no-untyped-def]
                                                damage: str) -> None:
    """Given a corrupt or half-written cache file, opening the knowledge rebuilds it: same facts, no warning."""
    cache, path, good, store = built
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage\xff" * 4096)
    elif damage == "half":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "header_only":
        path.write_bytes(good[:100])
    else:  # a build that stopped before its last step (the 'complete' marker)
        conn = sqlite3.connect(path)
        conn.execute("delete from meta where key = 'complete'")
        conn.commit()
        conn.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = open_store(knowledge_copy, cache)
    assert again.hash == store.hash
    assert again.facts == store.facts and again.entities == store.entities and again.intents == store.intents
    answers_pfs(again)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert dict(conn.execute("select key, value from meta").fetchall())["complete"] == "yes"
    conn.close()


def test_damaged_cache_is_rebuilt_by_the_command_line(built,  # type: ignore[no-untyped-def]
                                                      knowledge_copy: Path) -> None:
    cache, path, good, _ = built
    path.write_bytes(good[: len(good) // 3])
    proc = cli("ask", "--knowledge", str(knowledge_copy), PFS, TRIAL_ASSISTANT_CACHE=str(cache))
    assert proc.returncode == 0, proc.stderr
    assert "58.2%" in proc.stdout and proc.stderr == ""


def test_unwritable_cache_falls_back_to_memory_with_one_warning(tmp_path: Path, knowledge_copy: Path) -> None:
    """Given a cache directory that cannot be created or written, the knowledge is built in memory, with exactly
    one warning. (A path under a regular file fails for every user, root included.)"""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = open_store(knowledge_copy, blocker / "cache")
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert issubclass(caught[0].category, RuntimeWarning) and "cache" in str(caught[0].message)
    assert store.path == ":memory:"
    answers_pfs(store)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write to read-only dirs")
def test_read_only_cache_directory(tmp_path: Path, knowledge_copy: Path) -> None:
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            store = open_store(knowledge_copy, cache)
        assert len(caught) == 1
        assert store.path == ":memory:"
        answers_pfs(store)
    finally:
        cache.chmod(0o755)


def test_unwritable_cache_via_the_command_line(tmp_path: Path) -> None:
    """The command still answers; stderr carries the one warning and nothing else of note."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = cli("ask", PFS, TRIAL_ASSISTANT_CACHE=str(blocker / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert "58.2%" in proc.stdout
    assert proc.stderr.count("cache not writable") == 1
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- broken knowledge


def break_a_number(root: Path) -> tuple[str, str]:
    """Change one number in the first efficacy fact's `say` to 99.9 (not a value of the fact). (file, fact id)"""
    rel = "facts/efficacy.toml"
    path = root / rel
    raw = path.read_text(encoding="utf-8")
    fact = next(f for f in tomllib.loads(raw)["fact"] if numbers_in(f["say"]))
    number = numbers_in(fact["say"])[0]
    wrong = fact["say"].replace(number, "99.9", 1)
    assert fact["say"] in raw, "the say string must be written literally to edit it"
    path.write_text(raw.replace(fact["say"], wrong, 1), encoding="utf-8")
    return rel, fact["id"]


def test_broken_fact_gives_the_knowledge_check_error(knowledge_copy: Path, tmp_path: Path) -> None:
    """Given a fact whose sentence has a number that is not one of its values, opening the knowledge fails with
    the knowledge check's error naming file, fact id and field."""
    rel, fid = break_a_number(knowledge_copy)
    with pytest.raises(KnowledgeCheckError) as info:
        open_store(knowledge_copy, tmp_path / "cache")
    errors = [e for e in info.value.errors if e.file == rel and e.record == fid and e.field == "say"]
    assert errors and "99.9" in errors[0].message
    assert str(info.value).startswith(f"{rel}: {fid}: say: ")
    assert not list((tmp_path / "cache").glob("kb-*.sqlite"))  # nothing half-built is left to be trusted


def test_broken_fact_on_the_command_line(knowledge_copy: Path, tmp_path: Path) -> None:
    """`assistant ask --knowledge DIR` prints one clear line and exits 1; `kb check` lists the same error."""
    rel, fid = break_a_number(knowledge_copy)
    proc = cli("ask", "--knowledge", str(knowledge_copy), PFS, TRIAL_ASSISTANT_CACHE=str(tmp_path / "c"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {rel}: {fid}: say: "), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    check = cli("kb", "check", "--knowledge", str(knowledge_copy))
    assert check.returncode == 1
    assert f"{rel}: {fid}: say: number 99.9" in check.stderr


def test_unparsable_toml_names_the_file(knowledge_copy: Path, tmp_path: Path) -> None:
    (knowledge_copy / "facts" / "zz_broken.toml").write_text('[[fact]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(KnowledgeCheckError) as info:
        open_store(knowledge_copy, tmp_path / "cache")
    assert any(e.file == "facts/zz_broken.toml" and "not valid TOML" in e.message for e in info.value.errors)


def test_missing_field_names_record_and_field(knowledge_copy: Path, tmp_path: Path) -> None:
    path = knowledge_copy / "facts" / "zz_partial.toml"
    path.write_text('[[fact]]\nid = "partial.fact"\ntopic = "efficacy"\nstat = "rate"\nmeasure = ["pfs"]\n',
                    encoding="utf-8")
    with pytest.raises(KnowledgeCheckError) as info:
        open_store(knowledge_copy, tmp_path / "cache")
    fields = {e.field for e in info.value.errors if e.file == "facts/zz_partial.toml" and e.record == "partial.fact"}
    assert {"say", "quote", "locator"} <= fields


def test_invalid_utf8_knowledge_file(knowledge_copy: Path, tmp_path: Path) -> None:
    (knowledge_copy / "facts" / "zz_bytes.toml").write_bytes(b'[[fact]]\nid = "\xff\xfe"\n')
    with pytest.raises(KnowledgeCheckError) as info:
        open_store(knowledge_copy, tmp_path / "cache")
    assert any(e.file == "facts/zz_bytes.toml" and "UTF-8" in e.message for e in info.value.errors)


# ---------------------------------------------------------------- a batch killed half way


def test_killed_batch_keeps_every_finished_line(tmp_path: Path, knowledge_copy: Path) -> None:
    """Given a long batch killed (SIGKILL) after some output, every complete line of its --output file is a whole
    record, in input order, equal to what an uninterrupted run writes; at most one trailing partial line."""
    questions = [PFS, "What is the weather in Paris?", "hello", "how common was nausea?", "and grade 3 or worse?",
                 "What was the overall response rate?", ""]
    n = 200_000
    src = tmp_path / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": i, "session": f"s{i // 5 % 50}", "question": questions[i % len(questions)]})
                    + "\n")
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "batch", str(src), "-o", str(out), "-q",
                             "--knowledge", str(knowledge_copy)],
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.stat().st_size > 200_000:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the batch ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    data = out.read_bytes()
    complete, _, partial = data.rpartition(b"\n")
    lines = complete.decode("utf-8").split("\n") if complete else []
    assert 0 < len(lines) < n
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == list(range(len(records)))
    # the same lines, answered by an uninterrupted in-process run
    from assistant.interfaces.batch import answer_items, open_input, read_items

    stream, fmt = open_input(str(src))
    with stream:
        expected = []
        for a in answer_items(Assistant(knowledge_copy), read_items(stream, fmt)):
            expected.append(a.contract())
            if len(expected) == len(records):
                break
    assert records == json.loads(json.dumps(expected))
    if partial:
        with pytest.raises(ValueError):
            json.loads(partial)
