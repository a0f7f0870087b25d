"""The strategy interface: one class per intent kind turns the filled slots into a Plan."""
from __future__ import annotations

from typing import Any

from assistant.answer.common import Common
from assistant.answer.plan import Plan
from assistant.kb.contract import Context
from assistant.kb.store import Store
from assistant.understand.matcher import Match


class Strategy(Common):
    """Plans one intent kind. `kinds` is the shared registry, so a strategy can hand a question to another
    ('what is the 2-year PFS' asked as a definition is a lookup)."""

    kind = ""

    def __init__(self, store: Store, kinds: dict[str, "Strategy"], base: Common | None = None) -> None:
        super().__init__(store, base)
        self.kinds = kinds

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        """The plan for a question with slots `q` (question, defaults and context) and statistics `stats`."""
        raise NotImplementedError

    def via(self, kind: str, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str], **kw: Any) -> Plan:
        """Plan the question with the strategy of another kind."""
        return self.kinds[kind].plan(m, ctx, q, stats, **kw)
