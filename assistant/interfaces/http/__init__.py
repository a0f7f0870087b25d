"""The HTTP service: a Starlette app (`create_app()`) served by uvicorn (`assistant serve`).

    POST /v1/ask                 {"question", "context"?, "session"?, "id"?} -> Answer JSON + "context"
    POST /webhooks/rest/webhook  Rasa REST channel: {"sender", "message"} -> [{"recipient_id", "text"}, ...,
                                 {"recipient_id", "custom": Answer JSON}]; context kept server-side per sender
    GET  /healthz, /v1/info, /v1/schema (JSON schema of the answer), /openapi.json
    GET  /                       the web chat page; /widget.js embeds it in another site (with --cors-origin)

/v1/ask is stateless: the client carries the context, so any worker can serve any turn. Bad input is a
4xx JSON error naming the field (`{"error", "field", "message"}`), never a 5xx. Needs the [server] extra
(Starlette is imported only when an app is created).

Modules: `app` (create_app, app_from_env), `handlers` (one function per route), `records` (request and
response models, limits), `schema` (answer JSON schema, OpenAPI), `access_log`, `serve` (the command),
`webchat` (the chat page and widget: static files in `static/`, served with a strict CSP).
"""
from __future__ import annotations

from assistant.interfaces.http.app import app_from_env, create_app
from assistant.interfaces.http.records import MAX_BODY
from assistant.interfaces.http.schema import answer_json_schema, openapi_document
from assistant.interfaces.http.serve import _nodelay_listener, add_arguments, run

__all__ = ["create_app", "app_from_env", "MAX_BODY", "answer_json_schema", "openapi_document", "add_arguments",
           "run", "_nodelay_listener"]
