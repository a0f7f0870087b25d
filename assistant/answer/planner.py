"""Steps 4-5 joined: fill missing slots from the dialogue context, then pick the facts each intent kind needs.

The result is a Plan: which status, which facts, and how to present them. No text is written here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import context as ctxmod
from assistant.answer.decide import Decision
from assistant.understand.matcher import Match
from assistant.kb.models import FACT_SLOTS, WHOLE_TRIAL, Context, Fact, Frame, IntentRule, SlotValue
from assistant.answer.resolver import expand, nearest, resolve
from assistant.kb.store import Store

NOT_MAIN = {"ci_low", "ci_high", "p", "range_low", "range_high", "timepoint", "label", "day", "cycle", "year",
            "reference", "age_low", "age_high"}  # value kinds that are never the headline figure


@dataclass
class Plan:
    """What to answer: status, facts, presentation, and how the slots were found."""

    status: str
    kind: str = ""
    rule: str = ""
    facts: list[Fact] = field(default_factory=list)
    table: bool = False
    reply: str = ""
    options: list[str] = field(default_factory=list)
    missing: str = ""
    extreme: str = ""
    slots: list[SlotValue] = field(default_factory=list)
    frame: Frame | None = None
    new_topic: bool = False
    confidence: float = 0.0
    note: str = ""
    unplaced: list[str] = field(default_factory=list)  # words the question used that were not understood
    also_missing: str = ""  # a part of the question the article does not report ('... and vomiting')


def main_value(fact: Fact):  # type: ignore[no-untyped-def]
    """The headline number of a fact: its declared `main` value, else its only figure; None when ambiguous."""
    if fact.main:
        return fact.value(fact.main)
    figures = [v for v in fact.values if v.kind not in NOT_MAIN and v.num is not None]
    return figures[0] if len(figures) == 1 else None


class Planner:
    """Turns a Match plus context into a Plan, using the resolver."""

    def __init__(self, store: Store) -> None:
        self.store = store
        settings = store.answers
        self.roles, self.t, self.options = settings.roles, settings.thresholds, settings.clarify
        f = settings.follow_up
        self.follow_starts, self.references = frozenset(f.starts), frozenset(f.reference_words)
        self.weak_references, self.question_words = frozenset(f.weak_references), frozenset(f.question_words)
        self.union, self.relation, self.coordinated = re.compile(f.union), re.compile(f.relation), re.compile(f.coordinated)
        self.families: dict[str, str] = {}  # group id -> the label of the smallest umbrella holding it
        for e in sorted(store.entities.values(), key=lambda e: (len(e.expands), e.id)):
            if e.slot == "group":
                for g in e.expands:
                    self.families.setdefault(g, e.label or e.id)

    # ------------------------------------------------------------ slots

    def slots(self, m: Match, ctx: Context, defaults: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[SlotValue], bool]:
        """Question slots, rule defaults, then context fills for what the question leaves open.

        Only turns that lean on the conversation take anything from it: elliptical ones ('and at 5 years?',
        'OS for them') and ones that name no fact slot at all ('is that significant?'). A question complete on
        its own is answered from what it names, with or without a context."""
        q = {s: self._narrowest(m.ids(s)) for s in FACT_SLOTS if m.ids(s)}
        if len(q.get("group", [])) > 1 and WHOLE_TRIAL in q["group"]:
            q["group"] = [g for g in q["group"] if g != WHOLE_TRIAL]  # 'which patients got blinatumomab, all of them?'
        found = [SlotValue(slot=mm.slot, value=mm.entity, source="question", text=mm.text, score=mm.score)
                 for mm in m.mentions if mm.slot in (*FACT_SLOTS, "stat", "cue", "unreported")]
        newest = ctx.frames[0].slots.get("measure", []) if ctx.frames else []
        new_topic = bool(q.get("measure")) and set(q["measure"]) != set(newest)
        words = m.normalised.split(" ")
        follows = bool(ctx.frames) and (self.elliptical(m.normalised) or not q)
        if m.has("cue", self.roles.complement) and q.get("group"):  # 'TP53 mutation vs those without': both groups
            q["group"] = q["group"] + [self.store.entities[g].opposite for g in q["group"]
                                       if self.store.entities[g].opposite and self.store.entities[g].opposite not in q["group"]]
        if follows and m.has("cue", self.roles.complement) and "group" not in q:
            other = self._complement(ctx)
            if other:
                q["group"] = [other]
                found.append(SlotValue(slot="group", value=other, source="context"))
        leaning = bool(ctx.frames) and self.elliptical(m.normalised)
        offered = {s for f in ctx.frames for s, v in f.slots.items() if v} if leaning else set()
        defaulted = False
        for s, ids in defaults.items():
            if s not in q and s not in offered:  # a conversation's own topic beats a rule's default
                q[s] = list(ids)
                found.append(SlotValue(slot=s, value=",".join(ids), source="default"))
                defaulted = new_topic = True
        if defaulted:
            return q, found, new_topic
        missing = [s for s in FACT_SLOTS if s not in q]
        offers = ctxmod.fillers(ctx, missing, union=bool(self.union.search(m.normalised))) if follows else []
        stats = m.ids("stat")
        if offers:
            must = set()
            if self.references.intersection(words) - self.weak_references:
                must.add("group")  # 'OS for them': the group they lean on is part of the question
            if "measure" in q and self._by_group(q["measure"]):
                must.add("group")  # a measure reported by subgroup keeps the conversation's subgroup
            chosen = self._fit_offers(q, offers, stats, must)
            for slot, ids, w in chosen:
                q[slot] = ids
                found.append(SlotValue(slot=slot, value=",".join(ids), source="context", score=w))
        if follows:
            refer = self.references.intersection(words) - self.weak_references
            sets = [x for f in ctx.frames for x in f.slots.get("measure", [])
                    if x in self.store.entities and self.store.entities[x].qualifies]
            for x in dict.fromkeys(sets) if refer and q.get("measure") else ():
                if x in q["measure"]:
                    break
                joined = resolve(self.store, dict(q, measure=q["measure"] + [x]), stats)
                if any(self._coverage(q["measure"], f) and self._coverage([x], f) for f in joined.top):
                    q["measure"] = q["measure"] + [x]  # 'how old were they?' after the second cancers
                    found.append(SlotValue(slot="measure", value=x, source="context"))
                    break
        return q, found, new_topic

    def _topic(self, q: dict[str, list[str]], plan: Plan) -> dict[str, list[str]]:
        """What the turn was about, for the next one: the slots asked, plus a group, cycle or timepoint that every
        answered fact shares ('when was the protocol amended?' is about the patients treated after it), and a
        measure naming a set of patients that they all share ('how long after treatment?' about second cancers)."""
        slots = {k: list(v) for k, v in q.items()}
        if plan.status == "answered" and plan.facts:
            shared = set.intersection(*(set(f.measure) for f in plan.facts))
            extra = sorted(x for x in shared if self.store.entities[x].qualifies and x not in slots.get("measure", []))
            if extra and slots.get("measure"):
                slots["measure"] = slots["measure"] + extra
            for s in ("group", "cycle", "timepoint"):
                values = {tuple(f.slot(s)) for f in plan.facts}
                if s not in slots and len(values) == 1:
                    only = list(values.pop())
                    if only and only != [WHOLE_TRIAL]:
                        slots[s] = only
        return slots

    def _complement(self, ctx: Context) -> str:
        """'and without?': the opposite of the conversation's group ('CTG-HR' -> 'no CTG-HR')."""
        for frame in ctx.frames:
            for g in frame.slots.get("group", []):
                e = self.store.entities.get(g)
                if e is not None and e.opposite:
                    return e.opposite
        return ""

    def _by_group(self, measures: list[str]) -> bool:
        """The article reports these measures for some subgroup, not only for the whole trial."""
        ids = set(expand(self.store, measures))
        return any(f.group != [WHOLE_TRIAL] and ids & set(f.measure) for m in ids for f in self.store.by_measure.get(m, ()))

    def elliptical(self, normalised: str) -> bool:
        """'and at 5 years?', 'what about OS?', 'OS at those timepoints?': a turn that leans on the last one."""
        words = normalised.split(" ")
        short = len(words) <= 3 and words[0] not in self.question_words  # 'at 5 years?', not 'what is inotuzumab'
        return (short or words[0] in self.follow_starts or " ".join(words[:2]) in self.follow_starts
                or " ".join(words[:3]) in self.follow_starts
                or bool(self.references.intersection(words)))

    def _narrowest(self, ids: list[str]) -> list[str]:
        """Drop an umbrella term when a narrower one is also named ('GI side effects' beats 'side effects')."""
        sets = {i: set(expand(self.store, [i])) for i in ids}
        return [i for i in ids if not any(j != i and sets[j] < sets[i] for j in ids)]

    def _fit_offers(self, q: dict[str, list[str]], offers: list[tuple[str, list[str], float]],
                    stats: list[str], must: set[str] | None = None) -> list[tuple[str, list[str], float]]:
        """The largest set of context offers (newest first) whose slots are actually used by the best facts.
        Offers for `must` slots are never dropped: without facts for them the answer is no_data."""
        must = must or set()
        kept = list(offers)
        if len(q.get("measure", [])) > 1:  # an offer that hides the fact answering more of the question is dropped
            def best(slots: dict[str, list[str]]) -> int:
                res = resolve(self.store, slots, stats)
                return max((self._coverage(q["measure"], f) for f in res.top), default=0)
            for o in [o for o in kept if o[0] not in must]:
                if best(q) > best(dict(q, **{o[0]: o[1]})):
                    kept.remove(o)
        while kept:
            trial = dict(q, **{s: ids for s, ids, _ in kept})
            res = resolve(self.store, trial, stats)
            if res:
                used = [o for o in kept if o[0] in must
                        or any(set(f.slot(o[0])) & set(expand(self.store, o[1])) for f in res.top)]
                if len(used) == len(kept):
                    return kept
                kept = used
                continue
            droppable = [o for o in kept if o[0] not in must]
            if not droppable:
                return kept
            kept.remove(droppable[-1])  # drop the least essential offer (measure comes first, so it is kept longest)
        return []

    # ------------------------------------------------------------ plan

    def plan(self, m: Match, d: Decision, ctx: Context) -> Plan:
        """The plan for a decided question: a reply for the statuses decided from the words, else the facts."""
        if d.status == "medical_advice":
            return Plan(status="medical_advice", kind="advice", rule=d.rule.id if d.rule else "advice",
                        reply=d.rule.reply if d.rule else "", confidence=0.95)
        if d.status == "chitchat" and d.rule is not None:
            return Plan(status="chitchat", kind="chitchat", rule=d.rule.id, reply=d.rule.reply, confidence=0.95)
        if d.status == "out_of_scope":
            reply = d.rule.reply if d.kind == "reject" and d.rule is not None else ""
            return Plan(status="out_of_scope", kind=d.kind, rule=d.rule.id if d.kind == "reject" and d.rule else "",
                        reply=reply, unplaced=d.names, confidence=0.9 if not m.mentions else 0.75, note=d.reason)
        if d.status == "no_data":  # a foreign word in a question about this trial: name it, add nothing else
            held = self.store.entities.get(self.roles.other_drugs)
            return Plan(status="no_data", kind="foreign", rule="foreign", unplaced=d.names,
                        reply=held.holds if d.drug and held is not None else "", confidence=0.8, note=d.reason)
        if d.kind == "bare" or (m.rule is None and d.status == "clarify"):
            plan = self._clarify_generic("that", m.ids("stat"))
            plan.rule = "clarify.bare"
            plan.frame = Frame(intent=plan.rule, options=[o + "?" for o in plan.options])
            return plan
        rule = m.rule
        assert rule is not None
        if d.status == "clarify":  # words it cannot place: offer the closest readings, answer none of them
            closest, q, _, _ = self._run(rule, m, ctx)
            options = [self.store.facts[f.id].examples[0].rstrip("?") for f in closest.facts[:3]]
            plan = Plan(status="clarify", kind="unplaced", rule="clarify.unplaced", unplaced=d.names,
                        options=options or list(self.options.default), missing=self.describe(q) if q else "",
                        confidence=0.3, note=d.reason)
            plan.frame = Frame(intent=plan.rule, options=[o + "?" for o in plan.options][:5])
            return plan
        if m.score < self.t.min_score:  # too weak a match to answer: ask back rather than guess
            plan = self._clarify_generic("that", m.ids("stat"))
            plan.rule = "clarify.weak"
            return plan
        plan, q, found, new_topic = self._run(rule, m, ctx)
        runner = m.runner_up
        if (runner is not None and runner.kind != rule.kind and m.score - m.runner_score < self.t.min_gap
                and runner.kind not in ("chitchat", "advice", "reject")):
            other = self._run(runner, m, ctx)[0]
            mine, theirs = [f.id for f in plan.facts], [f.id for f in other.facts]
            if plan.status == other.status == "answered" and mine and theirs and set(mine) != set(theirs):
                options = [self.store.facts[mine[0]].examples[0], self.store.facts[theirs[0]].examples[0]]
                plan = Plan(status="clarify", kind="clarify", options=[o.rstrip("?") for o in options],
                            missing=self.describe(q), confidence=0.4)
        plan.rule, plan.slots = rule.id, found
        plan.kind = plan.kind or rule.kind
        if plan.status in ("answered", "no_data", "clarify") and (q or plan.facts or plan.options):
            plan.frame = Frame(slots=self._topic(q, plan), facts=[f.id for f in plan.facts], intent=rule.id,
                               stats=self._stats(m, ctx)[:4], options=[o + "?" for o in plan.options][:5])
            plan.new_topic = new_topic
        return plan

    def _stats(self, m: Match, ctx: Context) -> list[str]:
        """The statistic asked: the question's own, or, for a turn that leans on the last one and names no
        measure, the last turn's ('How many were 70 or older?' then 'and 65-69?')."""
        own = m.ids("stat")
        if own or m.ids("measure") or not ctx.frames or not self.elliptical(m.normalised):
            return own
        return list(ctx.frames[0].stats)

    def _run(self, rule: IntentRule, m: Match, ctx: Context) -> tuple[Plan, dict[str, list[str]], list[SlotValue], bool]:
        """The plan one rule gives: slots (with context and defaults), then its kind's strategy."""
        stats = self._stats(m, ctx)
        inherited = bool(stats) and not m.ids("stat")
        q, found, new_topic = self.slots(m, ctx, {} if inherited else rule.defaults)
        if rule.kind == "lookup" and any(s.source == "default" for s in found):
            res = resolve(self.store, q, stats)
            near = [f for s, f in res.scored if s >= res.best - 0.3]
            plan = Plan(status="answered", facts=near[:self.t.max_facts], confidence=0.75) if res else self._no_data(q, stats)
        else:
            plan = getattr(self, "_" + rule.kind)(m, ctx, q, stats)
        return plan, q, found, new_topic

    # ------------------------------------------------------------ kinds

    def _lookup(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        if self._unreported_timepoint(m, q):
            return self._unreported(m, ctx, q, stats, entity=self.roles.unreported_timepoint)
        if not q:
            return self._clarify_generic("that", stats)
        excluded = self._besides(m)
        if excluded and q.get("measure"):  # 'besides MDS, what other second neoplasm?': not the ones named
            q = dict(q, measure=[x for x in q["measure"] if x not in excluded] or q["measure"])
        res = resolve(self.store, q, stats)
        if not res:
            return self._no_data(q, stats)
        top = res.top
        if len(q.get("measure", [])) > 1 and len(top) > 1:  # facts answering more of what was named come first
            cover = {f.id: self._coverage(q["measure"], f) for f in top}
            most = max(cover.values())
            top = [f for f in top if cover[f.id] == most]
        asked = set(q.get("measure", []))
        if "group" not in q and any(WHOLE_TRIAL in f.group and (not asked or f.measure[0] in asked) for f in top):
            top = [f for f in top if WHOLE_TRIAL in f.group]  # no group asked: the whole trial, not a subgroup too
        if excluded:
            top = [f for f in top if not excluded & set(f.measure)] or top
        ranks = sorted((f.rank for f in top), reverse=True)
        if len(top) > self.t.max_facts and ranks[0] >= self.t.summary_rank and ranks[0] > ranks[1]:
            top = top[:1]  # a summary fact ('what the amendment changed') answers for the many details
        if self._subgroup_only(q, stats, top):  # 'median PFS?': reported only by subgroup, so ask which
            plan = self._clarify(top, q, "group")
            if plan.status == "clarify":
                return plan
            return Plan(status="no_data", kind="not_reported", facts=top[:2], confidence=0.7,
                        missing=f"the {self.describe(q)} for all patients (only by subgroup)")
        if self.roles.median in stats and not any(f.stat == "median" or f.value("median") or any(
                v.kind == "median" for v in f.values) for f in top):
            if not m.ids("measure"):  # 'what was the median?' after the side effects: a median of what?
                return self._clarify_generic("that", stats)
            return Plan(status="no_data", kind="not_reported", facts=top[:2], confidence=0.7,
                        missing=f"a median for {self.describe(q)}")
        unanswered = self._unanswered(m, q, stats, top)
        if unanswered:  # one measure asked, one measure answered: never a neighbouring figure instead
            return Plan(status="no_data", kind="not_reported", facts=top[:2], missing=unanswered, confidence=0.7)
        unmet = [x for x in q.get("measure", []) if x in self.roles.strict_facets and not any(x in f.measure for f in top)]
        if unmet:  # 'how long did it take to reach CR': the CR count is not an answer
            return Plan(status="no_data", kind="not_reported", facts=top[:2], missing=self.describe(q),
                        confidence=0.7)
        overview = m.has("cue", self.roles.overview)
        if "measure" not in q and len({tuple(f.measure) for f in top}) > 1 and not overview:
            return self._clarify(top, q, "measure")
        if len(top) <= self.t.max_facts:
            return Plan(status="answered", facts=top, confidence=0.9 if len(top) == 1 else 0.8)
        dims = [s for s in ("drug", "group", "cycle", "timepoint")
                if s not in q and len({tuple(f.slot(s)) for f in top}) > 1]
        if dims and not overview:
            return self._clarify(top, q, dims[0])
        return Plan(status="answered", kind="overview", facts=top[:self.t.max_table], table=True, confidence=0.8)

    def _unanswered(self, m: Match, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> str:
        """What the question asks that the best facts do not give ('' when they answer it):
        - the size of a group asked ('how many had CTG-HR') and no fact with a count;
        - two trial measures named with no 'and' between them that no fact joins ('median OS of the patients
          who developed MDS': a figure for one of them would answer another question)."""
        for x in q.get("measure", []):  # 'vincristine dose in the maintenance': no fact gives that dose
            e = self.store.entities.get(x)
            if e is not None and e.per_drug and not all(  # each drug named is the main drug of a fact giving it
                    any(x in f.measure and f.slot(s)[:1] == [d] for f in top) for s in e.strict for d in q.get(s, [])):
                return self.describe({**q, "measure": [x]})
        groups = q.get("group", [])
        families = {self._family(g) for g in groups}
        if len(families) > 1 and not any(set(groups) <= set(f.group) for f in top) and not self._paired(groups):
            return self.describe(q)  # 'median OS for TP53-mutated patients aged 70 or older': no fact joins them
        if (self.roles.count in stats and not {"measure", "drug", "cycle"} & set(q) and q.get("group")
                and not any(v.kind in ("count", "n") for f in top for v in f.values)):
            return "the number of patients " + self.describe({"group": q["group"]})[4:]
        strong = [x for x in m.ids("measure") if x in q.get("measure", []) and self.store.entities[x].anchor != "none"
                  and self.store.entities[x].weight >= 1 and not self.store.entities[x].expands
                  and any(mm.entity == x and mm.how == "exact" for mm in m.mentions)]
        if len(strong) >= 2 and self.relation.search(m.normalised) and not self.coordinated.search(m.normalised) and not any(
                self._coverage(strong, f) >= 2 for f in top):
            return self.describe({**q, "measure": strong})
        return ""

    def _coverage(self, measures: list[str], fact: Fact) -> int:
        """How many of the measures the question names this fact answers."""
        return sum(1 for x in measures if ({x} | set(expand(self.store, [x]))) & set(fact.measure))

    def _besides(self, m: Match) -> set[str]:
        """Measures named between 'besides' / 'other than' and the question proper: the ones to leave out."""
        cue = next((x for x in m.mentions if x.entity == self.roles.besides and x.start >= 0), None)
        if cue is None:
            return set()
        words = m.normalised.split(" ")
        stop = next((i for i in range(cue.end, len(words)) if words[i] in self.question_words), len(words))
        return {x.entity for x in m.mentions if x.slot == "measure" and cue.end <= x.start < stop}

    def _paired(self, groups: list[str]) -> bool:
        """Groups that are each other's opposite ('under 70' and '70 or older'): one comparison, not a join."""
        return len(groups) == 2 and self.store.entities[groups[0]].opposite == groups[1]

    def _subgroup_only(self, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> bool:
        """A survival median asked for everyone, which the article gives only by subgroup."""
        measures = set(expand(self.store, q.get("measure", [])))
        return ("group" not in q and self.roles.median in stats and bool(measures) and measures <= set(self.roles.survival)
                and not any(WHOLE_TRIAL in f.group for f in top))

    def _overview(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        if not q:
            order = {t: i for i, t in enumerate(self.store.answers.overview.headline_topics)}
            facts = sorted((f for f in self.store.facts.values() if f.rank >= 1 and f.topic in order and f.group == [WHOLE_TRIAL]),
                           key=lambda f: (order[f.topic], -f.rank, f.id))
            return Plan(status="answered", kind="overview", facts=facts[:self.t.max_table], table=True, confidence=0.8)
        res = resolve(self.store, q, stats)
        if not res:
            return self._no_data(q, stats)
        facts = [f for s, f in res.scored if s >= res.best - 0.35][:self.t.max_table]
        return Plan(status="answered", kind="overview", facts=facts, table=len(facts) > 1, confidence=0.85)

    def _superlative(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
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
            return self._lookup(m, ctx, q, stats)
        kinds = [f for f in facts if self.roles.types in f.measure]
        if len(kinds) >= 2:  # 'most common second neoplasm': among its types, not the total
            facts = kinds
        second = m.has("cue", self.roles.second_most)
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
            best = ordered[min(1 if second else 0, len(ordered) - 1)]
            chosen += [f for f in group if main_value(f).num == best]  # type: ignore[union-attr]
        if not chosen:
            return self._lookup(m, ctx, q, stats)
        extreme = "second" if second else "max" if want_max else "min"
        return Plan(status="answered", facts=chosen[:4], extreme=extreme, confidence=0.85)

    def _compare(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        if not q and ctx.frames:
            q = dict(ctx.frames[0].slots)
        if not q.get("group") and not q.get("measure"):  # 'how did the two groups compare?': which groups?
            return self._clarify_generic("significance")
        groups = q.get("group", [])
        if len(groups) == 1 and self.store.entities[groups[0]].opposite:  # 'did TP53 affect outcomes': both arms
            q = dict(q, group=[*groups, self.store.entities[groups[0]].opposite])
        res = resolve(self.store, q, stats)
        if not res:
            return self._no_data(q, stats)
        facts = [f for s, f in res.scored if s >= res.best - 0.12]
        implied = [x for mm in m.mentions for x in self.store.entities[mm.entity].implies]  # 'survive longer'-> OS
        survival = set(expand(self.store, [*q.get("measure", []), *implied])) & set(self.roles.survival)
        if survival and not any(set(f.measure) & survival for f in facts):  # 'did MRD-negative patients live
            return self._no_data(q, stats)  # longer?': survival by MRD status is not reported
        comparisons = [f for f in facts if f.value("p") or f.stat in ("comparison", "p_value")]
        facts = (comparisons + [f for f in facts if f not in comparisons])[:self.t.max_table]
        return Plan(status="answered", facts=facts, table=len(facts) > self.t.max_facts, confidence=0.8)

    def _significance(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        pool: list[Fact] = []
        own_slots = any(x.slot in FACT_SLOTS for x in m.mentions)
        if ctx.frames and not own_slots:  # 'was the difference significant?' after a comparison: that one's P
            talked = {g for f in ctx.frames for g in f.slots.get("group", []) if g != WHOLE_TRIAL}
            measures = {x for f in ctx.frames for x in f.slots.get("measure", [])}
            across = [f for f in self.store.facts.values() if f.value("p") and len(talked) > 1
                      and talked <= set(f.group) and set(expand(self.store, list(measures))) & set(f.measure)]
            if across:  # 'p value?' after the 60-64 and the 70+ medians: the comparison holding both groups
                return Plan(status="answered", kind="significance", facts=across[:1], confidence=0.85)
            own = [f for f in (self.store.facts.get(i) for i in ctxmod.last_facts(ctx)) if f and f.value("p")]
            if own:
                return Plan(status="answered", kind="significance", facts=own[:self.t.max_facts], confidence=0.85)
        if q:
            res = resolve(self.store, q, stats)
            pool = [f for s, f in res.scored if s >= res.best - 0.4]
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
        if not with_p:
            if not q and not ctx.frames:
                return self._clarify_generic("significance")
            return Plan(status="no_data", missing="a P value for that", facts=pool[:2], confidence=0.7)
        return Plan(status="answered", kind="significance", facts=with_p[:self.t.max_facts], confidence=0.85)

    def _define(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        """'What does PFS mean?': the glossary fact of each term named; a drug without one gets its profile."""
        bare = m.rule is not None and bool(m.rule.patterns)  # 'what is X?' rather than 'what does X mean?'
        if bare and (stats or q.get("timepoint") or q.get("cycle") or sum(map(len, q.values())) > 1):
            return self._lookup(m, ctx, q, stats)  # 'what is the 2-year PFS': a figure, not a definition
        own = {s: m.ids(s) for s in ("measure", "group", "drug") if m.ids(s)}
        if not own and m.has("domain", self.roles.disease):
            own = {"measure": [self.roles.population]}  # 'what does WHOLE_TRIAL mean here'
        terms = own or {s: ids for s, ids in q.items() if s in ("measure", "group", "drug")}
        facts: list[Fact] = []
        for slot, ids in terms.items():
            for eid in ids:
                found = [f for f in self.store.facts.values() if f.stat == "definition" and eid in f.slot(slot)]
                if not found and slot == "measure":  # an umbrella ('survival') is defined by its members
                    members = set(expand(self.store, [eid]))
                    found = [f for f in self.store.facts.values() if f.stat == "definition" and members & set(f.measure)]
                facts += [f for f in found if f not in facts]
        if facts:
            return Plan(status="answered", kind="define", facts=facts[:self.t.max_facts], confidence=0.9)
        if bare and not q.get("drug"):  # 'what is the median age': not a glossary question after all
            return self._lookup(m, ctx, q, stats)
        if q.get("drug"):
            return self._lookup(m, ctx, {"drug": q["drug"], "measure": [self.roles.drug_profile]}, [])
        return Plan(status="no_data", kind="not_reported", missing=f"a definition of {self.describe(q)}",
                    confidence=0.7)

    def _unreported(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str],
                    entity: str | None = None) -> Plan:
        eid = entity or next(x for x in m.ids("unreported"))
        e = self.store.entities[eid]
        related: list[Fact] = []
        asked = {s: m.ids(s) for s in FACT_SLOTS if m.ids(s)}
        exact = [x.entity for x in m.mentions if x.slot == "measure" and x.how == "exact"]
        if entity is None and e.of_measure and exact and e.related and not set(exact) & set(e.related):
            # 'age range of those with second neoplasms': a fact of the named measure holds what was asked
            res = resolve(self.store, {**asked, "measure": exact + list(e.related)}, stats)
            others = set(e.related) - set(exact)
            joined = [f for f in res.top if set(f.measure) & set(exact) and set(f.measure) & others]
            if joined:
                return Plan(status="answered", facts=joined[:self.t.max_facts], confidence=0.75)
        named = self._beside(m, eid)
        if entity is None and named:  # 'nausea and vomiting': answer the part
            res = resolve(self.store, dict(asked, measure=named), stats)  # it reports, and say what it does not
            if res and len(res.top) <= self.t.max_facts:
                said = next((x.text for x in m.mentions if x.entity == eid), e.label)
                return Plan(status="answered", facts=res.top, confidence=0.75, also_missing=said)
        if asked.get("measure"):
            related = resolve(self.store, asked, stats).top[:2]
        if not related and e.related:
            related = resolve(self.store, {"measure": e.related}, []).top[:2]
        return Plan(status="no_data", kind="unreported", reply=e.holds, facts=related, missing=e.label,
                    confidence=0.85)

    @staticmethod
    def _beside(m: Match, eid: str) -> list[str]:
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
                if gap in (["and"], ["or"], ["and", "also"], ["as", "well", "as"]) and x.entity not in out:
                    out.append(x.entity)
        return out

    def _unreported_timepoint(self, m: Match, q: dict[str, list[str]]) -> bool:
        if m.ids("timepoint") or not set(expand(self.store, q.get("measure", []))) & set(self.roles.survival):
            return False
        return self.roles.unreported_timepoint in self.store.entities and bool(self._odd_durations(m.normalised))

    def _odd_durations(self, text: str) -> list[str]:
        known = {v.value for f in self.store.facts.values() for v in f.values if v.kind == "timepoint"}
        return [d for d in re.findall(r"\b(\d+) year\b", text) if d not in known and int(d) <= 15]

    # ------------------------------------------------------------ shared

    def _no_data(self, q: dict[str, list[str]], stats: list[str]) -> Plan:
        near, dropped = nearest(self.store, q, stats)
        return Plan(status="no_data", kind="not_reported", facts=near, missing=self.describe(q), note=dropped,
                    confidence=0.75)

    def describe(self, q: dict[str, list[str]]) -> str:
        """Words for what was asked, from entity labels ('overall survival for patients aged 70 or older')."""
        def label(ids: list[str]) -> str:
            return " and ".join(self.store.entities[i].label or i for i in ids if i in self.store.entities)

        parts = [label(q.get("measure", [])) or "that"]
        if q.get("group") and q["group"] != [WHOLE_TRIAL]:
            parts.append("for " + label(q["group"]))
        if q.get("timepoint"):
            parts.append("at " + label(q["timepoint"]))
        if q.get("cycle"):
            parts.append("in " + label(q["cycle"]))
        if q.get("drug"):
            if q.get("measure"):
                parts.append("of " + label(q["drug"]))
            else:
                parts[0] = label(q["drug"])
        return " ".join(parts)

    def _family(self, group_id: str) -> str:
        """The umbrella a group belongs to ('age groups' for age_70plus); '' for the whole trial."""
        return self.families.get(group_id, "")

    def _clarify(self, top: list[Fact], q: dict[str, list[str]], by: str) -> Plan:
        options: list[str] = []
        for f in top:
            if by == "group":
                fam = self._family(f.group[0])
                measure = self.describe({"measure": q.get("measure", f.measure[:1])})
                opt = f"What was the {measure} by {fam}" if fam else ""
            else:
                value = f.slot(by)[:1]
                opt = f"What was the {self.describe({**q, by: value})}" if value else ""
            if opt and opt not in options:
                options.append(opt)
        if by == "group" and len(options) < 2:  # one family ('before or after the amendment?'): its groups
            options = []
            for f in top:
                opt = f"What was the {self.describe({**q, 'group': f.group[:1]})}" if f.group[:1] != [WHOLE_TRIAL] else ""
                if opt and opt not in options:
                    options.append(opt)
        options = options[:3]
        if len(options) < 2:
            return Plan(status="answered", kind="overview", facts=top[:self.t.max_table], table=True, confidence=0.7)
        return Plan(status="clarify", kind="clarify", options=options, missing=self.describe(q), confidence=0.4)

    def _clarify_generic(self, what: str, stats: list[str] | None = None) -> Plan:
        if what != "significance":
            options = self.options.by_statistic.get(next(iter(stats or []), ""), self.options.default)
            return Plan(status="clarify", kind="clarify", missing=what, confidence=0.4, options=list(options))
        return Plan(status="clarify", kind="clarify", options=list(self.options.significance), missing=what,
                    confidence=0.4)

    def _advice(self, m: Match, rule_id: str, reply: str) -> Plan:
        facts: list[Fact] = []
        groups = [g for g in m.ids("group") if self.store.entities[g].ages]
        if groups:
            res = resolve(self.store, {"group": groups[:1], "measure": list(self.roles.survival[:2])}, [self.roles.median])
            facts = [f for f in res.top if len(f.group) == 1][:2]
        elif any(x.slot in FACT_SLOTS for x in m.mentions):
            q = {s: m.ids(s) for s in FACT_SLOTS if m.ids(s)}
            res = resolve(self.store, q, m.ids("stat"))
            facts = res.top[:2] if res else []
        return Plan(status="medical_advice", kind="advice", rule=rule_id, reply=reply, facts=facts, confidence=0.95)
