"""Shared fixtures: one Assistant for the session, built into a private cache directory."""
from __future__ import annotations

import os
from pathlib import Path

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
