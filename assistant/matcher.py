"""Step 3: score intent rules against the entities found (Adapt-style required/optional slots), decide scope."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import IntentRule
from .normalise import normalise
from .store import Store
from .tagger import Mention, Tagger

BARE_CUES = frozenset({"cue.significance", "cue.ci", "cue.overview"})
FUNCTION_WORDS = frozenset("what was were is the and a an about so then ok how for of that it its this there they "
                           "did do month months year years percent patients people".split())
_OTHER_DRUG = re.compile(r"[a-z]{3,}(?:mab|nib|clax|lisib|parib|tide|zomib|mide|platin|rubicin|taxel|tabine|"
                         r"cycline|sone|lone|olol|pril|sartan|statin|azole|vir|ciclib)")
_MARKER = re.compile(r"[a-z]{2,}\d+[a-z0-9]*")
TRIAL_SLOTS = ("measure", "group", "timepoint", "drug", "cycle", "unreported")


@dataclass
class Match:
    """What the question says: its entities by slot, the winning rule and the runner-up."""

    normalised: str
    mentions: list[Mention] = field(default_factory=list)
    rule: IntentRule | None = None
    score: float = 0.0
    runner_up: IntentRule | None = None
    runner_score: float = 0.0
    in_scope: bool = False
    note: str = ""

    def ids(self, slot: str) -> list[str]:
        seen: list[str] = []
        for m in self.mentions:
            if m.slot == slot and m.entity not in seen:
                seen.append(m.entity)
        return seen

    def unknown_markers(self) -> list[str]:
        """Gene- or code-like words the lexicon does not know ('kmt2a', 'e1910'): the source cannot answer them."""
        covered = {i for m in self.mentions for i in range(m.start, m.end)}
        return [t for i, t in enumerate(self.normalised.split(" "))
                if i not in covered and _MARKER.fullmatch(t)]

    def other_drugs(self) -> list[str]:
        """Drug-like names the lexicon does not know ('rituximab', 'venetoclax'): not this trial's drugs."""
        covered = {i for m in self.mentions for i in range(m.start, m.end)}
        return [t for i, t in enumerate(self.normalised.split(" ")) if i not in covered and _OTHER_DRUG.fullmatch(t)]

    def has(self, slot: str, entity: str | None = None) -> bool:
        return any(m.slot == slot and (entity is None or m.entity == entity) for m in self.mentions)


class Matcher:
    """Compiles the intent rules once; `match` is pure and thread-safe."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tagger = Tagger(store)
        rules = sorted(store.intents.values(), key=lambda r: (-r.weight, r.id))
        # one alternation per rule: a single regex search decides whether any of its patterns fits
        self.patterns = {r.id: re.compile("|".join(f"(?:{p})" for p in r.patterns)) for r in rules if r.patterns}
        self.chitchat = [r for r in rules if r.kind == "chitchat"]
        self.advice = [r for r in rules if r.kind == "advice"]
        self.reject = [r for r in rules if r.kind == "reject"]
        self.scored = [r for r in rules if r.kind not in {"chitchat", "advice", "reject"}]

    def _fits(self, rule: IntentRule, text: str) -> bool:
        pattern = self.patterns.get(rule.id)
        return pattern is not None and pattern.search(text) is not None

    def _item(self, item: str, mentions: list[Mention]) -> float:
        """Best score among a requirement's alternatives ('measure,group' or 'cue:sup.max|sup.min')."""
        best = 0.0
        for alt in item.split(","):
            slot, _, ids = alt.partition(":")
            wanted = set(ids.split("|")) if ids else None
            for m in mentions:
                if m.slot == slot and (wanted is None or m.entity in wanted):
                    best = max(best, m.score * self.store.entities[m.entity].weight)
        return best

    def score(self, rule: IntentRule, mentions: list[Mention]) -> float:
        required = [self._item(i, mentions) for i in rule.requires]
        if not required or min(required) <= 0 or any(self._item(i, mentions) > 0 for i in rule.excludes):
            return 0.0
        optional = sum(min(self._item(i, mentions), 1.0) for i in rule.optional)
        return round(rule.weight * (sum(required) / len(required)) + 0.1 * optional, 4)

    def in_scope(self, mentions: list[Mention], follow_up: bool = False) -> bool:
        """A trial term (measure, group, drug, ...) or a strong anchor ties a question to the trial; generic
        domain words ('patients', 'leukemia') need two. In a conversation, a cue alone will do ('p value?')."""
        domain: set[str] = set()
        everyday: set[str] = set()
        for m in mentions:
            if follow_up and (m.slot in TRIAL_SLOTS or m.slot in ("stat", "cue")):
                return True
            anchor = self.store.entities[m.entity].anchor
            if m.how == "generic":
                if m.slot != "domain" and anchor != "none":
                    everyday.add(m.entity)
                continue
            if anchor == "strong" or (m.slot in TRIAL_SLOTS and m.slot != "unreported" and anchor == "weak"):
                return True
            if m.slot == "domain" or (m.slot == "unreported" and anchor == "weak"):
                domain.add(m.entity)
        # two domain words, or one domain word plus an everyday name of a trial term ("participants ... women")
        return len(domain) >= 2 or (len(domain) == 1 and len(everyday - domain) >= 1)

    def _anchored(self, mentions: list[Mention], other: bool = False) -> bool:
        """Only a strong anchor makes a question naming another population or disease about this trial."""
        for m in mentions:  # the trial named, or one of its own strong terms ('Ph-negative', 'inotuzumab')
            e = self.store.entities[m.entity]
            if e.anchor == "strong" and m.how != "generic" and m.slot in ("domain", *TRIAL_SLOTS[:-1]):
                return True
        return not other and not any(m.slot == "unreported" and self.store.entities[m.entity].anchor == "none"
                                     for m in mentions)

    @staticmethod
    def _bare(text: str, mentions: list[Mention]) -> bool:
        """A bare statistic ('what was the median?'): about the trial, but needs clarifying."""
        stat_words = {w for m in mentions if m.slot == "stat" or m.entity in BARE_CUES for w in m.text.split(" ")}
        return bool(stat_words) and all(w in stat_words or w in FUNCTION_WORDS for w in text.split(" "))

    def match(self, question: str, follow_up: bool = False) -> Match:
        """Entities and intent of a question; `follow_up` (a conversation is under way) lets a lone trial
        term count as in scope ("and diarrhea?")."""
        text = normalise(question)
        result = Match(normalised=text)
        mentions = self.tagger.tag(text, question)
        result.mentions = mentions
        solid = [m for m in mentions if m.slot == "domain"
                 or (m.how != "generic" and self.store.entities[m.entity].anchor != "none")]
        for rule in self.advice:
            if self._fits(rule, text) and all(self._item(i, solid) > 0 for i in rule.requires):
                result.rule, result.score, result.in_scope = rule, rule.weight, True
                return result
        trial_terms = [m for m in mentions if m.slot in TRIAL_SLOTS or m.slot == "domain"]
        strong = any(self.store.entities[m.entity].anchor == "strong" and m.how != "generic" for m in mentions)
        for rule in self.chitchat:
            if self._fits(rule, text) and not trial_terms:
                result.rule, result.score = rule, rule.weight
                return result
        result.in_scope = self.in_scope(mentions, follow_up) or self._bare(text, mentions)
        for rule in self.reject:
            if self._fits(rule, text) and not strong:
                result.rule, result.score, result.in_scope = rule, rule.weight, False
                return result
        if not result.in_scope:
            result.note = "nothing ties the question to this trial"
            return result
        rules = [r for r in self.scored if follow_up or not r.follow_up]
        ranked = sorted(((self.score(r, mentions), r) for r in rules), key=lambda x: (-x[0], x[1].id))
        ranked = [x for x in ranked if x[0] > 0]
        if result.other_drugs() and not follow_up and not self._anchored(mentions, other=True):
            result.in_scope = False
            result.note = "about a drug this trial did not use"
            return result
        if ranked and ranked[0][1].kind == "unreported" and not follow_up and not self._anchored(mentions):
            result.in_scope = False
            result.note = "about something this trial did not study"
            return result
        if ranked:
            result.score, result.rule = ranked[0]
        if len(ranked) > 1:
            result.runner_score, result.runner_up = ranked[1]
        return result
