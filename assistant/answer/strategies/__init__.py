"""One strategy per intent kind (knowledge/intents.toml `kind`): lookup, overview, superlative, compare,
significance, define, unreported. Each turns filled slots into a Plan; none writes text."""
from __future__ import annotations

from assistant.answer.common import Common
from assistant.answer.strategies.base import Strategy
from assistant.answer.strategies.compare import Compare
from assistant.answer.strategies.define import Define
from assistant.answer.strategies.lookup import Lookup
from assistant.answer.strategies.overview import Overview
from assistant.answer.strategies.significance import Significance
from assistant.answer.strategies.superlative import Superlative
from assistant.answer.strategies.unreported import Unreported
from assistant.kb.store import Store

KINDS: tuple[type[Strategy], ...] = (Lookup, Overview, Superlative, Compare, Significance, Define, Unreported)


def strategies(store: Store, base: Common | None = None) -> dict[str, Strategy]:
    """The registry: intent kind -> its strategy, sharing one dict so strategies can hand over to each other
    (and `base`'s settings, read once)."""
    kinds: dict[str, Strategy] = {}
    for cls in KINDS:
        kinds[cls.kind] = cls(store, kinds, base)
    return kinds


__all__ = ["Strategy", "strategies", "KINDS"]
