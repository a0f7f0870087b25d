"""What a term means ('what does PFS mean?'): the glossary facts of the terms named."""
from __future__ import annotations

from assistant.answer.plan import Plan
from assistant.answer.resolver import expand
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import Fact
from assistant.understand.matcher import Match


class Define(Strategy):
    """Glossary facts; a drug without one gets its profile."""

    kind = "define"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        """'What does PFS mean?': the glossary fact of each term named; a drug without one gets its profile."""
        bare = m.rule is not None and bool(m.rule.patterns)  # 'what is X?' rather than 'what does X mean?'
        if bare and (stats or q.get("timepoint") or q.get("cycle") or sum(map(len, q.values())) > 1):
            return self.via("lookup", m, ctx, q, stats)  # 'what is the 2-year PFS': a figure, not a definition
        own = {s: m.ids(s) for s in ("measure", "group", "drug") if m.ids(s)}
        if not own and m.has("domain", self.roles.disease):
            own = {"measure": [self.roles.population]}  # 'what does WHOLE_TRIAL mean here'
        terms = own or {s: ids for s, ids in q.items() if s in ("measure", "group", "drug")}
        named = {x.text for x in m.mentions}
        facts: list[Fact] = []
        narrow = False  # a definition exists, but of other names of the measure ('phase 3' is not 'open label')
        for slot, ids in terms.items():
            for eid in ids:
                found = [f for f in self.store.facts.values() if f.stat == "definition" and eid in f.slot(slot)]
                if not found and slot == "measure":  # an umbrella ('survival') is defined by its members
                    members = set(expand(self.store, [eid]))
                    found = [f for f in self.store.facts.values() if f.stat == "definition" and members & set(f.measure)]
                kept = [f for f in found if not f.defines or named & set(f.defines)]
                narrow = narrow or len(kept) < len(found)
                facts += [f for f in kept if f not in facts]
        if facts:
            return Plan(status="answered", kind="define", facts=facts[:self.t.max_facts], confidence=0.9)
        if bare and not q.get("drug") and not narrow:  # 'what is the median age': not a glossary question
            return self.via("lookup", m, ctx, q, stats)
        if q.get("drug"):
            return self.via("lookup", m, ctx, {"drug": q["drug"], "measure": [self.roles.drug_profile]}, [])
        return Plan(status="no_data", kind="not_reported", missing=f"a definition of {self.describe(q)}",
                    confidence=0.7)
