"""Shared fixtures: one Assistant for the session, built into a private cache directory."""
from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never touch the user's cache or state directories during tests."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        os.environ[var] = str(base / var.lower())
    os.environ.pop("TRIAL_ASSISTANT_CACHE", None)
    os.environ.pop("TRIAL_ASSISTANT_SESSIONS", None)
    os.environ["NO_COLOR"] = "1"


@pytest.fixture(scope="session")
def assistant(_private_cache: None):  # type: ignore[no-untyped-def]
    from assistant import Assistant

    return Assistant()


@pytest.fixture(scope="session")
def store(assistant):  # type: ignore[no-untyped-def]
    return assistant.store


def run_in_threads(fn: Callable[[int], Any], n: int, timeout: float = 120.0) -> None:
    """fn(0) ... fn(n - 1) at once, one thread each; fails when a thread does not finish in `timeout` seconds and
    re-raises the first error a thread hit."""
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            fn(i)
        except BaseException as e:  # noqa: BLE001 - handed to the test below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a thread still runs after {timeout:g} s"
    if errors:
        raise errors[0]


def post_json(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST a JSON body to a running server: (status, decoded JSON reply), error statuses included."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def turns(assistant: Any, *questions: str) -> list[Any]:
    """Ask the questions as one conversation, each with the context the one before left; the answers."""
    ctx, out = None, []
    for q in questions:
        a = assistant.ask(q, context=ctx)
        ctx = a.context
        out.append(a)
    return out
