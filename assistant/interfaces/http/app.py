"""The ASGI app: `create_app()` wires the handlers, middleware and shared state; `app_from_env()` is the
factory each uvicorn worker calls."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from assistant.interfaces.http.records import BODY_TIMEOUT, CONFIG_ENV, MAX_BODY, ServeConfig
from assistant.interfaces.sessions import MemoryStore, SessionStore, open_store

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

    from assistant.core import Assistant


def _logs(assistant: Assistant | None, log: Any) -> tuple[Assistant, Any]:
    """The assistant (a new one given `log`), and a log to write besides the assistant's own (or None)."""
    if assistant is None:
        from assistant.core import Assistant

        return Assistant(log=log), None
    from assistant.log.unanswered import resolve

    extra = resolve(log) if log is not None else None
    return assistant, None if extra is None or extra is getattr(assistant, "log", None) else extra


def create_app(assistant: Assistant | None = None, *, log: Any = None, cors_origin: str | None = None,
               sessions: SessionStore | None = None, max_body: int = MAX_BODY, access_log: Any = None,
               token: str | None = None, body_timeout: float = BODY_TIMEOUT) -> Starlette:
    """The ASGI app. Mountable in another Starlette/ASGI app.

    assistant: shared Assistant (default: a new one, with `log` passed to it).
    log: unanswered-question log (as `Assistant(log=...)`): None leaves it to the Assistant/$TRIAL_ASSISTANT_LOG.
    cors_origin: allow browser calls from this origin ('*' for any); CORS is off when None.
    sessions: conversation store for the Rasa webhook (default: in memory, 10,000 senders, 30 minutes idle; see
      `assistant.interfaces.sessions.open_store` for the SQLite and Redis stores several workers share).
    access_log: a text stream (e.g. sys.stderr) for one line per request (see AccessLog); None for none.
    token: when set, POST routes need `Authorization: Bearer <token>` (compared in constant time), else 401.
    body_timeout: seconds a request body may take to arrive (408 after).
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from assistant.interfaces.http import handlers
    from assistant.interfaces.http.access_log import AccessLog

    assistant, extra_log = _logs(assistant, log)
    sessions = sessions if sessions is not None else MemoryStore()
    middleware = [Middleware(handlers.Guard)]  # outermost of ours: an unexpected error is still JSON
    if access_log is not None:
        middleware.append(Middleware(AccessLog, stream=access_log))
    if cors_origin:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=[cors_origin], allow_methods=["GET", "POST"],
                                     allow_headers=["Content-Type"], max_age=600))
    routes = [Route(path, endpoint, methods=[method]) for path, endpoint, method in handlers.ROUTES]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: handlers.http_error})
    app.state.service = handlers.Service(assistant, sessions, extra_log, max_body, token=token,
                                         body_timeout=body_timeout)
    app.state.assistant = assistant
    app.state.sessions = sessions
    return app


def app_from_env() -> Starlette:
    """App factory for uvicorn (`--factory assistant.interfaces.http:app_from_env`), configured by
    $TRIAL_ASSISTANT_SERVE."""
    from assistant.interfaces.oneshot import settle

    cfg = ServeConfig.model_validate_json(os.environ.get(CONFIG_ENV) or "{}")
    app = create_app(log=cfg.log, cors_origin=cfg.cors_origin,
                     sessions=open_store(cfg.sessions, cfg.max_sessions, cfg.session_ttl),
                     access_log=sys.stderr if cfg.access_log else None, token=cfg.token,
                     body_timeout=cfg.body_timeout)
    settle()  # a server answers for as long as it runs
    return app
