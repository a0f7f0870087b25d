"""Step 4: dialogue context. An explicit value: frames of earlier turns that age, weigh less and expire.

Context only fills slots the question leaves out, and only where the filled slot still finds facts.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.errors import ContextError
from assistant.kb.contract import MAX_TURN, Context, Frame
from assistant.kb.settings import FollowUpWords

if TYPE_CHECKING:  # pragma: no cover
    from assistant.kb.store import Store

MAX_AGE = 3  # a frame is forgotten after this many further turns
MAX_CONTEXT_CHARS = 16_384  # a real context is well under 4 KB
MAX_DEPTH = 8  # {"frames": [{"slots": {"measure": ["pfs"]}}]} is 5 deep
CLARIFY_BARE, CLARIFY_UNPLACED, CLARIFY_WEAK = "clarify.bare", "clarify.unplaced", "clarify.weak"
CLARIFY_INTENTS = (CLARIFY_BARE, CLARIFY_UNPLACED, CLARIFY_WEAK)  # the planner's own clarify frames


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """How deeply brackets nest in JSON text (brackets inside strings do not count); stops early when too deep.
    Strings are cut out and brackets found by regular expressions, so only the brackets are looped over."""
    depth = deepest = 0
    for c in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        else:
            depth -= 1
    return deepest


def _object_depth(value: Any) -> int:
    """How deeply dicts and lists nest (iteratively: a hostile object cannot exhaust the stack)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            todo.extend((x, depth + 1) for x in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse(context: Context | dict[str, Any] | str | bytes | None) -> Context:
    """Accept a Context, its dict, or its JSON; raise ContextError for anything malformed, too large or
    nested too deeply (checked before parsing)."""
    if context is None or context == "":
        return Context()
    if isinstance(context, Context):
        return context
    try:
        if isinstance(context, (str, bytes)):
            if len(context) > MAX_CONTEXT_CHARS:
                raise ContextError(f"context over {MAX_CONTEXT_CHARS} characters")
            text = context.decode("utf-8", errors="replace") if isinstance(context, bytes) else context
            if _json_depth(text) > MAX_DEPTH:
                raise ContextError(f"context nested more than {MAX_DEPTH} levels deep")
            context = json.loads(text)
        elif isinstance(context, dict) and _object_depth(context) > MAX_DEPTH:  # a Python object: walked once
            raise ContextError(f"context nested more than {MAX_DEPTH} levels deep")
        if not isinstance(context, dict):
            raise ContextError("context must be a JSON object")
        return Context.model_validate(context)
    except (ValueError, ValidationError) as e:
        first = e.errors()[0] if isinstance(e, ValidationError) else None
        where = ".".join(str(x) for x in first["loc"]) if first else ""
        msg = first["msg"] if first else str(e)
        raise ContextError(f"malformed context{(' at ' + where) if where else ''}: {msg}", field=where) from None


def check(ctx: Context, store: "Store") -> None:
    """Raise ContextError when a well-formed context names things this knowledge base does not have
    (tampered with, or from another knowledge version). Values are not echoed."""
    from assistant.kb.models import FACT_SLOTS

    for where, frame in [*((f"frames.{j}", f) for j, f in enumerate(ctx.frames)),
                         *((f"earlier.{j}", f) for j, f in enumerate(ctx.earlier))]:
        problems = [(f"{where}.slots", "unknown slot name") for s in frame.slots if s not in FACT_SLOTS]
        problems += [(f"{where}.slots.{s}.{j}", "unknown entity id") for s, ids in frame.slots.items()
                     for j, eid in enumerate(ids) if eid not in store.entities]
        problems += [(f"{where}.facts.{j}", "unknown fact id") for j, fid in enumerate(frame.facts)
                     if fid not in store.facts]
        problems += [(f"{where}.stats.{j}", "unknown statistic id") for j, sid in enumerate(frame.stats)
                     if sid not in store.entities or store.entities[sid].slot != "stat"]
        if frame.intent and frame.intent not in store.intents and frame.intent not in CLARIFY_INTENTS:
            problems.append((f"{where}.intent", "unknown intent id"))
        if frame.age >= MAX_AGE:
            problems.append((f"{where}.age", f"must be less than {MAX_AGE}"))
        if problems:
            field, problem = problems[0]
            raise ContextError(f"context {field}: {problem}", field=field)


def weight(frame: Frame) -> float:
    """Older frames count for less (1, 1/2, 1/3, ...)."""
    return round(1.0 / (1 + frame.age), 3)


def fillers(ctx: Context, missing: list[str], union: bool = False) -> list[tuple[str, list[str], float]]:
    """(slot, ids, weight) offered by the newest frame that has each missing slot; with `union`, the ids of
    every frame ('OS at those timepoints' after 2-year and 5-year PFS)."""
    out = []
    for slot in missing:
        ids: list[str] = []
        w = 0.0
        for frame in (ctx.frames + ctx.earlier) if union else ctx.frames:  # both topics, when both are asked of
            if frame.slots.get(slot):
                ids += [i for i in frame.slots[slot] if i not in ids]
                w = max(w, weight(frame))
                if not union:
                    break
        if ids:
            out.append((slot, ids, w))
    return out


def choice(ctx: Context, normalised: str, words: FollowUpWords) -> str | None:
    """After a clarify turn, 'the first one' / '2' picks that offered question (the words: answers.toml)."""
    if not ctx.frames or not ctx.frames[0].options or ctx.frames[0].age or not words.choice:
        return None
    m = re.fullmatch(words.choice, normalised)
    if not m or m.group(1) not in words.ordinals:
        return None
    options = ctx.frames[0].options
    i = words.ordinals[m.group(1)]
    return options[i] if -len(options) <= i < len(options) else None


def last_facts(ctx: Context, earlier: bool = False) -> list[str]:
    """The facts of the last answer; with `earlier`, then those of the topic it replaced."""
    out = list(ctx.frames[0].facts) if ctx.frames else []
    return out + [f for f in ctx.earlier[0].facts if f not in out] if earlier and ctx.earlier else out


def advance(ctx: Context, frame: Frame | None, new_topic: bool) -> Context:
    """The context after this turn: older frames age (and expire); a new topic replaces them, the last of them
    kept aside as the earlier topic ('and for PFS across them?' after the OS: 'was either one significant?')."""
    aged = [f.model_copy(update={"age": f.age + 1}) for f in ctx.frames]
    earlier = aged[:1] if new_topic else [f.model_copy(update={"age": f.age + 1}) for f in ctx.earlier]
    frames = [f for f in ([] if new_topic else aged) if f.age < MAX_AGE]
    if frame is not None:
        frames.insert(0, frame)
    return Context(turn=min(ctx.turn + 1, MAX_TURN), frames=frames[:4],
                   earlier=[f for f in earlier if f.age < MAX_AGE])


def keep(ctx: Context) -> Context:
    """A turn that does not touch the topic (chit-chat, out of scope) only counts the turn."""
    return ctx.model_copy(update={"turn": min(ctx.turn + 1, MAX_TURN)})
