"""Step 4: decide the status from what was and was not understood.

Reads the match (mentions, fitting rules) and the word accounting, and decides before any fact is looked up:
  medical_advice  a personal decision or a personal value (personal framing wins over trial words)
  chitchat        a greeting, thanks, "what can I ask"
  out_of_scope    a general medical question; a foreign word and this trial not named; unplaced words and
                  nothing that ties the question to this trial; nothing about the trial at all
  no_data         a foreign word with this trial named ("did this trial add rituximab?")
  clarify         an on-trial question with words it cannot place (never a guess)
  (answer)        every word accounted for: the planner finds the facts, and reports answered, no_data
                  (a slot combination the article lacks) or clarify (several facts fit)
Thresholds and word lists are data (knowledge/frame.toml, [decision]).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.resolver import expand
from assistant.kb.models import IntentRule
from assistant.kb.store import Store
from assistant.understand.account import Accounting
from assistant.understand.matcher import TRIAL_SLOTS, Match



@dataclass
class Decision:
    """The status decided from the words (None: answer from the facts), and why."""

    status: str | None
    kind: str
    reason: str
    rule: IntentRule | None = None
    names: list[str] = field(default_factory=list)  # the words that were not understood, as written
    drug: bool = False  # a foreign word shaped like a drug name
    named: bool = False  # the question names this trial


class Decider:
    """Pure and thread-safe: settings come from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.settings = store.frame.decision
        self.bare_cues = frozenset(self.settings.bare_cues)
        self.trial_words = frozenset(self.settings.trial_words)
        self.other_drugs = store.answers.roles.other_drugs
        self.count_stat = store.answers.roles.count  # the statistic "how many"
        # word and id lists read as sets, made once (the settings are read-only)
        self.domains, self.own = frozenset(self.settings.medical_domains), frozenset(self.settings.trial_names)
        self.allowed, self.fillers = frozenset(self.settings.bare_words), frozenset(self.settings.opener_fillers)
        self.focus, self.skip = frozenset(self.settings.focus_words), frozenset(self.settings.focus_skip)
        self.general = frozenset(self.settings.general_terms) | frozenset(expand(store, self.settings.general_terms))
        self.specific = frozenset(self.settings.specific_words)
        self.regimen = [re.compile(p) for p in self.settings.regimen_questions]
        self.defined = frozenset(x for f in store.facts.values() if f.stat == "definition"
                                 for x in (*f.measure, *f.group))

    # ------------------------------------------------------------ what ties a question to the trial

    def _medical(self, m: Match, acct: Accounting) -> bool:
        """A personal question is medical when it names a trial term (measure, drug, group) or a medical
        domain word ('my chemo', 'doctor'); something the article lacks only counts when nothing is unplaced
        ('I need to know my phone's location' is not medical)."""
        domains = self.domains
        clean = not acct.unplaced and not acct.foreign
        for x in m.mentions:
            if x.how == "fuzzy":
                continue
            if x.slot == "domain" and x.entity in domains:
                return True
            if x.slot == "timepoint" and x.how != "generic" and clean:
                return True  # 'will my mum make it to 5 years?'
            if x.slot in ("drug", "group", "cycle") and (x.how != "generic" or (clean and x.slot != "group")):
                return True  # 'stop his maintenance early': an everyday word for a phase, nothing else unknown
            e = self.store.entities[x.entity]
            if x.slot == "measure" and (clean or e.anchor == "strong" or (  # a weak term among many unknown words
                    x.how == "exact" and e.anchor != "none" and acct.unknown() <= 2)):  # ('induction hob') is not one
                return True
        return clean and any(x.slot == "unreported" and x.how != "generic" for x in m.mentions)

    def names_trial(self, m: Match, study: bool = False) -> bool:
        """The question names this trial or one of its own terms (the amendment, 'this study'); `study`: the
        trial itself ('this study', its NCT number), not only one of its cohorts."""
        own = self.own
        return any(x.entity in own and x.how != "generic"
                   and (not study or self.store.entities[x.entity].slot == "domain") for x in m.mentions)

    def in_scope(self, m: Match, follow_up: bool = False) -> bool:
        """A trial term (measure, group, drug, ...) or a strong anchor ties a question to the trial; generic
        domain words ('patients', 'leukemia') need two. In a conversation, a cue alone will do ('p value?')."""
        domain: set[str] = set()
        everyday: set[str] = set()
        symptoms: set[str] = set()  # everyday names of things the article lacks ('vomiting')
        people = False  # 'did people lose their hair': everyday words for the patients
        for x in m.mentions:
            if follow_up and (x.slot in TRIAL_SLOTS or x.slot in ("stat", "cue")):
                return True
            anchor = self.store.entities[x.entity].anchor
            if x.how == "generic":
                if x.slot == "domain" and x.entity not in self.settings.not_people:
                    people = True
                if x.slot != "domain" and anchor != "none":
                    everyday.add(x.entity)
                    if x.slot == "unreported":
                        symptoms.add(x.entity)
                continue
            if anchor == "strong" or (x.slot in TRIAL_SLOTS and x.slot != "unreported" and anchor == "weak"):
                return True
            if x.slot == "domain" or (x.slot == "unreported" and anchor == "weak"):
                domain.add(x.entity)
        stat = any(x.slot == "stat" for x in m.mentions)
        unreported = any(self.store.entities[d].slot == "unreported" for d in domain)
        return (len(domain) >= 2 or (len(domain) == 1 and len(everyday - domain) >= 1)
                or (unreported and stat)  # 'what percentage had an infection as an adverse event?'
                or bool(symptoms and (stat or people or domain))
                or bool(people and stat and everyday - symptoms))  # 'how many people were enrolled?'

    def _anchored(self, m: Match) -> bool:
        """Only a strong anchor makes a question about something the trial did not study about this trial."""
        for x in m.mentions:
            e = self.store.entities[x.entity]
            if e.anchor == "strong" and x.how != "generic" and x.slot in ("domain", *TRIAL_SLOTS[:-1]):
                return True
        return not any(x.slot == "unreported" and self.store.entities[x.entity].anchor == "none" for x in m.mentions)

    def _general_term(self, m: Match) -> bool:
        """'what is GI side effects?': a bare 'what is X' of an everyday term the glossary does not define."""
        if m.rule is None or m.rule.kind != "define" or not m.rule.patterns:
            return False
        if set(m.normalised.split(" ")) & self.specific:
            return False
        named = [x for x in m.mentions if x.slot in ("measure", "group")]
        return bool(named) and all(x.entity in self.general and x.entity not in self.defined for x in named)

    def _everyday_drug(self, m: Match) -> bool:
        """The question's only trial term is a weakly anchored drug (a component of POMP: 'methotrexate')."""
        terms = [x for x in m.mentions if x.slot in TRIAL_SLOTS and x.slot != "unreported" or x.slot == "domain"]
        return bool(terms) and all(x.slot == "drug" and self.store.entities[x.entity].anchor == "weak" for x in terms)

    def _strong(self, m: Match) -> bool:
        """A strongly anchored term, as written (not an everyday word for it)."""
        return any(x.how != "generic" and self.store.entities[x.entity].anchor == "strong" for x in m.mentions)

    def bare(self, m: Match) -> bool:
        """A bare statistic ('what was the median?'): about the trial, but needs clarifying. Only the few
        `bare_words` may stand beside it ('what is today's date' is not one)."""
        # 'how long was it?' (an everyday phrase for a measure) is bare too, unless a statistic or the trial is
        # named beside it ('did patients get tired?')
        plain = not any(x.slot in ("stat", "domain") for x in m.mentions)
        words = {w for x in m.mentions if x.slot == "stat" or x.entity in self.bare_cues
                 or (plain and x.slot == "measure" and x.how == "generic") for w in x.text.split(" ")}
        allowed = self.allowed
        return bool(words) and all(w in words or w in allowed for w in m.normalised.split(" "))

    def foreign_terms(self, m: Match) -> list[str]:
        """Lexicon entries for things of another trial, drug, disease or population (unreported, anchor none)."""
        return [x.text for x in m.mentions
                if x.slot == "unreported" and self.store.entities[x.entity].anchor == "none"]

    def _at_focus(self, acct: Accounting, m: Match) -> bool:
        """An unplaced word in the place of what is asked about: after 'of', 'in', 'for', 'how many' ...
        ('how many koalas', 'survival of dogs'), skipping determiners and adjectives the lexicon knows."""
        focus, skip = self.focus, self.skip
        stat = {x.entity for x in m.mentions if x.slot == "stat"}
        words = acct.words
        for i, w in enumerate(words):
            if w.role != "unplaced":
                continue
            j = i - 1
            while j >= 0 and words[j].text in skip:
                j -= 1
            if j < 0:
                continue
            before = words[j]
            if before.text in focus or (before.role == "term" and before.detail.split(" ")[0] in stat):
                return True
        return False

    def _opener(self, m: Match) -> bool:
        """The question opens like a follow-up ('and ...', 'what about ...', 'ok thank you and for ...')."""
        words = m.normalised.split(" ")
        fillers = self.fillers
        for i in range(len(words)):
            if words[i] in self.settings.follow_openers or " ".join(words[i:i + 2]) in self.settings.follow_openers:
                return True
            if words[i] not in fillers:
                return False
        return False

    def _names(self, acct: Accounting, positions: set[int]) -> list[str]:
        """The foreign words as written, and the foreign topics the lexicon knows by their labels ('regulatory
        approval' for 'FDA approved')."""
        topics = {i: w.detail.split(" ")[0] for i, w in enumerate(acct.words) if i in positions and w.role == "term"}
        return list(dict.fromkeys([*self._spans(acct, positions - set(topics)),
                                   *(self.store.entities[e].label or e for e in topics.values())]))

    @staticmethod
    def _spans(acct: Accounting, positions: set[int]) -> list[str]:
        """Adjacent foreign words as one name ('lung cancer', 'GRAALL 2005'), as the user wrote them."""
        out: list[str] = []
        last = -2
        for i in sorted(positions):
            w = acct.words[i].written or acct.words[i].text
            if i == last + 1 and out:
                out[-1] += " " + w
            else:
                out.append(w)
            last = i
        return out

    def _other_trial(self, words: list[str], foreign: set[int]) -> bool:
        """A foreign word naming another trial or study: just before a trial word ('the PhALLCON trial', 'UKALL14
        study', 'the ponatinib plus blinatumomab trial') or after 'by' ('the study by Kantarjian')."""
        near = any(0 <= j < len(words) and words[j] in self.trial_words for i in foreign for j in (i + 1, i + 2, i + 3))
        return near or any(i and words[i - 1] == "by" for i in foreign)

    # ------------------------------------------------------------ the decision

    def decide(self, m: Match, acct: Accounting, follow_up: bool = False, leaning: bool = False,
               talking: bool = False) -> Decision:
        """`follow_up`: a conversation with a topic is under way; `leaning`: this turn leans on it ('and at 5
        years?'); `talking`: there was an earlier turn, though it left no topic ('any data on quality of life?')."""
        d = self._decide(m, acct, follow_up, leaning, talking)
        d.named = self.names_trial(m)
        return d

    def _decide(self, m: Match, acct: Accounting, follow_up: bool, leaning: bool, talking: bool = False) -> Decision:
        # a facet of any measure ('what kinds of things can you help with') is no trial term
        trial_terms = [x for x in m.mentions if x.slot in (*TRIAL_SLOTS, "domain", "stat")
                       and not (x.slot == "measure" and self.store.entities[x.entity].anchor == "none")]
        medical = self._medical(m, acct) or (follow_up and leaning)
        advice = next((r for r in m.advice if not r.requires or medical), None)
        if advice is not None:
            return Decision("medical_advice", "advice", "a personal decision or situation: for the clinician",
                            rule=advice)
        content = acct.content()
        if m.chitchat is not None and (not trial_terms and not any(w.role == "foreign" for w in content) or (
                m.chitchat.banter and not any(x.slot in (*TRIAL_SLOTS, "stat") for x in m.mentions))):
            return Decision("chitchat", "chitchat", "a conversational message", rule=m.chitchat)
        named = self.names_trial(m) or (follow_up and leaning)
        scoped = self.in_scope(m, follow_up) or self.bare(m) or bool(m.rule and m.rule.kind == "define")
        if m.reject is not None and not self.names_trial(m):  # 'how is it usually treated?' even after a turn
            return Decision("out_of_scope", "reject", "a general medical question, not one about this trial",
                            rule=m.reject)
        others = {x.entity for x in m.mentions
                  if x.slot == "unreported" and self.store.entities[x.entity].anchor == "none"}
        positions = {i for i, w in enumerate(acct.words)
                     if w.role == "foreign" or (w.role == "term" and w.detail.split(" ")[0] in others)}
        if positions:
            words = [w.text for w in acct.words]
            names = self._names(acct, positions)
            drug = any(w.detail.startswith("a drug") for w in acct.foreign) or self.other_drugs in others
            why = next((w.detail for w in acct.foreign), "")
            code = any(w.detail == "a code or trial name" for w in acct.foreign) or bool(  # 'E1910', 'UKALL14'
                others & set(self.settings.other_trials))
            regimen = drug and not code and any(r.search(" ".join(words)) for r in self.regimen)
            if (named or regimen) and not self._other_trial(words, positions) and not (code and not self.names_trial(
                    m, study=True)):  # 'E1910 with blinatumomab': another trial, unless this one is named
                return Decision("no_data", "foreign", f"names {', '.join(names)}, which the article never mentions, "
                                "in a question about this trial", names=names, drug=drug)
            return Decision("out_of_scope", "foreign", f"about {', '.join(names)}"
                            + (f" ({why})" if why else "") + ", not this trial", names=names, drug=drug)
        unplaced = acct.unplaced
        if unplaced:
            names = [w.written or w.text for w in unplaced]
            share = len(unplaced) / max(1, len(content))  # with this trial named, mostly placed: ask back
            if m.rule is not None and m.rule.kind == "unreported" and named:
                return Decision(None, "answer", "asks about something the article does not report",
                                rule=m.rule, names=names)
            if named and share <= self.settings.max_unplaced_share and not self._at_focus(acct, m):
                return Decision("clarify", "unplaced", f"could not place {', '.join(repr(n) for n in names)}",
                                rule=m.rule, names=names)
            return Decision("out_of_scope", "unplaced", f"could not place {', '.join(repr(n) for n in names)} "
                            "and nothing ties the question to this trial", names=names)
        dangling = self.settings.dangling_groups  # 'the second group', 'and before' alone name none
        if not follow_up and not {x.entity for x in m.mentions if x.slot == "group" and x.how != "generic"
                                  and x.text not in dangling} - set(self.store.frame.tagger.own_age) and any(
                f" {p} " in f" {m.normalised} " for p in dangling):
            return Decision("clarify", "bare", "names 'the group' with no conversation saying which")
        if not follow_up and not m.ids("measure") and any(
                f" {p} " in f" {m.normalised} " for p in self.settings.dangling_measures):
            return Decision("clarify", "bare", "'it' with no conversation saying what")
        if not scoped:
            return Decision("out_of_scope", "out_of_scope", "nothing ties the question to this trial")
        if not follow_up and not talking and self._opener(m) and not m.ids("drug") and not self.names_trial(m):
            if not m.ids("measure"):
                return Decision("clarify", "bare", "a follow-up ('what about ...?') with no conversation before it")
            symptoms = set(expand(self.store, self.settings.fresh_followup_out))
            if set(m.ids("measure")) <= symptoms | set(self.settings.fresh_followup_out) and not (
                    self.count_stat in m.ids("stat")):  # 'what about low platelets - how many had that?'
                return Decision("out_of_scope", "out_of_scope", "a follow-up about a symptom with no conversation "
                                "before it: not a question about this trial")
        if m.rule is None or (  # 'how long did it take?' with no conversation: of what?
                self.bare(m) and not follow_up and m.rule.kind == "lookup" and not m.rule.defaults):
            return Decision("clarify", "bare", "a statistic without what it is of")
        if (m.rule.anchored or self._general_term(m)) and not follow_up and not self.names_trial(m) \
                and not self._strong(m):
            return Decision("out_of_scope", "out_of_scope", "about an everyday drug, with nothing tying the question "
                            "to this trial: a general question")
        if m.rule.kind == "unreported" and not follow_up and not self.names_trial(m) and self._everyday_drug(m):
            return Decision("out_of_scope", "out_of_scope", "about an everyday drug ('the half-life of methotrexate'),"
                            " with nothing tying the question to this trial: a general question")
        if m.rule.kind == "unreported" and not (follow_up and leaning) and not self._anchored(m):
            return Decision("out_of_scope", "out_of_scope", "about something this trial did not study")
        return Decision(None, "answer", "every word accounted for", rule=m.rule)
