"""The HTTP service: a Starlette app (`create_app()`) served by uvicorn (`assistant serve`).

    POST /v1/ask                 {"question", "context"?, "session"?, "id"?} -> Answer JSON + "context"
    POST /webhooks/rest/webhook  Rasa REST channel: {"sender", "message"} -> [{"recipient_id", "text"}, ...,
                                 {"recipient_id", "custom": Answer JSON}]; context kept server-side per sender
    GET  /healthz, /v1/info, /v1/schema (JSON schema of the answer), /openapi.json

/v1/ask is stateless: the client carries the context, so any worker can serve any turn. Bad input is a
4xx JSON error naming the field (`{"error", "field", "message"}`), never a 5xx. Needs the [server] extra.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Iterator

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from assistant.kb.models import Answer
from assistant.interfaces.sessions import MAX_SESSIONS, TTL_SECONDS, SessionStore

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from assistant.core import Assistant

MAX_BODY = 16 * 1024  # bytes
MAX_SENDER = 256  # characters
CONFIG_ENV = "TRIAL_ASSISTANT_SERVE"  # JSON ServeConfig handed to worker processes (--workers > 1)
RASA_DEFAULT_SENDER = "default"  # what Rasa's REST channel calls a sender that sent none

log = logging.getLogger("assistant.interfaces.http")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------- request and response records


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

    sender: StrictStr | StrictInt = Field(RASA_DEFAULT_SENDER, description="Conversation id")
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


class ServeConfig(BaseModel):
    """What `assistant serve` hands to each worker's app (through $TRIAL_ASSISTANT_SERVE)."""

    log: str | bool | None = None
    cors_origin: str | None = None
    max_sessions: int = MAX_SESSIONS
    session_ttl: float = TTL_SECONDS
    access_log: bool = True


# ---------------------------------------------------------------- helpers


def _json_bytes(content: Any) -> bytes:
    """Compact UTF-8 JSON; lone surrogates (from \\ud800 escapes in a request) fall back to ASCII escapes."""
    try:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _first_error(e: ValidationError) -> tuple[str, str]:
    """(field, message) of the first validation error of a flat request model: ('session', 'Input should...')."""
    err = e.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "body"
    return field, "field required" if err["type"] == "missing" else err["msg"]


def _answer_schema(ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, definitions) of the /v1/ask response: the Answer contract fields, `context` among them."""
    schema = Answer.model_json_schema(ref_template=ref_template, mode="serialization")
    defs = schema.pop("$defs", {})
    schema["description"] = ("One answer: the contract fields (Answer.contract()); send `context` back with the "
                             "next question of the conversation. `table` only for overview answers; `explain` says "
                             "how the question was read (each word, the rule, the slots, why the status).")
    return schema, defs


def answer_json_schema() -> dict[str, Any]:
    """JSON schema (draft 2020-12) of one /v1/ask answer."""
    schema, defs = _answer_schema("#/$defs/{model}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "$defs": defs}


def openapi_document() -> dict[str, Any]:
    """A small OpenAPI 3.1 description of the service."""
    from assistant import __version__

    ref = "#/components/schemas/{model}"
    answer, defs = _answer_schema(ref)
    comps: dict[str, Any] = {**defs, "Answer": answer}
    for model in (AskRequest, RasaMessage, RasaReply, ErrorBody):
        s = model.model_json_schema(ref_template=ref)
        comps.update(s.pop("$defs", {}))
        comps[model.__name__] = s

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    def resp(desc: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"description": desc}
        if schema is not None:
            out["content"] = {"application/json": {"schema": schema}}
        return out

    err = {"$ref": "#/components/schemas/ErrorBody"}
    errors = {"413": resp("Body over 16 KiB", err), "422": resp("Malformed JSON or a field of the wrong type", err)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "trial-assistant", "version": __version__,
                 "description": "Cited answers about one clinical trial (NCT01371630)."},
        "paths": {
            "/v1/ask": {"post": {"summary": "Answer one question", "requestBody": body("AskRequest"),
                                 "responses": {"200": resp("The answer", {"$ref": "#/components/schemas/Answer"}),
                                               **errors}}},
            "/webhooks/rest/webhook": {"post": {
                "summary": "Rasa REST channel", "requestBody": body("RasaMessage"),
                "responses": {"200": resp("Bot messages", {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/RasaReply"}}),
                              **errors}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": resp("ok")}}},
            "/v1/info": {"get": {"summary": "Knowledge version and counts", "responses": {"200": resp("info")}}},
            "/v1/schema": {"get": {"summary": "JSON schema of an answer", "responses": {"200": resp("schema")}}},
        },
        "components": {"schemas": comps},
    }


def rasa_replies(sender: str, answer: Answer) -> list[dict[str, Any]]:
    """The answer as Rasa REST channel messages: text parts (suggestions as buttons), then `custom`."""
    from assistant.interfaces.render import text

    parts = [p for p in text(answer).split("\n\n") if p.strip()] or [answer.answer]
    replies = [RasaReply(recipient_id=sender, text=p) for p in parts]
    if answer.suggestions:
        replies[-1].buttons = [RasaButton(title=s, payload=s) for s in answer.suggestions]
    replies.append(RasaReply(recipient_id=sender, custom=answer.contract()))
    return [r.model_dump(exclude_none=True) for r in replies]


class AccessLog:
    """Pure ASGI middleware: one line per request (client, method, path, status, milliseconds).

    Never the body or the query string, so a context blob cannot reach the log; control characters in the
    path are replaced. Lines are buffered and written every 0.2 s (or every ~4 KB, one write each, so lines of
    several workers sharing stderr do not interleave): logging costs microseconds, not a syscall per request.
    """

    def __init__(self, app: Any, stream: Any, interval: float = 0.2, max_chars: int = 4000) -> None:
        self.app, self.stream, self.interval, self.max_chars = app, stream, interval, max_chars
        self.lines: list[str] = []
        self.size = 0
        self.scheduled = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            async def lifespan_send(message: Any) -> None:
                if message["type"].startswith("lifespan.shutdown"):
                    self.flush()
                await send(message)

            return await self.app(scope, receive, lifespan_send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]

        async def logged_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            client = scope.get("client") or ("-", 0)
            path = _CONTROL.sub("?", scope.get("path", ""))[:200]
            ms = (time.perf_counter() - start) * 1000
            self.add(f'INFO:     {client[0]}:{client[1]} - "{scope.get("method", "")} {path} '
                     f'HTTP/{scope.get("http_version", "1.1")}" {status[0]} {ms:.1f}ms\n')

    def add(self, line: str) -> None:
        if self.size + len(line) > self.max_chars:
            self.flush()
        self.lines.append(line)
        self.size += len(line)
        if not self.scheduled:
            try:
                asyncio.get_running_loop().call_later(self.interval, self.flush)
                self.scheduled = True
            except RuntimeError:
                self.flush()

    def flush(self) -> None:
        self.scheduled = False
        if not self.lines:
            return
        data, self.lines, self.size = "".join(self.lines), [], 0
        try:
            self.stream.write(data)
            self.stream.flush()
        except (OSError, ValueError):
            pass


# ---------------------------------------------------------------- the app


def create_app(assistant: Assistant | None = None, *, log: Any = None, cors_origin: str | None = None,
               sessions: SessionStore | None = None, max_body: int = MAX_BODY, access_log: Any = None) -> Starlette:
    """The ASGI app. Mountable in another Starlette/ASGI app.

    assistant: shared Assistant (default: a new one, with `log` passed to it).
    log: unanswered-question log (as `Assistant(log=...)`): None leaves it to the Assistant/$TRIAL_ASSISTANT_LOG.
    cors_origin: allow browser calls from this origin ('*' for any); CORS is off when None.
    sessions: conversation store for the Rasa webhook (default: 10,000 senders, 30 minutes idle).
    access_log: a text stream (e.g. sys.stderr) for one line per request (see AccessLog); None for none.
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response
    from starlette.routing import Route

    from assistant import __version__
    from assistant.errors import ContextError
    from assistant.kb.models import STATUSES
    from assistant.kb.normal import MAX_CHARS

    if assistant is None:
        from assistant.core import Assistant

        assistant = Assistant(log=log)
        extra_log = None
    else:
        from assistant.log.unanswered import resolve

        extra_log = resolve(log) if log is not None else None
        if extra_log is not None and extra_log is getattr(assistant, "log", None):
            extra_log = None
    store = assistant.store
    sessions = sessions if sessions is not None else SessionStore()

    class JSON(Response):
        media_type = "application/json"

        def render(self, content: Any) -> bytes:
            return _json_bytes(content)

    def error(status: int, code: str, message: str, field: str | None = None) -> Response:
        return JSON(ErrorBody(error=code, message=message, field=field).model_dump(exclude_none=True),
                    status_code=status)

    async def read_json(request: Request) -> Any:
        """The parsed body, or an error Response (413 over the limit, 422 for malformed JSON)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            return error(413, "too_large", f"request body over {max_body} bytes")
        size, chunks = 0, []
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_body:
                    return error(413, "too_large", f"request body over {max_body} bytes")
                chunks.append(chunk)
        except ClientDisconnect:
            return Response(status_code=400)
        raw = b"".join(chunks)
        if not raw.strip():
            return error(422, "invalid_json", "empty body: send a JSON object", "body")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as e:
            return error(422, "invalid_json", f"malformed JSON: {str(e)[:120]}", "body")

    def parse(data: Any, model: type[BaseModel]) -> Any:
        if not isinstance(data, dict):
            return error(422, "invalid_request", "expected a JSON object", "body")
        try:
            return model.model_validate(data)
        except ValidationError as e:
            field, msg = _first_error(e)
            return error(422, "invalid_request", f"{field}: {msg}", field)

    def record(answer: Answer) -> None:
        if extra_log is not None:
            extra_log.record(answer)

    async def read_request(request: Request, model: type[BaseModel]) -> Any:
        """The request body as `model`, or the 413/422 Response that says what is wrong with it."""
        data = await read_json(request)
        return data if isinstance(data, Response) else parse(data, model)

    async def ask(request: Request) -> Response:
        req = await read_request(request, AskRequest)
        if isinstance(req, Response):
            return req
        try:  # the core parses and checks the context (malformed or tampered: ContextError naming the field)
            answer = assistant.ask(req.question, req.context, id=req.id, session=req.session)
        except ContextError as e:
            field = "context" + (f".{e.field}" if e.field else "")
            return error(422, "invalid_context", f"{field}: {str(e).split(': ', 1)[-1]}", field)
        record(answer)
        return JSON(answer.contract())

    async def webhook(request: Request) -> Response:
        msg = await read_request(request, RasaMessage)
        if isinstance(msg, Response):
            return msg
        sender = str(msg.sender)
        if not sender or len(sender) > MAX_SENDER:
            return error(422, "invalid_request", f"sender: must be 1 to {MAX_SENDER} characters", "sender")
        answer = assistant.ask(msg.message, sessions.get(sender), session=sender)
        record(answer)
        sessions.put(sender, answer.context)
        return JSON(rasa_replies(sender, answer))

    schema_cache: dict[str, bytes] = {}

    def cached(name: str, make: Any) -> Response:
        if name not in schema_cache:
            schema_cache[name] = _json_bytes(make())
        return Response(schema_cache[name], media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSON({"status": "ok", "knowledge": store.hash[:12]})

    async def info(request: Request) -> Response:
        return JSON({"name": "trial-assistant", "version": __version__, **assistant.info(),
                     "statuses": list(STATUSES), "sessions": len(sessions),
                     "limits": {"max_body_bytes": max_body, "max_question_chars": MAX_CHARS,
                                "max_sessions": sessions.max_sessions, "session_ttl_seconds": sessions.ttl}})

    async def schema(request: Request) -> Response:
        return cached("schema", answer_json_schema)

    async def openapi(request: Request) -> Response:
        return cached("openapi", openapi_document)

    async def rasa_health(request: Request) -> Response:
        return JSON({"status": "ok"})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
        detail = str(getattr(exc, "detail", "")) or code.replace("_", " ")
        return error(status, code, f"{detail}: {request.method} {request.url.path}"[:300])

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error(500, "internal", "internal error")

    middleware = [Middleware(AccessLog, stream=access_log)] if access_log is not None else []
    if cors_origin:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=[cors_origin], allow_methods=["GET", "POST"],
                                     allow_headers=["Content-Type"], max_age=600))
    routes = [
        Route("/v1/ask", ask, methods=["POST"]),
        Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
        Route("/webhooks/rest/", rasa_health, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/info", info, methods=["GET"]),
        Route("/v1/schema", schema, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.assistant = assistant
    app.state.sessions = sessions
    return app


def app_from_env() -> Starlette:
    """App factory for uvicorn (`--factory assistant.http:app_from_env`), configured by $TRIAL_ASSISTANT_SERVE."""
    cfg = ServeConfig.model_validate_json(os.environ.get(CONFIG_ENV) or "{}")
    return create_app(log=cfg.log, cors_origin=cfg.cors_origin,
                      sessions=SessionStore(cfg.max_sessions, cfg.session_ttl),
                      access_log=sys.stderr if cfg.access_log else None)


# ---------------------------------------------------------------- command line: assistant serve


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("examples:\n  assistant serve\n  assistant serve --port 8080 --workers 2 "
                     "--cors-origin https://helpdesk.example.org\n"
                     "  curl -s localhost:8000/v1/ask -d '{\"question\": \"What was the 2-year PFS?\"}'\n"
                     "\nUnanswered questions are logged (see 'assistant log unanswered') unless --no-log.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    parser.add_argument("--cors-origin", metavar="ORIGIN", help="allow browser calls from this origin (off by default)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--log-db", metavar="PATH",
                       help="unanswered-question log (default $TRIAL_ASSISTANT_LOG or the XDG data dir)")
    group.add_argument("--no-log", action="store_true", help="do not log unanswered questions")
    parser.add_argument("--max-sessions", type=int, default=MAX_SESSIONS, metavar="N",
                        help=f"webhook conversations kept per worker (default {MAX_SESSIONS})")
    parser.add_argument("--session-ttl", type=float, default=TTL_SECONDS, metavar="SECONDS",
                        help=f"forget an idle webhook conversation after this long (default {TTL_SECONDS:.0f})")
    parser.add_argument("--no-access-log", action="store_true", help="do not log each request")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))


def run(args: argparse.Namespace) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        print("error: the HTTP service needs the server extra: pip install 'trial-assistant[server]'",
              file=sys.stderr)
        return 1
    if args.workers < 1 or not 0 <= args.port <= 65535 or args.max_sessions < 1 or args.session_ttl <= 0:
        print("error: --workers, --max-sessions and --session-ttl must be positive, --port 0-65535",
              file=sys.stderr)
        return 2
    cfg = ServeConfig(cors_origin=args.cors_origin, max_sessions=args.max_sessions, session_ttl=args.session_ttl,
                      access_log=not args.no_access_log and args.log_level in ("info", "debug"))
    if not args.no_log:
        import sqlite3

        from assistant.log.unanswered import UnansweredLog

        ulog = UnansweredLog(args.log_db) if args.log_db else UnansweredLog()
        try:
            ulog.open()
        except (OSError, sqlite3.Error) as e:
            print(f"error: cannot open the unanswered-question log {ulog.path}: {e}", file=sys.stderr)
            return 1
        finally:
            ulog.close()
        cfg.log = str(ulog.path)
    else:
        cfg.log = False
    # uvicorn's own access log is off: AccessLog writes the same lines buffered, at a fraction of the cost
    common = dict(host=args.host, port=args.port, access_log=False, log_level=args.log_level,
                  server_header=False, timeout_graceful_shutdown=10)
    if cfg.log:
        print(f"Logging unanswered questions to {cfg.log}", file=sys.stderr)
    os.environ[CONFIG_ENV] = cfg.model_dump_json()
    if args.workers == 1:
        uvicorn.run(app_from_env(), **common)  # type: ignore[arg-type]
        return 0
    from assistant.kb.store import open_store

    open_store()  # build the knowledge cache once, before the workers start (errors surface here)
    print("note: with --workers > 1 each worker keeps its own webhook conversations; use sticky sessions "
          "(or /v1/ask, which is stateless) behind a load balancer", file=sys.stderr)
    with _nodelay_listener(uvicorn):
        uvicorn.run("assistant.interfaces.http:app_from_env", factory=True, workers=args.workers, **common)  # type: ignore[arg-type]
    return 0


@contextlib.contextmanager
def _nodelay_listener(uvicorn: Any) -> Iterator[None]:
    """Work around uvicorn issue #3149: with --workers, uvicorn binds the listening socket with proto 0, so
    asyncio never sets TCP_NODELAY on accepted connections and each keep-alive reply waits ~40 ms for a
    delayed ACK (measured: 350 requests/s instead of thousands). TCP_NODELAY set on the listening socket is
    inherited by accepted sockets on Linux."""
    import socket

    config_cls = uvicorn.config.Config
    original = config_cls.bind_socket

    def bind_socket(self: Any) -> socket.socket:
        sock = original(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    config_cls.bind_socket = bind_socket
    try:
        yield
    finally:
        config_cls.bind_socket = original
