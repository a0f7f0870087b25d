"""The webhook's server-side conversation store: LRU with a TTL, bounded, thread-safe."""
from __future__ import annotations


import pytest

from assistant.kb.contract import Context, Frame
from assistant.interfaces.sessions import MemoryStore

from .conftest import run_in_threads


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ctx(turn: int) -> Context:
    return Context(turn=turn, frames=[Frame(slots={"measure": ["pfs"]}, facts=["pfs.rate.2y"], intent="lookup")])


def test_given_a_stored_context_when_the_sender_comes_back_then_it_is_returned() -> None:
    store = MemoryStore(max_sessions=10, ttl=60)
    store.put("alice", ctx(1))
    assert store.get("alice") == ctx(1)
    assert store.get("bob") is None
    assert "alice" in store and "bob" not in store and 42 not in store
    assert len(store) == 1


def test_given_a_full_store_when_a_new_sender_arrives_then_the_least_recently_used_is_forgotten() -> None:
    store = MemoryStore(max_sessions=3, ttl=60)
    for name in ("a", "b", "c"):
        store.put(name, ctx(1))
    store.put("a", ctx(2))  # a is now the most recently used
    store.put("d", ctx(1))
    assert store.get("b") is None
    assert store.get("a") == ctx(2)
    assert store.get("c") is not None and store.get("d") is not None
    assert len(store) == 3


def test_given_an_idle_conversation_when_the_ttl_passes_then_it_is_forgotten() -> None:
    clock = FakeClock()
    store = MemoryStore(max_sessions=10, ttl=30, clock=clock)
    store.put("alice", ctx(1))
    clock.now += 29
    assert store.get("alice") == ctx(1)
    clock.now += 2  # 31 s since the last put
    assert store.get("alice") is None
    assert len(store) == 0


def test_given_expired_conversations_when_anyone_writes_then_they_are_evicted() -> None:
    clock = FakeClock()
    store = MemoryStore(max_sessions=100, ttl=30, clock=clock)
    for n in range(50):
        store.put(f"old-{n}", ctx(1))
    clock.now += 31
    store.put("new", ctx(1))
    assert len(store) == 1


def test_given_many_senders_then_memory_stays_bounded() -> None:
    store = MemoryStore(max_sessions=500, ttl=60)
    for n in range(20_000):
        store.put(f"sender-{n}", ctx(n % 7))
    assert len(store) == 500
    assert store.get("sender-19999") == ctx(19999 % 7)
    assert store.get("sender-0") is None


def test_given_a_dropped_sender_then_the_conversation_starts_afresh() -> None:
    store = MemoryStore()
    store.put("alice", ctx(3))
    assert store.drop("alice") is True
    assert store.drop("alice") is False
    assert store.get("alice") is None


def test_given_many_threads_then_the_store_stays_consistent() -> None:
    store = MemoryStore(max_sessions=200, ttl=60)

    def work(t: int) -> None:
        for n in range(2000):
            name = f"s-{(t * 7919 + n) % 400}"
            store.put(name, ctx(n))
            got = store.get(name)
            assert got is None or isinstance(got, Context)

    run_in_threads(work, 8)
    assert len(store) <= 200


@pytest.mark.parametrize("kwargs", [{"max_sessions": 0}, {"ttl": 0}, {"ttl": -5}])
def test_given_nonsense_limits_then_the_store_refuses(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        MemoryStore(**kwargs)  # type: ignore[arg-type]
