"""`assistant serve`: options, checks, the unanswered log, and uvicorn (one process or several workers)."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any, Iterator

from assistant.interfaces.http.app import app_from_env
from assistant.interfaces.http.records import CONFIG_ENV, ServeConfig
from assistant.interfaces.sessions import MAX_SESSIONS, TTL_SECONDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("examples:\n  assistant serve\n  assistant serve --port 8080 --workers 2 "
                     "--cors-origin https://helpdesk.example.org\n"
                     "  curl -s localhost:8000/v1/ask -H 'Content-Type: application/json' -d '{\"question\": \"What was the 2-year PFS?\"}'\n"
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
