"""The front object: `Assistant.ask` runs the pipeline

    text -> split compound parts -> normalise -> tag + match rules -> account for every word
         -> decide the status -> context fills open slots -> resolve facts -> compose answer (parts merged).
"""
from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

from assistant.answer import context as ctxmod
from assistant.answer.compose import EMPTY, TOO_LONG, UNDECODABLE, Composer
from assistant.answer.decide import Decider
from assistant.answer.merge import merge, situation_told
from assistant.answer.planner import Planner
from assistant.kb.contract import MAX_TURN, Answer, Context, Explain
from assistant.kb.normal import MAX_CHARS, strip_control
from assistant.kb.store import Store, open_store
from assistant.understand.account import Accountant, Accounting
from assistant.understand.compound import Splitter
from assistant.understand.matcher import Match, Matcher

CACHED_CONTEXT_CHARS = 4096  # a real context is a few hundred characters
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone halves (JSON '\ud800' escapes) cannot be written as UTF-8


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class AnswerCache:
    """A thread-safe LRU of answers as JSON (JSON shares nothing between callers and re-reads 4x faster than a
    deep copy). A miss returns the freshly built answer itself: no JSON round trip on new questions."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize, self.hits, self.misses = maxsize, 0, 0
        self._data: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, str, str], value: str) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self.hits, self.misses, self.maxsize, len(self._data))


class Assistant:
    """Answers questions about the trial. Thread-safe: all state is read-only; context travels with the call."""

    def __init__(self, knowledge: Path | str | None = None, *, cache_dir: Path | str | None = None,
                 store: Store | None = None, cache_size: int = 4096, log: Any = None) -> None:
        self.store = store or open_store(knowledge, cache_dir)
        # unanswered-question log: None = $TRIAL_ASSISTANT_LOG if set; False off; True default path; path; log
        self.log = None
        if log is not None or os.environ.get("TRIAL_ASSISTANT_LOG"):
            from assistant.log.unanswered import resolve

            self.log = resolve(log)
        self.matcher = Matcher(self.store)
        self.accountant = Accountant(self.store.frame, self.store.misspelt, self.store.normalise,
                                     self.store.corrections, self.store.corrections_size, self.store.words,
                                     self.store.proper_words)
        self.normalise = self.store.normalise
        self.decider = Decider(self.store)
        self.planner = Planner(self.store)
        self.composer = Composer(self.store)
        self.splitter = Splitter(self.store.frame.compound)
        self._cached = AnswerCache(cache_size)

    def ask(self, question: Any, context: Context | dict[str, Any] | str | None = None, *,
            id: Any = None, session: Any = None) -> Answer:
        """Answer one question. `context` is the previous answer's `.context` (or its JSON) for follow-ups.

        Never raises for bad question text (that is an `invalid_input` answer); raises ContextError
        for a malformed context.
        """
        ctx = ctxmod.parse(context)
        ctxmod.check(ctx, self.store)
        text, problem = self._check(question)
        if problem:
            answer = Answer(status="invalid_input", answer=problem, suggestions=[], intent="invalid_input",
                            confidence=1.0, context=ctxmod.keep(ctx), explain=Explain(note="input rejected"))
        else:
            # The turn counter does not change the answer, only whether there was an earlier turn: key on that and
            # the frames, so follow-ups hit the cache too.
            key = (self.normalise(text), strip_control(text),
                   ctx.model_copy(update={"turn": min(ctx.turn, 1)}).model_dump_json())
            # a context larger than real ones is answered but not cached: the cache cannot be grown by big contexts
            cacheable = len(key[2]) <= CACHED_CONTEXT_CHARS
            hit = self._cached.get(key) if cacheable else None
            if hit is not None:
                answer = Answer.model_validate_json(hit)  # JSON shares nothing between callers
            else:
                answer = self._answer(*key)
                if cacheable and self._cached.maxsize > 0:  # no cache: no JSON to build
                    self._cached.put(key, answer.model_dump_json())
            answer.context.turn = min(ctx.turn + 1, MAX_TURN)
        answer.id, answer.session, answer.question = id, session, text if isinstance(text, str) else ""
        if self.log is not None:
            self.log.record(answer)  # only no_data/out_of_scope/clarify; never raises
        return answer

    def _answer(self, norm: str, text: str, ctx_json: str) -> Answer:
        ctx = Context.model_validate_json(ctx_json)
        picked = ctxmod.choice(ctx, norm, self.store.answers.follow_up)  # 'the first one' after a clarify turn
        parts = [picked] if picked else self.splitter.split(text)
        if len(parts) == 1:
            return self._one(parts[0], ctx)
        whole = self._one(text, ctx)
        asks = [self.splitter.asks(p) for p in parts]
        if whole.status == "chitchat" and not any(asks):
            return whole  # 'Hello! I'm a pharmacist with a few questions.': nothing asked yet
        if whole.status == "medical_advice" and all(asks):
            return whole  # personal, and no part only tells a situation: the parts need no answers
        answers: list[Answer] = []
        for part in parts:  # each part with the context the one before it left
            answers.append(self._one(part, ctx))
            ctx = answers[-1].context
        if whole.status == "medical_advice" and not situation_told(answers, asks):
            return whole  # 'I'm 63. Does this mean I'll get 70 months?': personal as a whole
        entities = self.store.entities  # a part naming a strong trial term ('median OS') is about the trial
        anchored = [any(s.source == "question" and s.value in entities and entities[s.value].anchor == "strong"
                        for s in a.explain.slots) for a in answers]
        return merge(answers, asks,
                     [len(self.normalise(p).split(" ")) <= self.splitter.settings.short_part for p in parts],
                     [self.splitter.tells_role(p) for p in parts], anchored)

    def _read(self, asked: str, follow_up: bool) -> tuple[Match, Accounting]:
        """Tag and account for the words; with typos, again over the corrected text ('how many peple were in the
        study'), kept unless it understands fewer words. English words near a lexicon word ('main safety concern':
        'concerns') are tried last and kept only when that reading understands more, or as much in fewer phrases."""
        match = self.matcher.match(asked, follow_up=follow_up)
        words = self.accountant.account(match.normalised, asked, match.mentions)
        for fixed, strict in ((words.corrected(), False), (words.corrected(near=True), True)):
            if not fixed:
                continue
            m2 = self.matcher.match(fixed, follow_up=follow_up)
            w2 = self.accountant.account(m2.normalised, asked, m2.mentions)
            gain = words.unknown() - w2.unknown()
            if gain > 0 or gain == 0 and (not strict or len(m2.mentions) < len(match.mentions)):
                match, words = m2, w2
        return match, words

    def _one(self, asked: str, ctx: Context) -> Answer:
        """The pipeline for one question."""
        match, words = self._read(asked, follow_up=bool(ctx.frames))
        decision = self.decider.decide(match, words, follow_up=bool(ctx.frames),
                                       leaning=self.planner.elliptical(match.normalised), talking=ctx.turn > 0)
        plan = self.planner.plan(match, decision, ctx)
        answer = self.composer.compose(plan)
        answer.explain.normalised = self.normalise(asked)
        answer.explain.words = words.words
        answer.explain.reason = decision.reason
        answer.explain.decision = decision.kind
        answer.explain.names_trial = decision.named
        answer.explain.score = match.score
        answer.explain.runner_up = match.runner_up.id if match.runner_up else ""
        answer.explain.runner_up_score = match.runner_score
        if plan.frame is not None:
            answer.context = ctxmod.advance(ctx, plan.frame, plan.new_topic)
        else:
            answer.context = ctxmod.keep(ctx)
        return answer

    def _check(self, question: Any) -> tuple[str, str]:
        """(text, problem): empty, whitespace-only, over-long or undecodable input is a problem."""
        if isinstance(question, (bytes, bytearray)):
            try:
                question = bytes(question).decode("utf-8")
            except UnicodeDecodeError:
                return "", UNDECODABLE
        if not isinstance(question, str):
            return "", UNDECODABLE
        if not question.isascii():
            question = _SURROGATE.sub("\ufffd", question)
        if len(question) > MAX_CHARS:
            return question[:200], TOO_LONG
        if "\x00" in question or "\ufffd" in question and not question.replace("\ufffd", "").strip():
            return strip_control(question), UNDECODABLE
        if not self.normalise(question) and not strip_control(question).strip():
            return question, EMPTY
        return question, ""

    def clear_caches(self) -> None:
        """Forget everything answering has cached (answers, normal forms, typo corrections, suggestions), so
        the next question is met as new (the benchmark's 'new questions')."""
        self._cached = AnswerCache(self._cached.maxsize)
        self.normalise._cached.cache_clear()
        self.accountant.vocab.correction.cache_clear()
        self.composer._suggest.cache_clear()

    def info(self) -> dict[str, Any]:
        """Knowledge version and counts."""
        return {"knowledge": self.store.hash[:12], **self.store.counts()}


def answer_json(answer: Answer) -> str:
    """The contract record as one JSON line."""
    return json.dumps(answer.contract(), ensure_ascii=False)
