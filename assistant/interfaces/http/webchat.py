"""The web chat: the page at `/`, its script and stylesheet, and the embeddable `/widget.js` (with `/widget.css`).

The files live in `static/` inside the package (they ship in the wheel; no build step), are read once and served
with an ETag. The page gets a strict Content-Security-Policy (its own script, style and `/v1/ask` only; no inline
code, no framing); every file gets `X-Content-Type-Options: nosniff`. Imported only by `handlers`.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

STATIC = Path(__file__).resolve().with_name("static")
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".js": "text/javascript; charset=utf-8"}
FILES = {"/": "chat.html", "/chat.js": "chat.js", "/chat.css": "chat.css", "/widget.js": "widget.js",
         "/widget.css": "widget.css"}  # route -> file in static/


@lru_cache(maxsize=None)
def asset(name: str) -> tuple[bytes, str]:
    """(content, ETag) of one static file, read once."""
    body = (STATIC / name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def headers(name: str, etag: str) -> dict[str, str]:
    """The response headers of one file: the page's CSP and framing rules, nosniff, revalidation by ETag."""
    out = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache", "ETag": etag,
           "Referrer-Policy": "no-referrer"}
    if name.endswith(".html"):
        out.update({"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY",
                    "Cross-Origin-Opener-Policy": "same-origin"})
    else:  # loaded by other origins' pages (widget.js and what it pulls in): no CORS needed for script or style
        out["Cross-Origin-Resource-Policy"] = "cross-origin"
    return out


def _etag_matches(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in given.split(",")) if given else False


def serve_file(name: str) -> Callable[[Request], Awaitable[Response]]:
    """The GET handler of one static file (304 when the client's copy is current)."""
    media_type = MEDIA_TYPES[Path(name).suffix]

    async def endpoint(request: Request) -> Response:
        body, etag = asset(name)
        if _etag_matches(request, etag):
            return Response(status_code=304, headers=headers(name, etag))
        return Response(body, media_type=media_type, headers=headers(name, etag))

    endpoint.__name__ = f"static_{Path(name).stem}_{Path(name).suffix[1:]}"
    return endpoint


ROUTES: list[tuple[str, Any, str]] = [(path, serve_file(name), "GET") for path, name in FILES.items()]
