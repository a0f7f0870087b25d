"""Step 5: resolve slots to facts. Strict slots must agree; missing ones prefer the whole-trial population."""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.kb.models import FACT_SLOTS, WHOLE_TRIAL, Fact
from assistant.kb.store import Store

STRICT = ("measure", "group", "timepoint", "cycle")


@dataclass
class Resolution:
    """Facts that fit, best first; `top` is the tie set at the best score."""

    scored: list[tuple[float, Fact]] = field(default_factory=list)
    tie: float = 0.05

    @property
    def best(self) -> float:
        return self.scored[0][0] if self.scored else 0.0

    @property
    def top(self) -> list[Fact]:
        """The facts within `tie` of the best score, higher rank first."""
        tied = [f for s, f in self.scored if s >= self.best - self.tie - 1e-9]
        return sorted(tied, key=lambda f: -f.rank)

    def __bool__(self) -> bool:
        return bool(self.scored)


def expand(store: Store, ids: list[str], weight: float = 1.0) -> dict[str, float]:
    """Entity ids with umbrella terms replaced by what they stand for ('side effects' -> every ae.*)."""
    if weight != 1.0:
        return _expand(store, ids, weight)
    # each id's own expansion is worked out once per store (the knowledge is read-only); joining them keeps the
    # best weight of each id, in the order the walk over all of them would first meet it
    known = store.expansions
    out: dict[str, float] = {}
    for eid in ids:
        one = known.get(eid)
        if one is None:  # racing threads work out the same dict: harmless
            one = known[eid] = _expand(store, [eid], 1.0)
        if not out:
            out.update(one)
            continue
        for k, v in one.items():
            out[k] = max(out.get(k, 0.0), v)
    return out


def _expand(store: Store, ids: list[str], weight: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for eid in ids:
        e = store.entities.get(eid)
        if e is None:
            continue
        if e.expands:
            for k, v in _expand(store, e.expands, weight * 0.95).items():
                out[k] = max(out.get(k, 0.0), v)
        else:
            out[eid] = max(out.get(eid, 0.0), weight * e.weight)
    return out


def origins(store: Store, ids: list[str]) -> dict[str, str]:
    """Expanded id -> the question's own id it came from (an umbrella's members share one origin)."""
    return {k: eid for eid in ids for k in expand(store, [eid])}


def score_fact(fact: Fact, want: dict[str, dict[str, float]], stats: set[str], store: Store,
               origin: dict[str, str] | None = None, strict: frozenset[str] = frozenset()) -> float | None:
    """None when a slot the question names disagrees with the fact; otherwise a score (higher is closer)."""
    t = store.answers.thresholds
    score = 0.0
    for slot in FACT_SLOTS:
        asked = want.get(slot)
        have = getattr(fact, slot)  # fact.slot(slot)
        if asked:
            if slot in strict and asked.keys().isdisjoint(have):
                return None
            hits = [w for eid, w in asked.items() if eid in have]
            if hits:
                if slot == "measure":  # a fact answering two things the question names fits better
                    named = {(origin or {}).get(eid, eid) for eid in asked if eid in have}
                    score += max(hits) + t.each_measure * (len(named) - 1)
                elif slot == "drug":  # drugs only break ties: most facts are about the whole regimen
                    score += t.drug_hit * max(hits)
                else:
                    score += max(hits) + t.each_hit * (len(hits) - 1)
                score -= t.extra.get(slot, 0.0) * (len(have) - len(hits))  # a fact about more than was asked fits less
            elif slot in STRICT:
                return None
            elif have:
                score -= t.other_drug  # a fact about other drugs fits less (a regimen-wide fact, with no drugs, is neutral)
        elif slot == "group" and WHOLE_TRIAL not in have:
            score -= t.subgroup
        elif slot == "cycle" and have:
            score -= t.one_cycle  # a fact about one cycle fits a question that names none less
    if not stats:
        return round(score, 4)
    meaning = store.answers.statistics
    kinds = {v.kind for v in fact.values}
    if not store.survival.isdisjoint(fact.measure):
        for s in stats:
            need = meaning[s].survival_values if s in meaning else []
            if need and not set(need) & kinds:
                return None
    if any(s in meaning and (fact.stat in meaning[s].fact_stats or set(meaning[s].value_kinds) & kinds)
           for s in stats):
        score += t.stat_bonus
    return round(score, 4)


RESOLUTIONS_KEPT = 20_000  # slot sets worked out and kept per store (a few hundred occur in real questions)


def resolve(store: Store, slots: dict[str, list[str]], stats: list[str] | None = None) -> Resolution:
    """Every fact that fits the slots, best first (ties broken by rank, then id). The knowledge is read-only, so
    each set of slots is worked out once per store and kept (a fresh list each call: callers may not share one)."""
    key = (tuple((s, tuple(ids)) for s, ids in slots.items()), frozenset(stats or ()))
    kept = store.resolutions.get(key)
    if kept is None:
        kept = _resolve(store, slots, stats)
        if len(store.resolutions) >= RESOLUTIONS_KEPT:  # bounded: a flood of odd slot sets starts it afresh
            store.resolutions.clear()
        store.resolutions[key] = kept
    return Resolution(list(kept.scored), kept.tie)


def _resolve(store: Store, slots: dict[str, list[str]], stats: list[str] | None = None) -> Resolution:
    want = {s: expand(store, ids) for s, ids in slots.items() if s in FACT_SLOTS and ids}
    if not want:
        return Resolution()
    if "cycle" in want:  # 'days in cycles 2-4': a fact about the first 4 cycles as a whole speaks of them too
        whole = {w: v * store.answers.thresholds.within for c, v in want["cycle"].items()
                 for w in store.entities[c].within if w in store.entities}
        want["cycle"] = {**whole, **want["cycle"]}
    stat_set = set(stats or [])
    origin = origins(store, slots.get("measure", []))
    if "measure" in want:  # measure is strict: only facts of an asked measure can fit
        pool = {f.id: f for m in want["measure"] for f in store.by_measure.get(m, ())}.values()
    else:
        pool = store.facts.values()
    strict = frozenset(x for eid in slots.get("measure", []) if eid in store.entities
                       for x in store.entities[eid].strict)
    scored = []
    for fact in pool:
        if fact.stat == "definition":
            continue  # glossary facts answer only 'what does X mean' (the define strategy reads them)
        s = score_fact(fact, want, stat_set, store, origin, strict)
        if s is not None:
            scored.append((s, fact))
    scored.sort(key=lambda x: (-x[0], -x[1].rank, x[1].id))
    return Resolution(scored, store.answers.thresholds.tie)


def nearest(store: Store, slots: dict[str, list[str]], stats: list[str] | None = None) -> tuple[list[Fact], str]:
    """When nothing fits: relax one strict slot at a time (group, then timepoint, cycle) and say which."""
    for drop in ("timepoint", "group", "cycle", "drug"):
        if slots.get(drop):
            relaxed = {k: v for k, v in slots.items() if k != drop}
            res = resolve(store, relaxed, stats)
            if res:
                return res.top[:3], drop
    return [], ""
