"""Server-side conversation store for channels that cannot carry the context themselves (the Rasa webhook).

An LRU with a time-to-live: at most `max_sessions` senders are remembered (the least recently used is
forgotten first) and a conversation idle for `ttl` seconds is forgotten. Memory stays bounded however
many senders there are. Thread-safe.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Callable

from assistant.kb.contract import Context

MAX_SESSIONS = 10_000
TTL_SECONDS = 30 * 60.0


class SessionStore:
    """sender -> Context, bounded in count and idle time."""

    def __init__(self, max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1 or ttl <= 0:
            raise ValueError("max_sessions must be >= 1 and ttl > 0")
        self.max_sessions, self.ttl, self._clock = max_sessions, ttl, clock
        self._data: OrderedDict[str, tuple[float, Context]] = OrderedDict()
        self._forgotten: OrderedDict[bytes, None] = OrderedDict()  # digests of senders whose context was dropped
        self._lock = threading.Lock()

    @staticmethod
    def _digest(sender: str) -> bytes:
        return hashlib.blake2b(sender.encode("utf-8", "surrogatepass"), digest_size=12).digest()

    def _forget(self, sender: str) -> None:
        self._forgotten[self._digest(sender)] = None
        while len(self._forgotten) > self.max_sessions:
            self._forgotten.popitem(last=False)

    def resume(self, sender: str) -> tuple[Context | None, bool]:
        """(the sender's context or None, whether a conversation of theirs was forgotten since their last turn:
        expired or evicted). The 'forgotten' mark is cleared: it is reported once."""
        ctx = self.get(sender)
        if ctx is not None:
            return ctx, False
        key = self._digest(sender)
        with self._lock:
            lost = key in self._forgotten
            self._forgotten.pop(key, None)
        return None, lost

    def get(self, sender: str) -> Context | None:
        """The sender's context, or None when unknown or expired (an expired one is dropped)."""
        now = self._clock()
        with self._lock:
            item = self._data.get(sender)
            if item is None:
                return None
            if now - item[0] > self.ttl:
                del self._data[sender]
                self._forget(sender)
                return None
            return item[1]

    def put(self, sender: str, context: Context) -> None:
        """Remember the sender's context (most recently used); evict expired and over-limit senders."""
        now = self._clock()
        with self._lock:
            self._data[sender] = (now, context)
            self._data.move_to_end(sender)
            self._evict(now)

    def drop(self, sender: str) -> bool:
        with self._lock:
            return self._data.pop(sender, None) is not None

    def _evict(self, now: float) -> None:
        """Oldest first: entries are in last-used order, so expired ones are all at the front."""
        data = self._data
        while data:
            sender, (stamp, _) = next(iter(data.items()))
            if len(data) > self.max_sessions or now - stamp > self.ttl:
                del data[sender]
                self._forget(sender)
            else:
                break

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, sender: object) -> bool:
        return isinstance(sender, str) and self.get(sender) is not None
