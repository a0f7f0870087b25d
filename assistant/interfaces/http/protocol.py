"""Connection limits uvicorn does not set by itself: one greedy client must not hurt the others.

uvicorn's HTTP protocols (httptools, else h11) wrapped so that
  - a connection is closed when its request headers have not all arrived `header_timeout` seconds after it
    opened or after its last response (a silent or trickling client: slowloris);
  - request headers (with the URL) over `max_header_bytes` are refused with 431 and the connection closed;
  - connections over `max_connections` are closed at once (file handles stay free for everyone else).
The body-read timeout is the handlers' (handlers.read_json: 408); the request cap (`limit_concurrency`, 503)
and the keep-alive timeout are uvicorn's own settings. The limits come from the serve configuration.
"""
from __future__ import annotations

import asyncio
import os
import random
from typing import Any

from assistant.interfaces.http.records import CONFIG_ENV, ServeConfig

_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
              b"connection: close\r\ncontent-length: 89\r\n\r\n"
              b'{"error":"headers_too_large","message":"request headers over the limit","field":"headers"}')


class Limits:
    """The limits every guarded connection of this process applies (from $TRIAL_ASSISTANT_SERVE)."""

    config: ServeConfig | None = None

    @classmethod
    def get(cls) -> ServeConfig:
        if cls.config is None:
            cls.config = ServeConfig.model_validate_json(os.environ.get(CONFIG_ENV) or "{}")
        return cls.config


class Guarded:
    """Mixin over a uvicorn HTTP protocol class (it supplies transport, connections, cycle, loop)."""

    transport: asyncio.Transport
    connections: set[Any]
    cycle: Any
    loop: asyncio.AbstractEventLoop

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._header_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        self._waiting_for: Any = None
        if len(self.connections) > Limits.get().max_connections:
            transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        """Start the header clock for the next request, if it is not running."""
        if self._timer is None:
            self._waiting_for = self.cycle
            # spread over the last fifth of the allowance: stalled connections opened together do not all
            # close (and get re-opened) in the same instant
            self._timer = self.loop.call_later(Limits.get().header_timeout * random.uniform(0.8, 1.0), self._expired)

    def _expired(self) -> None:
        self._timer = None
        if self.cycle is self._waiting_for and not self.transport.is_closing():
            self.transport.close()  # no complete request headers in time

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or getattr(self.cycle, "response_complete", False):
            self._arm()  # bytes of the next request: its headers must complete in time
        super().data_received(data)  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)  # type: ignore[misc]

    def _refuse(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(_TOO_LARGE)
            self.transport.close()


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpTools
except ImportError:  # uvicorn without [standard]: h11 only
    _HttpTools = None  # type: ignore[assignment,misc]
from uvicorn.protocols.http.h11_impl import H11Protocol as _H11  # noqa: E402


class GuardedH11Protocol(Guarded, _H11):
    """h11 refuses headers over its own limit (h11_max_incomplete_event_size, set from max_header_bytes)."""


if _HttpTools is not None:
    class GuardedHttpToolsProtocol(Guarded, _HttpTools):  # type: ignore[misc,valid-type]
        """httptools reports the URL and each header: their sizes are counted as they arrive."""

        def on_message_begin(self) -> None:
            self._header_bytes = 0
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._cancel()
            if not self.transport.is_closing():  # refused: no request runs
                super().on_headers_complete()

        def _count(self, n: int) -> None:
            self._header_bytes += n
            if self._header_bytes > Limits.get().max_header_bytes:
                self._refuse()


def protocol_class() -> type[asyncio.Protocol]:
    """The guarded httptools protocol when httptools is installed (uvicorn[standard]), else the h11 one."""
    return GuardedHttpToolsProtocol if _HttpTools is not None else GuardedH11Protocol  # type: ignore[return-value]
