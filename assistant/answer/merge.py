"""Step 6b: one answer for a compound message, from the answers to its parts (answered in order, each with the
context the one before it left)."""
from __future__ import annotations

from assistant.kb.contract import Answer

ORDINALS = ("first", "second", "third", "fourth")
# when no part of a compound message is answered, the reply takes the status of the part most about the trial
NOT_ANSWERED_ORDER = ("clarify", "no_data", "out_of_scope", "chitchat")
TOPIC_SLOTS = ("measure", "drug", "cycle", "timepoint")


def merge(parts: list[Answer], asks: list[bool], short: list[bool] | None = None,
          roles: list[bool] | None = None, anchored: list[bool] | None = None) -> Answer:
    """One answer for a message of several parts (answered in order, each with the context of the one before).

    A personal decision in any part that asks makes the whole reply medical_advice (no statistic beside it); a
    personal situation only told beside a question about the trial does not. Greetings and
    prefaces that are not questions are dropped when another part remains. Every other part is answered or
    said to be unanswerable, in order; the status is answered when any part is. A `short` part right after one
    the article cannot answer ('Was intrathecal chemo given, and how many doses?') is about the same thing.
    Everyday words a `roles` part cannot place ('I'm a research coordinator doing a lit summary.') are not a topic,
    nor are those of a story told beside a question `anchored` in a strong trial term ('I haven't slept in days ...
    what was the median OS for those 70 or older?'); beside a vague one ('the card is stolen. What are my next
    steps?') they are."""
    short = short or [False] * len(parts)
    roles = roles or [False] * len(parts)
    anchored = anchored or [False] * len(parts)
    story = any(a and k for a, k in zip(asks, anchored))
    last = parts[-1].context
    told = situation_told(parts, asks)  # 'My wife is on this protocol. What did people die of?': no decision
    advice = next((a for i, a in enumerate(parts) if a.status == "medical_advice" and (asks[i] or not told)), None)
    if advice is not None:
        return advice.model_copy(update={"context": last})
    if all(a.status == "chitchat" for a in parts):  # 'good morning! hope you're well': one greeting back
        return parts[0].model_copy(update={"context": last})
    greeting = next((a for a in parts if a.status == "chitchat"), None)
    if greeting is not None and not any(asks):  # 'Hello! I've just been sent this article.': nothing asked yet
        return greeting.model_copy(update={"context": last})
    foreign = next((a for i, a in enumerate(parts) if a.status == "out_of_scope"
                    and a.explain.decision in ("foreign", "unplaced", "reject")
                    # everyday words told beside a question ('I haven't slept properly in days') name nothing foreign
                    and not ((roles[i] or not asks[i] and story) and a.explain.decision == "unplaced")), None)
    if foreign is not None and not any(a.explain.names_trial for a in parts):
        return foreign.model_copy(update={"context": last})  # 'My husband takes ibrutinib. Side effects?'  
    asking = any(asks)
    kept = [(i, a) for i, a in enumerate(parts)
            if a.status != "chitchat" and (asks[i] or not asking)
            and not (i and short[i] and asks[i - 1] and parts[i - 1].status in ("no_data", "out_of_scope"))
            and not (i and short[i] and parts[i - 1].status == "answered" and a.status == "out_of_scope"
                     and a.explain.decision == "out_of_scope")  # 'and what % were negative?': no words of its own
            ] or list(enumerate(parts))
    if not any(a.status == "answered" for _, a in kept):  # 'I can't find the follow-up range.' holds the question
        told = [(i, a) for i, a in enumerate(parts) if not asks[i] and a.status == "answered" and _topic(a)]
        kept = told or kept
    if len(kept) == 1:
        return kept[0][1].model_copy(update={"context": last})
    answered = [a for _, a in kept if a.status == "answered"]
    status = "answered" if answered else min((a.status for _, a in kept), key=_order)
    texts: list[str] = []
    seen_facts: list[str] = []
    said: set[str] = set()  # a caveat line is said once, under the first part it bears on
    for n, (i, a) in enumerate(kept):
        if a.status == "answered":
            if a.facts and set(a.facts) <= set(seen_facts):
                continue  # two parts answered by the same facts ('when did it start and when did it end')
            lines = [ln for ln in a.answer.split("\n") if not (ln.startswith("Caveat:") and ln in said)]
            said.update(ln for ln in lines if ln.startswith("Caveat:"))
            texts.append("\n".join(lines))
        else:
            word = ORDINALS[min(n, len(ORDINALS) - 1)]
            texts.append(f"Your {word} question: " + (_short(a) if answered else a.answer))
        seen_facts += [f for f in a.facts if f not in seen_facts]
    citations = []
    for a in kept:
        for c in a[1].citations:
            if c not in citations:
                citations.append(c)
    caveats = list(dict.fromkeys(c for _, a in kept for c in a.caveats))
    suggestions = list(dict.fromkeys(s for a in (answered or [a for _, a in kept]) for s in a.suggestions))[:3]
    table = next((a.table for a in answered if a.table), None) if len(answered) == 1 else None
    first = kept[0][1]
    explain = first.explain.model_copy(update={
        "rule": "compound", "words": [w for _, a in kept for w in a.explain.words],
        "reason": "; ".join(f"part {n + 1}: {a.status} ({a.explain.reason or a.intent})" for n, (_, a) in enumerate(kept)),
        "slots": [s for _, a in kept for s in a.explain.slots]})
    return Answer(status=status, answer="\n".join(texts), citations=citations, facts=seen_facts,  # type: ignore[arg-type]
                  intent="compound", confidence=min(a.confidence for _, a in kept), suggestions=suggestions,
                  caveats=caveats, table=table, explain=explain, context=last)


def situation_told(parts: list[Answer], asks: list[bool]) -> bool:
    """'My wife is on this protocol. What did people die of?': a personal situation only told, and every part that
    asks is a question about the trial on its own (answered or not reported), not 'Should I accept?'."""
    asking = [a for a, q in zip(parts, asks) if q]
    return bool(asking) and all(a.status in ("answered", "no_data") for a in asking) and any(
        a.status == "medical_advice" or _story(a) for a, q in zip(parts, asks) if not q)


def _story(a: Answer) -> bool:
    """A part off-trial only because nothing in it ties it to the trial, every word placed: a story told ('my uncle
    was diagnosed last month, he's 67'), not an illness of its own ('I have stiff person syndrome')."""
    return a.status == "out_of_scope" and a.explain.decision == "out_of_scope"


def _topic(a: Answer) -> bool:
    """Does the part name something the trial measured? 'My mum is 72.' names only a group (her age): telling it is
    no question about that group's results."""
    return any(v.source == "question" and v.slot in TOPIC_SLOTS for v in a.explain.slots)


def _order(status: str) -> int:
    return NOT_ANSWERED_ORDER.index(status) if status in NOT_ANSWERED_ORDER else len(NOT_ANSWERED_ORDER)


def _short(a: Answer) -> str:
    """A part that could not be answered, beside parts that were: one sentence, no trial description."""
    if a.status == "out_of_scope":
        return "I could not answer it: it does not seem to be about this trial."
    if a.status == "clarify":
        return "I'm not sure what it asks, so I won't guess. " + a.answer.split("Did you mean:")[-1].strip()
    return a.answer.split("\n")[0]
