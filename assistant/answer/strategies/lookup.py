"""A figure for what the question names: the tie set of the best facts, or no_data / clarify when they
do not answer exactly what was asked (never a neighbouring figure instead)."""
from __future__ import annotations

import re
from typing import Any

from assistant.answer.plan import Plan
from assistant.answer.resolver import Resolution, expand, resolve
from assistant.answer.strategies.base import Strategy
from assistant.kb.contract import Context
from assistant.kb.models import WHOLE_TRIAL, Fact
from assistant.understand.matcher import Match


class Lookup(Strategy):
    """'What was the 2-year PFS?': one measure asked, one measure answered."""

    kind = "lookup"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the timepoints the article reports (the store is read-only: gathered once, not per question)
        self.timepoints = frozenset(v.value for f in self.store.facts.values() for v in f.values
                                    if v.kind == "timepoint")
        # the measures some fact gives at a timepoint (a response rate has none: 'the ORR and the 2-year OS')
        self.timed = frozenset(x for f in self.store.facts.values() if f.slot("timepoint")
                               for x in {*f.measure, *(e.id for e in self.store.entities.values()
                                                       if set(e.expands) & set(f.measure))})

    def plan(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str]) -> Plan:
        if self._unreported_timepoint(m, q):
            return self.via("unreported", m, ctx, q, stats, entity=self.roles.unreported_timepoint)
        if not q or (q == {"group": [WHOLE_TRIAL]} and not m.ids("stat") and not m.ids("cue")):  # 'why all 80?':
            # the whole trial alone asks nothing yet
            return self.clarify_generic("that", stats)
        if q.get("timepoint") and self.roles.median in stats and self.threshold is not None \
                and self.threshold.search(m.normalised):  # 'was median PFS under 2 years?': the median, compared
            q = {k: v for k, v in q.items() if k != "timepoint"}
        excluded = self._besides(m)
        if excluded and q.get("measure"):  # 'besides MDS, what other second neoplasm?': not the ones named
            q = dict(q, measure=[x for x in q["measure"] if x not in excluded] or q["measure"])
        if q.get("measure") == [self.roles.types] and not ctx.frames:  # 'which other antibody ...': types of what?
            return self.clarify_generic("that", stats)
        if len(q.get("group", [])) > 1 and self._side_by_side(m, q["group"]):
            # 'median PFS for the oldest age group and for TP53-mutated patients': each group's own answer
            plans = [self.plan(m, ctx, dict(q, group=[g]), stats) for g in q["group"]]
            if all(p.status == "answered" and p.facts for p in plans):
                facts = list({f.id: f for p in plans for f in p.facts}.values())
                return Plan(status="answered", facts=facts, confidence=min(p.confidence for p in plans))
        res = resolve(self.store, q, stats)
        if not res and q.get("group") == [WHOLE_TRIAL]:  # 'median OS for the entire cohort': only by subgroup
            by_group = resolve(self.store, {k: v for k, v in q.items() if k != "group"}, stats)
            if by_group:
                return self._by_subgroup_only(q, stats, by_group.top)
        if not res:
            return self.no_data(q, stats)
        top = self._giving(res, stats, q) or res.top
        if "drug" not in q and any("drug" in self.store.entities[x].strict for x in q.get("measure", [])):
            near = [f for s, f in res.scored if s >= res.best - self.t.margins["per_drug"]]
            if len({f.drug[0] if f.drug else "" for f in near}) > 1:  # 'how many cycles?': each drug's, not one
                top = list({f.id: f for f in top + near}.values())
        if len(top) > 1 and ctx.frames and self.elliptical(m.normalised) and not (  # 'and what % of them were MRD
                self.overall is not None and self.overall.search(m.normalised)):  # negative?', not 'the overall rate'
            top = self._of_earlier(top, ctx, q, res)  # after the 72 evaluated early: of those, not all
        if len(q.get("measure", [])) > 1 and len(top) > 1:  # facts answering more of what was named come first
            cover = {f.id: self.coverage(q["measure"], f) for f in top}
            most = max(cover.values())
            top = [f for f in top if cover[f.id] == most]
        if len(q.get("measure", [])) > 1 and self.coordinated.search(m.normalised):
            top = top + [f for f in self._each_measure(m, q, stats, top) if f not in top]
        asked = set(q.get("measure", []))
        top = self._unqualified(asked, top)
        if "group" not in q:
            top = self._whole_trial(asked, top)
        if excluded:
            top = self._left_out(q, excluded, res, top)
        ranks = sorted((f.rank for f in top), reverse=True)
        if len(top) > self.t.max_facts and ranks[0] >= self.t.summary_rank and ranks[0] > ranks[1]:
            top = top[:1]  # a summary fact ('what the amendment changed') answers for the many details
        if self._subgroup_only(q, stats, top):  # 'median PFS?': reported only by subgroup, so ask which
            return self._which_subgroup(m, ctx, q, stats, top)
        if self.roles.median in stats and not any(f.stat == "median" or f.value("median") or any(
                v.kind == "median" for v in f.values) for f in top):
            if not m.ids("measure"):  # 'what was the median?' after the side effects: a median of what?
                return self.clarify_generic("that", stats)
            return Plan(status="no_data", kind="not_reported", facts=top[:2], confidence=0.7,
                        missing=f"a median for {self.describe(q)}")
        if not any(v.kind in ("count", "n") for f in top for v in f.values):  # 'how many were assessed for
            counts = {f.counted_by: self.store.facts[f.counted_by] for f in top if f.counted_by}  # safety': all,
            top = top + [f for f in counts.values() if f not in top and (  # and how many
                self.roles.count in stats or set(f.measure) & set(q.get("measure", [])))]
        unanswered = self._unanswered(m, q, stats, top)
        if unanswered:  # one measure asked, one measure answered: never a neighbouring figure instead
            return Plan(status="no_data", kind="not_reported", facts=top[:2], missing=unanswered, confidence=0.7)
        unmet = [x for x in q.get("measure", []) if x in self.roles.strict_facets and not any(x in f.measure for f in top)]
        if unmet:  # 'how long did it take to reach CR': the CR count is not an answer
            return Plan(status="no_data", kind="not_reported", facts=top[:2], missing=self.describe(q),
                        confidence=0.7)
        overview = m.has("cue", self.roles.overview)
        if "measure" not in q and len({tuple(f.measure) for f in top}) > 1 and not overview:
            return self.clarify(top, q, "measure")
        if len(top) <= self.t.max_facts:
            return Plan(status="answered", facts=top, confidence=0.9 if len(top) == 1 else 0.8)
        dims = [s for s in ("drug", "group", "cycle", "timepoint")
                if s not in q and len({tuple(f.slot(s)) for f in top}) > 1]
        if dims and not overview:
            return self.clarify(top, q, dims[0])
        return Plan(status="answered", kind="overview", facts=top[:self.t.max_table], table=True, confidence=0.8)

    def _which_subgroup(self, m: Match, ctx: Context, q: dict[str, list[str]], stats: list[str],
                        top: list[Fact]) -> Plan:
        """A figure given only by subgroup, asked with none: the last turn's subgroups ('the actual median PFS
        numbers?' after the two cohorts' P value), else ask which, else say it is only by subgroup."""
        last = [g for g in (ctx.frames[0].slots.get("group", []) if ctx.frames else []) if g != WHOLE_TRIAL]
        if last:
            again = self.plan(m, ctx, dict(q, group=last), stats)
            if again.status == "answered":
                return again
        plan = self.clarify(top, q, "group")
        return plan if plan.status == "clarify" else self._by_subgroup_only(q, stats, top)

    def _by_subgroup_only(self, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> Plan:
        """no_data for everyone, of a figure the article gives only by subgroup (the nearest subgroup facts)."""
        median = "median " if self.roles.median in stats else ""
        return Plan(status="no_data", kind="not_reported", facts=top[:2], confidence=0.7,
                    missing=f"the {median}{self.describe(dict(q, group=[]))} for all patients (only by subgroup)")

    def _each_measure(self, m: Match, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> list[Fact]:
        """Measures named side by side ('the overall response rate and the 2-year OS') that the best facts leave
        out: each one's own best facts, with the timepoint dropped for a measure the article never gives by time
        (a response rate has no 2-year figure; the 2 years are the OS's)."""
        extra: list[Fact] = []
        for x in self._strong(m, q, weight=0.5, facets=True):
            own = self._own_stat(m, x)  # 'number of second neoplasms + median time to onset': their count too
            if any(self.coverage([x], f) and (not own or self.holds(f, own, value_kinds=True)) for f in top):
                continue
            qx = dict(q, measure=[x])
            if "timepoint" in qx and x not in self.timed:
                del qx["timepoint"]
            res = resolve(self.store, qx, [own] if own else stats)
            if res:
                extra += [f for f in res.top if self.coverage([x], f)][:1 if own else 2]
        return extra

    @staticmethod
    def _own_stat(m: Match, measure: str) -> str:
        """The statistic written right before a measure ('number of second neoplasms': a count of them), or ''."""
        starts = {x.start for x in m.mentions if x.entity == measure and x.how == "exact" and x.start >= 0}
        return next((x.entity for x in m.mentions if x.slot == "stat" and x.end in starts), "")

    def _side_by_side(self, m: Match, groups: list[str]) -> bool:
        """Groups of different families named one after the other with only a joiner between them ('for the
        oldest and for TP53-mutated patients'), not one group narrowed by another ('TP53-mutated patients aged
        70 or older')."""
        if len({self.family(g) for g in groups}) < 2:
            return False
        spans = sorted((x.start, x.end) for x in m.mentions if x.slot == "group" and x.entity in groups and x.start >= 0)
        if len(spans) < 2:
            return False
        words = m.normalised.split(" ")
        for (_, end), (start, _) in zip(spans, spans[1:]):
            between = " ".join(w for w in words[end:start] if w not in self.group_fillers)
            if between not in self.joiners:
                return False
        return True

    def _strong(self, m: Match, q: dict[str, list[str]], weight: float = 1.0, facets: bool = False) -> list[str]:
        """The trial measures the question names as written (not families or everyday words, nor facets unless
        `facets`: 'route and day'); `weight`: the least entity weight that counts (a measure named side by side
        with another counts from 0.5)."""
        return [x for x in m.ids("measure") if x in q.get("measure", [])
                and (facets or self.store.entities[x].anchor != "none")
                and self.store.entities[x].weight >= weight and not self.store.entities[x].expands
                and any(mm.entity == x and mm.how == "exact" for mm in m.mentions)]

    def _of_earlier(self, top: list[Fact], ctx: Context, q: dict[str, list[str]], res: Resolution) -> list[Fact]:
        """The facts of the conversation's measure, else, for a measure named, of its nearest kin ('how many were
        evaluable for that?' after the MRD negativity rate: the MRD evaluation, not the response evaluation); all
        when none is. Only facets asked, of nothing named ('evaluable for it' after the early MRD response): the
        last answer's own facts first, when they hold the facet."""
        earlier = set(ctx.frames[0].slots.get("measure", []))
        if set(q) == {"measure"} and all(self.store.entities[x].anchor == "none" for x in q["measure"]):
            said = [f for _, f in res.scored if f.id in ctx.frames[0].facts]
            if said:
                return said
        own = [f for f in top if earlier & set(f.measure)]
        if own or not q.get("measure"):
            return own or top
        for kin in sorted((k for x in earlier for k in self.kin.get(x, ())), key=len):  # the nearest umbrella that
            near = [f for f in top if kin & set(f.measure)]  # tells the facts apart
            if 0 < len(near) < len(top):
                return near
        return top

    def _giving(self, res: Resolution, stats: list[str], q: dict[str, list[str]]) -> list[Fact]:
        """For a statistic that `prefer`s its facts ('how long'): when none of the best facts gives it, the fitting
        facts that do, of a measure and a drug asked when one is ('how long did enrolment last?' is never a survival
        median, 'how long was the inotuzumab infusion?' never blinatumomab's), best first ([] when the best facts
        give it, or no fact does)."""
        meaning = self.store.answers.statistics
        for s in stats:
            sm = meaning.get(s)
            if sm is None or not sm.prefer:
                continue
            def gives(f: Fact) -> bool:
                return f.stat in sm.fact_stats or bool({v.kind for v in f.values} & set(sm.value_kinds))
            if any(gives(f) for f in res.top):
                return []
            wide = set(expand(self.store, q.get("measure", [])))  # about the measure, not one also counting it
            drugs = set(q.get("drug", []))
            found = [(sc, f) for sc, f in res.scored if gives(f) and (not wide or f.measure[0] in wide)
                     and (not drugs or not f.drug or drugs & set(f.drug))]
            return [f for sc, f in found if sc >= found[0][0] - res.tie] if found else []
        return []

    def _unanswered(self, m: Match, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> str:
        """What the question asks that the best facts do not give ('' when they answer it):
        - the size of a group asked ('how many had CTG-HR') and no fact with a count;
        - two trial measures named with no 'and' between them that no fact joins ('median OS of the patients
          who developed MDS': a figure for one of them would answer another question)."""
        named = {x.entity for x in m.mentions if x.slot == "measure" and x.how == "exact"} & set(q.get("measure", []))
        asked = named & set(self.roles.survival_named)  # 'survival after the second cancer?': not how many had one
        survival = set(expand(self.store, list(asked))) | (asked & set(self.roles.survival))
        if survival and not any(set(f.measure) & survival for f in top):
            return self.describe(q)
        for x in q.get("measure", []):  # 'vincristine dose in the maintenance': no fact gives that dose
            e = self.store.entities.get(x)
            if e is not None and e.per_drug and not all(  # each drug named is the main drug of a fact giving it
                    any(x in f.measure and f.slot(s)[:1] == [d] for f in top) for s in e.strict for d in q.get(s, [])):
                return self.describe({**q, "measure": [x]})
        groups = q.get("group", [])
        families = {self.family(g) for g in groups}
        if len(families) > 1 and not any(set(groups) <= set(f.group) for f in top) and not self._paired(groups):
            return self.describe(q)  # 'median OS for TP53-mutated patients aged 70 or older': no fact joins them
        meaning = self.store.answers.statistics
        if lacking := self.lacks(q, stats, top, m.normalised):  # 'how long was each infusion?': not that it was IV
            return lacking
        for s in stats:  # 'what percentage of all patients died in remission?': the article gives only counts
            sm = meaning.get(s)
            kinds = {v.kind for f in top for v in f.values}
            if sm is not None and sm.not_from and kinds & set(sm.not_from) and not kinds & set(sm.holds) and not any(
                    f.stat in sm.fact_stats for f in top):
                return f"a {self.store.entities[s].label} for {self.describe(q)}" if s in self.store.entities \
                    else self.describe(q)
        if (self.roles.count in stats and not {"measure", "drug", "cycle"} & set(q) and q.get("group")
                and not any(v.kind in ("count", "n") for f in top for v in f.values)):
            return "the number of " + self.describe({"group": q["group"]}).split(" for ", 1)[1]  # patients with ...
        if q.get("measure") and self.uncounted(m, top):
            return f"the number of patients ({self.describe(q)})"  # 'how many patients completed maintenance?'
        measures = q.get("measure", [])
        if self.cause is not None and len(measures) > 1 and self.cause.search(m.normalised) and not any(
                self.coverage(measures, f) == len(measures) for f in top):
            return self.describe(q)  # 'did anyone die of liver disease?': no fact gives deaths from it
        strong = self._strong(m, q) + [  # survival named as such: 'the survival of the patients who developed a
            x for x in q.get("measure", []) if self.store.entities[x].expands  # second neoplasm' (no fact joins them)
            and not self.store.survival.isdisjoint(expand(self.store, [x]))
            and any(mm.entity == x and mm.how == "exact" for mm in m.mentions)]
        if len(strong) >= 2 and self.relation.search(m.normalised) and not self.coordinated.search(m.normalised) and not any(
                self.coverage(strong, f) >= 2 for f in top):
            return self.describe({**q, "measure": strong})
        return ""

    def _unqualified(self, asked: set[str], top: list[Fact]) -> list[Fact]:
        """'MRD negativity rate?': a fact of just what was asked beats one also of a set of patients not named
        (the 72 evaluated for an early MRD response)."""
        wide = asked | set(expand(self.store, list(asked)))
        if not asked or not any(set(f.measure) <= wide for f in top):
            return top
        return [f for f in top if self.roles.types in f.measure or not any(  # MDS is one type of second cancer
            x not in wide and x in self.store.entities and self.store.entities[x].qualifies for x in f.measure)]

    def _whole_trial(self, asked: set[str], top: list[Fact]) -> list[Fact]:
        """No group asked: the whole trial's facts, not a subgroup's too, unless the measures name the set
        ('second neoplasms: median age' is theirs)."""
        if not any(WHOLE_TRIAL in f.group and (not asked or f.measure[0] in asked) for f in top):
            return top
        return [f for f in top if WHOLE_TRIAL in f.group or self.coverage(list(asked), f) >= 2]

    def _left_out(self, q: dict[str, list[str]], excluded: set[str], res: Resolution, top: list[Fact]) -> list[Fact]:
        """The best facts without the measures left out ('besides MDS'); when all that was named was left out
        ('what else besides infections contributed to deaths in remission?'), the fitting facts telling more."""
        top = [f for f in top if not excluded & set(f.measure)] or top
        if not set(q.get("measure", [])) <= excluded:
            return top
        left = set(expand(self.store, list(excluded))) | excluded
        beyond = [f for _, f in res.scored if set(f.measure) - left]
        return beyond[:self.t.max_facts] or top

    def _besides(self, m: Match) -> set[str]:
        """Measures named between 'besides' / 'other than' and the question proper: the ones to leave out."""
        cue = next((x for x in m.mentions if x.entity == self.roles.besides and x.start >= 0), None)
        if cue is None:
            return set()
        words = m.normalised.split(" ")
        stop = next((i for i in range(cue.end, len(words)) if words[i] in self.question_words), len(words))
        asked = {x.entity for x in m.mentions if x.slot == "measure" and (x.start >= stop or 0 <= x.start < cue.start)}
        # 'which other authors' after it, or 'how many sites ... besides the main center' before it, is asked
        return {x.entity for x in m.mentions if x.slot == "measure" and cue.end <= x.start < stop} - asked

    def _paired(self, groups: list[str]) -> bool:
        """Groups that are each other's opposite ('under 70' and '70 or older'): one comparison, not a join."""
        return len(groups) == 2 and self.store.entities[groups[0]].opposite == groups[1]

    def _subgroup_only(self, q: dict[str, list[str]], stats: list[str], top: list[Fact]) -> bool:
        """A survival median asked for everyone, which the article gives only by subgroup."""
        measures = set(expand(self.store, q.get("measure", [])))
        return ("group" not in q and self.roles.median in stats and bool(measures) and measures <= set(self.roles.survival)
                and not any(WHOLE_TRIAL in f.group for f in top))

    def _unreported_timepoint(self, m: Match, q: dict[str, list[str]]) -> bool:
        if m.ids("timepoint") or not set(expand(self.store, q.get("measure", []))) & set(self.roles.survival):
            return False
        return self.roles.unreported_timepoint in self.store.entities and bool(self._odd_durations(m.normalised))

    def _odd_durations(self, text: str) -> list[str]:
        known = self.timepoints
        return [d for d in re.findall(r"\b(\d+) year\b", text) if d not in known and int(d) <= 15]
