"""The webhook's conversation stores (issue 15): the same tests against memory, SQLite and a real Redis server
(`redis-server` on a free loopback port, started and stopped here), then `serve --workers 2` sharing one store."""
from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from assistant.errors import SessionStoreError, StoreUnavailable
from assistant.interfaces.sessions import MemoryStore, SessionStore, choose, open_store, sqlite_path
from assistant.kb.contract import Context

from .conftest import post_json as post, run_in_threads

BACKENDS = ["memory", "sqlite", "redis"]
PFS, OS = "What was the 2-year PFS?", "What was the 2-year OS?"
LOST = "I lost the thread"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """`redis-server` on 127.0.0.1 and a free port, without persistence."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (.ci/run installs Debian's redis-server)")
        pytest.importorskip("redis")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        self.client = client

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., SessionStore]]:
    """A factory of stores of one backend that share their data (two calls: two 'processes')."""
    url = {"memory": "memory", "sqlite": f"sqlite://{tmp_path}/sessions.db"}.get(request.param, "")
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        server.client.flushdb()
        url = server.url
    made: list[SessionStore] = []
    shared: dict[str, SessionStore] = {}

    def factory(**kw: Any) -> SessionStore:
        if url == "memory" and shared:  # one process: the same store
            return shared["memory"]
        store = open_store(url, **kw)
        made.append(store)
        shared.setdefault(url, store)
        return store

    factory.backend = request.param  # type: ignore[attr-defined]
    yield factory
    for store in made:
        store.close()


def ctx(turn: int) -> Context:
    return Context(turn=turn)


# ---------------------------------------------------------------- the store's semantics, per backend


def test_a_stored_context_comes_back_to_its_sender_only(make: Callable[..., SessionStore]) -> None:
    store = make(max_sessions=10, ttl=60)
    with store.turn("alice") as t:
        assert (t.context, t.lost) == (None, False)
        t.save(ctx(1))
    store.put("bob", ctx(5))
    with store.turn("alice") as t:
        assert t.context == ctx(1) and not t.lost  # not saved: alice keeps turn 1
    assert store.get("alice") == ctx(1) and store.get("bob") == ctx(5) and store.get("carol") is None
    assert "alice" in store and "carol" not in store and len(store) == 2
    assert store.stats() == {"backend": make.backend, "available": True, "sessions": 2, "forgotten": 0}  # type: ignore[attr-defined]
    assert store.drop("alice") and not store.drop("alice")
    with store.turn("alice") as t:
        assert (t.context, t.lost) == (None, False)  # dropped on purpose: no notice


def test_an_expired_conversation_is_told_once(make: Callable[..., SessionStore]) -> None:
    store = make(max_sessions=10, ttl=0.4)
    store.put("alice", ctx(1))
    time.sleep(0.6)
    assert store.get("alice") is None
    with pytest.raises(KeyError), store.turn("alice") as t:  # a turn that fails keeps the notice for the next
        assert t.lost
        raise KeyError
    with store.turn("alice") as t:
        assert (t.context, t.lost) == (None, True)
        t.save(ctx(1))
    with store.turn("alice") as t:
        assert (t.context, t.lost) == (ctx(1), False)


def test_over_the_cap_the_least_recently_written_is_forgotten_and_told(make: Callable[..., SessionStore]) -> None:
    store = make(max_sessions=3, ttl=60)
    for name in ("a", "b", "c"):
        store.put(name, ctx(1))
    store.put("a", ctx(2))  # a is now the most recently written
    store.put("d", ctx(1))
    assert len(store) == 3 and store.get("b") is None
    assert store.get("a") == ctx(2) and store.get("c") == ctx(1) and store.get("d") == ctx(1)
    with store.turn("b") as t:
        assert (t.context, t.lost) == (None, True)
    for n in range(20):
        store.put(f"s{n}", ctx(n))
    counts = store.counts()
    assert counts["sessions"] == 3 and counts["forgotten"] <= 3  # bounded however many senders come


def test_32_simultaneous_turns_of_one_sender_lose_no_update(make: Callable[..., SessionStore]) -> None:
    stores = [make(max_sessions=100, ttl=60, wait=20), make(max_sessions=100, ttl=60, wait=20)]  # two 'workers'
    start = threading.Barrier(32)

    def one(n: int) -> None:
        start.wait()
        with stores[n % 2].turn("busy") as t:
            seen = t.context.turn if t.context else 0
            time.sleep(0.002)  # widen the window a lost update would need
            t.save(Context(turn=seen + 1))

    run_in_threads(one, 32, timeout=60)
    assert stores[0].get("busy") == Context(turn=32) == stores[1].get("busy")
    assert len(stores[0]) == 1


def test_32_simultaneous_turns_on_an_event_loop_lose_no_update(make: Callable[..., SessionStore]) -> None:
    """The HTTP service's path (`aturn`): tasks that wait in the middle of their turn, over two 'workers'."""
    import asyncio

    stores = [make(max_sessions=100, ttl=60, wait=20), make(max_sessions=100, ttl=60, wait=20)]

    async def one(n: int) -> None:
        async with stores[n % 2].aturn("busy") as t:
            seen = t.context.turn if t.context else 0
            await asyncio.sleep(0.002)  # other tasks run here: none of them may touch this sender
            t.save(Context(turn=seen + 1))

    async def main() -> list[Any]:
        return await asyncio.gather(*(one(n) for n in range(32)), return_exceptions=True)

    assert [r for r in asyncio.run(main()) if r is not None] == []
    assert stores[0].get("busy") == Context(turn=32) == stores[1].get("busy")
    stats = asyncio.run(stores[1].astats())
    assert stats["available"] and stats["sessions"] == 1


def test_a_stored_context_that_no_longer_parses_is_read_as_lost(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path}/s.db")
    store.put("alice", ctx(1))
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute("update sessions set context = '{\"version\": 99}'")
    with store.turn("alice") as t:
        assert (t.context, t.lost) == (None, True)
    store.close()


# ---------------------------------------------------------------- the webhook over each backend


def client_for(store: SessionStore, assistant: Any) -> Any:
    pytest.importorskip("starlette")
    from assistant.interfaces.http import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(create_app(assistant, sessions=store), headers={"Content-Type": "application/json"})


def say(client: Any, sender: str, message: str, status: int = 200) -> Any:
    r = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert r.status_code == status, r.text
    return r.json()[-1]["custom"] if status == 200 else r.json()


def test_the_webhook_keeps_conversations_in_each_store(make: Callable[..., SessionStore], assistant: Any) -> None:
    c = client_for(make(max_sessions=2, ttl=60), assistant)
    say(c, "alice", PFS)
    say(c, "bob", OS)
    assert "44.0%" in say(c, "alice", "and at 5 years?")["answer"]
    assert "46.0%" in say(c, "bob", "and at 5 years?")["answer"]
    info = c.get("/v1/info").json()
    assert info["sessions"] == 2
    assert info["session_store"] == {"backend": make.backend, "available": True, "sessions": 2, "forgotten": 0}  # type: ignore[attr-defined]
    say(c, "carol", "hello")  # over the cap: alice (least recently written) is forgotten
    assert say(c, "alice", "and at 5 years?")["answer"].startswith(LOST)
    assert not say(c, "alice", PFS)["answer"].startswith(LOST)  # told once


def test_a_stored_context_the_knowledge_no_longer_accepts_is_a_lost_thread(assistant: Any, tmp_path: Path) -> None:
    """After a deploy with other knowledge, a kept context may name a fact that is gone: told, not a 500."""
    from assistant.kb.contract import Frame

    store = open_store(f"sqlite://{tmp_path}/s.db")
    store.put("alice", Context(turn=1, frames=[Frame(facts=["made.up"], intent="lookup")]))
    reply = say(client_for(store, assistant), "alice", "and at 5 years?")
    assert reply["answer"].startswith(LOST)
    assert store.get("alice") is not None and store.get("alice").turn == 1  # type: ignore[union-attr]
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_store_that_is_down_refuses_webhook_turns_while_ask_works(backend: str, assistant: Any,
                                                                    tmp_path: Path) -> None:
    """Redis stopped, SQLite locked by another process, a sender's turn held elsewhere: a clear 503 for the
    webhook (never a follow-up answered as a new question), /v1/ask unaffected; the thread resumes afterwards."""
    redis_server = RedisServer() if backend == "redis" else None
    url = redis_server.url if redis_server else f"sqlite://{tmp_path}/s.db" if backend == "sqlite" else "memory"
    store = open_store(url, wait=0.3)
    c = client_for(store, assistant)
    say(c, "alice", PFS)
    blocker: Any = None
    if redis_server:
        redis_server.stop()
    elif backend == "sqlite":
        blocker = sqlite3.connect(sqlite_path(url), isolation_level=None)
        blocker.execute("begin exclusive")
    else:
        blocker = store.turn("alice")
        blocker.__enter__()
    try:
        body = say(c, "alice", "and at 5 years?", status=503)
        assert body["error"] == "sessions_unavailable" and "/v1/ask" in body["message"]
        assert c.post("/v1/ask", json={"question": PFS}).status_code == 200
        if redis_server:
            info = c.get("/v1/info").json()
            assert info["session_store"]["available"] is False and info["sessions"] is None
    finally:
        if redis_server:
            redis_server.stop()
        elif backend == "sqlite":
            blocker.execute("rollback")
            blocker.close()
        else:
            blocker.__exit__(None, None, None)
    if not redis_server:  # the conversation was kept: the follow-up is answered from it now
        assert "44.0%" in say(c, "alice", "and at 5 years?")["answer"]
    store.close()


# ---------------------------------------------------------------- choosing a store


def test_the_store_is_chosen_by_option_then_environment_then_worker_count(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    monkeypatch.delenv("TRIAL_ASSISTANT_SESSIONS", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert choose(None, 1) == "memory"
    assert sqlite_path(choose(None, 2)) == tmp_path / "trial-assistant" / "sessions.db"
    assert sqlite_path("sqlite:///abs/s.db") == Path("/abs/s.db")
    monkeypatch.setenv("TRIAL_ASSISTANT_SESSIONS", "redis://127.0.0.1:6379/2")
    assert choose(None, 2) == "redis://127.0.0.1:6379/2" and choose("memory", 2) == "memory"
    assert isinstance(open_store("memory"), MemoryStore)
    with pytest.raises(SessionStoreError, match="unknown session store"):
        open_store("mongodb://x")


def test_without_the_redis_package_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(SessionStoreError, match=r"pip install 'trial-assistant\[redis\]'"):
        open_store("redis://127.0.0.1:6379/0")
    assert not issubclass(SessionStoreError, StoreUnavailable) and issubclass(StoreUnavailable, SessionStoreError)


def test_serve_refuses_a_bad_store_url_in_one_line() -> None:
    pytest.importorskip("uvicorn")
    import os
    import sys

    done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--no-log", "--sessions", "bogus://x"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(Path(
                              __file__).resolve().parents[1])})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: --sessions: unknown session store 'bogus://x': use one of "
                                                "memory, sqlite:///PATH, redis://HOST:PORT/DB"]


# ---------------------------------------------------------------- several workers sharing one store



# the sender's first question, then what its two follow-ups must say
SCRIPT = {PFS: ("progression-free", "58.2%", "44.0%"), OS: ("overall survival", "63.6%", "46.0%")}
TURNS = (None, "and at 5 years?", "and at 2 years?")


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_workers_share_200_interleaved_conversations(backend: str, tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    from assistant.devtools.loadtest import local_server

    redis_server = RedisServer() if backend == "redis" else None
    url = redis_server.url if redis_server else f"sqlite://{tmp_path}/sessions.db"
    senders = [f"visitor-{n}" for n in range(200)]
    first = {s: (PFS, OS)[n % 2] for n, s in enumerate(senders)}
    wrong: list[str] = []
    try:
        with local_server(["--workers", "2", "--no-log", "--no-access-log", "--sessions", url]) as server:
            hook = server.url + "/webhooks/rest/webhook"

            def turn(sender: str, n: int) -> None:
                status, replies = post(hook, {"sender": sender, "message": TURNS[n] or first[sender]})
                custom = replies[-1]["custom"] if status == 200 else {}
                measure, *figures = SCRIPT[first[sender]]
                figure = figures[0] if n in (0, 2) else figures[1]
                ok = (status == 200 and custom["session"] == sender and custom["status"] == "answered"
                      and measure in custom["answer"] and figure in custom["answer"]
                      and not custom["answer"].startswith(LOST))
                if not ok:
                    wrong.append(f"{sender} turn {n + 1}: {status} {custom.get('answer', replies)!r}")

            with ThreadPoolExecutor(16) as pool:
                for n in range(3):  # every sender's turn n, in parallel and in a shuffled order
                    order = senders[n::3] + senders[(n + 1) % 3::3] + senders[(n + 2) % 3::3]
                    list(pool.map(lambda s: turn(s, n), order))  # noqa: B023
            codes = _burst(hook)
        assert server.returncode == 0, server.output()
        assert wrong == [], f"{len(wrong)} of 600 turns lost or crossed:\n" + "\n".join(wrong[:10])
        assert codes == [200] * 32
        store = open_store(url)
        assert store.get("one") == Context(turn=32, frames=store.get("one").frames)  # type: ignore[union-attr]
        assert store.counts()["sessions"] == 201
        store.close()
    finally:
        if redis_server:
            redis_server.stop()


def _burst(hook: str) -> list[int]:
    """32 simultaneous webhook turns of one sender (over both workers); their HTTP statuses."""
    start = threading.Barrier(32)
    codes: list[int] = []

    def one(_: int) -> None:
        start.wait()
        codes.append(post(hook, {"sender": "one", "message": "hello"})[0])

    run_in_threads(one, 32, timeout=60)
    return codes
