"""Whether a difference was significant: the P value of the comparison asked, or of the one just shown."""
from __future__ import annotations

from assistant.answer import context as ctxmod
from assistant.answer.plan import Plan
from assistant.answer.resolver import expand, resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import FACT_SLOTS, WHOLE_TRIAL, Fact
from assistant.understand.matcher import Match


class Significance(Strategy):
    """'Was that significant?', 'P value for the age groups'."""

    kind = "significance"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        pool: list[Fact] = []
        own_slots = any(x.slot in FACT_SLOTS for x in m.mentions)
        if ctx.frames and not own_slots:  # 'was the difference significant?' after a comparison: that one's P
            both = self.union.search(m.normalised) is not None  # 'was either one significant?': both topics
            frames = ctx.frames + ctx.earlier if both else ctx.frames
            talked = {g for f in frames for g in f.slots.get("group", []) if g != WHOLE_TRIAL}
            measures = [x for f in frames for x in f.slots.get("measure", [])]
            across = [f for f in self.store.facts.values() if f.value("p") and len(talked) > 1
                      and talked <= set(f.group) and set(expand(self.store, measures)) & set(f.measure)]
            if across:  # 'p value?' after the 60-64 and the 70+ medians: the comparison holding both groups
                return Plan(status="answered", kind="significance", facts=across[:2 if both else 1], confidence=0.85)
            own = [f for f in (self.store.facts.get(i) for i in ctxmod.last_facts(ctx, earlier=both))
                   if f and f.value("p")]
            if own:
                return Plan(status="answered", kind="significance", facts=own[:self.t.max_facts], confidence=0.85)
        if q:
            res = resolve(self.store, q, stats)
            pool = [f for s, f in res.scored if s >= res.best - self.t.margins["significance"]]
        elif ctx.frames:
            last = [self.store.facts[i] for i in ctxmod.last_facts(ctx) if i in self.store.facts]
            own = [f for f in last if f.value("p")]
            if own:  # 'was the difference significant?' after a comparison: that comparison's P
                return Plan(status="answered", kind="significance", facts=own[:self.t.max_facts], confidence=0.85)
            pool = list(last)
            for f in last:
                res = resolve(self.store, {"measure": f.measure, "group": f.group}, [])
                pool += [g for _, g in res.scored]
                if len(f.group) == 1 and f.group != [WHOLE_TRIAL]:
                    pool += [g for g in self.store.facts.values() if set(f.group) & set(g.group)
                             and set(f.measure) & set(g.measure) and g.value("p")]
        with_p = []
        for f in pool:
            if f.value("p") and f not in with_p:
                with_p.append(f)
        asked = set(q.get("group", [])) - {WHOLE_TRIAL}
        if len(asked) > 1 and any(asked <= set(f.group) for f in with_p):  # 'under 70 vs 70 and older': the
            with_p = [f for f in with_p if asked <= set(f.group)]  # comparison of those two, not a wider one
        if not with_p:
            if not q and not ctx.frames:
                return self.clarify_generic("significance")
            return Plan(status="no_data", missing="a P value for that", facts=pool[:2], confidence=0.7)
        return Plan(status="answered", kind="significance", facts=with_p[:self.t.max_facts], confidence=0.85)
