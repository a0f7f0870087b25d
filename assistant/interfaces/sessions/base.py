"""The conversation store's interface: `turn(sender)`, an atomic read-modify-write of one sender's context.

Every backend keeps the same promises:
- a conversation idle for `ttl` seconds is forgotten, and at most `max_sessions` are kept (the least recently
  written is forgotten first);
- a sender whose conversation was forgotten is told so once (`Turn.lost`), on their next turn;
- two turns of one sender never interleave: the second waits for the first (an in-process lock, then the backend's
  own per-sender lease across processes and machines), so no turn is lost; a wait past `wait` seconds raises
  StoreUnavailable, as does a backend that cannot be reached;
- only contexts are stored, under a digest of the sender id (BLAKE2b), never the id itself.

`turn()` is for threads; `aturn()` for an event loop (the HTTP service), where nothing may wait: the memory store
works on the loop, SQLite tries again after an asyncio pause while its file is busy, Redis goes through
redis.asyncio (a backend without such a path runs its calls in a few threads of its own). Running every store call
in threads was measured at a third of the throughput: each I/O call gives up the GIL and waits to get it back.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Iterator

from pydantic import ValidationError

from assistant.errors import StoreUnavailable
from assistant.kb.contract import Context

MAX_SESSIONS = 10_000
TTL_SECONDS = 30 * 60.0
WAIT_SECONDS = 5.0  # how long a turn waits for the store (a busy sender, a locked database) before giving up
LEASE_SECONDS = 30.0  # a turn holds its sender's lease at most this long (a crashed worker's lease runs out)
STORE_THREADS = 4  # threads per store for the calls that must wait off the event loop
log = logging.getLogger("assistant.interfaces.sessions")


def digest(sender: str) -> bytes:
    """The key a sender is stored under (16 bytes; the id itself is never stored)."""
    return hashlib.blake2b(sender.encode("utf-8", "surrogatepass"), digest_size=16,
                           person=b"trial-sessions").digest()


@dataclass
class Turn:
    """One sender's turn: the stored context (None when new or forgotten), whether a conversation of theirs was
    forgotten since their last turn, and the context to save (`save()`); nothing is written unless saved."""

    context: Context | None
    lost: bool
    saved: Context | None = field(default=None, repr=False)

    def save(self, context: Context) -> None:
        self.saved = context


def backoff(wait: float, busy: str, first: float = 0.001, most: float = 0.05) -> Iterator[float]:
    """The pauses between tries (doubling from `first` to `most` seconds) for up to `wait` seconds; then
    StoreUnavailable(busy) instead of another pause."""
    deadline = time.monotonic() + wait
    pause = first
    while time.monotonic() + pause <= deadline:
        yield pause
        pause = min(pause * 2, most)
    raise StoreUnavailable(busy)


def _other_worker(wait: float) -> str:
    return f"this sender's previous turn (in another worker) still holds the conversation after {wait:g} s"


def poll(attempt: Callable[[], Any], wait: float) -> Any:
    """attempt()'s first result that is not None, tried again after each `backoff` pause for up to `wait` seconds;
    StoreUnavailable after that (another worker's turn of this sender still holds its lease)."""
    pauses = backoff(wait, _other_worker(wait))
    while (got := attempt()) is None:
        time.sleep(next(pauses))
    return got


async def apoll(attempt: Callable[[], Any], wait: float) -> Any:
    """`poll()` for an event loop: `await attempt()` until it is not None, pausing without blocking the loop."""
    pauses = backoff(wait, _other_worker(wait))
    while (got := await attempt()) is None:
        await asyncio.sleep(next(pauses))
    return got


class _SenderLocks:
    """One lock per sender in this process, held by the turns that wait for it and dropped with the last. Turns on
    an event loop first queue on an asyncio lock of the sender's (no thread waits for them), then take the same
    thread lock as turns in threads."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[bytes, list[Any]] = {}  # key -> [thread lock, users, asyncio lock]

    def _enter(self, key: bytes) -> list[Any]:
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0, None])
            entry[1] += 1
            return entry

    def _leave(self, key: bytes) -> None:
        with self._guard:
            entry = self._locks[key]
            entry[1] -= 1
            if not entry[1]:
                del self._locks[key]

    @contextlib.contextmanager
    def hold(self, key: bytes, wait: float) -> Iterator[None]:
        lock = self._enter(key)[0]
        try:
            if not lock.acquire(timeout=wait):
                raise StoreUnavailable(_busy_sender(wait))
            try:
                yield
            finally:
                lock.release()
        finally:
            self._leave(key)

    @contextlib.asynccontextmanager
    async def ahold(self, key: bytes, wait: float) -> AsyncIterator[None]:
        entry = self._enter(key)
        try:
            with self._guard:
                queue = entry[2] = entry[2] or asyncio.Lock()
            deadline = time.monotonic() + wait
            try:
                async with asyncio.timeout(wait):
                    await queue.acquire()
            except TimeoutError:
                raise StoreUnavailable(_busy_sender(wait)) from None
            try:
                pauses = backoff(deadline - time.monotonic(), _busy_sender(wait))
                while not entry[0].acquire(blocking=False):  # held by a thread of this process: rare
                    await asyncio.sleep(next(pauses))
                try:
                    yield
                finally:
                    entry[0].release()
            finally:
                queue.release()
        finally:
            self._leave(key)


def _busy_sender(wait: float) -> str:
    return f"this sender's previous turn still holds the conversation after {wait:g} s"


class SessionStore(ABC):
    """sender -> Context, bounded in count and idle time, with atomic per-sender turns."""

    backend = "?"
    blocking = True  # its calls wait on I/O: the HTTP handler runs its turns in a thread

    def __init__(self, max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS, wait: float = WAIT_SECONDS,
                 lease: float = LEASE_SECONDS) -> None:
        if max_sessions < 1 or ttl <= 0 or wait <= 0 or lease <= 0:
            raise ValueError("max_sessions must be >= 1, and ttl, wait and lease > 0")
        self.max_sessions, self.ttl, self.wait, self.lease = max_sessions, ttl, wait, lease
        self._senders = _SenderLocks()
        self._executor: ThreadPoolExecutor | None = None

    # ------------------------------------------------------------ what the backends implement
    # A stored value is what `_encode` made of a Context; `_begin` takes the sender's lease (waiting for it up to
    # `self.wait`) and returns (lease token, stored value or None, lost); `_commit` writes the value, clears the
    # forgotten mark, evicts, and releases the lease in one atomic step (StoreUnavailable if the lease was lost).

    @abstractmethod
    def _begin(self, key: bytes) -> tuple[Any, Any, bool]: ...

    @abstractmethod
    def _commit(self, key: bytes, token: Any, value: Any) -> None: ...

    @abstractmethod
    def _release(self, key: bytes, token: Any) -> None: ...

    @abstractmethod
    def _peek(self, key: bytes) -> Any: ...

    @abstractmethod
    def _drop(self, key: bytes) -> bool: ...

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """{"sessions": live conversations, "forgotten": senders still to be told theirs was forgotten}."""

    def close(self) -> None:
        """Release connections and threads (the store is not used afterwards)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    async def _off_loop(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in one of the store's own threads, awaited from the event loop."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix=f"sessions-{self.backend}")
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))

    # The event loop's versions of _begin, _commit and _release: by default, on the loop for a store that never
    # waits on I/O, else in a thread. Backends override them with a fast path.
    async def _abegin(self, key: bytes) -> tuple[Any, Any, bool]:
        return self._begin(key) if not self.blocking else await self._off_loop(self._begin, key)

    async def _acommit(self, key: bytes, token: Any, value: Any) -> None:
        return self._commit(key, token, value) if not self.blocking else await self._off_loop(
            self._commit, key, token, value)

    async def _arelease(self, key: bytes, token: Any) -> None:
        return self._release(key, token) if not self.blocking else await self._off_loop(self._release, key, token)

    def _encode(self, context: Context) -> Any:
        return context.model_dump_json()

    def _decode(self, value: Any) -> Context | None:
        """The stored context, or None for one that no longer parses (written by another version): read as lost."""
        if value is None or isinstance(value, Context):
            return value
        try:
            return Context.model_validate_json(value)
        except (ValidationError, ValueError):
            log.warning("a stored conversation could not be read; it is treated as forgotten")
            return None

    # ------------------------------------------------------------ the interface

    @contextlib.contextmanager
    def turn(self, sender: str) -> Iterator[Turn]:
        """Hold the sender's conversation for one read-modify-write: `with store.turn(s) as t: ... t.save(ctx)`.
        Raises StoreUnavailable when the store is down or busy past `wait` seconds (nothing is then written)."""
        key = digest(sender)
        with self._senders.hold(key, self.wait):
            token, value, lost = self._begin(key)
            context = self._decode(value)
            turn = Turn(context, lost or (value is not None and context is None))
            try:
                yield turn
            except BaseException:
                self._release_quietly(key, token)
                raise
            if turn.saved is None:
                self._release_quietly(key, token)
            else:
                self._commit(key, token, self._encode(turn.saved))

    @contextlib.asynccontextmanager
    async def aturn(self, sender: str) -> AsyncIterator[Turn]:
        """`turn()` for an event loop: `async with store.aturn(s) as t: ... t.save(ctx)`. The body runs on the
        loop; waiting (for the sender's previous turn, a locked file, the network) never blocks the loop."""
        key = digest(sender)
        async with self._senders.ahold(key, self.wait):
            token, value, lost = await self._abegin(key)
            context = self._decode(value)
            turn = Turn(context, lost or (value is not None and context is None))
            try:
                yield turn
            except BaseException:
                await self._arelease_quietly(key, token)
                raise
            if turn.saved is None:
                await self._arelease_quietly(key, token)
            else:
                await self._acommit(key, token, self._encode(turn.saved))

    async def _arelease_quietly(self, key: bytes, token: Any) -> None:
        try:
            await self._arelease(key, token)
        except StoreUnavailable:
            log.warning("could not release a conversation lease; it expires in %g s", self.lease)

    async def astats(self) -> dict[str, Any]:
        """`stats()` without blocking the event loop."""
        return self.stats() if not self.blocking else await self._off_loop(self.stats)  # type: ignore[no-any-return]

    def _release_quietly(self, key: bytes, token: Any) -> None:
        try:
            self._release(key, token)
        except StoreUnavailable:  # the lease runs out by itself
            log.warning("could not release a conversation lease; it expires in %g s", self.lease)

    def get(self, sender: str) -> Context | None:
        """The sender's context, or None when unknown or expired (reading does not take the sender's lease)."""
        return self._decode(self._peek(digest(sender)))

    def put(self, sender: str, context: Context) -> None:
        """Store the sender's context (a turn of its own)."""
        with self.turn(sender) as t:
            t.save(context)

    def drop(self, sender: str) -> bool:
        """Forget the sender's conversation (no 'lost' notice follows); True if there was one."""
        return self._drop(digest(sender))

    def stats(self) -> dict[str, Any]:
        """For /v1/info: the backend, whether it answers, and its counts (None when it does not)."""
        try:
            counts: dict[str, Any] = self.counts()
            available = True
        except StoreUnavailable:
            counts, available = {"sessions": None, "forgotten": None}, False
        return {"backend": self.backend, "available": available, **counts}

    def __len__(self) -> int:
        return self.counts()["sessions"]

    def __contains__(self, sender: object) -> bool:
        return isinstance(sender, str) and self.get(sender) is not None
