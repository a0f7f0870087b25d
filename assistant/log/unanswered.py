"""The unanswered-question log: every no_data, out_of_scope and clarify turn, for knowledge authors.

A small SQLite file of its own (never the read-only knowledge base), in WAL mode so several server
workers and CLI processes can append at once, created readable by its owner only (0600). Questions are stored
with identifier-like text redacted (e-mail, phone and record numbers, dates, a name given: redact.py), and the
log is capped in rows and age (pruned as it grows, or by `assistant log prune`). Recording never raises: a log
problem must not break an answer. A failed write is counted (`failures`, /v1/info), warned about once in the
server log, and noted in the file once writing works again.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.kb.wal import setup_wal
from assistant.log.redact import redact

LOGGED = frozenset({"no_data", "out_of_scope", "clarify"})
ENV = "TRIAL_ASSISTANT_LOG"
MAX_QUESTION = 500  # characters of the raw question kept per row
BUSY_MS = 2000
MAX_ROWS = 100_000  # the oldest rows beyond this are pruned
MAX_DAYS = 90.0  # rows older than this are pruned
PRUNE_EVERY = 1000  # rows written between automatic prunes
log = logging.getLogger("assistant.log")

SCHEMA = """
create table if not exists unanswered (
    id integer primary key,
    time real not null,
    normalised text not null,
    question text not null,
    status text not null,
    intent text not null default ''
);
create index if not exists unanswered_normalised on unanswered (normalised);
create index if not exists unanswered_time on unanswered (time);
create table if not exists write_failures (time real not null, count integer not null);
"""


def default_path() -> Path:
    """$XDG_DATA_HOME/trial-assistant/unanswered.sqlite (else ~/.local/share/...)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trial-assistant" / "unanswered.sqlite"


def configured_path() -> Path:
    """$TRIAL_ASSISTANT_LOG when set, else the default path."""
    return Path(os.environ[ENV]) if os.environ.get(ENV) else default_path()


class Entry(BaseModel):
    """One normalised question with how often and when it went unanswered."""

    normalised: str
    count: int
    last_seen: float
    statuses: str
    example: str

    @property
    def last_seen_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.last_seen))


class UnansweredLog:
    """Append-only log of unanswered turns. Thread-safe (one connection behind a lock); process-safe (WAL)."""

    def __init__(self, path: Path | str | None = None, *, max_rows: int = MAX_ROWS, max_days: float = MAX_DAYS,
                 readonly: bool = False) -> None:
        self.path = Path(path) if path else configured_path()
        self.readonly = readonly  # for reports: works on a full disk, never creates or changes the file
        self.max_rows, self.max_days = max_rows, max_days
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.failures = 0  # writes that failed in this process
        self.written = 0
        self._unreported = 0  # failures not yet noted in the file
        self.last_error = ""

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None and self.readonly:
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_MS / 1000,
                                         check_same_thread=False)
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():  # owner-only from the start (SQLite gives -wal and -shm the same mode)
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False,
                                   isolation_level=None)
            try:
                setup_wal(conn, SCHEMA, BUSY_MS / 1000)
            except sqlite3.Error:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def open(self) -> None:
        """Create the file and table now (raises OSError/sqlite3.Error), e.g. to fail fast at server start."""
        with self._lock:
            self._connect()

    def record(self, answer: Any) -> bool:
        """Append the turn (redacted) if its status is logged; True when written. Never raises."""
        try:
            if answer.status not in LOGGED:
                return False
            norm = redact(answer.explain.normalised or answer.question.strip().lower())
            row = (time.time(), norm[:MAX_QUESTION], redact(answer.question)[:MAX_QUESTION], answer.status,
                   answer.intent)
            with self._lock:
                conn = self._connect()
                conn.execute(
                    "insert into unanswered (time, normalised, question, status, intent) values (?, ?, ?, ?, ?)", row)
                self.written += 1
                if self._unreported:  # writing works again: note how many turns were lost
                    conn.execute("insert into write_failures (time, count) values (?, ?)",
                                 (time.time(), self._unreported))
                    self._unreported = 0
                if self.written % PRUNE_EVERY == 0:
                    self._prune(conn)
            return True
        except Exception as e:  # noqa: BLE001 - logging must never break an answer
            self._failed(e)
            return False

    def _failed(self, e: Exception) -> None:
        self.failures += 1
        self._unreported += 1
        self.last_error = f"{type(e).__name__}: {e}"[:200]
        if self.failures == 1:
            log.warning("unanswered-question log %s: a write failed (%s); failed writes are counted in /v1/info "
                        "and noted in the log when writing works again", self.path, self.last_error)

    def _prune(self, conn: sqlite3.Connection) -> int:
        cutoff = time.time() - self.max_days * 86400
        n = conn.execute("delete from unanswered where time < ?", (cutoff,)).rowcount
        n += conn.execute("delete from unanswered where id <= (select max(id) from unanswered) - ?",
                          (self.max_rows,)).rowcount
        return n

    def prune(self) -> int:
        """Delete rows beyond `max_rows` (oldest first) and older than `max_days`; the number deleted."""
        with self._lock:
            conn = self._connect()
            n = self._prune(conn)
            conn.execute("pragma wal_checkpoint(truncate)")
            return n

    def lost(self) -> int:
        """Turns that could not be written, as noted in the file."""
        if not self.path.exists():
            return 0
        with self._lock:
            try:
                return int(self._connect().execute("select coalesce(sum(count), 0) from write_failures").fetchone()[0])
            except sqlite3.OperationalError:  # a log from before failures were noted
                return 0

    def status(self) -> dict[str, Any]:
        """For /v1/info: where the log is, and this process's written and failed writes."""
        return {"path": str(self.path), "written": self.written, "failed": self.failures,
                **({"last_error": self.last_error} if self.last_error else {})}

    def top(self, n: int = 20, status: str | None = None) -> list[Entry]:
        """The n most frequent normalised questions (ties: most recent first)."""
        if not self.path.exists():
            return []
        where, params = ("where status = ?", [status]) if status else ("", [])
        sql = f"""select normalised, count(*), max(time), group_concat(distinct status),
                         (select question from unanswered u2 where u2.normalised = u.normalised
                          order by time desc limit 1)
                  from unanswered u {where} group by normalised
                  order by count(*) desc, max(time) desc limit ?"""
        with self._lock:
            rows = self._connect().execute(sql, [*params, n]).fetchall()
        return [Entry(normalised=r[0], count=r[1], last_seen=r[2], statuses=r[3], example=r[4]) for r in rows]

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._lock:
            return int(self._connect().execute("select count(*) from unanswered").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __repr__(self) -> str:
        return f"UnansweredLog({str(self.path)!r})"


def resolve(spec: Any) -> UnansweredLog | None:
    """The log for `Assistant(log=...)`: None means $TRIAL_ASSISTANT_LOG if set, else off; False off;
    True the configured/default path; a path or an UnansweredLog as given."""
    if spec is None:
        return UnansweredLog(os.environ[ENV]) if os.environ.get(ENV) else None
    if spec is False:
        return None
    if spec is True:
        return UnansweredLog()
    if isinstance(spec, UnansweredLog):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return UnansweredLog(spec)
    raise TypeError(f"log must be None, a bool, a path or an UnansweredLog, not {type(spec).__name__}")
