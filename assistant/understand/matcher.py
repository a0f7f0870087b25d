"""Step 3: tag the question and score the intent rules (Adapt-style required/optional slots).

The matcher decides nothing about scope or status: it reports what the question says (mentions), which
whole-message rules fit (advice, chit-chat, general medicine) and how the answering rules rank. The
decision step (`decide.py`) reads that together with the word accounting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.kb.models import IntentRule
from assistant.kb.store import Store
from assistant.understand.prefilter import cheapest, passes
from assistant.understand.tagger import Mention, Tagger

TRIAL_SLOTS = ("measure", "group", "timepoint", "drug", "cycle", "unreported")


@dataclass
class Match:
    """What the question says: its entities by slot, the rules that fit, the winning rule and the runner-up."""

    normalised: str
    mentions: list[Mention] = field(default_factory=list)
    rule: IntentRule | None = None
    score: float = 0.0
    runner_up: IntentRule | None = None
    runner_score: float = 0.0
    advice: list[IntentRule] = field(default_factory=list)
    chitchat: IntentRule | None = None
    reject: IntentRule | None = None

    def ids(self, slot: str) -> list[str]:
        seen: list[str] = []
        for m in self.mentions:
            if m.slot == slot and m.entity not in seen:
                seen.append(m.entity)
        return seen

    def has(self, slot: str, entity: str | None = None) -> bool:
        return any(m.slot == slot and (entity is None or m.entity == entity) for m in self.mentions)


class _Patterns:
    """A rule's patterns, each behind the cheapest group of literals it cannot match without (prefilter.py): a
    pattern is searched only when one of its literals is in the text, and the patterns behind one literal are
    searched as one alternation (a match of `(?:a)|(?:b)` exists exactly when one of `a`, `b` matches). Exact: the
    same answer as searching all."""

    def __init__(self, patterns: list[str]) -> None:
        always: list[str] = []  # no literal known: always searched
        by_literal: dict[str, list[str]] = {}
        for p in patterns:
            group = cheapest(p)
            if not group:
                always.append(p)
            for literal in group:
                by_literal.setdefault(literal, []).append(p)
        self.always = _joined(always)
        self.by_literal = [(literal, _joined(ps)) for literal, ps in by_literal.items()]

    def search(self, text: str) -> bool:
        if self.always is not None and self.always.search(text) is not None:
            return True
        for literal, pattern in self.by_literal:
            if literal in text and pattern.search(text) is not None:
                return True
        return False


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    """One alternation of the patterns (None for none)."""
    if not patterns:
        return None
    return re.compile(patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns))


class Matcher:
    """Compiles the intent rules once; `match` is pure and thread-safe."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tagger = Tagger(store)
        rules = sorted(store.intents.values(), key=lambda r: (-r.weight, r.id))
        # each pattern with the literals it cannot match without: most searches are skipped by a substring test
        self.patterns = {r.id: _Patterns(r.patterns) for r in rules if r.patterns}
        self.unless = {r.id: _Patterns(r.unless) for r in rules if r.unless}
        self.chitchat = [r for r in rules if r.kind == "chitchat"]
        self.advice = [r for r in rules if r.kind == "advice"]
        self.reject = [r for r in rules if r.kind == "reject"]
        self.scored = [r for r in rules if r.kind not in {"chitchat", "advice", "reject"}]
        self.rewrites = [(re.compile(r.pattern), r.replace, cheapest(r.pattern)) for r in store.frame.rewrite]
        self._items: dict[str, list[tuple[str, frozenset[str] | None]]] = {  # requirement -> its alternatives
            item: self._parse(item) for r in rules for item in (*r.requires, *r.optional, *r.excludes)}
        # rule id -> for each requirement, the slots of its alternatives: a rule with a requirement no mention's
        # slot can meet scores 0 (its _item is 0), so it is not scored
        self._needs: dict[str, list[frozenset[str]]] = {
            r.id: [frozenset(slot for slot, _ in self._items[i]) for i in r.requires] for r in self.scored}

    def fits(self, rule: IntentRule, text: str) -> bool:
        """Does any of the rule's patterns occur in the (normalised) text, and none of its `unless` ones?"""
        patterns = self.patterns.get(rule.id)
        if patterns is None or not patterns.search(text):
            return False
        unless = self.unless.get(rule.id)
        return unless is None or not unless.search(text)

    @staticmethod
    def _parse(item: str) -> list[tuple[str, frozenset[str] | None]]:
        """'measure,cue:sup.max|sup.min' -> [('measure', None), ('cue', {'sup.max', 'sup.min'})]."""
        out = []
        for alt in item.split(","):
            slot, _, ids = alt.partition(":")
            out.append((slot, frozenset(ids.split("|")) if ids else None))
        return out

    def _item(self, item: str, mentions: list[Mention]) -> float:
        """Best score among a requirement's alternatives ('measure,group' or 'cue:sup.max|sup.min')."""
        best = 0.0
        for slot, wanted in self._items.get(item) or self._parse(item):
            for m in mentions:
                if m.slot == slot and (wanted is None or m.entity in wanted):
                    best = max(best, m.score * self.store.entities[m.entity].weight)
        return best

    def score(self, rule: IntentRule, mentions: list[Mention], text: str = "") -> float:
        """Adapt-style score; a scoring rule with patterns scores only when one fits the text (searched last:
        the slot checks are cheaper)."""
        required = [self._item(i, mentions) for i in rule.requires]
        if not required or min(required) <= 0 or any(self._item(i, mentions) > 0 for i in rule.excludes):
            return 0.0
        if rule.patterns and not self.fits(rule, text):
            return 0.0
        if rule.unless and not rule.patterns and self.unless[rule.id].search(text):  # with patterns: fits() did
            return 0.0
        optional = sum(min(self._item(i, mentions), 1.0) for i in rule.optional)
        return round(rule.weight * (sum(required) / len(required)) + 0.1 * optional, 4)

    def match(self, question: str, follow_up: bool = False) -> Match:
        """Entities, fitting whole-message rules and ranked answering rules; `follow_up` (a conversation is
        under way) admits the rules that only make sense there."""
        text = self.store.normalise(question)
        for pattern, repl, needs in self.rewrites:
            if passes(needs, text):  # a rewrite whose literals are all absent cannot change the text
                text = pattern.sub(repl, text)
        result = Match(normalised=text)
        mentions = self.tagger.tag(text, question, quoted=not follow_up)
        result.mentions = mentions
        result.advice = [r for r in self.advice if self.fits(r, text)]  # is it medical? decide.py
        result.chitchat = next((r for r in self.chitchat if self.fits(r, text)), None)
        result.reject = next((r for r in self.reject if self.fits(r, text)), None)
        slots = {m.slot for m in mentions}
        rules = [r for r in self.scored if (follow_up or not r.follow_up)
                 and r.requires and all(not slots.isdisjoint(need) for need in self._needs[r.id])]
        ranked = sorted(((self.score(r, mentions, text), r) for r in rules), key=lambda x: (-x[0], x[1].id))
        ranked = [x for x in ranked if x[0] > 0]
        if ranked:
            result.score, result.rule = ranked[0]
        if len(ranked) > 1:
            result.runner_score, result.runner_up = ranked[1]
        return result
