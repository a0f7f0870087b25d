"""`assistant serve`: options, checks, the unanswered log, and uvicorn (one process or several workers)."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any, Iterator

from assistant.interfaces.http.app import app_from_env
from assistant.interfaces.http.records import (BODY_TIMEOUT, CONFIG_ENV, HEADER_TIMEOUT, KEEP_ALIVE,
                                               LIMIT_CONCURRENCY, MAX_CONNECTIONS, MAX_HEADER_BYTES, TOKEN_ENV,
                                               ServeConfig)
from assistant.interfaces.sessions import ENV as SESSIONS_ENV
from assistant.interfaces.sessions import MAX_SESSIONS, TTL_SECONDS, choose, describe


LOOPBACK = ("127.0.0.1", "localhost", "::1")
BACKLOG = 8192  # pending connections the kernel queues (capped by net.core.somaxconn): a burst of connects waits, not drops


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("examples:\n  assistant serve\n  assistant serve --port 8080 --workers 2 "
                     "--cors-origin https://helpdesk.example.org\n"
                     "  TRIAL_ASSISTANT_TOKEN=s3cret assistant serve --host 0.0.0.0\n"
                     "  curl -s localhost:8000/v1/ask -H 'Content-Type: application/json' "
                     "-d '{\"question\": \"What was the 2-year PFS?\"}'\n"
                     "\nThe web chat is at / (http://127.0.0.1:8000/ by default); another site embeds it with <script "
                     "src=\"https://<this server>/widget.js\" defer></script> (allow it with --cors-origin).\n"
                     "Unanswered questions are logged (see 'assistant log unanswered') unless --no-log.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    parser.add_argument("--cors-origin", metavar="ORIGIN", help="allow browser calls from this origin (off by default)")
    parser.add_argument("--token", metavar="TOKEN", help=f"require 'Authorization: Bearer TOKEN' on the POST routes "
                        f"(default ${TOKEN_ENV}; off when neither is set)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--log-db", metavar="PATH",
                       help="unanswered-question log (default $TRIAL_ASSISTANT_LOG or the XDG data dir)")
    group.add_argument("--no-log", action="store_true", help="do not log unanswered questions")
    parser.add_argument("--sessions", metavar="URL",
                        help=f"the webhook's conversation store: memory, sqlite:///PATH (shared by the workers of "
                             f"one machine) or redis://HOST:PORT/DB (shared by several machines; the redis extra). "
                             f"Default ${SESSIONS_ENV}, else memory for one worker and "
                             f"sqlite:///$XDG_STATE_HOME/trial-assistant/sessions.db for several")
    parser.add_argument("--max-sessions", type=int, default=MAX_SESSIONS, metavar="N",
                        help=f"webhook conversations kept (default {MAX_SESSIONS})")
    parser.add_argument("--session-ttl", type=float, default=TTL_SECONDS, metavar="SECONDS",
                        help=f"forget an idle webhook conversation after this long (default {TTL_SECONDS:.0f})")
    limits = parser.add_argument_group("limits (one client must not hurt the others)")
    limits.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS, metavar="N",
                        help=f"open connections; more are closed at once (default {MAX_CONNECTIONS}, at most the "
                             "file-handle limit less 64)")
    limits.add_argument("--limit-concurrency", type=int, default=LIMIT_CONCURRENCY, metavar="N",
                        help=f"connections or requests in flight before answering 503 (default {LIMIT_CONCURRENCY})")
    limits.add_argument("--header-timeout", type=float, default=HEADER_TIMEOUT, metavar="SECONDS",
                        help=f"close a connection whose request headers take longer (default {HEADER_TIMEOUT:.0f})")
    limits.add_argument("--body-timeout", type=float, default=BODY_TIMEOUT, metavar="SECONDS",
                        help=f"answer 408 when a request body takes longer (default {BODY_TIMEOUT:.0f})")
    limits.add_argument("--keep-alive", type=float, default=KEEP_ALIVE, metavar="SECONDS",
                        help=f"close an idle keep-alive connection after this long (default {KEEP_ALIVE:.0f})")
    limits.add_argument("--max-header-bytes", type=int, default=MAX_HEADER_BYTES, metavar="N",
                        help=f"request line and headers; more is refused with 431 (default {MAX_HEADER_BYTES})")
    parser.add_argument("--no-access-log", action="store_true", help="do not log each request")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))


def _config(args: argparse.Namespace) -> ServeConfig | str:
    """The workers' configuration, or what is wrong with the options."""
    numbers = (args.workers, args.max_sessions, args.max_connections, args.limit_concurrency)
    times = (args.session_ttl, args.header_timeout, args.body_timeout, args.keep_alive)
    if min(numbers) < 1 or min(times) <= 0 or not 0 <= args.port <= 65535 or args.max_header_bytes < 1024:
        return ("--workers, --max-sessions, --max-connections, --limit-concurrency and the timeouts must be "
                "positive, --max-header-bytes at least 1024, --port 0-65535")
    try:
        import resource

        handles = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        handles = -1
    max_connections = min(args.max_connections, handles - 64) if handles > 128 else args.max_connections
    token = args.token or os.environ.get(TOKEN_ENV) or None
    return ServeConfig(cors_origin=args.cors_origin, sessions=choose(args.sessions, args.workers),
                       max_sessions=args.max_sessions, session_ttl=args.session_ttl,
                       access_log=not args.no_access_log and args.log_level in ("info", "debug"), token=token,
                       max_connections=max_connections, limit_concurrency=args.limit_concurrency,
                       header_timeout=args.header_timeout, body_timeout=args.body_timeout,
                       keep_alive=args.keep_alive, max_header_bytes=args.max_header_bytes)


def _open_log(args: argparse.Namespace) -> str | bool | None:
    """The unanswered log's path (checked writable now), False for none; None when it cannot be opened."""
    if args.no_log:
        return False
    import sqlite3

    from assistant.log.unanswered import UnansweredLog

    ulog = UnansweredLog(args.log_db) if args.log_db else UnansweredLog()
    try:
        ulog.open()
    except (OSError, sqlite3.Error) as e:
        print(f"error: cannot open the unanswered-question log {ulog.path}: {e}", file=sys.stderr)
        return None
    finally:
        ulog.close()
    return str(ulog.path)


def _check_sessions(cfg: ServeConfig, workers: int) -> bool:
    """Open the conversation store once before serving: a bad URL, a missing package or a SQLite file that cannot
    be created stop `serve` with one line; a Redis server that does not answer yet is only warned about (the
    webhook answers 503 until it does; /v1/ask needs no store)."""
    from assistant.errors import SessionStoreError, StoreUnavailable
    from assistant.interfaces.sessions import open_store

    try:
        store = open_store(cfg.sessions, cfg.max_sessions, cfg.session_ttl)
    except (SessionStoreError, ValueError) as e:
        print(f"error: --sessions: {e}", file=sys.stderr)
        return False
    try:
        getattr(store, "open", lambda: None)()
    except StoreUnavailable as e:
        if store.backend != "redis":
            print(f"error: --sessions: {e}", file=sys.stderr)
            return False
        print(f"warning: {e}; the webhook answers 503 until it is reachable", file=sys.stderr)
    finally:
        store.close()
    shared = " (one per worker: use sqlite or redis to share them)" if store.backend == "memory" and workers > 1 else ""
    print(f"Webhook conversations: {describe(cfg.sessions)}{shared}", file=sys.stderr)
    return True


def run(args: argparse.Namespace) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        print("error: the HTTP service needs the server extra: pip install 'trial-assistant[server]' "
              "(from a checkout: pip install '.[server]')", file=sys.stderr)
        return 1
    cfg = _config(args)
    if isinstance(cfg, str):
        print(f"error: {cfg}", file=sys.stderr)
        return 2
    log = _open_log(args)
    if log is None:
        return 1
    cfg.log = log
    if cfg.token is None and args.host not in LOOPBACK:
        print(f"warning: serving on {args.host} without a token: anyone who can reach it can ask and write to the "
              f"log (set --token or ${TOKEN_ENV})", file=sys.stderr)
    if not _check_sessions(cfg, args.workers):
        return 1
    from assistant.interfaces.http.protocol import protocol_class

    # uvicorn's own access log is off: AccessLog writes the same lines buffered, at a fraction of the cost
    common = dict(host=args.host, port=args.port, access_log=False, log_level=args.log_level,
                  server_header=False, timeout_graceful_shutdown=10, http=protocol_class(),
                  limit_concurrency=cfg.limit_concurrency, timeout_keep_alive=cfg.keep_alive,
                  h11_max_incomplete_event_size=cfg.max_header_bytes, backlog=BACKLOG)
    if cfg.log:
        print(f"Logging unanswered questions to {cfg.log}", file=sys.stderr)
    os.environ[CONFIG_ENV] = cfg.model_dump_json()
    if args.workers == 1:
        uvicorn.run(app_from_env(), **common)  # type: ignore[arg-type]
        return 0
    from assistant.kb.store import open_store

    open_store()  # build the knowledge cache once, before the workers start (errors surface here)
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
