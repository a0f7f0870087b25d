"""Step 6: compose the reply: text from the facts' sentences, citations, caveats, suggestions, table rows."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from assistant.kb.contract import Answer, Citation, Explain

from assistant.answer.plan import Plan, main_value
from assistant.kb.models import Fact, numbers_in
from assistant.kb.store import Store

OUT_OF_SCOPE = ("I can only answer questions about one trial: the phase 2 study of mini-hyper-CVD plus inotuzumab "
                "ozogamicin, with or without blinatumomab, in older adults with newly diagnosed Ph-negative B-cell "
                "ALL (Jabbour et al., Lancet Haematol 2023). Your question doesn't seem to be about it.")
EMPTY = "Please type a question about the trial, for example: \"What was the overall response rate?\""
TOO_LONG = "That message is too long for me. Please ask one question at a time, in under two thousand characters."
UNDECODABLE = "I could not read that message (it is not valid text). Please type your question again."
MAX_CAVEATS_IN_TEXT = 2


def _quoted(words: list[str], last: str = " and ", quote: str = "'") -> str:
    """The user's words that were not understood, as quoted in a reply (no digits: every number in a reply is a
    fact's value)."""
    kept = [w[:30] for w in dict.fromkeys(words) if not numbers_in(w[:30])] or ["some of your words"]
    shown = [f"{quote}{w}{quote}" if w != "some of your words" else w for w in kept][:4]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + last + shown[-1]


def _p(fact: Fact) -> str:
    v = fact.value("p")
    return v.value.replace("·", ".") if v else ""


def _interval(lo: Any, hi: Any) -> str:
    """'46.7%-68.2%' as the article writes a percentage interval; '20.0-56.3 months' for one in another unit."""
    low = lo.shown() if lo.unit == "%" else lo.value
    return f"{low}-{hi.shown()}".replace("·", ".")


def table_rows(facts: list[Fact]) -> list[dict[str, Any]]:
    """Overview rows as data: label, shown value, number and unit, CI, P, and the fact id."""
    rows = []
    for f in facts:
        mv = main_value(f)
        lo, hi = f.value("ci_low"), f.value("ci_high")
        rows.append({
            "label": f.label or f.id,
            "value": mv.shown() if mv else "",
            "number": mv.num if mv else None,
            "unit": mv.unit if mv else "",
            "ci": _interval(lo, hi) if lo and hi else "",
            "p": _p(f),
            "fact": f.id,
            "text": f.say,
        })
    return rows


class Composer:
    """Writes Answers from Plans; every number it writes comes from a fact's values."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reference = store.paper.short
        self.overview = store.answers.overview
        self.starters = list(self.overview.starters)
        self.help_intent = store.answers.roles.help_intent
        self._by_rank = sorted((f for f in store.facts.values() if f.examples), key=lambda f: (-f.rank, f.id))
        self._position = {f.id: i for i, f in enumerate(self._by_rank)}
        self._ranked_by_measure: dict[str, list[Fact]] = {}  # measure -> the facts of it, in _by_rank order
        for f in self._by_rank:
            for m in dict.fromkeys(f.measure):
                self._ranked_by_measure.setdefault(m, []).append(f)

    def citations(self, facts: list[Fact]) -> list[Citation]:
        return [Citation(reference=self.reference, locator=f"{f.locator} (news summary of the paper)",
                         quote=" ".join(f.quote.split()), fact=f.id) for f in facts]

    def caveats(self, facts: list[Fact]) -> tuple[list[str], list[str]]:
        """(all caveat sentences, the warnings said in the text)."""
        seen: list[str] = []
        for f in facts:
            for cid in self.store.caveats_by_fact.get(f.id, []):
                if cid not in seen:
                    seen.append(cid)
        cavs = [self.store.caveats[c] for c in seen]
        # warning caveats are written without other groups' figures (knowledge/caveats.toml), so saying them in
        # the text never puts a figure beside the answer that is not the one asked for
        said = [c.say for c in cavs if c.severity == "warning"]
        return [c.say for c in cavs], said[:MAX_CAVEATS_IN_TEXT]

    def suggestions(self, facts: list[Fact], limit: int = 3) -> list[str]:
        """Follow-ups: examples of facts that share a measure, then a topic, with the ones shown."""
        if not facts:
            return list(self.starters)
        return list(self._suggest(tuple(f.id for f in facts), limit))

    @lru_cache(maxsize=2048)  # noqa: B019 - one Composer per Assistant; the key is small
    def _suggest(self, ids: tuple[str, ...], limit: int) -> tuple[str, ...]:
        facts = [self.store.facts[i] for i in ids]
        shown = set(ids)
        measures = {m for f in facts for m in f.measure}
        topics = {f.topic for f in facts}
        # facts sharing a measure first, then a topic, each bucket in the fixed (rank, id) order. The first two
        # buckets (a measure shared) come from the measure index; the whole list is walked only when they hold
        # fewer than `limit` questions.
        sharing = sorted({f.id: f for m in measures for f in self._ranked_by_measure.get(m, ()) if f.id not in shown}
                         .values(), key=lambda f: self._position[f.id])
        first: list[str] = []
        for f in [f for f in sharing if f.topic in topics] + [f for f in sharing if f.topic not in topics]:
            q = f.examples[0]
            if q not in first:
                first.append(q)
            if len(first) == limit:
                return tuple(first)
        buckets: tuple[list[Fact], ...] = ([], [], [], [])
        for f in self._by_rank:
            if f.id not in shown:
                buckets[2 * measures.isdisjoint(f.measure) + (f.topic not in topics)].append(f)
        out: list[str] = []
        for f in (f for bucket in buckets for f in bucket):
            q = f.examples[0]
            if q not in out:
                out.append(q)
            if len(out) == limit:
                break
        return tuple(out)

    def _related(self, facts: list[Fact]) -> list[str]:
        """For no_data: the example questions of the related facts (what it can answer instead)."""
        out = [f.examples[0] for f in facts if f.examples]
        return list(dict.fromkeys(out))[:3] or list(self.starters)

    def _facts_text(self, plan: Plan) -> str:
        facts = plan.facts
        if plan.table:
            rows = table_rows(facts)
            if all(not r["value"] for r in rows):
                return " ".join(f.say for f in facts)
            topics = {f.topic for f in facts}
            default = self.overview.default_title
            head = self.overview.table_titles.get(topics.pop(), default) if len(topics) == 1 else default
            lines = [(f"- {r['label']}: {r['value']}" + (f" (95% CI {r['ci']})" if r["ci"] else "")
                      + (f", P = {r['p']}" if r["p"] else "")) if r["value"] else f"- {f.say}"
                     for r, f in zip(rows, facts)]
            return "\n".join([head, *lines])
        if plan.extreme:
            word = self._extreme_word(plan)
            return f"{word}: " + " ".join(f.say for f in facts)  # ties, or the few highest of a plural question
        text = " ".join(f.say for f in facts)
        if plan.kind == "significance":
            for f in facts:
                v = f.value("p")
                if v and v.num is not None:
                    verdict = ("below the conventional significance threshold, so the difference is statistically "
                               "significant" if v.num < 0.05 else "above the conventional significance threshold, so "
                               "the difference is not statistically significant")
                    text += f" P = {v.value.replace('·', '.')} is {verdict}."
        return text

    def _extreme_word(self, plan: Plan) -> str:
        f = plan.facts[0]
        hi = plan.extreme in ("max", "second")
        if plan.extreme == "second":
            return "Second most common" if f.topic == "safety" or f.stat == "incidence" else "Second highest"
        if f.topic == "safety" or f.stat == "incidence":
            return "Most common" if hi else "Least common"
        if f.stat == "median":
            return "Longest" if hi else "Shortest"
        return "Highest" if hi else "Lowest"

    def compose(self, plan: Plan) -> Answer:
        facts = plan.facts
        all_cav, said_cav = self.caveats(facts)
        table = table_rows(facts) if plan.table else None
        if table and not any(r["value"] for r in table):
            table = None  # statements without figures read better as sentences than as a table
        if plan.status == "answered":
            text = self._facts_text(plan)
        elif plan.status == "no_data" and plan.kind == "foreign":
            text = f"The article does not mention {_quoted(plan.unplaced, ' or ', '')}." + (f" {plan.reply}" if plan.reply else "")
        elif plan.status == "no_data":
            # no figures for what was not asked: related facts are offered as follow-up questions instead
            text = plan.reply or f"The article does not report {plan.missing}."
            if facts:
                text += " It does report related figures: ask one of the suggested questions."
        elif plan.status == "clarify" and plan.unplaced:
            about = f" I understood a question about {plan.missing}." if plan.missing else ""
            text = (f"I'm not sure what you mean by {_quoted(plan.unplaced)}, so I won't guess.{about} "
                    "Did you mean: " + "; ".join(f"({i + 1}) {o}?" for i, o in enumerate(plan.options))
                    + " Or ask in other words.")
        elif plan.status == "clarify":
            about = f" about {plan.missing}" if plan.missing not in ("", "that") else ""
            text = (f"Your question{about} could mean several things. Did you mean: "
                    + "; ".join(f"({i + 1}) {o}?" for i, o in enumerate(plan.options)))
        elif plan.status == "medical_advice":
            text = plan.reply
        elif plan.status == "chitchat":
            text = plan.reply
        elif plan.reply:
            text = plan.reply
        elif plan.unplaced and plan.kind == "foreign":
            text = (f"{OUT_OF_SCOPE.rsplit('. ', 1)[0]}. Your question is about {_quoted(plan.unplaced, ' and ', '')}, "
                    "which the article does not cover.")
        elif plan.unplaced:
            text = f"{OUT_OF_SCOPE} (I could not place {_quoted(plan.unplaced)}.)"
        else:
            text = OUT_OF_SCOPE
        if plan.status != "answered":
            facts, all_cav, said_cav, table = [], [], [], None
        if plan.also_missing and plan.status == "answered":
            text += f" The article does not report {plan.also_missing}."
        if said_cav and plan.status == "answered":
            text += "\n" + " ".join(f"Caveat: {c}" for c in said_cav)
        suggestions = [o + "?" for o in plan.options] if plan.status == "clarify" else (
            self._related(plan.facts) if plan.status == "no_data" and plan.facts else
            self.suggestions(facts) if plan.status != "chitchat" or plan.rule == self.help_intent else self.starters[:2])
        return Answer(
            status=plan.status,  # type: ignore[arg-type]
            answer=text,
            citations=self.citations(facts),
            facts=[f.id for f in facts],
            intent=plan.rule or plan.kind,
            confidence=round(plan.confidence, 3),
            suggestions=suggestions,
            caveats=all_cav,
            table=table,
            explain=Explain(rule=plan.rule, slots=plan.slots, note=plan.note or plan.missing),
        )
