"""Several facts at once, as a table: the headline results, or everything about what was named."""
from __future__ import annotations

from assistant.answer.plan import Plan
from assistant.answer.resolver import resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import WHOLE_TRIAL
from assistant.understand.matcher import Match


class Overview(Strategy):
    """'Give me an overview', 'all the side effects'."""

    kind = "overview"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        if not q:
            order = {t: i for i, t in enumerate(self.store.answers.overview.headline_topics)}
            facts = sorted((f for f in self.store.facts.values() if f.rank >= 1 and f.topic in order and f.group == [WHOLE_TRIAL]),
                           key=lambda f: (order[f.topic], -f.rank, f.id))
            return Plan(status="answered", kind="overview", facts=facts[:self.t.max_table], table=True, confidence=0.8)
        res = resolve(self.store, q, stats)
        if not res:
            return self.no_data(q, stats)
        facts = [f for s, f in res.scored if s >= res.best - self.t.margins["overview"]][:self.t.max_table]
        if "group" not in q:  # no group asked: a subgroup's fact only as a breakdown of what everyone's facts report
            whole = {x for f in facts if WHOLE_TRIAL in f.group for x in f.measure}
            facts = [f for f in facts if WHOLE_TRIAL in f.group or not whole or set(f.measure) & whole]
        if lacking := self.lacks(q, stats, facts, m.normalised):  # 'how long was each infusion?': not that it was IV
            return Plan(status="no_data", kind="not_reported", facts=facts[:2], missing=lacking, confidence=0.7)
        return Plan(status="answered", kind="overview", facts=facts, table=len(facts) > 1, confidence=0.85)
