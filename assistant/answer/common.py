"""What every planning step shares: the answer settings (knowledge/answers.toml), the words of what was asked,
and the no_data and clarify plans."""
from __future__ import annotations

import re

from assistant.answer.plan import Plan
from assistant.answer.resolver import expand, nearest
from assistant.kb.models import WHOLE_TRIAL, Fact
from assistant.kb.store import Store
from assistant.understand.matcher import Match


class Common:
    """Settings and helpers of the planner, the slot filler and the strategies. Pure and thread-safe."""

    SHARED = ("store", "roles", "t", "options", "follow_starts", "references", "weak_references", "question_words",
              "union", "relation", "coordinated", "cause", "plural", "set_of", "than_last", "overall", "actor",
              "distributive", "amounts", "pair", "drug_reference", "joiners", "group_fillers", "families", "kin",
              "same_topic_cues", "threshold", "unit_asked")

    def __init__(self, store: Store, base: Common | None = None) -> None:
        """Read the settings once; `base` (the planner) shares its own with the slot filler and the strategies."""
        if base is not None:
            self.__dict__.update({k: base.__dict__[k] for k in self.SHARED})
            return
        self.store = store
        settings = store.answers
        self.roles, self.t, self.options = settings.roles, settings.thresholds, settings.clarify
        f = settings.follow_up
        self.follow_starts, self.references = frozenset(f.starts), frozenset(f.reference_words)
        self.weak_references, self.question_words = frozenset(f.weak_references), frozenset(f.question_words)
        self.union, self.relation, self.coordinated = re.compile(f.union), re.compile(f.relation), re.compile(f.coordinated)
        self.pair = re.compile(f.pair) if f.pair else None
        self.cause = re.compile(f.cause) if f.cause else None
        self.plural = re.compile(f.plural) if f.plural else None
        self.set_of = re.compile(f.set_of) if f.set_of else None
        self.than_last = re.compile(f.than_last) if f.than_last else None
        self.overall = re.compile(f.overall) if f.overall else None
        self.actor = re.compile(f.actor) if f.actor else None
        self.distributive = re.compile(f.distributive) if f.distributive else None
        self.amounts = frozenset(f.amounts)
        self.drug_reference = re.compile(f.drug_reference) if f.drug_reference else None
        self.joiners = frozenset(f.measure_joiners)
        self.group_fillers = frozenset(f.group_fillers)
        self.same_topic_cues = tuple(f.same_topic_cues)
        self.threshold = re.compile(f.threshold) if f.threshold else None
        self.unit_asked = re.compile(f.unit_asked) if f.unit_asked else None
        self.families: dict[str, str] = {}  # group id -> the label of the smallest umbrella holding it
        self.kin: dict[str, list[frozenset[str]]] = {}  # measure id -> the members of each umbrella holding it
        for e in sorted(store.entities.values(), key=lambda e: (len(e.expands), e.id)):  # smallest umbrella first
            if e.slot == "group":
                for g in e.expands:
                    self.families.setdefault(g, e.label or e.id)
            elif e.slot == "measure":
                for x in e.expands:
                    self.kin.setdefault(x, []).append(frozenset(e.expands))

    def elliptical(self, normalised: str, references: bool = True) -> bool:
        """'and at 5 years?', 'what about OS?', 'OS at those timepoints?': a turn that leans on the last one
        (`references`: pointing back with 'those', 'them' is enough)."""
        words = normalised.split(" ")
        short = len(words) <= 3 and words[0] not in self.question_words  # 'at 5 years?', not 'what is inotuzumab'
        return (short or words[0] in self.follow_starts or " ".join(words[:2]) in self.follow_starts
                or " ".join(words[:3]) in self.follow_starts
                or references and bool(self.references.intersection(words)))

    def coverage(self, measures: list[str], fact: Fact) -> int:
        """How many of the measures the question names this fact answers."""
        return sum(1 for x in measures if ({x} | set(expand(self.store, [x]))) & set(fact.measure))

    def no_data(self, q: dict[str, list[str]], stats: list[str]) -> Plan:
        near, dropped = nearest(self.store, q, stats)
        return Plan(status="no_data", kind="not_reported", facts=near, missing=self.describe(q), note=dropped,
                    confidence=0.75)

    def describe(self, q: dict[str, list[str]]) -> str:
        """Words for what was asked, from entity labels ('overall survival for patients aged 70 or older')."""
        def label(ids: list[str]) -> str:
            return " and ".join(self.store.entities[i].label or i for i in ids if i in self.store.entities)

        measures = q.get("measure", [])  # a measure no fact lists ('drug profile') adds nothing beside another
        parts = [label([x for x in measures if self.store.by_measure.get(x)
                        or self.store.entities[x].anchor != "none"] or measures)]
        if q.get("drug"):  # 'the dose of inotuzumab ozogamicin for patients treated after the amendment'
            parts = [f"{parts[0]} of {label(q['drug'])}" if parts[0] else label(q["drug"])]
        if q.get("group") and q["group"] != [WHOLE_TRIAL]:
            parts.append("for " + label(q["group"]))
        if q.get("timepoint"):
            parts.append("at " + label(q["timepoint"]))
        if q.get("cycle"):
            parts.append("in " + label(q["cycle"]))
        if not parts[0]:  # no measure named: 'results at 5 years', or just 'that'
            parts[0] = "results" if len(parts) > 1 else "that"
        return " ".join(parts)

    def holds(self, fact: Fact, stat: str, value_kinds: bool = False) -> bool:
        """The fact holds the statistic ('how many': a count); `value_kinds`: also a value of a kind that gives it."""
        sm = self.store.answers.statistics.get(stat)
        if sm is None:
            return True
        kinds = {v.kind for v in fact.values}
        return fact.stat in sm.fact_stats or bool(kinds & set(sm.holds)) or (value_kinds and bool(kinds & set(sm.value_kinds)))

    def lacks(self, q: dict[str, list[str]], stats: list[str], facts: list[Fact], text: str = "") -> str:
        """What was asked that a `required` statistic leaves unanswered by these facts ('' if nothing): 'how long
        was each inotuzumab infusion?' is not answered by the route, nor 'how long ... in days?' by cycles."""
        unit = self.unit_asked.search(text) if self.unit_asked is not None and text else None
        for s in stats:
            sm = self.store.answers.statistics.get(s)
            if sm is None or not sm.required or not facts:
                continue
            def gives(f: Fact) -> bool:
                kinds = [v for v in f.values if v.kind in sm.value_kinds]
                if unit and kinds and not any(v.unit.startswith(unit.group(1)) for v in kinds):
                    return False  # 'in days': a duration in cycles is no answer
                return f.stat in sm.fact_stats and not unit or bool(kinds)
            if not any(gives(f) for f in facts):
                label = self.store.entities[s].label if s in self.store.entities else ""
                return f"a {label} for {self.describe(q)}" if label else self.describe(q)
        return ""

    def uncounted(self, m: Match, facts: list[Fact]) -> bool:
        """'how many patients ...' (the count asked is of patients: the word right after), and no fact here holds a
        count, rate or percentage ('how many patients needed dose reductions?' is not the advice to reduce)."""
        ends = {x.end for x in m.mentions if x.entity == self.roles.count and x.start >= 0}
        asked = bool(self.roles.patients) and any(x.entity == self.roles.patients and x.start in ends for x in m.mentions)
        return asked and not any(v.kind in ("count", "n", "percent", "rate") for f in facts for v in f.values)

    def family(self, group_id: str) -> str:
        """The umbrella a group belongs to ('age groups' for age_70plus); '' for the whole trial."""
        return self.families.get(group_id, "")

    def clarify(self, top: list[Fact], q: dict[str, list[str]], by: str) -> Plan:
        options: list[str] = []
        for f in top:
            if by == "group":
                fam = self.family(f.group[0])
                measure = self.describe({"measure": q.get("measure", f.measure[:1])})
                by_fam = fam if fam.split(" ")[0] in ("before", "after", "with", "without") else f"by {fam}"
                opt = f"What was the {measure} {by_fam}" if fam else ""  # not 'by before vs after ...'
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

    def clarify_generic(self, what: str, stats: list[str] | None = None) -> Plan:
        if what != "significance":
            options = self.options.by_statistic.get(next(iter(stats or []), ""), self.options.default)
            return Plan(status="clarify", kind="clarify", missing=what, confidence=0.4, options=list(options))
        return Plan(status="clarify", kind="clarify", options=list(self.options.significance), missing=what,
                    confidence=0.4)
