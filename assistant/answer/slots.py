"""Step 5a: the dialogue context fills what the question leaves open (never what it says), and the frame
a turn leaves for the next one."""
from __future__ import annotations

from assistant.answer import context as ctxmod
from assistant.answer.common import Common
from assistant.answer.plan import Plan
from assistant.answer.resolver import expand, resolve
from assistant.kb.contract import Context, SlotValue
from assistant.kb.models import FACT_SLOTS, WHOLE_TRIAL
from assistant.understand.matcher import Match


class SlotFiller(Common):
    """Question slots, rule defaults, then context fills. Pure and thread-safe."""

    def fill(self, m: Match, ctx: Context, defaults: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[SlotValue], bool]:
        """Question slots, rule defaults, then context fills for what the question leaves open.

        Only turns that lean on the conversation take anything from it: elliptical ones ('and at 5 years?',
        'OS for them') and ones that name no fact slot at all ('is that significant?'). A question complete on
        its own is answered from what it names, with or without a context."""
        q = {s: self._narrowest(m.ids(s)) for s in FACT_SLOTS if m.ids(s)}
        if len(q.get("group", [])) > 1 and WHOLE_TRIAL in q["group"]:
            q["group"] = [g for g in q["group"] if g != WHOLE_TRIAL]  # 'which patients got blinatumomab, all of them?'
        found = [SlotValue(slot=mm.slot, value=mm.entity, source="question", text=mm.text, score=mm.score)
                 for mm in m.mentions if mm.slot in (*FACT_SLOTS, "stat", "cue", "unreported")]
        self._own_age(ctx, q, found)
        newest = self._newest(ctx)
        new_topic = bool(q.get("measure")) and set(q["measure"]) != set(newest)
        norm = self._masked(m)  # 'after that change' names a group; its 'that' points at nothing earlier
        words = norm.split(" ")
        follows = self._follows(m, ctx, q, norm, newest)
        if follows and newest and q.get("measure") and (self._names_a_set(m, norm) or self._facet_of(q, newest)):
            q["measure"] = [x for x in newest if x not in q["measure"]] + q["measure"]  # their MRD, not the response
            found.append(SlotValue(slot="measure", value=",".join(newest), source="context"))
            new_topic = False
        beside = bool(ctx.frames and newest and q.get("measure") and self.than_last is not None
                      and self.than_last.search(norm) and set(newest) - set(q["measure"]))
        if beside:  # 'was that higher than PFS at 5 years?': the last answer's measure joins once the rest is filled
            follows, new_topic = True, False
        self._paired_groups(m, ctx, q, found, follows)
        # a conversation's own topic beats a rule's default in a turn that leans on it ('and for blina?'), not in
        # one whose 'they' are the investigators ('did they also give blinatumomab?')
        actor = self.actor is not None and self.actor.search(norm) is not None
        leaning = bool(ctx.frames) and self.elliptical(norm, references=not actor)
        offered = {s for f in ctx.frames for s, v in f.slots.items() if v} if leaning else set()
        defaulted = False
        for s, ids in defaults.items():
            if s not in q and s not in offered:  # a conversation's own topic beats a rule's default
                q[s] = list(ids)
                found.append(SlotValue(slot=s, value=",".join(ids), source="default"))
                defaulted = new_topic = True
        if defaulted:
            if beside:
                self._beside_last(q, found, newest)
            return q, found, new_topic
        missing = [s for s in FACT_SLOTS if s not in q]
        offers = ctxmod.fillers(ctx, missing, union=bool(self.union.search(m.normalised))) if follows else []
        offers = self._several(norm, offers, q, self.roles.count in m.ids("stat"))
        stats = m.ids("stat")
        if offers:
            must = set()
            if self.references.intersection(words) - self.weak_references:
                must.add("group")  # 'OS for them': the group they lean on is part of the question
            if "measure" in q and self._by_group(q["measure"]):
                must.add("group")  # a measure reported by subgroup keeps the conversation's subgroup
            if self.drug_reference is not None and self.drug_reference.search(m.normalised):
                must.add("drug")  # 'was it used during maintenance too?': 'it' is the conversation's drug
            chosen = self._fit_offers(q, offers, stats, must)
            dropped = False
            # 'and how many people?' after the enrolment dates: a head count, not the dates; but 'how much each day?'
            # after the dosing days asks an amount of what the conversation named, never any fact of cycle 1
            if own_stats := [x.entity for x in m.mentions if x.slot == "stat" and x.text not in self.amounts
                             and self.store.answers.statistics.get(x.entity) and self.store.answers.statistics[x.entity].holds]:
                if any(o[0] == "measure" for o in chosen) and not self._holds(dict(q, **{s: i for s, i, _ in chosen}),
                                                                             own_stats):
                    chosen = self._fit_offers(q, [o for o in offers if o[0] != "measure"], stats, must)
                    dropped = True
            for slot, ids, w in chosen:
                q[slot] = ids
                found.append(SlotValue(slot=slot, value=",".join(ids), source="context", score=w))
            if dropped and "measure" not in q and defaults.get("measure"):  # 'and how many people?' after the
                q["measure"] = list(defaults["measure"])  # enrolment dates: their measure holds no count, the rule's does
                found.append(SlotValue(slot="measure", value=",".join(q["measure"]), source="default"))
        if follows:
            q, found = self._context_drug(m, ctx, q, found, stats)
            q, found = self._named_set(m, ctx, q, found, stats)
        if beside:
            self._beside_last(q, found, newest)
        return q, found, new_topic

    def _follows(self, m: Match, ctx: Context, q: dict[str, list[str]], norm: str, newest: list[str]) -> bool:
        """The turn leans on the conversation: elliptical, or naming no fact slot; 'rate at 2 years?' after the
        remission duration (a timepoint or cycle alone), 'was the difference across the age groups significant?'
        after PFS, a facet named alone ('how soon?' after a drug: how soon of what the conversation named), or a
        statistic of the conversation's own measure ('CI for the OS?' after the 65-69 OS: theirs)."""
        facets = bool(q.get("measure")) and all(self.store.entities[x].anchor == "none" for x in q["measure"])
        same = bool(q.get("measure")) and set(q["measure"]) == set(newest) and set(q) == {"measure"} and any(
            m.has("cue", c) for c in self.same_topic_cues)
        return bool(ctx.frames) and (self.elliptical(norm) or not {"measure", "group", "drug"} & set(q)
                                     or facets and not {"group", "drug"} & set(q) or same
                                     or self.pair is not None and self.pair.search(norm) is not None)

    def _several(self, norm: str, offers: list[tuple[str, list[str], float]],
                 q: dict[str, list[str]], counting: bool) -> list[tuple[str, list[str], float]]:
        """'the median follow-up in each?' points at several groups: one group the conversation named is not them;
        'and how many pts had TP53 mutations overall?' asks of the group it names in the whole trial, not of the
        conversation's measure (the non-responder)."""
        if counting and q.get("group") and "measure" not in q and self.overall is not None and self.overall.search(norm):
            offers = [o for o in offers if o[0] != "measure"]
        if self.distributive is None or self.distributive.search(norm) is None:
            return offers
        return [o for o in offers if o[0] != "group" or len(o[1]) > 1 or self.store.entities[o[1][0]].expands]

    def _paired_groups(self, m: Match, ctx: Context, q: dict[str, list[str]], found: list[SlotValue],
                       follows: bool) -> None:
        """Groups asked side by side, in place: a group and its opposite ('TP53 mutation vs those without'), the
        conversation's two ('between the two groups'), or the opposite of its one ('and without?')."""
        if m.has("cue", self.roles.complement) and q.get("group"):
            q["group"] = q["group"] + [self.store.entities[g].opposite for g in q["group"]
                                       if self.store.entities[g].opposite and self.store.entities[g].opposite not in q["group"]]
        if ctx.frames and "group" not in q and self.pair is not None and self.pair.search(m.normalised):
            pair = self._pair(ctx)
            if pair:
                q["group"] = pair
                found.append(SlotValue(slot="group", value=",".join(pair), source="context"))
        if follows and m.has("cue", self.roles.complement) and "group" not in q:
            other = self._complement(ctx)
            if other:
                q["group"] = [other]
                found.append(SlotValue(slot="group", value=other, source="context"))

    @staticmethod
    def _beside_last(q: dict[str, list[str]], found: list[SlotValue], newest: list[str]) -> None:
        """The last answer's measure beside the one named ('was that higher than PFS at 5 years?'), in place."""
        q["measure"] = [x for x in newest if x not in q["measure"]] + q["measure"]
        found.append(SlotValue(slot="measure", value=",".join(newest), source="context"))

    def _own_age(self, ctx: Context, q: dict[str, list[str]], found: list[SlotValue]) -> None:
        """'people his age' with no age told in the question: the age group the conversation named, in place."""
        own = set(self.store.frame.tagger.own_age)
        if not (ctx.frames and q.get("group") and set(q["group"]) <= own):
            return
        earlier = [g for g in ctx.frames[0].slots.get("group", []) if self.store.entities[g].ages]
        if earlier:
            q["group"] = earlier
            found.append(SlotValue(slot="group", value=",".join(earlier), source="context"))

    def _newest(self, ctx: Context) -> list[str]:
        """The conversation's measure; after a turn that named none of its own (VOD, which the article lacks: its
        reply gave the liver tests), the first measure of each fact it gave."""
        if not ctx.frames:
            return []
        frame = ctx.frames[0]
        if frame.slots.get("measure") or frame.intent not in self.store.intents or \
                self.store.intents[frame.intent].kind != "unreported":
            return list(frame.slots.get("measure", []))
        return list(dict.fromkeys(self.store.facts[f].measure[0] for f in frame.facts if f in self.store.facts))

    def _facet_of(self, q: dict[str, list[str]], newest: list[str]) -> bool:
        """Only facets named, none of whose facts shares a topic with the conversation's measure ('when did it
        happen?' after the 2-year OS, not after the second cancers, nor 'which day?' after a dose): a facet of that
        measure, asked of it."""
        if not newest or any(self.store.entities[x].anchor != "none" for x in q["measure"]):
            return False
        topics = {f.topic for x in expand(self.store, newest) for f in self.store.by_measure.get(x, ())}
        return not any(f.topic in topics for x in q["measure"] for f in self.store.by_measure.get(x, ()))

    def _names_a_set(self, m: Match, norm: str) -> bool:
        """'and in those in remission after the first cycle?': every measure named comes after the words that make it
        a set of patients, so the conversation's measure is still the one asked."""
        hit = self.set_of.search(norm) if self.set_of is not None else None
        if hit is None:
            return False
        at = len(norm[:hit.end()].split(" "))
        return all(x.start >= at - 1 for x in m.mentions if x.slot == "measure" and x.start >= 0)

    def _masked(self, m: Match) -> str:
        """The normalised question with the reference words inside a group's name ('after that change', 'those
        who started before') blanked: they are part of the name, not a pointer to the conversation."""
        words = m.normalised.split(" ")
        for x in m.mentions:
            if x.slot == "group" and 0 <= x.start < x.end <= len(words) and x.end - x.start > 1:
                for i in range(x.start, x.end):
                    if words[i] in self.references:
                        words[i] = "_"
        return " ".join(words)

    def _context_drug(self, m: Match, ctx: Context, q: dict[str, list[str]], found: list[SlotValue],
                      stats: list[str]) -> tuple[dict[str, list[str]], list[SlotValue]]:
        """'what's in that?' after POMP maintenance: a measure that is always some drug's takes the drug of the
        last answer; a group the conversation named does not hold for what a drug is made of."""
        if "drug" in q or not ctx.frames or not any(
                "drug" in self.store.entities[x].strict for x in m.ids("measure") if x in self.store.entities):
            return q, found
        mains = {self.store.facts[f].drug[0] for f in ctx.frames[0].facts
                 if f in self.store.facts and self.store.facts[f].drug}
        if len(mains) != 1:
            return q, found
        q = dict(q, drug=[mains.pop()])
        found = found + [SlotValue(slot="drug", value=q["drug"][0], source="context")]
        taken = {v.slot for v in found if v.source == "context" and v.slot in ("group", "cycle", "timepoint")}
        if taken and not resolve(self.store, q, stats):
            q = {k: v for k, v in q.items() if k not in taken}
            found = [v for v in found if not (v.source == "context" and v.slot in taken)]
        return q, found

    def _named_set(self, m: Match, ctx: Context, q: dict[str, list[str]], found: list[SlotValue],
                   stats: list[str]) -> tuple[dict[str, list[str]], list[SlotValue]]:
        """'how old were they?' after the second cancers: a measure of the conversation that names a set of
        patients joins the question's measure when a fact joins them; it replaces the group its fact carried when
        only that makes them meet ('how long after treatment did these show up?' after their age)."""
        words = m.normalised.split(" ")
        if not (self.references.intersection(words) - self.weak_references) or not q.get("measure"):
            return q, found
        sets = [x for f in ctx.frames for x in f.slots.get("measure", [])
                if x in self.store.entities and self.store.entities[x].qualifies]
        taken = any(v.slot == "group" and v.source == "context" for v in found)
        for x in dict.fromkeys(sets):
            if x in q["measure"]:
                break
            for slots in (q, {k: v for k, v in q.items() if k != "group"} if taken else None):
                if slots is None:
                    continue
                joined = resolve(self.store, dict(slots, measure=q["measure"] + [x]), stats)
                if any(self.coverage(q["measure"], f) and self.coverage([x], f) for f in joined.top):
                    kept = [v for v in found if slots is q or not (v.slot == "group" and v.source == "context")]
                    return dict(slots, measure=q["measure"] + [x]), kept + [
                        SlotValue(slot="measure", value=x, source="context")]
        return q, found

    def topic(self, q: dict[str, list[str]], plan: Plan) -> dict[str, list[str]]:
        """What the turn was about, for the next one: the slots asked, plus a group, cycle or timepoint that every
        answered fact shares ('when was the protocol amended?' is about the patients treated after it), and a
        measure naming a set of patients that they all share ('how long after treatment?' about second cancers)."""
        slots = {k: list(v) for k, v in q.items()}
        if plan.status == "answered" and plan.facts:
            shared = set.intersection(*(set(f.measure) for f in plan.facts))
            extra = sorted(x for x in shared if self.store.entities[x].qualifies and x not in slots.get("measure", []))
            if extra and slots.get("measure"):
                slots["measure"] = slots["measure"] + extra
            groups = slots.get("group", [])
            if plan.kind in ("compare", "significance") and len(groups) == 1:  # 'vs the 70+?' then 'and for OS?':
                other = self.store.entities[groups[0]].opposite  # the next turn compares the same two arms
                if other and any(other in f.group for f in plan.facts):
                    slots["group"] = [groups[0], other]
            for s in ("group", "cycle", "timepoint"):
                values = {tuple(f.slot(s)) for f in plan.facts}
                if s not in slots and len(values) == 1:
                    only = list(values.pop())
                    if only and WHOLE_TRIAL not in only:  # a fact of everyone (and of each cohort) names no group
                        slots[s] = only
        return slots

    def stats(self, m: Match, ctx: Context) -> list[str]:
        """The statistic asked: the question's own, or, for a turn that leans on the last one and names no
        measure, the last turn's ('How many were 70 or older?' then 'and 65-69?')."""
        own = m.ids("stat")
        if own or m.ids("measure") or not ctx.frames or not self.elliptical(m.normalised):
            return own
        last = list(ctx.frames[0].stats)
        if m.ids("timepoint"):  # 'at 2 years?' after the median remission duration: the rate then, not a median
            last = [x for x in last if x != self.roles.median]
        return last

    def _pair(self, ctx: Context) -> list[str]:
        """The two groups a conversation was about: the newest two it named, or the newest and its opposite."""
        named = list(dict.fromkeys(g for f in ctx.frames for g in f.slots.get("group", []) if g in self.store.entities))
        if len(named) >= 2:
            return named[:2]
        opposite = self.store.entities[named[0]].opposite if named else ""
        return [named[0], opposite] if opposite else []

    def _complement(self, ctx: Context) -> str:
        """'and without?': the opposite of the conversation's group ('CTG-HR' -> 'no CTG-HR')."""
        for frame in ctx.frames:
            for g in frame.slots.get("group", []):
                e = self.store.entities.get(g)
                if e is not None and e.opposite:
                    return e.opposite
        return ""

    def _holds(self, slots: dict[str, list[str]], stats: list[str]) -> bool:
        """The best fact for these slots holds one of the statistics asked (a count, for 'how many'): a fact
        tied with it that does (the early MRD n beside the MRD negativity rate) is not what will be answered."""
        return any(self.holds(f, s) for f in resolve(self.store, slots, stats).top[:1] for s in stats)

    def _by_group(self, measures: list[str]) -> bool:
        """The article reports these measures for some subgroup, not only for the whole trial (a fact that holds for
        everyone and for a cohort, blinatumomab's maintenance schedule, is no subgroup's)."""
        ids = set(expand(self.store, measures))
        return any(WHOLE_TRIAL not in f.group and ids & set(f.measure) for m in ids for f in self.store.by_measure.get(m, ()))

    def _narrowest(self, ids: list[str]) -> list[str]:
        """Drop an umbrella term when a narrower one is also named ('GI side effects' beats 'side effects'), and a
        measure another one named absorbs ('deaths while in remission': not the response)."""
        sets = {i: set(expand(self.store, [i])) for i in ids}
        absorbed = {a for i in ids if i in self.store.entities for a in self.store.entities[i].absorbs}
        return [i for i in ids if not any(j != i and sets[j] < sets[i] for j in ids)
                and not (i in absorbed and len(ids) > 1)]

    def _fit_offers(self, q: dict[str, list[str]], offers: list[tuple[str, list[str], float]],
                    stats: list[str], must: set[str] | None = None) -> list[tuple[str, list[str], float]]:
        """The largest set of context offers (newest first) whose slots are actually used by the best facts.
        Offers for `must` slots are never dropped: without facts for them the answer is no_data."""
        must = must or set()
        kept = list(offers)
        if len(q.get("measure", [])) > 1:  # an offer that hides the fact answering more of the question is dropped,
            def best(slots: dict[str, list[str]]) -> int:  # even one a pronoun asks for ('what kinds of second
                res = resolve(self.store, slots, stats)  # cancers were they?': 'they' are the cancers)
                return max((self.coverage(q["measure"], f) for f in res.top), default=0)
            for o in list(kept):
                if best(q) > best(dict(q, **{o[0]: o[1]})):
                    kept.remove(o)
        while kept:
            trial = dict(q, **{s: ids for s, ids, _ in kept})
            res = resolve(self.store, trial, stats)
            if res:
                used = [o for o in kept if o[0] in must
                        or any(set(f.slot(o[0])) & set(expand(self.store, o[1])) for f in res.top)]
                if len(used) == len(kept):
                    return kept
                kept = used
                continue
            droppable = [o for o in kept if o[0] not in must]
            if not droppable:
                return kept
            kept.remove(droppable[-1])  # drop the least essential offer (measure comes first, so it is kept longest)
        return []
