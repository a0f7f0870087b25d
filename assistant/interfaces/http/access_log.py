"""One access-log line per request, buffered (pure ASGI middleware)."""
from __future__ import annotations

import asyncio
import re
import time
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
