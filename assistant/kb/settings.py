"""Typed settings of the knowledge base: knowledge/frame.toml (FrameWords: frame words, vocabulary, foreign
shapes, decision, compound splitting, normal form, tagger) and knowledge/answers.toml (AnswerSettings: roles,
statistics, thresholds, follow-up words, clarify options, overview texts)."""
from __future__ import annotations

from pydantic import Field, field_validator

from assistant.kb.models import Regex, Strict, Topic


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
    code_pattern: Regex = ""
    acronym_pattern: Regex = ""
    proper_names: bool = True


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
    dangling_measures: list[str] = Field(default_factory=list, description="a pronoun standing for a measure ('what "
                                         "was it in the older group?'): with no conversation and no measure named, ask what")
    opener_fillers: list[str] = Field(default_factory=list)
    fresh_followup_out: list[str] = Field(default_factory=list)
    general_terms: list[str] = Field(default_factory=list, description="measures (umbrellas expand) whose bare "
                                     "'what is X?' with no glossary entry is a general question ('what is nausea?')")
    specific_words: list[str] = Field(default_factory=list, description="words that make such a question about "
                                      "this trial's own ('what are the GI side effects?')")
    medical_domains: list[str] = Field(default_factory=list)
    focus_words: list[str] = Field(default_factory=list)
    focus_skip: list[str] = Field(default_factory=list)
    short_word: int = Field(2, ge=0)
    max_unplaced_share: float = Field(0.5, ge=0, le=1)
    bare_cues: list[str] = Field(default_factory=list, description="cue entity ids that may stand as a bare statistic")
    trial_words: list[str] = Field(default_factory=list, description="words that follow the name of a trial")
    regimen_questions: list[Regex] = Field(default_factory=list, description="regexes on the normalised text asking "
                                           "whether the trial's patients got a drug ('did they also give X?'): a "
                                           "foreign drug in one is a question about this trial (no_data)")
    not_people: list[str] = Field(default_factory=list,
                                  description="generic domain entities that are not everyday words for the patients")


class Rewrite(Strict):
    """Shorthand in the normalised question ('d8' -> 'day 8'), rewritten before tagging."""

    pattern: Regex
    replace: str



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
    age_pattern: Regex = Field("", description="regex on the normalised text; one group holds the age")
    own_age: list[str] = Field(default_factory=list, description="groups an age told beside them names ('I'm 66, PFS "
                               "in my age group?': the 65-69 group)")
    within_phrases: list[str] = Field(default_factory=list,
                                      description="frame words that may stand as themselves inside a phrase with a "
                                                  "typo elsewhere ('cytogentic high risk'); never fuzzed themselves")
    quoted_value: Regex = Field("", description="regex on the normalised text: a percentage quoted back ('was it "
                                "really 99%?', 'the 94% - what was that?'), the number in group 1; when one fact's "
                                "headline percentage is that number, it names that fact's measure")



class CompoundSettings(Strict):
    """How a message asking several things is split."""

    question_starts: list[str] = Field(default_factory=list)
    preface_starts: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list, description="a joiner right after one of these is inside one "
                                "question ('did they also give ...'), not between two")
    remark: Regex = Field("", description="regex: a part that remarks, not asks ('ino is known for it' after 'any "
                                          "VOD?'), unless it ends with '?'")
    statements: list[str] = Field(default_factory=list, description="a joiner and question word followed by one of "
                                  "these tell, they do not ask ('my mum is 72 and was just diagnosed')")
    comma_starts: list[str] = Field(default_factory=list, description="after a comma, these open a new question "
                                    "('How many patients, what was their median age')")
    embedded: Regex = Field("", description="regex: a question inside a statement ('caller wants to know how many')")
    role: Regex = Field("", description="regex: a preface telling who asks ('I'm a research coordinator ...', "
                        "'Journalist here'): its everyday words do not change what the question is about")
    lead_ins: list[str] = Field(default_factory=list, description="greetings and fillers before a question ('hi, "
                                "quick question: how many ...'): dropped from a part that then opens like a question")
    pointers: list[str] = Field(default_factory=list, description="words by which a question points back at the "
                                "situation told before its dash ('my grandfather got MDS - was it caused by ...?'): "
                                "such a message is not split there")
    max_parts: int = Field(4, ge=1, description="a longer message is one question with many clauses")
    short_part: int = Field(4, ge=1, description="words: a part this short leans on the one before it")



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
    compare: str = Field("", description="cue: a comparison ('vs'); standing between two measures it keeps the "
                         "one group named ('per-day vs per-cycle' in the amended cycle 1)")
    most: str = Field(description="cue: the highest / most common")
    second_most: str = Field(description="cue: the second most common")
    median: str = Field(description="statistic: the median")
    count: str = Field(description="statistic: how many")
    patients: str = Field("", description="domain: the patients, in 'how many patients ...' (a head count)")
    survival_named: list[str] = Field(default_factory=list, description="measures that name survival itself "
                                      "('survival after the second cancer?'): a fact of another measure never answers "
                                      "them (not 'outcomes', which a response outcome also is)")
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
    holds: list[str] = Field(default_factory=list,
                             description="value kinds that hold it: a conversation's measure whose facts have none of "
                                         "them (and no fact stat of it) is not used for a question naming it")
    prefer: bool = Field(False, description="the fitting facts that give it come before the best ones that do not "
                         "('how long was maintenance?': the 3 years, not what POMP contains)")
    required: bool = Field(False, description="best facts none of which gives it leave it unanswered ('how long "
                           "was each infusion?': that it was given IV is no length of time)")
    not_from: list[str] = Field(default_factory=list,
                                description="value kinds that do not answer it alone: facts holding these and none of "
                                            "`holds` leave it unanswered ('what percentage died in remission?' is not "
                                            "answered by the 8 and the 9 who died)")


MARGINS = ("default_slots", "compare", "overview", "significance", "per_drug")


class Thresholds(Strict):
    """How sure the planner must be, and how much it shows."""

    min_score: float = Field(0.4, ge=0, description="below this the best rule is too weak to answer")
    min_gap: float = Field(0.1, ge=0, description="rules of other kinds this close, with other facts: ask which")
    max_facts: int = Field(3, ge=1, description="more facts than this become a table or a clarify")
    max_table: int = Field(20, ge=1)
    plural_top: int = Field(1, ge=1, description="'what were the most common side effects?' (a plural name): how "
                            "many of the highest figures to give")
    summary_rank: int = Field(2, description="a fact of this rank or higher sums up the others of its topic")
    tie: float = Field(0.05, ge=0, description="facts this close to the best score tie")
    stat_bonus: float = Field(0.1, ge=0, description="score for a fact of the statistic asked")
    drug_hit: float = Field(0.04, ge=0, description="score for a drug named (below `tie`: drugs only break ties)")
    extra: dict[str, float] = Field(default_factory=dict, description="penalty per id a fact has beyond those asked")
    each_measure: float = Field(0.2, ge=0, description="score per further measure asked that a fact also answers")
    each_hit: float = Field(0.05, ge=0, description="score per further group, timepoint or cycle a fact matches")
    other_drug: float = Field(0.3, ge=0, description="penalty: the fact is about other drugs than those asked")
    subgroup: float = Field(0.15, ge=0, description="penalty: no group asked and the fact is about a subgroup")
    one_cycle: float = Field(0.1, ge=0, description="penalty: no cycle asked and the fact is about one cycle")
    within: float = Field(0.8, gt=0, le=1, description="weight of a whole a cycle asked is within (the first 4 "
                          "cycles for cycle 2), times the cycle's own")
    margins: dict[str, float] = Field(default_factory=lambda: dict(default_slots=0.3, compare=0.12, overview=0.35,
                                                                    significance=0.4, per_drug=0.3),
                                      description="how far below the best score facts still count, per strategy")

    @field_validator("margins")
    @classmethod
    def _every_margin(cls, v: dict[str, float]) -> dict[str, float]:
        missing = sorted(set(MARGINS) - set(v))
        if missing:
            raise ValueError(f"needs a margin for {', '.join(missing)}")
        return v


class FollowUpWords(Strict):
    """Words and patterns that show a turn leans on the conversation."""

    starts: list[str] = Field(default_factory=list, description="openers of an elliptical turn ('and', 'what about')")
    reference_words: list[str] = Field(default_factory=list, description="words that point back ('those', 'them')")
    weak_references: list[str] = Field(default_factory=list,
                                       description="reference words that do not make the group part of the question")
    question_words: list[str] = Field(default_factory=list)
    union: Regex = Field("", description="regex: every frame's ids ('OS at those time points')")
    relation: Regex = Field("", description="regex: one measure of the patients with another ('median OS of those who')")
    coordinated: Regex = Field("", description="regex: measures joined ('PFS and OS')")
    set_of: Regex = Field("", description="regex: a set of patients named by a measure ('and in those in remission "
                                          "after the first cycle?' after MRD negativity: theirs, not the response)")
    plural: Regex = Field("", description="regex: several asked with no plural name ('what were the most common "
                                          "gastrointestinal ones?')")
    cause: Regex = Field("", description="regex: a cause of death asked ('did anyone die of liver disease?'): the "
                                         "measures named must meet in one fact")
    drug_reference: Regex = Field("", description="regex: a pronoun standing for the conversation's drug ('was it "
                                                  "used during maintenance too?')")
    actor: Regex = Field("", description="regex: 'they' who ran the trial ('did they also give blinatumomab?'), "
                                         "not the patients the conversation was about")
    distributive: Regex = Field("", description="regex: words pointing at several groups ('median PFS in each?'): a "
                                              "single group the conversation named is not them")
    amounts: list[str] = Field(default_factory=list, description="words of a count statistic that ask an amount, "
                               "not a head count ('how much each day?')")
    overall: Regex = Field("", description="regex: a follow-up asking the figure for everyone ('and the overall MRD "
                                           "negativity rate then?' after the early MRD response: not theirs)")
    than_last: Regex = Field("", description="regex: the last answer set beside a measure the turn names ('was "
                                             "that higher than PFS at 5 years?' after 5-year OS: both)")
    pair: Regex = Field("", description="regex: the two groups the conversation was about ('did PFS differ "
                                        "between the two groups?')")
    group_fillers: list[str] = Field(default_factory=list,
                                     description="words that may stand between two groups asked side by side "
                                                 "beside a joiner ('for the oldest and for TP53-mutated patients')")
    measure_joiners: list[str] = Field(default_factory=list,
                                       description="the only words between two things asked side by side "
                                                   "('nausea and vomiting')")
    choice: Regex = Field("", description="regex (whole normalised turn) picking an option offered by a clarify; "
                                        "group 1 is a key of `ordinals`")
    ordinals: dict[str, int] = Field(default_factory=dict, description="'first' -> 0, ..., 'last' -> -1")
    unit_asked: Regex = Field("", description="regex: a unit a duration is asked in, group 1 its singular ('how long "
                                             "... in days?' is not answered by a number of cycles)")
    threshold: Regex = Field("", description="regex: a duration a median is compared with, not a timepoint ('was "
                                            "median PFS for CTG-HR under 2 years?')")
    same_topic_cues: list[str] = Field(default_factory=list, description="cue ids that, asked of the conversation's "
                                       "own measure and nothing else, lean on it ('CI for the OS?' after the 65-69 OS: theirs)")



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
    topic_examples: dict[Topic, str] = Field(default_factory=dict,
                                             description="topic -> the example /topics shows (a test asks each one "
                                                         "and checks it is answered from that topic)")


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
