"""The HTTP handlers: one small function per route, reading the shared Service from `request.app.state`.

Every handler answers JSON (the web chat's static files, in `webchat`, aside); bad input is a 4xx naming the
field (`{"error", "field", "message"}`), never a 5xx.
Imported only by `create_app` (Starlette is the optional [server] extra).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from assistant import __version__
from assistant.core import Assistant
from assistant.errors import ContextError, StoreUnavailable
from assistant.interfaces.http.records import (LOST_THREAD, MAX_SENDER, AskRequest, ErrorBody, RasaButton,
                                               RasaMessage, RasaReply)
from assistant.interfaces.http.schema import answer_json_schema, openapi_document
from assistant.interfaces.http.webchat import ROUTES as WEBCHAT_ROUTES
from assistant.interfaces.sessions import SessionStore
from assistant.kb.contract import Answer
from assistant.kb.models import STATUSES
from assistant.kb.normal import MAX_CHARS

log = logging.getLogger("assistant.interfaces.http")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class Service:
    """What the handlers share: the assistant, the webhook conversations, an extra log, the body limit."""

    assistant: Assistant
    sessions: SessionStore
    extra_log: Any = None
    max_body: int = 16 * 1024
    cache: dict[str, bytes] = field(default_factory=dict)  # /v1/schema and /openapi.json, built once
    token: str | None = None
    body_timeout: float = 10.0
    store_warned: float = -1e9  # when a store failure was last written to the server log

    def store_down(self, e: StoreUnavailable) -> Response:
        """503 for a webhook turn the store could not serve (logged at most once a minute): the turn is refused,
        never answered as a fresh question."""
        now = time.monotonic()
        if now - self.store_warned > 60:
            self.store_warned = now
            log.warning("webhook turn refused (503): %s", e)
        response = error(503, "sessions_unavailable",
                         "the conversation store is unavailable or busy, so this turn was not answered (its context "
                         "could not be read or saved); try again shortly. POST /v1/ask, which keeps no state on the "
                         "server, still works")
        response.headers["retry-after"] = "2"
        return response

    def allowed(self, request: Request) -> bool:
        """No token set, or the request carries it (`Authorization: Bearer <token>`, constant-time compare)."""
        if not self.token:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())

    def record(self, answer: Answer) -> None:
        if self.extra_log is not None:
            self.extra_log.record(answer)


def json_bytes(content: Any) -> bytes:
    """Compact UTF-8 JSON; lone surrogates (from \\ud800 escapes in a request) fall back to ASCII escapes."""
    try:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def error(status: int, code: str, message: str, field: str | None = None) -> Response:
    return JSON(ErrorBody(error=code, message=message, field=field).model_dump(exclude_none=True), status_code=status)


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def _first_error(e: ValidationError) -> tuple[str, str]:
    """(field, message) of the first validation error of a flat request model: ('session', 'Input should...')."""
    err = e.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "body"
    return field, "field required" if err["type"] == "missing" else err["msg"]


def _is_json(content_type: str) -> bool:
    """application/json or application/<something>+json, with any parameters ('; charset=utf-8')."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


async def read_json(request: Request) -> Any:
    """The parsed body, or an error Response (415 unless JSON is declared: a web page cannot post it without a
    CORS preflight; 413 over the limit; 422 for malformed JSON)."""
    service = _service(request)
    if not service.allowed(request):
        response = error(401, "unauthorized", "send the service's token: Authorization: Bearer <token>")
        response.headers["www-authenticate"] = "Bearer"
        return response
    if not _is_json(request.headers.get("content-type", "")):
        return error(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json",
                     "content-type")
    max_body = service.max_body
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        return error(413, "too_large", f"request body over {max_body} bytes")
    size, chunks = 0, []
    try:
        async with asyncio.timeout(service.body_timeout * random.uniform(0.8, 1.0)):  # spread, as in protocol.py
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_body:
                    return error(413, "too_large", f"request body over {max_body} bytes")
                chunks.append(chunk)
    except ClientDisconnect:
        return Response(status_code=400)
    except TimeoutError:
        response = error(408, "timeout", f"the request body did not arrive within {service.body_timeout:g} seconds",
                         "body")
        response.headers["connection"] = "close"
        return response
    raw = b"".join(chunks)
    if not raw.strip():
        return error(422, "invalid_json", "empty body: send a JSON object", "body")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as e:
        why = "a number with too many digits" if "integer string conversion" in str(e) else str(e)[:120]
        return error(422, "invalid_json", f"malformed JSON: {why}", "body")


def parse(data: Any, model: type[BaseModel]) -> Any:
    """`data` as `model`, or the 422 Response naming the field."""
    if not isinstance(data, dict):
        return error(422, "invalid_request", "expected a JSON object", "body")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        field, msg = _first_error(e)
        return error(422, "invalid_request", f"{field}: {msg}", field)


async def read_request(request: Request, model: type[BaseModel]) -> Any:
    """The request body as `model`, or the 413/422 Response that says what is wrong with it."""
    data = await read_json(request)
    return data if isinstance(data, Response) else parse(data, model)


def rasa_replies(sender: str, answer: Answer) -> list[dict[str, Any]]:
    """The answer as Rasa REST channel messages: text parts (suggestions as buttons), then `custom`."""
    from assistant.interfaces.render import text

    parts = [p for p in text(answer).split("\n\n") if p.strip()] or [answer.answer]
    replies = [RasaReply(recipient_id=sender, text=p) for p in parts]
    if answer.suggestions:
        replies[-1].buttons = [RasaButton(title=s, payload=s) for s in answer.suggestions]
    replies.append(RasaReply(recipient_id=sender, custom=answer.contract()))
    return [r.model_dump(exclude_none=True) for r in replies]


# ---------------------------------------------------------------- routes


async def ask(request: Request) -> Response:
    """POST /v1/ask: one answer; the client carries the context."""
    req = await read_request(request, AskRequest)
    if isinstance(req, Response):
        return req
    service = _service(request)
    try:  # the core parses and checks the context (malformed or tampered: ContextError naming the field)
        answer = service.assistant.ask(req.question, req.context, id=req.id, session=req.session)
    except ContextError as e:
        field = "context" + (f".{e.field}" if e.field else "")
        return error(422, "invalid_context", f"{field}: {str(e).split(': ', 1)[-1]}", field)
    service.record(answer)
    return JSON(answer.contract())


async def webhook(request: Request) -> Response:
    """POST /webhooks/rest/webhook: the Rasa REST channel; the context is kept here, per sender."""
    msg = await read_request(request, RasaMessage)
    if isinstance(msg, Response):
        return msg
    sender = str(msg.sender)
    if not sender or len(sender) > MAX_SENDER:
        return error(422, "invalid_request", f"sender: must be 1 to {MAX_SENDER} characters", "sender")
    service = _service(request)
    try:
        answer, lost = await converse(service, sender, msg.message)
    except StoreUnavailable as e:
        return service.store_down(e)
    service.record(answer)
    if lost:  # never silently: a follow-up after the conversation was dropped is read as a new question
        answer.answer = f"{LOST_THREAD}\n{answer.answer}"
    return JSON(rasa_replies(sender, answer))


async def converse(service: Service, sender: str, message: str) -> tuple[Answer, bool]:
    """One webhook turn, atomic per sender: read the stored context, answer, save the new one. (answer, whether
    the sender's earlier conversation was forgotten.) Raises StoreUnavailable when the store cannot serve it."""
    async with service.sessions.aturn(sender) as turn:
        try:
            answer = service.assistant.ask(message, turn.context, session=sender)
        except ContextError:  # a stored context this knowledge no longer accepts (a new version was deployed)
            turn.lost = True
            answer = service.assistant.ask(message, None, session=sender)
        turn.save(answer.context)
    return answer, turn.lost


def _cached(request: Request, name: str, make: Any) -> Response:
    cache = _service(request).cache
    if name not in cache:
        cache[name] = json_bytes(make())
    return Response(cache[name], media_type="application/json")


async def healthz(request: Request) -> Response:
    return JSON({"status": "ok", "knowledge": _service(request).assistant.store.hash[:12]})


async def info(request: Request) -> Response:
    service = _service(request)
    sessions = service.sessions
    store = await sessions.astats()
    logs = [x for x in (getattr(service.assistant, "log", None), service.extra_log) if x is not None]
    return JSON({"name": "trial-assistant", "version": __version__, **service.assistant.info(),
                 "statuses": list(STATUSES), "sessions": store["sessions"], "session_store": store,
                 "unanswered_log": logs[0].status() if logs else None,
                 "limits": {"max_body_bytes": service.max_body, "max_question_chars": MAX_CHARS,
                            "max_sessions": sessions.max_sessions, "session_ttl_seconds": sessions.ttl}})


async def schema(request: Request) -> Response:
    return _cached(request, "schema", answer_json_schema)


async def openapi(request: Request) -> Response:
    return _cached(request, "openapi", openapi_document)


async def rasa_health(request: Request) -> Response:
    return JSON({"status": "ok"})


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    detail = str(getattr(exc, "detail", "")) or code.replace("_", " ")
    return error(status, code, f"{detail}: {request.method} {request.url.path}"[:300])


class Guard:
    """Outermost ASGI middleware: an unexpected error becomes the JSON error shape (500, with a request id),
    logged as one line with that id; the client never sees a traceback, nor does the log."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # noqa: BLE001 - the one place an unexpected error is turned into a reply
            rid = uuid.uuid4().hex[:12]
            log.error("internal error %s on %s %s: %s", rid, scope.get("method", ""),
                      _CONTROL.sub("?", scope.get("path", ""))[:200], type(exc).__name__)
            if not started:
                body = ErrorBody(error="internal", message=f"internal error (request id {rid})", request_id=rid)
                await JSON(body.model_dump(exclude_none=True), status_code=500)(scope, receive, send)


ROUTES: list[tuple[str, Any, str]] = [
    ("/v1/ask", ask, "POST"),
    ("/webhooks/rest/webhook", webhook, "POST"),
    ("/webhooks/rest/", rasa_health, "GET"),
    ("/healthz", healthz, "GET"),
    ("/v1/info", info, "GET"),
    ("/v1/schema", schema, "GET"),
    ("/openapi.json", openapi, "GET"),
    *WEBCHAT_ROUTES,  # GET /, /chat.js, /chat.css, /widget.js, /widget.css
]
