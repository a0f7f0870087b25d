"""Typed records of the authored knowledge (sources, facts, caveats, lexicon, intent rules) and the schema's
shared vocabulary (statuses, slots, topics, value kinds). Settings are in `settings.py`, answers in `contract.py`."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

Status = Literal["answered", "clarify", "no_data", "out_of_scope", "medical_advice", "chitchat", "invalid_input"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]

Topic = Literal[
    "design", "dosing", "efficacy", "response", "subgroups_age", "genetics", "cytogenetics", "amendment",
    "safety", "deaths", "neoplasms", "drugs", "citation", "conclusion", "glossary",
]
Stat = Literal[
    "rate", "median", "count", "percent", "dose", "schedule", "incidence", "range", "design", "comparison",
    "description", "p_value", "duration", "definition",
]
ValueKind = Literal[
    "value", "rate", "percent", "median", "count", "n", "ci_low", "ci_high", "p", "range_low", "range_high",
    "dose", "dose_low", "dose_high", "cumulative_dose", "day", "cycle", "timepoint", "age", "age_low", "age_high",
    "year", "duration", "label", "reference",
]
Slot = Literal["measure", "group", "timepoint", "drug", "cycle", "stat", "cue", "unreported", "domain"]
FACT_SLOTS: tuple[str, ...] = ("measure", "group", "timepoint", "drug", "cycle")
SLOTS: tuple[str, ...] = Slot.__args__  # type: ignore[attr-defined]
WHOLE_TRIAL = "all"  # the group of a fact about every patient: the schema's one entity id (lexicon must define it)

_NUMBER = re.compile(r"(?<![A-Za-z0-9.·])(?:\d+(?:[.·]\d+)?|[.·]\d+)")


def numbers_in(text: str) -> list[str]:
    """Number tokens in text, middle dots read as decimal points ('31·5' -> '31.5'); 'm2', 'TP53' are not numbers."""
    return [n.replace("·", ".") for n in _NUMBER.findall(text)]


def number_key(token: str) -> str:
    """Canonical form of a number token for comparison ('.77' and '0.77' differ on purpose: as written)."""
    return token.replace("·", ".")


def _regex(pattern: str) -> None:
    """A knowledge regex must compile; the error names the pattern (pydantic reports it with file and field)."""
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"not a valid regular expression ({e}): {pattern!r}") from None


def _compiled(pattern: str) -> str:
    _regex(pattern)
    return pattern


Regex = Annotated[str, AfterValidator(_compiled)]  # a knowledge regex: must compile


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- knowledge records


class Source(Strict):
    """A citable source: the paper (cited in answers) or the news summary (where quotes are read)."""

    id: str
    kind: Literal["paper", "summary"]
    short: str = Field(description="Short reference shown with answers")
    full: str
    doi: str = ""
    trial: str = ""
    file: str = Field("", description="Text file (relative to knowledge/) that quotes are checked against")


class Value(Strict):
    """One number as the quote writes it ('44.0' stays '44.0'), with its kind and unit."""

    kind: ValueKind
    value: str
    unit: str = ""
    name: str = Field("", description="Distinguishes two values of one kind, e.g. 'pre' and 'post'")

    @property
    def key(self) -> str:
        return self.name or self.kind

    @property
    def num(self) -> float | None:
        try:
            return float(self.value.replace("·", "."))
        except ValueError:
            return None

    def shown(self) -> str:
        v = self.value.replace("·", ".")
        if not self.unit:
            return v
        return f"{v}{self.unit}" if self.unit == "%" else f"{v} {self.unit}"


class Fact(Strict):
    """One statement of the article: slots for matching, values, the sentence said, and its verbatim quote."""

    id: str
    topic: Topic
    stat: Stat
    measure: list[str] = Field(min_length=1)
    group: list[str] = Field(default_factory=lambda: [WHOLE_TRIAL])
    timepoint: list[str] = Field(default_factory=list)
    drug: list[str] = Field(default_factory=list)
    cycle: list[str] = Field(default_factory=list)
    values: list[Value] = Field(default_factory=list)
    say: str = Field(min_length=1, description="The assistant's sentence; every number in it is one of values")
    quote: str = Field(min_length=1, description="Verbatim from the source text")
    locator: str = Field(min_length=1, description="Where in the article, e.g. 'paragraph 4'")
    source: str = "summary"
    label: str = Field("", description="Short row label for tables, e.g. 'Nausea'")
    examples: list[str] = Field(default_factory=list)
    defines: list[str] = Field(default_factory=list, description="For a definition of a measure with many names: "
                               "the names it explains ('open label'); another of them ('phase 3') is not answered by it")
    rank: int = Field(0, description="Higher is shown first when several facts tie")
    main: str = Field("", description="Key of the headline value, when the fact has several figures")
    rankable: bool = Field(True, description="false: never ranked by its figure ('most common ...'), e.g. when "
                                             "the article itself names another fact as the most common")
    counted_by: str = Field("", description="A statement with no head count ('All patients were assessed for "
                                            "safety'): the fact giving the count it refers to, shown with it when "
                                            "'how many' is asked")

    def value(self, key: str) -> Value | None:
        return next((v for v in self.values if v.key == key), None)

    def slot(self, name: str) -> list[str]:
        return getattr(self, name)


class Caveat(Strict):
    """An inconsistency or limitation of the source, linked to the facts it bears on."""

    id: str
    say: str = Field(min_length=1)
    facts: list[str] = Field(min_length=1)
    quotes: list[str] = Field(min_length=1)
    locator: str = ""
    severity: Literal["note", "warning"] = "warning"


class Entity(Strict):
    """A lexicon entry: one thing the user can name, with every way of naming it."""

    id: str
    slot: Slot
    label: str = Field("", description="How the assistant names it")
    names: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    lay: list[str] = Field(default_factory=list)
    misspellings: list[str] = Field(default_factory=list)
    case_sensitive: list[str] = Field(default_factory=list, description="Matched only as written, e.g. 'ALL'")
    generic: list[str] = Field(default_factory=list,
                               description="Everyday words for it ('schedule'): understood, but they do not by "
                                           "themselves tie a question to the trial")
    expands: list[str] = Field(default_factory=list, description="Umbrella term: stands for these entity ids")
    within: list[str] = Field(default_factory=list, description="For cycles: wholes that hold this one ('the first 4 "
                              "cycles' holds cycle 2): a fact about them fits a question about this one, less well")
    weight: float = Field(1.0, gt=0, le=2)
    anchor: Literal["strong", "weak", "none"] = Field(
        "strong", description="strong ties a question to the trial by itself; weak only with another cue"
    )
    fuzzy: bool = True
    holds: str = Field("", description="For 'unreported' entities: what the knowledge base holds instead")
    ages: list[int] = Field(default_factory=list, description="For age groups: [lowest, highest] age in years")
    related: list[str] = Field(default_factory=list, description="For 'unreported': related measure ids")
    opposite: str = Field("", description="For groups: the complementary group ('and without?')")
    of_measure: bool = Field(False, description="For unreported: a fact of a measure the question names may hold it "
                                                "('age range of those with second neoplasms')")
    implies: list[str] = Field(default_factory=list, description="For cues: measures they imply ('live longer': OS)")
    qualifies: bool = Field(False, description="For measures: also names a set of patients ('the ones with a second "
                                               "cancer'), so 'how old were they?' can mean them")
    absorbs: list[str] = Field(default_factory=list, description="For measures: measures named beside this one that "
                               "only say when or of whom ('died while still in remission': the remission is when, "
                               "not the response asked about)")
    per_drug: bool = Field(False, description="For measures: each drug named needs a fact of its own ('the "
                                              "vincristine dose in POMP' is not the POMP dose)")
    strict: list[str] = Field(default_factory=list,
                              description="For measures: slots a fact must match when this measure is asked")

    def all_names(self) -> list[str]:
        return [*self.names, *self.abbreviations, *self.lay, *self.misspellings, *self.generic]


class IntentRule(Strict):
    """An intent: which slots it needs, which it may use, cue patterns, and how it is answered."""

    id: str
    kind: Literal[
        "lookup", "overview", "superlative", "compare", "significance", "chitchat", "advice", "unreported", "reject",
        "define",
    ]
    description: str = ""
    requires: list[str] = Field(
        default_factory=list,
        description="All items needed; an item is alternatives 'slot' or 'slot:id|id' joined by ','",
    )
    optional: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Regexes on the normalised text; any one fits")
    unless: list[str] = Field(default_factory=list, description="Regexes on the normalised text: the rule does not "
                              "score when one fits ('when was blinatumomab added?' asks no survival of the cohort)")
    weight: float = 1.0
    excludes: list[str] = Field(default_factory=list, description="Items that must be absent (same form)")
    follow_up: bool = Field(False, description="Only inside a conversation (the context has an earlier turn)")
    defaults: dict[str, list[str]] = Field(default_factory=dict, description="Slots assumed when not given")
    anchored: bool = Field(False, description="Needs a strong anchor, the trial named or a conversation: a question "
                                              "only about an everyday drug ('what is the prednisone for?') is general")
    banter: bool = Field(False, description="For chitchat: stands beside everyday medical or unknown words, though "
                                            "not beside a measure, group or drug ('you're faster than my oncologist')")
    reply: str = ""
    examples: list[str] = Field(default_factory=list)

    @field_validator("patterns", "unless")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            _regex(p)
        return v
