"""Typed records: authored knowledge (sources, facts, caveats, lexicon, intent rules) and answers."""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    rank: int = Field(0, description="Higher is shown first when several facts tie")
    main: str = Field("", description="Key of the headline value, when the fact has several figures")
    rankable: bool = Field(True, description="false: never ranked by its figure ('most common ...'), e.g. when "
                                             "the article itself names another fact as the most common")

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
    weight: float = 1.0
    excludes: list[str] = Field(default_factory=list, description="Items that must be absent (same form)")
    follow_up: bool = Field(False, description="Only inside a conversation (the context has an earlier turn)")
    defaults: dict[str, list[str]] = Field(default_factory=dict, description="Slots assumed when not given")
    reply: str = ""
    examples: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            _regex(p)
        return v


class VocabularySettings(Strict):
    """Where the general English vocabulary comes from and what counts as common."""

    package: str = "symspellpy"
    file: str = "frequency_dictionary_en_82_765.txt"
    common_count: int = Field(150000, ge=0)
    typo_min_length: int = Field(4, ge=2)
    typo_count: int = Field(1000000, ge=0)
    typo_max_edits: int = Field(1, ge=0, le=2)
    typo_max_edits_long: int = Field(2, ge=0, le=3)


class ForeignSettings(Strict):
    """Word shapes that mark a name this trial knows nothing about."""

    drug_endings: list[str] = Field(default_factory=list)
    code_pattern: str = ""
    acronym_pattern: str = ""
    proper_names: bool = True

    @field_validator("code_pattern", "acronym_pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        _regex(v)
        return v

    @field_validator("drug_endings")
    @classmethod
    def _lower(cls, v: list[str]) -> list[str]:
        for e in v:
            if not e.isalpha() or e != e.lower():
                raise ValueError(f"drug ending {e!r} must be lower-case letters")
        return v


class DecisionSettings(Strict):
    """Thresholds of the decision step."""

    trial_names: list[str] = Field(default_factory=list, description="entity ids that name this trial")
    bare_words: list[str] = Field(default_factory=list)
    follow_openers: list[str] = Field(default_factory=list)
    other_trials: list[str] = Field(default_factory=list)
    dangling_groups: list[str] = Field(default_factory=list)
    opener_fillers: list[str] = Field(default_factory=list)
    fresh_followup_out: list[str] = Field(default_factory=list)
    medical_domains: list[str] = Field(default_factory=list)
    focus_words: list[str] = Field(default_factory=list)
    focus_skip: list[str] = Field(default_factory=list)
    short_word: int = Field(2, ge=0)
    max_unplaced_share: float = Field(0.5, ge=0, le=1)
    bare_cues: list[str] = Field(default_factory=list, description="cue entity ids that may stand as a bare statistic")
    trial_words: list[str] = Field(default_factory=list, description="words that follow the name of a trial")
    not_people: list[str] = Field(default_factory=list,
                                  description="generic domain entities that are not everyday words for the patients")


class Rewrite(Strict):
    """Shorthand in the normalised question ('d8' -> 'day 8'), rewritten before tagging."""

    pattern: str
    replace: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        _regex(v)
        return v


class NormalSettings(Strict):
    """Number words and unit folding of the normal form questions and lexicon names share."""

    number_words: dict[str, str] = Field(default_factory=dict, description="word -> digits ('five' -> '5')")
    soft_numbers: list[str] = Field(default_factory=list,
                                    description="number words read as numbers only next to a unit word ('one')")
    unit_words: list[str] = Field(default_factory=list)
    fold: list[Rewrite] = Field(default_factory=list, description="unit spellings folded, in order ('5yrs' -> '5 year')")

    @field_validator("number_words")
    @classmethod
    def _digits(cls, v: dict[str, str]) -> dict[str, str]:
        for w, d in v.items():
            if not d.isdigit() or w != w.lower():
                raise ValueError(f"number word {w!r} must be lower case and map to digits, not {d!r}")
        return v


class TaggerSettings(Strict):
    """What the tagger never fuzzes, and how an age in the question is found."""

    never_fuzzed: list[str] = Field(default_factory=list,
                                    description="common words never read as a typo of a lexicon term ('month')")
    age_pattern: str = Field("", description="regex on the normalised text; one group holds the age")

    @field_validator("age_pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        _regex(v)
        return v


class CompoundSettings(Strict):
    """How a message asking several things is split."""

    question_starts: list[str] = Field(default_factory=list)
    preface_starts: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)


class FrameWords(Strict):
    """knowledge/frame.toml: words that are understood but name nothing, and how unknown words are read."""

    frame: dict[str, list[str]] = Field(default_factory=dict)
    user_names: list[str] = Field(default_factory=list)
    rewrite: list[Rewrite] = Field(default_factory=list)
    vocabulary: VocabularySettings = Field(default_factory=VocabularySettings)
    foreign: ForeignSettings = Field(default_factory=ForeignSettings)
    decision: DecisionSettings = Field(default_factory=DecisionSettings)
    compound: CompoundSettings = Field(default_factory=CompoundSettings)
    normalise: NormalSettings = Field(default_factory=NormalSettings)
    tagger: TaggerSettings = Field(default_factory=TaggerSettings)

    @field_validator("frame")
    @classmethod
    def _words(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for group, words in v.items():
            for w in words:
                if not w or w != w.strip().lower() or any(c in w for c in "-'\""):
                    raise ValueError(f"{group}: {w!r} must be a lower-case word without hyphens or quotes")
        return v

    def words(self) -> frozenset[str]:
        return frozenset(w for ws in self.frame.values() for w in ws)


class Roles(Strict):
    """The entity ids the answering steps reason about, by role (so no id is written in code)."""

    survival: list[str] = Field(min_length=2, description="survival measures; the first two are PFS and OS")
    complement: str = Field(description="cue: 'and without?', the opposite group")
    besides: str = Field(description="cue: 'besides MDS, ...', leave the named measures out")
    overview: str = Field(description="cue: 'give me an overview'")
    most: str = Field(description="cue: the highest / most common")
    second_most: str = Field(description="cue: the second most common")
    median: str = Field(description="statistic: the median")
    count: str = Field(description="statistic: how many")
    disease: str = Field(description="domain: the disease ('what does ALL mean here')")
    population: str = Field(description="measure: who was studied")
    drug_profile: str = Field(description="measure: what a drug is")
    unreported_timepoint: str = Field(description="unreported: a survival timepoint the article does not give")
    other_drugs: str = Field(description="unreported: drugs the article never names")
    types: str = Field(description="facet of facts that are one type of a whole (MDS among second neoplasms)")
    any_adverse_event: str = Field(description="measure a superlative without a measure ranks ('most common')")
    strict_facets: list[str] = Field(default_factory=list, description="measures only their own fact may answer")
    help_intent: str = Field(description="chit-chat intent whose reply is followed by fact suggestions")


class StatisticMeaning(Strict):
    """What a statistic the user names ('median', 'how many') is in the facts."""

    fact_stats: list[str] = Field(default_factory=list, description="fact `stat` values that answer it")
    value_kinds: list[str] = Field(default_factory=list, description="a fact with one of these values answers it")
    survival_values: list[str] = Field(default_factory=list,
                                       description="a survival fact must have one of these value kinds")


class Thresholds(Strict):
    """How sure the planner must be, and how much it shows."""

    min_score: float = Field(0.4, ge=0, description="below this the best rule is too weak to answer")
    min_gap: float = Field(0.1, ge=0, description="rules of other kinds this close, with other facts: ask which")
    max_facts: int = Field(3, ge=1, description="more facts than this become a table or a clarify")
    max_table: int = Field(20, ge=1)
    summary_rank: int = Field(2, description="a fact of this rank or higher sums up the others of its topic")
    tie: float = Field(0.05, ge=0, description="facts this close to the best score tie")
    stat_bonus: float = Field(0.1, ge=0, description="score for a fact of the statistic asked")
    drug_hit: float = Field(0.04, ge=0, description="score for a drug named (below `tie`: drugs only break ties)")
    extra: dict[str, float] = Field(default_factory=dict, description="penalty per id a fact has beyond those asked")


class FollowUpWords(Strict):
    """Words and patterns that show a turn leans on the conversation."""

    starts: list[str] = Field(default_factory=list, description="openers of an elliptical turn ('and', 'what about')")
    reference_words: list[str] = Field(default_factory=list, description="words that point back ('those', 'them')")
    weak_references: list[str] = Field(default_factory=list,
                                       description="reference words that do not make the group part of the question")
    question_words: list[str] = Field(default_factory=list)
    union: str = Field("", description="regex: every frame's ids ('OS at those time points')")
    relation: str = Field("", description="regex: one measure of the patients with another ('median OS of those who')")
    coordinated: str = Field("", description="regex: measures joined ('PFS and OS')")

    @field_validator("union", "relation", "coordinated")
    @classmethod
    def _compiles(cls, v: str) -> str:
        _regex(v)
        return v


class ClarifyOptions(Strict):
    """Questions offered back when a question is too bare to answer."""

    default: list[str] = Field(min_length=2)
    by_statistic: dict[str, list[str]] = Field(default_factory=dict, description="statistic entity id -> options")
    significance: list[str] = Field(min_length=2)


class OverviewSettings(Strict):
    headline_topics: list[Topic] = Field(default_factory=list, description="topics of 'give me an overview', in order")
    table_titles: dict[str, str] = Field(default_factory=dict, description="topic -> the title of its table")
    default_title: str = "Results from the trial:"
    starters: list[str] = Field(min_length=2, description="questions suggested when there is nothing better")
    topic_names: dict[Topic, str] = Field(default_factory=dict, description="topic -> its name in the chat's /topics, "
                                                                           "in the order listed")


class AnswerSettings(Strict):
    """knowledge/answers.toml: roles, thresholds and texts of the answering steps."""

    roles: Roles
    statistics: dict[str, StatisticMeaning] = Field(default_factory=dict, description="statistic entity id -> meaning")
    thresholds: Thresholds = Field(default_factory=Thresholds)
    follow_up: FollowUpWords = Field(default_factory=FollowUpWords)
    clarify: ClarifyOptions
    overview: OverviewSettings

    def entity_ids(self) -> list[tuple[str, str]]:
        """(field, entity id) for every id named here, for validation."""
        out = [(f"roles.{k}", v) for k, v in self.roles.model_dump().items() if isinstance(v, str) and k != "help_intent"]
        out += [(f"roles.{k}.{i}", x) for k, v in self.roles.model_dump().items() if isinstance(v, list)
                for i, x in enumerate(v)]
        out += [(f"statistics.{k}", k) for k in self.statistics]
        out += [(f"clarify.by_statistic.{k}", k) for k in self.clarify.by_statistic]
        return out


# ---------------------------------------------------------------- answers


class Citation(BaseModel):
    reference: str
    locator: str
    quote: str
    fact: str = ""


class SlotValue(BaseModel):
    slot: str
    value: str
    source: Literal["question", "context", "default"]
    text: str = ""
    score: float = 1.0


class WordRead(BaseModel):
    """How one word of the question was read (the word accounting)."""

    text: str
    role: Literal["term", "frame", "number", "unplaced", "foreign"]
    detail: str = ""
    written: str = Field("", description="the word as the user wrote it, when it differs ('PhALLCON')")


class Explain(BaseModel):
    rule: str = ""
    score: float = 0.0
    runner_up: str = ""
    runner_up_score: float = 0.0
    slots: list[SlotValue] = Field(default_factory=list)
    normalised: str = ""
    note: str = ""
    words: list[WordRead] = Field(default_factory=list, description="each word and what it was read as")
    reason: str = Field("", description="why the status follows from the words")
    decision: str = Field("", description="the kind of decision: answer, foreign, unplaced, advice, ...")
    names_trial: bool = Field(False, description="the question names this trial or one of its own terms")


class Frame(BaseModel):
    """What one turn was about: its slots and facts. Frames age and expire."""

    slots: dict[str, list[str]] = Field(default_factory=dict)
    facts: list[str] = Field(default_factory=list)
    intent: str = ""
    stats: list[str] = Field(default_factory=list, max_length=4, description="The statistic asked ('how many')")
    options: list[str] = Field(default_factory=list, max_length=5, description="Choices offered by a clarify turn")
    age: int = Field(0, ge=0)


class Context(BaseModel):
    """Dialogue context carried by the caller between turns (JSON round trip)."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    turn: int = Field(0, ge=0)
    frames: list[Frame] = Field(default_factory=list, max_length=8)


class Answer(BaseModel):
    """One reply, in the contract shape shared by the API, batch, chat and HTTP."""

    id: Any = None
    session: Any = None
    question: str = ""
    status: Status
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    intent: str = ""
    confidence: float = 0.0
    suggestions: list[str] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    table: list[dict[str, Any]] | None = None
    explain: Explain = Field(default_factory=Explain)
    context: Context = Field(default_factory=Context)

    def contract(self) -> dict[str, Any]:
        """The JSON record of the contract: every field (`table` only for overview answers), with `context` to
        send back with the next question and `explain` (rule, slots, the word accounting and why the status)."""
        data = self.model_dump(mode="json")
        if data.get("table") is None:
            data.pop("table", None)
        return data
