"""The answer contract: one Answer (with citations, the explain record and the dialogue context) as every
interface returns it (Python API, batch, chat, HTTP)."""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.kb.models import Status


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


MAX_ID = 80  # characters of one id in a context
MAX_TURN = 10**9  # a conversation's turn counter stops here (it never wraps into an invalid context)
MAX_OPTION = 300  # characters of one offered question
_SAFE_TEXT = re.compile(r"^[^\x00-\x1f\x7f-\x9f<>]*$")  # no control characters, no markup
Id = Annotated[str, StringConstraints(max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.+-]*$")]
Option = Annotated[str, StringConstraints(max_length=MAX_OPTION, pattern=_SAFE_TEXT.pattern)]


class Frame(BaseModel):
    """What one turn was about: its slots and facts. Frames age and expire. Every field is bounded, so a context
    sent back by a client can hold nothing but ids, a few offered questions and small numbers."""

    model_config = ConfigDict(extra="forbid")

    slots: dict[Id, Annotated[list[Id], Field(max_length=40)]] = Field(default_factory=dict, max_length=5)
    facts: list[Id] = Field(default_factory=list, max_length=40)
    intent: Id = ""
    stats: list[Id] = Field(default_factory=list, max_length=4, description="The statistic asked ('how many')")
    options: list[Option] = Field(default_factory=list, max_length=5, description="Choices offered by a clarify turn")
    age: int = Field(0, ge=0, le=8)


class Context(BaseModel):
    """Dialogue context carried by the caller between turns (JSON round trip)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    turn: int = Field(0, ge=0, le=MAX_TURN)
    frames: list[Frame] = Field(default_factory=list, max_length=8)
    earlier: list[Frame] = Field(default_factory=list, max_length=1, description="the topic a new one replaced, "
                                 "read only by a question about both ('so was either one significant?')")


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
