"""Step 5: resolve slots to facts. Strict slots must agree; missing ones prefer the whole-trial population."""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import FACT_SLOTS, Fact
from .store import Store

STRICT = ("measure", "group", "timepoint", "cycle")
SURVIVAL = {"pfs", "os", "crd"}
STRICT_STAT = {"stat.median": {"median"}, "stat.rate": {"rate"}}  # for survival facts only
STAT_OF = {"stat.median": {"median"}, "stat.rate": {"rate", "percent", "incidence"}, "stat.count": {"count"},
           "stat.range": {"range"}}
STAT_VALUES = {"stat.range": {"range_low", "range_high"}, "stat.year": {"year"}}  # a fact with these values answers the statistic
DEFINITION = "stat.definition"  # the statistic of glossary questions
TIE = 0.05
STAT_BONUS = 0.1
DRUG_HIT = 0.04  # below TIE: a drug named never outweighs a measure named
EXTRA = {"measure": 0.05, "group": 0.1, "drug": 0.01}  # penalty per id a fact has beyond those asked


@dataclass
class Resolution:
    """Facts that fit, best first; `top` is the tie set at the best score."""

    scored: list[tuple[float, Fact]] = field(default_factory=list)

    @property
    def best(self) -> float:
        return self.scored[0][0] if self.scored else 0.0

    @property
    def top(self) -> list[Fact]:
        """The facts within TIE of the best score, higher rank first."""
        tied = [f for s, f in self.scored if s >= self.best - TIE - 1e-9]
        return sorted(tied, key=lambda f: -f.rank)

    def __bool__(self) -> bool:
        return bool(self.scored)


def expand(store: Store, ids: list[str], weight: float = 1.0) -> dict[str, float]:
    """Entity ids with umbrella terms replaced by what they stand for ('side effects' -> every ae.*)."""
    out: dict[str, float] = {}
    for eid in ids:
        e = store.entities.get(eid)
        if e is None:
            continue
        if e.expands:
            for k, v in expand(store, e.expands, weight * 0.95).items():
                out[k] = max(out.get(k, 0.0), v)
        else:
            out[eid] = max(out.get(eid, 0.0), weight * e.weight)
    return out


def origins(store: Store, ids: list[str]) -> dict[str, str]:
    """Expanded id -> the question's own id it came from (an umbrella's members share one origin)."""
    return {k: eid for eid in ids for k in expand(store, [eid])}


def score_fact(fact: Fact, want: dict[str, dict[str, float]], stats: set[str],
               origin: dict[str, str] | None = None, strict: frozenset[str] = frozenset()) -> float | None:
    """None when a slot the question names disagrees with the fact; otherwise a score (higher is closer)."""
    score = 0.0
    for slot in FACT_SLOTS:
        if slot in strict and want.get(slot) and not set(want[slot]) & set(fact.slot(slot)):
            return None
        asked = want.get(slot)
        have = fact.slot(slot)
        if asked:
            hits = [w for eid, w in asked.items() if eid in have]
            if hits:
                if slot == "measure":  # a fact answering two things the question names fits better
                    named = {(origin or {}).get(eid, eid) for eid in asked if eid in have}
                    score += max(hits) + 0.2 * (len(named) - 1)
                elif slot == "drug":  # drugs only break ties: most facts are about the whole regimen
                    score += DRUG_HIT * max(hits)
                else:
                    score += max(hits) + 0.05 * (len(hits) - 1)
                score -= EXTRA.get(slot, 0.0) * (len(have) - len(hits))  # a fact about more than was asked fits less
            elif slot in STRICT:
                return None
            elif have:
                score -= 0.3  # a fact about other drugs fits less (a regimen-wide fact, with no drugs, is neutral)
        elif slot == "group" and "all" not in have:
            score -= 0.15
        elif slot == "cycle" and have:
            score -= 0.1  # a fact about one cycle fits a question that names none less
    if stats and SURVIVAL & set(fact.measure):
        kinds = {v.kind for v in fact.values}
        for s in stats:
            if s in STRICT_STAT and not STRICT_STAT[s] & kinds:
                return None
    if stats:
        kinds = {v.kind for v in fact.values}
        if any(fact.stat in STAT_OF.get(s, {s.removeprefix("stat.")}) or STAT_VALUES.get(s, set()) & kinds
               for s in stats):
            score += STAT_BONUS
    return round(score, 4)


def resolve(store: Store, slots: dict[str, list[str]], stats: list[str] | None = None) -> Resolution:
    """Every fact that fits the slots, best first (ties broken by rank, then id)."""
    want = {s: expand(store, ids) for s, ids in slots.items() if s in FACT_SLOTS and ids}
    if not want:
        return Resolution()
    stat_set = set(stats or [])
    origin = origins(store, slots.get("measure", []))
    if "measure" in want:  # measure is strict: only facts of an asked measure can fit
        pool = {f.id: f for m in want["measure"] for f in store.by_measure.get(m, ())}.values()
    else:
        pool = store.facts.values()
    strict = frozenset(x for eid in slots.get("measure", []) if eid in store.entities
                       for x in store.entities[eid].strict)
    scored = []
    glossary = DEFINITION in stat_set
    for fact in pool:
        if (fact.stat == "definition") != glossary:
            continue  # glossary facts answer only 'what does X mean', and only they do
        s = score_fact(fact, want, stat_set, origin, strict)
        if s is not None:
            scored.append((s, fact))
    scored.sort(key=lambda x: (-x[0], -x[1].rank, x[1].id))
    return Resolution(scored)


def nearest(store: Store, slots: dict[str, list[str]], stats: list[str] | None = None) -> tuple[list[Fact], str]:
    """When nothing fits: relax one strict slot at a time (group, then timepoint, cycle) and say which."""
    for drop in ("timepoint", "group", "cycle", "drug"):
        if slots.get(drop):
            relaxed = {k: v for k, v in slots.items() if k != drop}
            res = resolve(store, relaxed, stats)
            if res:
                return res.top[:3], drop
    return [], ""
