"""The in-process store (`memory`): an LRU with a time-to-live, for one worker. Contexts are kept as objects (no
encoding); a sender's turns are serialised by the base class's per-sender lock, which is all one process needs."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable

from assistant.interfaces.sessions.base import MAX_SESSIONS, TTL_SECONDS, SessionStore
from assistant.kb.contract import Context


class MemoryStore(SessionStore):
    """At most `max_sessions` senders (the least recently written is forgotten first), each forgotten after `ttl`
    idle seconds. Lost with the process; not shared between workers."""

    backend = "memory"
    blocking = False

    def __init__(self, max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS, *,
                 clock: Callable[[], float] = time.monotonic, **kw: Any) -> None:
        super().__init__(max_sessions, ttl, **kw)
        self._clock = clock
        self._data: OrderedDict[bytes, tuple[float, Context]] = OrderedDict()
        self._forgotten: OrderedDict[bytes, None] = OrderedDict()  # senders to tell their context was dropped
        self._lock = threading.Lock()

    def _encode(self, context: Context) -> Any:
        return context

    def _forget(self, key: bytes) -> None:
        self._forgotten[key] = None
        self._forgotten.move_to_end(key)
        while len(self._forgotten) > self.max_sessions:
            self._forgotten.popitem(last=False)

    def _live(self, key: bytes, now: float) -> Context | None:
        """The key's context; an expired one is dropped (and marked forgotten). Call with the lock held."""
        item = self._data.get(key)
        if item is None:
            return None
        if now - item[0] > self.ttl:
            del self._data[key]
            self._forget(key)
            return None
        return item[1]

    def _begin(self, key: bytes) -> tuple[Any, Any, bool]:
        with self._lock:
            context = self._live(key, self._clock())
            return None, context, context is None and key in self._forgotten

    def _commit(self, key: bytes, token: Any, value: Any) -> None:
        now = self._clock()
        with self._lock:
            self._data[key] = (now, value)
            self._data.move_to_end(key)
            self._forgotten.pop(key, None)
            self._evict(now)

    def _release(self, key: bytes, token: Any) -> None:
        return None

    def _peek(self, key: bytes) -> Any:
        with self._lock:
            return self._live(key, self._clock())

    def _drop(self, key: bytes) -> bool:
        with self._lock:
            return self._data.pop(key, None) is not None

    def _evict(self, now: float) -> None:
        """Oldest first: entries are in last-written order, so expired ones are all at the front."""
        data = self._data
        while data:
            key, (stamp, _) = next(iter(data.items()))
            if len(data) > self.max_sessions or now - stamp > self.ttl:
                del data[key]
                self._forget(key)
            else:
                break

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {"sessions": len(self._data), "forgotten": len(self._forgotten)}
