"""Server-side conversation stores for channels that cannot carry the context themselves (the Rasa webhook).

One interface (`base.SessionStore`: `turn(sender)`, an atomic read-modify-write per sender), three backends, chosen
by URL (`open_store`):

    memory               in-process LRU + TTL (`memory.MemoryStore`): the default for one worker
    sqlite:///PATH       a WAL-mode SQLite file every worker on the machine shares (`sqlite.SQLiteStore`): the
                         default with several workers, at $XDG_STATE_HOME/trial-assistant/sessions.db
    redis://HOST:PORT/DB Redis, for several machines (`redis.RedisStore`; the `redis` extra, imported lazily)

Same semantics everywhere: a TTL, a cap on stored contexts, the 'lost the thread' mark, StoreUnavailable when the
store is down or busy past its timeout. Only contexts are stored, keyed by a digest of the sender id.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from assistant.errors import SessionStoreError
from assistant.interfaces.sessions.base import (LEASE_SECONDS, MAX_SESSIONS, TTL_SECONDS, WAIT_SECONDS,
                                                SessionStore, Turn)
from assistant.interfaces.sessions.memory import MemoryStore

ENV = "TRIAL_ASSISTANT_SESSIONS"  # the store's URL, when --sessions is not given
SCHEMES = ("memory", "sqlite:///PATH", "redis://HOST:PORT/DB")


def default_path() -> Path:
    """$XDG_STATE_HOME/trial-assistant/sessions.db (else ~/.local/state/...)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "trial-assistant" / "sessions.db"


def choose(url: str | None, workers: int = 1) -> str:
    """The store URL to use: the one given, else $TRIAL_ASSISTANT_SESSIONS, else `memory` for one worker and the
    default SQLite file for several."""
    url = (url or os.environ.get(ENV) or "").strip()
    if url:
        return url
    return "memory" if workers <= 1 else f"sqlite://{default_path()}"


def sqlite_path(url: str) -> Path:
    """`sqlite:///abs/path.db` -> /abs/path.db; `sqlite://rel.db` -> rel.db; `sqlite:` alone -> the default."""
    rest = url[len("sqlite:"):]
    rest = rest[2:] if rest.startswith("//") else rest
    return Path(rest) if rest else default_path()


def open_store(url: str = "memory", max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS,
               **kw: Any) -> SessionStore:
    """The store a URL names; SessionStoreError for an unknown scheme or a missing package (`redis`)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        return MemoryStore(max_sessions, ttl, **kw)
    if scheme == "sqlite":
        from assistant.interfaces.sessions.sqlite import SQLiteStore

        return SQLiteStore(sqlite_path(url), max_sessions, ttl, **kw)
    if scheme in ("redis", "rediss", "unix"):
        from assistant.interfaces.sessions.redis import RedisStore

        return RedisStore(url, max_sessions, ttl, **kw)
    raise SessionStoreError(f"unknown session store {url!r}: use one of {', '.join(SCHEMES)}")


def describe(url: str) -> str:
    """The URL without a password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


__all__ = ["SessionStore", "MemoryStore", "Turn", "open_store", "choose", "default_path", "sqlite_path", "describe",
           "ENV", "MAX_SESSIONS", "TTL_SECONDS", "WAIT_SECONDS", "LEASE_SECONDS"]
