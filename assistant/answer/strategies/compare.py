"""Two or more groups side by side ('did TP53 affect outcomes?'), comparisons with a P value first."""
from __future__ import annotations

from assistant.answer.plan import Plan
from assistant.answer.resolver import expand, resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context, SlotValue
from assistant.kb.models import WHOLE_TRIAL, Fact
from assistant.understand.matcher import Match


class Compare(Strategy):
    """Both arms of a comparison, never one."""

    kind = "compare"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        """The comparison; the slots it fills itself (the conversation's groups, a group's opposite) are listed
        with the plan's slots, so `explain` shows where each came from."""
        filled: list[SlotValue] = []
        plan = self._compared(m, ctx, q, stats, filled)
        plan.slots = [*plan.slots, *filled]
        return plan

    def _compared(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str],
                  filled: list[SlotValue]) -> Plan:
        if not q and ctx.frames:
            q = dict(ctx.frames[0].slots)
            filled += [SlotValue(slot=s, value=",".join(v), source="context") for s, v in q.items() if v]
        if not q.get("group") and not q.get("measure"):  # 'how did the two groups compare?': which groups?
            return self.clarify_generic("significance")
        groups = q.get("group", [])
        if not groups and q.get("measure") and self.threshold is not None and self.threshold.search(m.normalised):
            return self.via("lookup", m, ctx, q, stats)  # 'did more than 90% reach MRD negativity?': the figure itself
        if not groups and ctx.frames and ctx.frames[0].slots.get("group"):  # 'median PFS before vs after?'
            held = dict(q, group=list(ctx.frames[0].slots["group"]))  # after the amendment cohorts: theirs,
            if self._split(held):  # when the article splits the measure by them
                q, groups = held, held["group"]
                filled.append(SlotValue(slot="group", value=",".join(groups), source="context"))
        asked = self._which_groups(q) if not groups else None
        if asked is not None:  # 'how did PFS compare between the groups?': which groups?
            return asked
        if len(groups) == 1 and self.store.entities[groups[0]].opposite and not self._between_measures(m):
            other = self.store.entities[groups[0]].opposite  # 'did TP53 affect outcomes': both arms
            q = dict(q, group=[*groups, other])
            filled.append(SlotValue(slot="group", value=other, source="default"))
        res = resolve(self.store, q, stats)
        if not res:
            return self.no_data(q, stats)
        facts = [f for s, f in res.scored if s >= res.best - self.t.margins["compare"]]
        implied = [x for mm in m.mentions for x in self.store.entities[mm.entity].implies]  # 'survive longer'-> OS
        survival = set(expand(self.store, [*q.get("measure", []), *implied])) & set(self.roles.survival)
        if survival and not any(set(f.measure) & survival for f in facts):  # 'did MRD-negative patients live
            return self.no_data(q, stats)  # longer?': survival by MRD status is not reported
        measures = q.get("measure", [])
        others = [x for x in measures if self.store.entities[x].anchor != "none"  # a trial measure, not a facet
                  and not set(expand(self.store, [x])) & set(self.roles.survival)]
        if survival and others and not any(self.coverage(measures, f) > 1 for f in facts):
            return self.no_data(q, stats)  # 'did MRD negativity predict better survival?': no fact joins them
        comparisons = [f for f in facts if f.value("p") or f.stat in ("comparison", "p_value")]
        facts = (comparisons + [f for f in facts if f not in comparisons])[:self.t.max_table]
        return Plan(status="answered", facts=facts, table=len(facts) > self.t.max_facts, confidence=0.8)

    def _between_measures(self, m: Match) -> bool:
        """The comparison word stands between two measures, not groups ('per-day vs per-cycle' in the amended
        cycle 1): the one group named is then the only one asked about."""
        for cue in (x for x in m.mentions if x.entity == self.roles.compare and x.start >= 0):
            before = [x.slot for x in m.mentions if x.start >= 0 and x.end == cue.start]
            after = [x.slot for x in m.mentions if x.start >= 0 and x.start == cue.end]
            if before and after and all(s == "measure" for s in before + after):
                return True
        return False

    def _which_groups(self, q: dict[str, list[str]]) -> Plan | None:
        """One measure compared and nothing else named: ask back with the groups the article compares it in;
        None when it splits it by none (the whole trial's figures answer)."""
        if set(q) - {"measure", "stat", "cue"} or len(q.get("measure", [])) != 1:
            return None
        split = self._split(q)
        return self.clarify(sorted(split, key=lambda f: -f.rank), q, by="group") if split else None

    def _split(self, q: dict[str, list[str]]) -> list[Fact]:
        """The facts giving a measure of `q` for a group (of `q`'s groups, when it names any)."""
        measures = set(expand(self.store, q.get("measure", [])))
        groups = set(expand(self.store, q.get("group", []))) | set(q.get("group", []))
        return [f for f in self.store.facts.values() if set(f.measure) & measures and f.group != [WHOLE_TRIAL]
                and (not groups or set(f.group) & groups)]
