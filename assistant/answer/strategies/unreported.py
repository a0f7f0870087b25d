"""Something the article does not report ('quality of life'): say so, say what it holds instead, and
answer any part of the question it does report ('nausea and vomiting')."""
from __future__ import annotations

from assistant.answer.plan import Plan
from assistant.answer.resolver import expand, resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import FACT_SLOTS, Fact
from assistant.understand.matcher import Match


class Unreported(Strategy):
    """no_data with what the knowledge base holds instead."""

    kind = "unreported"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str],
             entity: str | None = None) -> Plan:
        eid = entity or next(x for x in m.ids("unreported"))
        e = self.store.entities[eid]
        related: list[Fact] = []
        asked = {s: m.ids(s) for s in FACT_SLOTS if m.ids(s)}
        exact = [x.entity for x in m.mentions if x.slot == "measure" and x.how == "exact"]
        measures = [x.entity for x in m.mentions if x.slot == "measure" and x.how in ("exact", "generic")]
        if eid == self.roles.unreported_timepoint and measures:  # a timepoint the article lacks, a measure named
            if self.roles.median in stats and self.threshold is not None and self.threshold.search(m.normalised):
                res = resolve(self.store, {**{k: v for k, v in asked.items() if k != "timepoint"},
                                           "measure": measures}, stats)  # 'was median OS more than 6 years?': the
                if res:  # median, held against 6 years
                    return Plan(status="answered", facts=res.top[:self.t.max_facts], confidence=0.7)
            # 'was maintenance given for 3 years?': a duration of the named measure, not a survival timepoint
            said = next((x.text for x in m.mentions if x.entity == eid), "")
            number = next((w for w in said.split(" ") if w.isdigit()), "")
            unit = next((w.rstrip("s") for w in said.split(" ") if w.isalpha()), "")  # in the same unit: '4 week'
            res = resolve(self.store, {**asked, "measure": measures}, stats)  # is not '4 cycles'
            held = [f for _, f in res.scored if unit and any(
                v.value == number and v.kind != "timepoint" and v.unit.startswith(unit) for v in f.values)]
            if number and held:
                return Plan(status="answered", facts=held[:self.t.max_facts], confidence=0.75)
            untimed = not any(f.slot("timepoint") for x in expand(self.store, measures)
                              for f in self.store.by_measure.get(x, ()))
            if untimed and m.ids("cue") and res.top:  # 'is the median follow-up longer than 7 years?': a measure
                return Plan(status="answered", facts=res.top[:self.t.max_facts], confidence=0.7)  # never timed
        qualifiers = [x for x in exact if x not in e.related]  # ('median age and age range of those who ...':
        if entity is None and e.of_measure and qualifiers and e.related:  # the median age is theirs too)
            # 'age range of those with second neoplasms': a fact of the named measure holds what was asked
            res = resolve(self.store, {**asked, "measure": qualifiers + list(e.related)}, stats)
            others = set(e.related)
            joined = [f for f in res.top if set(f.measure) & set(qualifiers) and set(f.measure) & others]
            if joined:
                return Plan(status="answered", facts=joined[:self.t.max_facts], confidence=0.75)
        held = self._in_quote(m, eid, exact, stats) if entity is None else []
        if held:  # 'was the one non-responder CRLF2 positive?': the named measure's own quote says
            return Plan(status="answered", facts=held[:self.t.max_facts], confidence=0.75)
        named = self._beside(m, eid)
        if entity is None and named:  # 'nausea and vomiting': answer the part
            res = resolve(self.store, dict(asked, measure=named), stats)  # it reports, and say what it does not
            if res and len(res.top) <= self.t.max_facts and not self.uncounted(m, res.top):
                said = next((x.text for x in m.mentions if x.entity == eid), e.label)
                return Plan(status="answered", facts=res.top, confidence=0.75, also_missing=said)
        if asked.get("measure"):
            related = resolve(self.store, asked, stats).top[:2]
        if not related and e.related:
            related = resolve(self.store, {"measure": e.related}, []).top[:2]
        return Plan(status="no_data", kind="unreported", reply=e.holds, facts=related, missing=e.label,
                    confidence=0.85)

    def _in_quote(self, m: Match, eid: str, exact: list[str], stats: list[str]) -> list[Fact]:
        """Facts of the measures named whose verbatim quote holds every word of the unreported mention."""
        said = next((x.text for x in m.mentions if x.entity == eid), "").split(" ")
        if not exact or not any(len(w) > 3 for w in said):
            return []
        res = resolve(self.store, {"measure": exact}, stats)
        return [f for f in res.top if set(exact) & set(f.measure)
                and set(said) <= set(self.store.normalise(f.quote).split(" "))]

    def _beside(self, m: Match, eid: str) -> list[str]:
        """Measures named next to the unreported thing with only 'and'/'or' between ('nausea and vomiting'),
        not measures it is a statistic of ('hazard ratio for PFS')."""
        words = m.normalised.split(" ")
        spans = [(x.start, x.end) for x in m.mentions if x.entity == eid and x.start >= 0]
        out = []
        for x in m.mentions:
            if x.slot != "measure" or x.how != "exact" or x.start < 0:
                continue
            for s, e in spans:
                gap = words[x.end:s] if x.end <= s else words[e:x.start]
                if " ".join(gap) in self.joiners and x.entity not in out:
                    out.append(x.entity)
        return out
