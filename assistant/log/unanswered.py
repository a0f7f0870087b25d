"""The unanswered-question log: every no_data, out_of_scope and clarify turn, for knowledge authors.

A small SQLite file of its own (never the read-only knowledge base), in WAL mode so several server
workers and CLI processes can append at once. Recording never raises: a log problem must not break an answer.

    assistant log unanswered --top 20
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

LOGGED = frozenset({"no_data", "out_of_scope", "clarify"})
ENV = "TRIAL_ASSISTANT_LOG"
MAX_QUESTION = 500  # characters of the raw question kept per row
BUSY_MS = 2000

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

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else configured_path()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.failures = 0

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False,
                                   isolation_level=None)
            try:
                self._setup(conn)
            except sqlite3.Error:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    @staticmethod
    def _setup(conn: sqlite3.Connection, attempts: int = 50) -> None:
        """WAL mode and the table. Switching to WAL takes a lock the busy timeout does not always wait for
        (several processes opening a new log at once): retry briefly while the database is locked."""
        for attempt in range(attempts):
            try:
                conn.execute(f"pragma busy_timeout = {BUSY_MS}")
                conn.execute("pragma journal_mode = wal")
                conn.execute("pragma synchronous = normal")
                conn.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or attempt == attempts - 1:
                    raise
                time.sleep(0.02)

    def open(self) -> None:
        """Create the file and table now (raises OSError/sqlite3.Error), e.g. to fail fast at server start."""
        with self._lock:
            self._connect()

    def record(self, answer: Any) -> bool:
        """Append the turn if its status is logged; True when written. Never raises."""
        try:
            if answer.status not in LOGGED:
                return False
            norm = answer.explain.normalised or answer.question.strip().lower()
            row = (time.time(), norm[:MAX_QUESTION], answer.question[:MAX_QUESTION], answer.status, answer.intent)
            with self._lock:
                self._connect().execute(
                    "insert into unanswered (time, normalised, question, status, intent) values (?, ?, ?, ?, ?)", row)
            return True
        except Exception:  # noqa: BLE001 - logging must never break an answer
            self.failures += 1
            return False

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


# ---------------------------------------------------------------- command line: assistant log unanswered


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("examples:\n  assistant log unanswered --top 20\n"
                     "  assistant log unanswered --db /var/lib/assistant/unanswered.sqlite --status no_data\n"
                     f"\nThe log is at $TRIAL_ASSISTANT_LOG, else {default_path()}.")
    sub = parser.add_subparsers(dest="log_command", metavar="WHICH", required=True)
    p = sub.add_parser("unanswered", help="the most frequent questions the assistant could not answer",
                       description="The most frequent normalised questions answered no_data, out_of_scope "
                                   "or clarify, with counts and last-seen time.")
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many questions to list (default 20)")
    p.add_argument("--db", metavar="PATH", help="log file (default $TRIAL_ASSISTANT_LOG or the XDG data dir)")
    p.add_argument("--status", choices=sorted(LOGGED), help="only this status")
    p.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format (default text)")


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    log = UnansweredLog(args.db) if args.db else UnansweredLog()
    try:
        entries = log.top(args.top, args.status)
        total = log.count()
    except sqlite3.Error as e:
        print(f"error: cannot read {log.path}: {e}", file=sys.stderr)
        return 1
    finally:
        log.close()
    if args.format == "jsonl":
        for e in entries:
            print(e.model_dump_json())
        return 0
    if not entries:
        print(f"No unanswered questions logged in {log.path}.")
        return 0
    from assistant.kb.normal import strip_control

    width = max(5, *(len(str(e.count)) for e in entries))
    print(f"{'count':>{width}}  last seen         status        question (normalised)")
    for e in entries:
        print(f"{e.count:>{width}}  {e.last_seen_text}  {e.statuses:<12}  {strip_control(e.normalised)}")
    print(f"\n{len(entries)} questions shown; {total} unanswered turns logged in {log.path}")
    return 0
