"""Step 5: the plan for a decided question: what to answer, from which facts, and how to present them.

Statuses decided from the words (advice, chit-chat, out of scope, a foreign name) get their reply; questions
with unplaced words or too weak a match get a clarify; every other question is planned by the strategy of its
intent kind (`strategies/`), after the context has filled what it leaves open (`slots.py`). No text is written
here.
"""
from __future__ import annotations

from assistant.answer.common import Common
from assistant.answer.context import CLARIFY_BARE, CLARIFY_UNPLACED, CLARIFY_WEAK
from assistant.answer.decide import Decision
from assistant.answer.plan import Plan
from assistant.answer.replies import REPLIES
from assistant.answer.resolver import resolve
from assistant.answer.slots import SlotFiller
from assistant.answer.strategies import strategies
from assistant.kb.contract import Context, Frame, SlotValue
from assistant.kb.models import WHOLE_TRIAL, IntentRule
from assistant.kb.store import Store
from assistant.understand.matcher import Match


class Planner(Common):
    """Turns a Match, its Decision and the context into a Plan. Pure and thread-safe."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.filler = SlotFiller(store, self)
        self.kinds = strategies(store, self)

    def plan(self, m: Match, d: Decision, ctx: Context) -> Plan:
        """The plan for a decided question: a reply for the statuses decided from the words, a clarify for words
        it cannot place or too weak a match, else the strategy of the rule's kind."""
        replied = REPLIES[d.status](d, m, self.store) if d.status in REPLIES else None
        if replied is not None:
            if d.status == "medical_advice" and m.ids("group"):  # 'my dad is 74 ...': 'people his age' next
                replied.frame = Frame(slots={"group": list(dict.fromkeys(m.ids("group")))})
            return replied
        if d.kind == "bare" or (m.rule is None and d.status == "clarify"):
            plan = self.clarify_generic("that", m.ids("stat"))
            plan.rule = CLARIFY_BARE
            plan.frame = Frame(intent=plan.rule, options=[o + "?" for o in plan.options])
            return plan
        rule = m.rule
        assert rule is not None
        if d.status == "clarify":
            return self._unplaced(rule, m, d, ctx)
        if m.score < self.t.min_score:  # too weak a match to answer: ask back rather than guess
            plan = self.clarify_generic("that", m.ids("stat"))
            plan.rule = CLARIFY_WEAK
            return plan
        return self._planned(rule, m, ctx)

    def _unplaced(self, rule: IntentRule, m: Match, d: Decision, ctx: Context) -> Plan:
        """Words it cannot place: offer the closest readings, answer none of them."""
        closest, q, _, _ = self._run(rule, m, ctx)
        options = [self.store.facts[f.id].examples[0].rstrip("?") for f in closest.facts[:3]]
        plan = Plan(status="clarify", kind="unplaced", rule=CLARIFY_UNPLACED, unplaced=d.names,
                    options=options or list(self.options.default), missing=self.describe(q) if q else "",
                    confidence=0.3, note=d.reason)
        plan.frame = Frame(intent=plan.rule, options=[o + "?" for o in plan.options][:5])
        return plan

    def _planned(self, rule: IntentRule, m: Match, ctx: Context) -> Plan:
        """The rule's strategy; a close runner-up of another kind giving other facts makes it a clarify. The
        plan carries the frame this turn leaves for the next."""
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
        plan.rule, plan.slots = rule.id, [*found, *plan.slots]  # the strategy's own fills after the filler's
        plan.kind = plan.kind or rule.kind
        if plan.status in ("answered", "no_data", "clarify") and (q or plan.facts or plan.options):
            plan.frame = Frame(slots=self.filler.topic(q, plan), facts=[f.id for f in plan.facts], intent=rule.id,
                               stats=self.filler.stats(m, ctx)[:4], options=[o + "?" for o in plan.options][:5])
            plan.new_topic = new_topic
        return plan

    def _run(self, rule: IntentRule, m: Match, ctx: Context) -> tuple[Plan, dict[str, list[str]], list[SlotValue], bool]:
        """The plan one rule gives: slots (with context and defaults), then its kind's strategy."""
        stats = self.filler.stats(m, ctx)
        inherited = bool(stats) and not m.ids("stat")
        q, found, new_topic = self.filler.fill(m, ctx, {} if inherited else rule.defaults)
        if rule.kind == "lookup" and any(s.source == "default" for s in found):
            res = resolve(self.store, q, stats)
            near = [f for s, f in res.scored if s >= res.best - self.t.margins["default_slots"]]
            if res:
                plan = Plan(status="answered", facts=near[:self.t.max_facts], confidence=0.75)
            else:
                plan = self._of_the_group(q, stats, found) or self.no_data(q, stats)
        else:
            plan = self.kinds[rule.kind].plan(m, ctx, q, stats)
        return plan, q, found, new_topic

    def _of_the_group(self, q: dict[str, list[str]], stats: list[str], found: list[SlotValue]) -> Plan | None:
        """'what happened to those who enrolled MRD-positive?': the rule's default measure (their survival) is not
        reported for the group, so what the article does report of that group answers, saying survival is not."""
        groups = q.get("group", [])
        if not groups or WHOLE_TRIAL in groups or not any(s.slot == "measure" and s.source == "default" for s in found):
            return None
        res = resolve(self.store, {k: v for k, v in q.items() if k != "measure"}, stats)
        facts = [f for f in res.top if WHOLE_TRIAL not in f.group]
        if not facts or len(facts) > self.t.max_facts:
            return None
        return Plan(status="answered", facts=facts, confidence=0.7, also_missing=self.describe(q))
