"""The Redis store (`redis://host:port/db`): one store for several machines behind a load balancer.

Keys (prefix `trial-assistant:sessions:`): `c:<digest>` a context, expiring by itself after `ttl` (PX);
`l:<digest>` a sender's lease (SET NX PX, so a crashed worker's lease runs out); `index`, a sorted set of
digests by last write (trimmed to `max_sessions` on every write); `forgotten`, the senders to tell their
conversation was dropped (capped likewise). Taking the lease and reading, and checking the lease and writing and
evicting, are each one Lua script: atomic on the server, timed by the server's clock. Needs the `redis` package
(the `redis` extra), imported only when a redis:// URL is used. One Redis server (or a primary with replicas), not
Redis Cluster: the scripts touch keys they compute. From an event loop (`aturn`) the calls go through
`redis.asyncio` (one client per loop), so a turn waiting on Redis never blocks the loop.
"""
from __future__ import annotations

import asyncio
import secrets
from typing import Any

from assistant.errors import SessionStoreError, StoreUnavailable
from assistant.interfaces.sessions.base import MAX_SESSIONS, TTL_SECONDS, SessionStore, apoll, poll

PREFIX = "trial-assistant:sessions:"
KEEP_INDEX = 24 * 3600.0  # seconds: the index and the forgotten marks vanish this long after the last write

BEGIN = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local ctx = redis.call('GET', KEYS[2])
if ctx then return {1, ctx, 0} end
if redis.call('ZSCORE', KEYS[4], ARGV[3]) or redis.call('ZSCORE', KEYS[3], ARGV[3]) then return {1, false, 1} end
return {1, false, 0}
"""

COMMIT = """
if redis.replicate_commands then redis.replicate_commands() end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local ttl, max, prefix = tonumber(ARGV[3]), tonumber(ARGV[5]), ARGV[6]
local stamp = string.format('%.6f', now)
redis.call('SET', KEYS[2], ARGV[2], 'PX', math.max(1, math.floor(ttl * 1000)))
redis.call('ZADD', KEYS[3], stamp, ARGV[4])
redis.call('ZREM', KEYS[4], ARGV[4])
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%.6f', now - ttl), 'LIMIT', 0, 500)
local n = redis.call('ZCARD', KEYS[3]) - #gone
if n > max then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[3], #gone, #gone + n - max - 1)) do
    redis.call('DEL', prefix .. m)
    table.insert(gone, m)
  end
end
for _, m in ipairs(gone) do
  redis.call('ZREM', KEYS[3], m)
  redis.call('ZADD', KEYS[4], stamp, m)
end
local f = redis.call('ZCARD', KEYS[4])
if f > max then redis.call('ZREMRANGEBYRANK', KEYS[4], 0, f - max - 1) end
local keep = math.floor((ttl + tonumber(ARGV[7])) * 1000)
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
redis.call('DEL', KEYS[1])
return 1
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

COUNTS = """
local t = redis.call('TIME')
local cut = string.format('%.6f', tonumber(t[1]) + tonumber(t[2]) / 1e6 - tonumber(ARGV[1]))
local live = redis.call('ZCOUNT', KEYS[1], cut, '+inf')
return {live, redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[1]) - live}
"""


class RedisStore(SessionStore):
    """sender digest -> context JSON in Redis, shared by every worker on every machine that uses the URL."""

    backend = "redis"

    def __init__(self, url: str, max_sessions: int = MAX_SESSIONS, ttl: float = TTL_SECONDS, *,
                 prefix: str = PREFIX, **kw: Any) -> None:
        super().__init__(max_sessions, ttl, **kw)
        try:
            import redis
        except ImportError:
            raise SessionStoreError("a redis:// session store needs the redis package: "
                                    "pip install 'trial-assistant[redis]'") from None
        self._errors = (redis.RedisError, OSError)
        self.url = url
        self._options = dict(socket_timeout=self.wait, socket_connect_timeout=self.wait, health_check_interval=30)
        try:
            self._client = redis.Redis.from_url(url, **self._options)
        except ValueError as e:
            raise SessionStoreError(f"not a usable Redis URL: {e}") from None
        self.prefix = prefix
        self._index, self._forgotten = prefix + "index", prefix + "forgotten"
        self._scripts = _register(self._client)
        self._async: tuple[Any, Any, dict[str, Any]] | None = None  # (loop, redis.asyncio client, its scripts)

    def _call(self, name: str, keys: list[str], args: list[Any]) -> Any:
        try:
            return self._scripts[name](keys=keys, args=args)
        except self._errors as e:
            raise StoreUnavailable(f"the Redis conversation store is unavailable: {e}") from e

    async def _acall(self, name: str, keys: list[str], args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:  # a client belongs to the loop that made it
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(self.url, **self._options)
            self._async = (loop, client, _register(client))
        try:
            return await self._async[2][name](keys=keys, args=args)
        except self._errors as e:
            raise StoreUnavailable(f"the Redis conversation store is unavailable: {e}") from e

    def _keys(self, key: bytes) -> list[str]:
        member = key.hex()
        return [f"{self.prefix}l:{member}", f"{self.prefix}c:{member}", self._index, self._forgotten]

    def open(self) -> None:
        """Check the server answers (StoreUnavailable otherwise)."""
        try:
            self._client.ping()
        except self._errors as e:
            raise StoreUnavailable(f"the Redis conversation store is unavailable: {e}") from e

    def close(self) -> None:
        super().close()
        self._client.close()
        self._async = None

    def _begin(self, key: bytes) -> tuple[Any, Any, bool]:
        token = secrets.token_hex(12)
        keys, lease_ms = self._keys(key), max(1, int(self.lease * 1000))

        def attempt() -> tuple[Any, bool] | None:
            got = self._call("begin", keys, [token, lease_ms, key.hex()])
            return None if not got[0] else (got[1], bool(got[2]))

        value, lost = poll(attempt, self.wait)
        return token, value, lost

    def _commit(self, key: bytes, token: Any, value: Any) -> None:
        if not self._call("commit", self._keys(key), self._commit_args(key, token, value)):
            raise StoreUnavailable(f"the turn took longer than its {self.lease:g} s lease; it was not saved")

    def _commit_args(self, key: bytes, token: Any, value: Any) -> list[Any]:
        return [token, value, repr(self.ttl), key.hex(), self.max_sessions, self.prefix + "c:", repr(KEEP_INDEX)]

    def _release(self, key: bytes, token: Any) -> None:
        self._call("release", self._keys(key)[:1], [token])

    async def _abegin(self, key: bytes) -> tuple[Any, Any, bool]:
        token = secrets.token_hex(12)
        keys, lease_ms = self._keys(key), max(1, int(self.lease * 1000))

        async def attempt() -> tuple[Any, bool] | None:
            got = await self._acall("begin", keys, [token, lease_ms, key.hex()])
            return None if not got[0] else (got[1], bool(got[2]))

        value, lost = await apoll(attempt, self.wait)
        return token, value, lost

    async def _acommit(self, key: bytes, token: Any, value: Any) -> None:
        if not await self._acall("commit", self._keys(key), self._commit_args(key, token, value)):
            raise StoreUnavailable(f"the turn took longer than its {self.lease:g} s lease; it was not saved")

    async def _arelease(self, key: bytes, token: Any) -> None:
        await self._acall("release", self._keys(key)[:1], [token])

    async def astats(self) -> dict[str, Any]:
        try:
            live, forgotten = await self._acall("counts", [self._index, self._forgotten], [repr(self.ttl)])
        except StoreUnavailable:
            return {"backend": self.backend, "available": False, "sessions": None, "forgotten": None}
        return {"backend": self.backend, "available": True, "sessions": int(live), "forgotten": int(forgotten)}

    def _peek(self, key: bytes) -> Any:
        try:
            return self._client.get(self._keys(key)[1])
        except self._errors as e:
            raise StoreUnavailable(f"the Redis conversation store is unavailable: {e}") from e

    def _drop(self, key: bytes) -> bool:
        keys = self._keys(key)
        try:
            with self._client.pipeline() as pipe:
                pipe.delete(keys[1])
                pipe.zrem(self._index, key.hex())
                deleted, _ = pipe.execute()
        except self._errors as e:
            raise StoreUnavailable(f"the Redis conversation store is unavailable: {e}") from e
        return bool(deleted)

    def counts(self) -> dict[str, int]:
        live, forgotten = self._call("counts", [self._index, self._forgotten], [repr(self.ttl)])
        return {"sessions": int(live), "forgotten": int(forgotten)}


def _register(client: Any) -> dict[str, Any]:
    """The store's Lua scripts on a client (sync or asyncio): run by hash, loaded when the server lacks them."""
    return {name: client.register_script(text) for name, text in
            (("begin", BEGIN), ("commit", COMMIT), ("release", RELEASE), ("counts", COUNTS))}
