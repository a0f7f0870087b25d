"""The SQLite store (`sqlite:///PATH`): one file shared by every worker on a machine, in WAL mode.

A turn takes its sender's lease (a row in `leases`, in a short `BEGIN IMMEDIATE` transaction that also reads the
context), the answer is worked out with no database lock held, and one more transaction checks the lease is still
its own, writes the context, evicts, and drops the lease. A database locked past `wait` seconds (the busy timeout)
or a lease held past it raise StoreUnavailable. Counters kept by triggers make the cap a cheap check per write.

From an event loop (`aturn`) every step runs on the loop itself and never waits there: a file another process is
writing (a write takes tens of microseconds) makes the step fail at once, and it is tried again after a pause that
lets the loop serve other requests, for up to `wait` seconds. Threads, tried first, were measured slower: each
SQLite call gives up the GIL and waits to get it back from the busy loop.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable

from assistant.errors import StoreUnavailable
from assistant.kb.wal import setup_wal
from assistant.interfaces.sessions.base import MAX_SESSIONS, TTL_SECONDS, SessionStore, apoll, backoff, poll

SCHEMA = """
create table if not exists sessions (key blob primary key, used real not null, context text not null) without rowid;
create index if not exists sessions_used on sessions (used);
create table if not exists forgotten (key blob primary key, at real not null) without rowid;
create index if not exists forgotten_at on forgotten (at);
create table if not exists leases (key blob primary key, token blob not null, until real not null) without rowid;
create table if not exists counts (name text primary key, n integer not null);
insert or ignore into counts values ('sessions', 0), ('forgotten', 0);
create trigger if not exists sessions_added after insert on sessions
  begin update counts set n = n + 1 where name = 'sessions'; end;
create trigger if not exists sessions_removed after delete on sessions
  begin update counts set n = n - 1 where name = 'sessions'; end;
create trigger if not exists forgotten_added after insert on forgotten
  begin update counts set n = n + 1 where name = 'forgotten'; end;
create trigger if not exists forgotten_removed after delete on forgotten
  begin update counts set n = n - 1 where name = 'forgotten'; end;
"""
MARK = "insert into forgotten (key, at) values (?, ?) on conflict (key) do update set at = excluded.at"
EVICT_BATCH = 500  # expired conversations evicted per write at most (the rest on the next writes)


class _Busy(Exception):
    """A step tried on the event loop found the file busy: try it again after a pause."""


class SQLiteStore(SessionStore):
    """sender digest -> context JSON in a SQLite file; safe for many threads and processes at once."""

    backend = "sqlite"

    def __init__(self, path: str | Path, max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS, *,
                 clock: Callable[[], float] = time.time, **kw: Any) -> None:
        super().__init__(max_sessions, ttl, **kw)
        self.path = Path(path)
        self._clock = clock  # wall time: shared by every process on the machine
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._writing = threading.Lock()  # one write transaction per process at a time: threads queue here, not in
        # SQLite's busy handler (which sleeps 1, 2, 5, 10... ms between tries); only other processes wait there

    # ------------------------------------------------------------ connections

    def open(self) -> None:
        """Create the file and tables now (StoreUnavailable if that fails), e.g. to fail fast at server start."""
        with self._db():
            pass

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # owner-only from the start (SQLite gives -wal and -shm the same mode)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(self.path, timeout=self.wait, isolation_level=None, check_same_thread=False)
        try:
            setup_wal(conn, SCHEMA, self.wait)
        except sqlite3.Error:
            conn.close()
            raise
        self._local.conn, self._local.busy_ms = conn, int(self.wait * 1000)
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _busy_timeout(self, conn: sqlite3.Connection, fast: bool) -> None:
        ms = 0 if fast else int(self.wait * 1000)
        if self._local.busy_ms != ms:
            conn.execute(f"pragma busy_timeout = {ms}")
            self._local.busy_ms = ms

    def _db(self) -> Any:
        return _Guarded(self)

    def _write(self, fast: bool = False) -> Any:
        return _Guarded(self, write=True, fast=fast)

    def close(self) -> None:
        super().close()
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # ------------------------------------------------------------ the backend

    def _begin(self, key: bytes) -> tuple[Any, Any, bool]:
        token = secrets.token_bytes(12)
        value, lost = poll(lambda: self._try_lease(key, token), self.wait)
        return token, value, lost

    def _try_lease(self, key: bytes, token: bytes, fast: bool = False) -> tuple[str | None, bool] | None:
        """(stored context or None, lost) with the lease taken; None when another turn holds it."""
        now = self._clock()
        with self._write(fast) as conn:
            row = conn.execute("select until from leases where key = ?", (key,)).fetchone()
            if row is not None and row[0] > now:
                return None
            conn.execute("insert into leases (key, token, until) values (?, ?, ?) on conflict (key) do update "
                         "set token = excluded.token, until = excluded.until", (key, token, now + self.lease))
            found = conn.execute("select used, context from sessions where key = ?", (key,)).fetchone()
            if found is not None and now - found[0] > self.ttl:
                conn.execute("delete from sessions where key = ?", (key,))
                conn.execute(MARK, (key, now))
                found = None
            if found is not None:
                return found[1], False
            lost = conn.execute("select 1 from forgotten where key = ?", (key,)).fetchone() is not None
            return None, lost

    def _commit(self, key: bytes, token: Any, value: Any, fast: bool = False) -> None:
        now = self._clock()
        with self._write(fast) as conn:
            row = conn.execute("select token from leases where key = ?", (key,)).fetchone()
            if row is None or row[0] != token:
                raise StoreUnavailable(f"the turn took longer than its {self.lease:g} s lease; it was not saved")
            conn.execute("insert into sessions (key, used, context) values (?, ?, ?) on conflict (key) do update "
                         "set used = excluded.used, context = excluded.context", (key, now, value))
            conn.execute("delete from forgotten where key = ?", (key,))
            conn.execute("delete from leases where key = ? or until < ?", (key, now - self.lease))
            self._evict(conn, now)

    def _evict(self, conn: sqlite3.Connection, now: float) -> None:
        """Expired conversations, then the least recently written over the cap, are dropped and marked forgotten;
        the forgotten marks are capped too."""
        expired = [k for (k,) in conn.execute("select key from sessions where used < ? order by used limit ?",
                                              (now - self.ttl, EVICT_BATCH))]
        (n,) = conn.execute("select n from counts where name = 'sessions'").fetchone()
        over = max(0, n - len(expired) - self.max_sessions)
        if over:
            expired += [k for (k,) in conn.execute("select key from sessions where used >= ? order by used limit ?",
                                                   (now - self.ttl, over))]
        if expired:
            conn.executemany("delete from sessions where key = ?", [(k,) for k in expired])
            conn.executemany(MARK, [(k, now) for k in expired])
        (f,) = conn.execute("select n from counts where name = 'forgotten'").fetchone()
        if f > self.max_sessions:
            conn.execute("delete from forgotten where key in (select key from forgotten order by at limit ?)",
                         (f - self.max_sessions,))

    def _release(self, key: bytes, token: Any, fast: bool = False) -> None:
        with self._write(fast) as conn:
            conn.execute("delete from leases where key = ? and token = ?", (key, token))

    # ------------------------------------------------------------ from an event loop: on it, never waiting

    async def _retry(self, step: Callable[..., Any], *args: Any) -> Any:
        """step(*args, fast=True), again after a growing pause while the file is busy; StoreUnavailable when it
        stays busy for `wait` seconds."""
        pauses = backoff(self.wait, f"the SQLite conversation store {self.path} is unavailable: locked by "
                         f"another process past the timeout ({self.wait:g} s)", first=0.0002, most=0.02)
        while True:
            try:
                return step(*args, fast=True)
            except _Busy:
                pause = next(pauses)
            await asyncio.sleep(pause)

    async def _abegin(self, key: bytes) -> tuple[Any, Any, bool]:
        token = secrets.token_bytes(12)
        value, lost = await apoll(lambda: self._retry(self._try_lease, key, token), self.wait)
        return token, value, lost

    async def _acommit(self, key: bytes, token: Any, value: Any) -> None:
        await self._retry(self._commit, key, token, value)

    async def _arelease(self, key: bytes, token: Any) -> None:
        await self._retry(self._release, key, token)

    async def astats(self) -> dict[str, Any]:
        return self.stats()  # reads never wait for a lock in WAL mode

    def _peek(self, key: bytes) -> Any:
        with self._db() as conn:
            row = conn.execute("select used, context from sessions where key = ?", (key,)).fetchone()
        return row[1] if row is not None and self._clock() - row[0] <= self.ttl else None

    def _drop(self, key: bytes) -> bool:
        with self._write() as conn:
            return conn.execute("delete from sessions where key = ?", (key,)).rowcount > 0

    def counts(self) -> dict[str, int]:
        with self._db() as conn:
            (n,) = conn.execute("select count(*) from sessions where used >= ?", (self._clock() - self.ttl,)).fetchone()
            (f,) = conn.execute("select n from counts where name = 'forgotten'").fetchone()
        return {"sessions": n, "forgotten": f}


class _Guarded:
    """`with store._db() as conn`: this thread's connection, every SQLite error as StoreUnavailable; with
    write=True the block is one `BEGIN IMMEDIATE` transaction (committed, or rolled back on any error); with
    fast=True too, a busy file raises _Busy at once instead of waiting."""

    def __init__(self, store: SQLiteStore, write: bool = False, fast: bool = False) -> None:
        self.store, self.write, self.fast = store, write, fast
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        store = self.store
        if self.write and not store._writing.acquire(blocking=not self.fast, timeout=-1 if self.fast else store.wait):
            if self.fast:
                raise _Busy
            raise StoreUnavailable(f"the SQLite conversation store {store.path} is busy: no write within "
                                   f"{store.wait:g} s")
        try:
            self.conn = store._connect()
            if self.write:
                store._busy_timeout(self.conn, self.fast)
                self.conn.execute("begin immediate")
        except (sqlite3.Error, OSError) as e:
            if self.write:
                store._writing.release()
            if self.fast and "locked" in str(e):
                raise _Busy from e
            raise _unavailable(store, e) from e
        return self.conn

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if not self.write or self.conn is None:
            if isinstance(exc, sqlite3.Error):
                raise _unavailable(self.store, exc) from exc
            return
        try:
            self._end(kind, exc)
        finally:
            self.store._writing.release()

    def _end(self, kind: Any, exc: Any) -> None:
        assert self.conn is not None
        try:
            self.conn.execute("commit" if kind is None else "rollback")
        except sqlite3.Error as e:
            if kind is None:
                raise _unavailable(self.store, e) from e
        if isinstance(exc, sqlite3.Error):
            raise _unavailable(self.store, exc) from exc


def _unavailable(store: SQLiteStore, e: BaseException) -> StoreUnavailable:
    what = "locked by another process past the timeout" if "locked" in str(e) else str(e)
    return StoreUnavailable(f"the SQLite conversation store {store.path} is unavailable: {what}")
