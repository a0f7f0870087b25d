"""The highest or lowest figure among comparable facts ('most common side effect', 'which group lived
longest')."""
from __future__ import annotations

from assistant.answer.plan import Plan, main_value
from assistant.answer.resolver import expand, resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import WHOLE_TRIAL, Fact
from assistant.understand.matcher import Match


class Superlative(Strategy):
    """Ranks comparable facts by their headline figure."""

    kind = "superlative"

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        q = dict(q)
        if "measure" not in q:
            q["measure"] = list(self.roles.survival[:2]) if "group" in q else [self.roles.any_adverse_event]
        facts = [f for _, f in resolve(self.store, q, stats).scored
                 if len(f.group) == 1 and f.stat not in ("comparison", "p_value") and main_value(f) is not None
                 and f.rankable]
        if ("group" not in q and set(expand(self.store, q["measure"])) <= set(self.roles.survival)
                and any(f.group != [WHOLE_TRIAL] for f in facts)):
            facts = [f for f in facts if f.group != [WHOLE_TRIAL]]  # 'which group lived longest': among the groups
        if len(facts) < 2 and "group" not in q:
            widened = dict(q, group=[e for e in self.store.entities if self.store.entities[e].slot == "group"
                                     and not self.store.entities[e].expands and e != WHOLE_TRIAL])
            facts = [f for f in resolve(self.store, widened, stats).top if len(f.group) == 1 and main_value(f) is not None]
        if len(facts) < 2:
            return self.via("lookup", m, ctx, q, stats)
        kinds = [f for f in facts if self.roles.types in f.measure]
        if len(kinds) >= 2:  # 'most common second neoplasm': among its types, not the total
            facts = kinds
        second = m.has("cue", self.roles.second_most)
        plural = any(x.slot == "measure" and x.text.split(" ")[-1].endswith("s") and not x.text.endswith("ss")
                     and x.how != "generic" for x in m.mentions) or (  # 'side effects', 'adverse events'
            self.plural is not None and self.plural.search(m.normalised) is not None)
        want_max = m.has("cue", self.roles.most) or second
        parts: dict[tuple[str, str], list[Fact]] = {}
        for f in facts:
            parts.setdefault((f.measure[0] if not f.measure[0].startswith("ae.") else "ae", f.stat), []).append(f)
        chosen: list[Fact] = []
        for key in sorted(parts, key=lambda k: (-len(parts[k]), k))[:2]:
            group = parts[key]
            if len(group) < 2:
                continue
            ordered = sorted({main_value(f).num for f in group}, reverse=want_max)  # type: ignore[union-attr]
            if plural and not second and key[0] == "ae":  # 'the most common side effects': the few highest first
                top = set(ordered[:self.t.plural_top])
                chosen += sorted((f for f in group if main_value(f).num in top),  # type: ignore[union-attr]
                                 key=lambda f: -main_value(f).num if want_max else main_value(f).num)  # type: ignore[union-attr]
                continue
            best = ordered[min(1 if second else 0, len(ordered) - 1)]
            chosen += [f for f in group if main_value(f).num == best]  # type: ignore[union-attr]
        if not chosen:
            return self.via("lookup", m, ctx, q, stats)
        extreme = "second" if second else "max" if want_max else "min"
        return Plan(status="answered", facts=chosen[:max(4, self.t.plural_top)], extreme=extreme, confidence=0.85)
