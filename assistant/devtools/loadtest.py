"""A bounded load generator for the HTTP service, on loopback only.

    python -m assistant.devtools.loadtest                      # start `assistant serve` on a free port, load it, stop it
    python -m assistant.devtools.loadtest --url http://127.0.0.1:8000 --requests 5000

Closed loop: `connections` keep-alive HTTP/1.1 connections each send one request, wait for the reply, and
send the next, until `requests` are done or `seconds` have passed. The client is raw asyncio (no HTTP library)
so that it takes little of the CPU the server needs. Every reply is checked: HTTP 200 and the expected status.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from pydantic import BaseModel

# Stable questions with the status each must get (the mix the load sends, in turn).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("What was the 2-year progression-free survival?", "answered"),
    ("What is the weather in Paris?", "out_of_scope"),
    ("What was the 2-year progression-free survival?", "answered"),
    ("hello", "chitchat"),
    ("should my 74 year old mother get this treatment?", "medical_advice"),
)
WEBHOOK = "/webhooks/rest/webhook"


class LoadResult(BaseModel):
    """What one load run measured. Latencies are per request, in milliseconds."""

    url: str
    planned: int
    completed: int
    connections: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    http_statuses: dict[str, int]
    answer_statuses: dict[str, int]
    time_capped: bool
    error_examples: list[str] = []

    def summary(self) -> str:
        lines = [
            f"{self.completed} of {self.planned} requests over {self.connections} connections to {self.url} "
            f"in {self.seconds:.2f} s{' (time cap reached)' if self.time_capped else ''}",
            f"throughput {self.requests_per_second:,.0f} requests/s; latency p50 {self.p50_ms:.2f} ms, "
            f"p90 {self.p90_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, max {self.max_ms:.2f} ms; errors {self.errors}",
            "answers: " + ", ".join(f"{k} {v}" for k, v in sorted(self.answer_statuses.items())),
        ]
        lines += [f"error: {e}" for e in self.error_examples]
        return "\n".join(lines)


def check_loopback(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an http:// URL on loopback; ValueError otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not host:
        raise ValueError(f"need an http:// URL, not {url!r}")
    try:
        loop = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = False
    if not loop:
        raise ValueError(f"load is only sent to loopback (127.0.0.1, ::1, localhost), not {host!r}")
    return host, parts.port or 80, parts.path if parts.path not in ("", "/") else "/v1/ask"


def _requests(host: str, port: int, path: str, connection: int) -> list[tuple[bytes, bytes]]:
    """Pre-built (request bytes, expected status marker) pairs for one connection."""
    out = []
    for question, status in QUESTIONS:
        if path.endswith(WEBHOOK):
            body = {"sender": f"load-{connection}", "message": question}
        else:
            body = {"question": question, "session": f"load-{connection}"}
        data = json.dumps(body).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        out.append((head + data, f'"status":"{status}"'.encode()))
    return out


@dataclass
class _State:
    planned: int
    deadline: float
    issued: int = 0
    latencies: list[float] = field(default_factory=list)
    http: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    capped: bool = False

    def take(self) -> bool:
        if self.issued >= self.planned:
            return False
        if time.perf_counter() >= self.deadline:
            self.capped = True
            return False
        self.issued += 1
        return True

    def fail(self, what: str) -> None:
        self.errors += 1
        if len(self.examples) < 5:
            self.examples.append(what[:200])


async def _connection(host: str, port: int, path: str, n: int, st: _State) -> None:
    reqs = _requests(host, port, path, n)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    i = n
    try:
        while st.take():
            req, marker = reqs[i % len(reqs)]
            i += 1
            t0 = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                assert reader is not None
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head[9:12].decode()
                low = head.lower()
                at = low.find(b"content-length:")
                if at < 0:
                    raise ValueError("reply without content-length")
                length = int(low[at + 15:low.index(b"\r\n", at)])
                body = await reader.readexactly(length)
                if b"connection: close" in low:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
                st.fail(f"{type(e).__name__}: {e}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            st.latencies.append(time.perf_counter() - t0)
            st.http[status] += 1
            if status != "200":
                st.fail(f"HTTP {status}: {body[:100]!r}")
            elif marker not in body:
                st.fail(f"unexpected answer {body[:120]!r}, wanted {marker.decode()}")
            else:
                st.answers[marker.decode().split(":")[1].strip('"')] += 1
    finally:
        if writer is not None:
            writer.close()


def _pct(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


def run_load(url: str, requests: int = 20_000, connections: int = 16, seconds: float = 60.0) -> LoadResult:
    """Send `requests` requests over `connections` connections to a loopback URL, for at most `seconds`.

    `url` is the server ('http://127.0.0.1:8000', which loads /v1/ask) or an endpoint
    ('.../webhooks/rest/webhook'). Raises ValueError for a URL that is not on loopback.
    """
    host, port, path = check_loopback(url)
    if requests < 1 or connections < 1 or seconds <= 0:
        raise ValueError("requests and connections must be >= 1 and seconds > 0")
    connections = min(connections, requests)
    start = time.perf_counter()
    st = _State(planned=requests, deadline=start + seconds)

    async def main() -> None:
        tasks = [asyncio.create_task(_connection(host, port, path, n, st)) for n in range(connections)]
        done, pending = await asyncio.wait(tasks, timeout=seconds + 10)
        for t in pending:  # a request that never got a reply
            t.cancel()
            st.fail("no reply before the time cap")
        for t in done:
            if t.exception() is not None:
                st.fail(f"{type(t.exception()).__name__}: {t.exception()}")

    asyncio.run(main())
    wall = time.perf_counter() - start
    ms = sorted(x * 1000 for x in st.latencies)
    done_ok = len(ms)
    return LoadResult(
        url=f"http://{host}:{port}{path}", planned=requests, completed=done_ok, connections=connections,
        seconds=round(wall, 3), requests_per_second=round(done_ok / wall, 1) if wall else 0.0,
        p50_ms=round(_pct(ms, 50), 3), p90_ms=round(_pct(ms, 90), 3), p99_ms=round(_pct(ms, 99), 3),
        max_ms=round(ms[-1], 3) if ms else 0.0, errors=st.errors, http_statuses=dict(st.http),
        answer_statuses=dict(st.answers), time_capped=st.capped, error_examples=st.examples,
    )


# ---------------------------------------------------------------- a real server on a free loopback port


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LocalServer:
    """`python -m assistant serve` in a subprocess on a free loopback port; stop() ends it with SIGINT."""

    def __init__(self, args: Sequence[str] = (), startup_seconds: float = 60.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._out = tempfile.TemporaryFile(mode="w+")
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
                                     env=env)
        self.returncode: int | None = None
        self._text = ""
        self._wait_ready(startup_seconds)

    def _wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {seconds:.0f} s:\n{self.output()}")

    def output(self) -> str:
        """Everything the server printed (stdout and stderr) so far."""
        if self._out.closed:
            return self._text
        self._out.seek(0)
        return self._out.read()

    def stop(self, timeout: float = 20.0) -> int:
        """Ask the server to shut down (SIGINT, as Ctrl+C); kill it if it has not within `timeout`."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        if not self._out.closed:
            self._text = self.output()
            self._out.close()
        return self.returncode


@contextlib.contextmanager
def local_server(args: Sequence[str] = ()) -> Iterator[LocalServer]:
    server = LocalServer(args)
    try:
        yield server
    finally:
        server.stop()


def load_local_server(requests: int = 20_000, connections: int = 16, seconds: float = 60.0, workers: int = 1,
                      path: str = "/v1/ask", access_log: bool = True, sessions: str | None = None) -> LoadResult:
    """Start `assistant serve` (with a throw-away unanswered log and, by default, a throw-away conversation
    store: memory for one worker, a SQLite file for several), load it, stop it."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["--workers", str(workers), "--log-db", str(Path(tmp) / "unanswered.sqlite")]
        if sessions is None and workers > 1:
            sessions = f"sqlite://{Path(tmp) / 'sessions.db'}"
        if sessions:
            args += ["--sessions", sessions]
        if not access_log:
            args.append("--no-access-log")
        with local_server(args) as server:
            run_load(server.url + path, requests=min(200, requests), connections=connections, seconds=seconds)
            return run_load(server.url + path, requests=requests, connections=connections, seconds=seconds)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.devtools.loadtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="load this running server (loopback only) instead of starting one")
    p.add_argument("--requests", type=int, default=20_000, help="requests to send (default 20000)")
    p.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    p.add_argument("--seconds", type=float, default=60.0, help="time cap (default 60)")
    p.add_argument("--workers", type=int, default=1, help="server workers when starting one (default 1)")
    p.add_argument("--webhook", action="store_true", help="load the Rasa webhook instead of /v1/ask")
    p.add_argument("--sessions", metavar="URL", help="the started server's webhook conversation store (memory, "
                   "sqlite:///PATH, redis://HOST:PORT/DB; default memory, or a temporary SQLite file with --workers)")
    p.add_argument("--no-access-log", action="store_true", help="start the server without its access log")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    path = WEBHOOK if args.webhook else "/v1/ask"
    try:
        if args.url:
            base = args.url.rstrip("/")
            result = run_load(base if urlsplit(base).path else base + path, args.requests, args.connections,
                              args.seconds)
        else:
            result = load_local_server(args.requests, args.connections, args.seconds, args.workers, path,
                                       access_log=not args.no_access_log, sessions=args.sessions)
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(result.model_dump_json(indent=2) if args.json else result.summary())
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
