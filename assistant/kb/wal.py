"""SQLite files that several processes write (the unanswered-question log, the webhook's conversation store)."""
from __future__ import annotations

import sqlite3
import time


def setup_wal(conn: sqlite3.Connection, schema: str, wait: float) -> None:
    """WAL mode, a busy timeout of `wait` seconds, and the schema. Switching to WAL takes a lock the busy timeout
    does not always wait for (several processes opening a new file at once): retried while the file is locked,
    for at most `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute(f"pragma busy_timeout = {int(wait * 1000)}")
            conn.execute("pragma journal_mode = wal")
            conn.execute("pragma synchronous = normal")
            conn.executescript(schema)
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
