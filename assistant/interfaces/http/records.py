"""The HTTP service's request and response records, and its limits."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from assistant.interfaces.sessions import MAX_SESSIONS, TTL_SECONDS

MAX_BODY = 16 * 1024  # bytes
MAX_SENDER = 256  # characters
MAX_CONNECTIONS = 4000  # open connections; more are closed at once (file handles stay free)
LIMIT_CONCURRENCY = 3000  # connections or requests in flight before uvicorn answers 503
HEADER_TIMEOUT = 10.0  # seconds for a request's headers (a silent or trickling client is closed)
BODY_TIMEOUT = 10.0  # seconds for a request's body (408 after)
KEEP_ALIVE = 5.0  # seconds an idle keep-alive connection is kept
MAX_HEADER_BYTES = 16 * 1024  # request line and headers (431 over)
TOKEN_ENV = "TRIAL_ASSISTANT_TOKEN"  # bearer token for the POST routes, when set
CONFIG_ENV = "TRIAL_ASSISTANT_SERVE"  # JSON ServeConfig handed to worker processes (--workers > 1)
LOST_THREAD = ("I lost the thread of our earlier conversation (it was idle too long or the server had to make "
               "room), so I read this as a new question. If it follows on from before, please ask it in full.")


class AskRequest(BaseModel):
    """Body of POST /v1/ask. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    question: StrictStr
    context: dict[str, Any] | StrictStr | None = Field(None, description="The previous answer's context")
    session: StrictStr | StrictInt | None = Field(None, description="Echoed back; the server keeps no state")
    id: StrictStr | StrictInt | None = Field(None, description="Echoed back")


class RasaMessage(BaseModel):
    """Body of POST /webhooks/rest/webhook (Rasa REST channel). Other Rasa fields (metadata...) are ignored."""

    model_config = ConfigDict(extra="ignore")

    sender: StrictStr = Field(description="Conversation id: a string of 1 to 256 characters, compared exactly as "
                                          "sent (required: without it, callers would share one conversation)")
    message: StrictStr


class RasaButton(BaseModel):
    title: str
    payload: str


class RasaReply(BaseModel):
    """One bot message in Rasa's REST channel format."""

    recipient_id: str
    text: str | None = None
    buttons: list[RasaButton] | None = None
    custom: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    error: str
    message: str
    field: str | None = None
    request_id: str | None = Field(None, description="For an internal error: the id in the server log line")


class ServeConfig(BaseModel):
    """What `assistant serve` hands to each worker's app (through $TRIAL_ASSISTANT_SERVE)."""

    log: str | bool | None = None
    cors_origin: str | None = None
    sessions: str = Field("memory", description="webhook conversation store: memory, sqlite:///PATH, redis://...")
    max_sessions: int = MAX_SESSIONS
    session_ttl: float = TTL_SECONDS
    access_log: bool = True
    token: str | None = Field(None, description="bearer token the POST routes require (None: open)")
    max_connections: int = Field(MAX_CONNECTIONS, ge=1, description="connections over this are closed at once")
    limit_concurrency: int = Field(LIMIT_CONCURRENCY, ge=1, description="connections or requests over this: 503")
    header_timeout: float = Field(HEADER_TIMEOUT, gt=0, description="seconds for a request's headers to arrive")
    body_timeout: float = Field(BODY_TIMEOUT, gt=0, description="seconds for a request's body to arrive")
    keep_alive: float = Field(KEEP_ALIVE, gt=0, description="seconds an idle keep-alive connection stays open")
    max_header_bytes: int = Field(MAX_HEADER_BYTES, ge=1024, description="request line and headers, in bytes")
