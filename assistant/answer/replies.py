"""Plans for the statuses decided from the words alone (decide.py): a personal decision, chit-chat, a question
not about this trial, a foreign name in a question about it. Each is a reply; none looks a figure up."""
from __future__ import annotations

from typing import Callable

from assistant.answer.decide import Decision
from assistant.answer.plan import Plan
from assistant.kb.store import Store
from assistant.understand.matcher import Match


def advice(d: Decision, m: Match, store: Store) -> Plan:
    """medical_advice: the rule's reply pointing to the clinician, never a statistic."""
    return Plan(status="medical_advice", kind="advice", rule=d.rule.id if d.rule else "advice",
                reply=d.rule.reply if d.rule else "", confidence=0.95)


def chitchat(d: Decision, m: Match, store: Store) -> Plan | None:
    return Plan(status="chitchat", kind="chitchat", rule=d.rule.id, reply=d.rule.reply,
                confidence=0.95) if d.rule is not None else None


def out_of_scope(d: Decision, m: Match, store: Store) -> Plan:
    """A general medical question gets its rule's reply; anything else the standard one, naming the words."""
    rejected = d.kind == "reject" and d.rule is not None
    return Plan(status="out_of_scope", kind=d.kind, rule=d.rule.id if rejected and d.rule else "",
                reply=d.rule.reply if rejected and d.rule else "", unplaced=d.names,
                confidence=0.9 if not m.mentions else 0.75, note=d.reason)


def foreign(d: Decision, m: Match, store: Store) -> Plan:
    """A foreign word in a question about this trial: name it, add nothing else (for a drug, what it holds)."""
    held = store.entities.get(store.answers.roles.other_drugs)
    return Plan(status="no_data", kind="foreign", rule="foreign", unplaced=d.names,
                reply=held.holds if d.drug and held is not None else "", confidence=0.8, note=d.reason)


REPLIES: dict[str, Callable[[Decision, Match, Store], Plan | None]] = {
    "medical_advice": advice, "chitchat": chitchat, "out_of_scope": out_of_scope, "no_data": foreign,
}
