"""Hostile input, faults and one greedy client (issue 11): each fault reproduced first, then held.

HTTP items run against a real `assistant serve` on 127.0.0.1 (bounded in count and time); disk-full runs use
RLIMIT_FSIZE (a regular file that cannot grow) and /dev/full.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from assistant import Assistant, ContextError
from assistant.kb.contract import Context

from .conftest import ROOT

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from assistant.devtools.loadtest import LocalServer, free_port  # noqa: E402

PFS = "What was the 2-year PFS?"
DEEP = '{"frames": ' + "[" * 3000 + "]" * 3000 + "}"


def cli(*args: str, stdin: str | None = None, limit: int | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    def cap() -> None:  # a regular file that cannot grow past `limit` bytes: a full disk, for one process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # type: ignore[arg-type]

    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, preexec_fn=cap if limit is not None else None,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def post(url: str, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None,
         timeout: float = 10) -> tuple[int, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def get(url: str, timeout: float = 5) -> tuple[int, float]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        r.read()
        return r.status, time.perf_counter() - t0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    log = tmp_path_factory.mktemp("serve") / "u.sqlite"
    s = LocalServer(["--log-db", str(log), "--no-access-log", "--header-timeout", "1", "--body-timeout", "1",
                     "--max-header-bytes", "4096", "--max-connections", "400"])
    try:
        yield s
    finally:
        s.stop()


# ---------------------------------------------------------------- 1, 7: contexts


@pytest.mark.parametrize("context", [DEEP, "[" * 10_000, {"frames": [{"slots": {"measure": [[[[[[[["pfs"]]]]]]]]}}]}],
                         ids=["json-3000-deep", "json-10000-open", "dict-12-deep"])
def test_a_deeply_nested_context_is_a_context_error(assistant: Assistant, context: Any) -> None:
    with pytest.raises(ContextError) as e:
        assistant.ask(PFS, context)
    assert any(w in str(e.value) for w in ("nested", "malformed", "characters"))


def test_a_deeply_nested_python_context_cannot_exhaust_the_stack(assistant: Assistant) -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ContextError, match="nested"):
        assistant.ask(PFS, {"frames": deep})


def test_a_deep_context_file_is_one_line_from_the_cli(tmp_path: Path) -> None:
    ctx = tmp_path / "ctx.json"
    ctx.write_text(DEEP)
    assert "nested" in one_line_error(cli("ask", "--context", str(ctx), PFS))


@pytest.mark.parametrize("frame,field", [
    ({"options": ["What was\x07 it"]}, "options.0"),
    ({"options": ["<script>alert(1)</script>"]}, "options.0"),
    ({"options": ["x" * 15_000]}, "options.0"),
    ({"options": ["a"] * 6}, "options"),
    ({"intent": "clarify.anything"}, "intent"),
    ({"age": 99}, "age"),
    ({"facts": ["pfs.rate.2y"] * 41}, "facts"),
    ({"slots": {"measure": ["pfs"] * 41}}, "slots"),
    ({"unknown": 1}, "unknown"),
])
def test_every_context_field_is_bounded(assistant: Assistant, frame: dict[str, Any], field: str) -> None:
    with pytest.raises(ContextError) as e:
        assistant.ask("the first one", {"version": 1, "turn": 1, "frames": [frame]})
    assert field in (e.value.field or str(e.value)), str(e.value)


@pytest.mark.parametrize("context,field", [({"version": 99}, "version"), ({"turn": 10 ** 300}, "turn"),
                                           ("x" * 20_000, "")], ids=["version", "turn", "size"])
def test_context_version_turn_and_size_are_checked(assistant: Assistant, context: Any, field: str) -> None:
    with pytest.raises(ContextError) as e:
        assistant.ask(PFS, context)
    assert field in (e.value.field or "") or "characters" in str(e.value)


def test_large_contexts_do_not_grow_the_answer_cache(assistant: Assistant) -> None:
    a = Assistant(store=assistant.store, cache_size=64)
    option = "What was the 2-year progression-free survival " + "really " * 36
    frame = {"options": [option] * 5, "age": 1}
    for i in range(20):
        ctx = {"version": 1, "turn": i, "frames": [dict(frame, facts=["pfs.rate.2y"] * (i + 1))] * 3}
        assert a.ask(PFS, ctx).status == "answered"
    assert a._cached.cache_info().currsize == 0  # answered, never cached
    a.ask(PFS)
    assert a._cached.cache_info().currsize == 1


def test_the_server_answers_a_deep_context_with_422(server: LocalServer) -> None:
    status, body = post(server.url + "/v1/ask", {"question": PFS, "context": DEEP})
    assert status == 422 and body["field"].startswith("context")


# ---------------------------------------------------------------- 2: unexpected errors


class _Broken:
    """An assistant whose answers fail: the handlers' unexpected-error path."""

    def __init__(self, store: Any) -> None:
        self.store, self.log = store, None

    def ask(self, *a: Any, **k: Any) -> Any:
        raise RuntimeError("SECRET-INTERNAL-DETAIL")

    def info(self) -> dict[str, Any]:
        return {}


def test_an_unexpected_error_is_json_with_a_request_id_and_one_log_line(assistant: Assistant,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    import uvicorn

    from assistant.interfaces.http import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(_Broken(assistant.store), log=False), host="127.0.0.1",
                                           port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.02)
        caplog.set_level("ERROR", logger="assistant.interfaces.http")
        status, body = post(f"http://127.0.0.1:{port}/v1/ask", {"question": PFS})
    finally:
        server.should_exit = True
        thread.join(10)
    assert status == 500 and body["error"] == "internal" and len(body["request_id"]) == 12
    assert "SECRET" not in json.dumps(body) and "Traceback" not in json.dumps(body)
    lines = [r for r in caplog.records if r.name == "assistant.interfaces.http"]
    assert len(lines) == 1 and body["request_id"] in lines[0].getMessage() and lines[0].exc_info is None
    assert "SECRET" not in lines[0].getMessage()


# ---------------------------------------------------------------- 3, 10: the unanswered log


def _no_data() -> Any:
    from assistant.kb.contract import Answer, Explain

    return Answer(status="no_data", answer="-", question="what was the cost", explain=Explain(normalised="cost"))


def test_a_full_log_counts_warns_once_and_notes_the_loss(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from assistant.log.unanswered import UnansweredLog

    log = UnansweredLog(tmp_path / "u.sqlite")
    assert log.record(_no_data())
    pages = log._connect().execute("pragma page_count").fetchone()[0]
    log._connect().execute(f"pragma max_page_count = {pages}")  # the disk is full
    caplog.set_level("WARNING", logger="assistant.log")
    results = [log.record(_no_data()) for _ in range(300)]
    assert not all(results) and log.failures >= 1
    assert len([r for r in caplog.records if r.name == "assistant.log"]) == 1
    assert log.status()["failed"] == log.failures and "full" in log.status()["last_error"]
    log._connect().execute("pragma max_page_count = 1000000")  # space again
    assert log.record(_no_data())
    assert log.lost() == log.failures
    done = cli("log", "unanswered", "--db", str(tmp_path / "u.sqlite"))
    assert done.returncode == 0 and f"{log.failures} unanswered turns could not be written" in done.stderr


def test_the_log_redacts_identifiers_is_private_and_is_pruned(tmp_path: Path) -> None:
    from assistant.kb.contract import Answer, Explain
    from assistant.log.unanswered import UnansweredLog

    path = tmp_path / "u.sqlite"
    log = UnansweredLog(path)
    q = "My name is Ana Lopez, born 12/03/1950, NHS 943 476 5919, ana@example.org: what did NCT01371630 cost?"
    log.record(Answer(status="no_data", answer="-", question=q, explain=Explain(normalised=q.lower())))
    stored = sqlite3.connect(path).execute("select question, normalised from unanswered").fetchone()
    for secret in ("Ana", "Lopez", "1950", "943", "5919", "ana@example", "lopez"):
        assert secret not in " ".join(stored), stored
    assert "NCT01371630" in stored[0] and "[name]" in stored[0] and "[date]" in stored[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for _ in range(30):
        log.record(_no_data())
    log.close()
    done = cli("log", "prune", "--db", str(path), "--max-rows", "10")
    assert done.returncode == 0 and "Deleted 21 rows; 10 kept" in done.stdout
    capped = UnansweredLog(path, max_rows=5)
    assert capped.prune() == 5 and capped.count() == 5


# ---------------------------------------------------------------- 4: write errors in the CLI


def _questions(tmp_path: Path, n: int) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("".join(json.dumps({"id": i, "question": PFS if i % 2 else "how common was nausea"}) + "\n"
                         for i in range(n)))
    return p


def test_batch_output_to_a_directory_or_a_full_device_is_one_line(tmp_path: Path) -> None:
    q = _questions(tmp_path, 3)
    assert "Is a directory" in one_line_error(cli("batch", str(q), "--output", str(tmp_path) + "/"))
    if Path("/dev/full").exists():
        assert "No space left" in one_line_error(cli("batch", str(q), "--output", "/dev/full"))


def test_batch_output_on_a_full_disk_ends_on_a_whole_record(tmp_path: Path) -> None:
    q, out = _questions(tmp_path, 60), tmp_path / "a.jsonl"
    line = one_line_error(cli("batch", str(q), "--output", str(out), limit=20_000))
    text = out.read_text()
    kept = int(line.split("(")[-1].split()[0])
    assert text.endswith("\n") and 0 < kept == len(text.splitlines()) < 60
    assert all(json.loads(ln)["id"] == i for i, ln in enumerate(text.splitlines()))
    csv_out = tmp_path / "a.csv"
    one_line_error(cli("batch", str(q), "--format", "csv", "--output", str(csv_out), limit=4_000))
    assert csv_out.read_text().endswith("\n")


def test_the_chat_keeps_answering_when_its_transcript_cannot_be_written(tmp_path: Path) -> None:
    transcript = tmp_path / "t.md"
    done = cli("chat", "--transcript", str(transcript), stdin="\n".join([PFS, "how common was nausea"] * 30) + "\n",
               limit=12_000)
    assert done.returncode == 0 and "Traceback" not in done.stderr + done.stdout
    assert done.stdout.count("[answered]") == 60
    assert done.stdout.count("The transcript stopped") == 1
    from assistant.interfaces.transcripts import read

    turns = read(transcript).turns
    assert turns and transcript.read_text().rstrip().endswith("(news summary of the paper)")


# ---------------------------------------------------------------- 5: spreadsheet CSVs


def test_a_bom_keeps_csv_ids_and_sessions(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_bytes("id,session,question\r\nA1,s1,What was the 2-year PFS?\r\nA2,s1,and at 5 years?\r\n"
                  .encode("utf-8-sig"))
    rows = [json.loads(ln) for ln in cli("batch", str(p), "--quiet").stdout.splitlines()]
    assert [r["id"] for r in rows] == ["A1", "A2"] and [r["session"] for r in rows] == ["s1", "s1"]
    assert "44.0%" in rows[1]["answer"]
    j = tmp_path / "q.jsonl"
    j.write_bytes(('{"id": "J1", "question": "' + PFS + '"}\n').encode("utf-8-sig"))
    assert json.loads(cli("batch", str(j), "--quiet").stdout)["id"] == "J1"
    t = tmp_path / "q.txt"
    t.write_bytes((PFS + "\n").encode("utf-8-sig"))
    assert json.loads(cli("batch", str(t), "--quiet").stdout)["question"] == PFS


def test_a_directory_or_dev_null_as_input(tmp_path: Path) -> None:
    assert "is a directory" in one_line_error(cli("batch", str(tmp_path)))
    done = cli("batch", os.devnull, "--input-format", "txt")
    assert done.returncode == 0 and done.stdout == "" and "0 lines read" in done.stderr


# ---------------------------------------------------------------- 6: one greedy client


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s


def _closed_within(s: socket.socket, seconds: float) -> tuple[bool, bytes]:
    s.settimeout(seconds)
    got = b""
    try:
        while chunk := s.recv(65536):
            got += chunk
        return True, got
    except (TimeoutError, socket.timeout):
        return False, got
    except ConnectionResetError:
        return True, got


def test_a_stalled_body_and_a_silent_client_are_closed_while_healthz_stays_fast(server: LocalServer) -> None:
    body = json.dumps({"question": PFS}).encode()
    stalled = []
    for _ in range(50):
        s = _connect(server.port)
        s.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
        stalled.append(s)
    silent = [_connect(server.port) for _ in range(50)]
    status, seconds = get(server.url + "/healthz")
    assert status == 200 and seconds < 0.5
    closed, reply = _closed_within(stalled[0], 5)
    assert closed and b" 408 " in reply.split(b"\r\n")[0]
    assert all(_closed_within(s, 5)[0] for s in silent[:5])
    for s in stalled + silent:
        s.close()


def test_a_huge_header_is_refused_with_431(server: LocalServer) -> None:
    s = _connect(server.port)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    closed, reply = _closed_within(s, 5)
    s.close()
    assert closed and reply.startswith(b"HTTP/1.1 431")
    assert get(server.url + "/healthz")[0] == 200


def test_connections_over_the_cap_are_closed_at_once(server: LocalServer) -> None:
    held = [_connect(server.port) for _ in range(420)]
    try:
        extra = [_closed_within(s, 0.5)[0] for s in held[400:]]
        assert sum(extra) >= 15  # the ones past the cap (a few may race with the accept loop)
    finally:
        for s in held:
            s.close()
    time.sleep(0.2)
    assert get(server.url + "/healthz")[0] == 200


# ---------------------------------------------------------------- 8, 9: webhook sessions, cross-site posts


def test_an_evicted_senders_follow_up_says_the_thread_was_lost() -> None:
    from assistant.interfaces.http.records import LOST_THREAD

    s = LocalServer(["--no-log", "--no-access-log", "--max-sessions", "2"])

    def say(sender: str, message: str) -> dict[str, Any]:
        status, body = post(s.url + "/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200
        return body[-1]["custom"]  # type: ignore[no-any-return]

    try:
        say("alice", PFS)
        assert "44.0%" in say("alice", "and at 5 years?")["answer"]
        say("bob", "hello")
        say("carol", "hello")  # alice is evicted
        lost = say("alice", "and at 5 years?")
        assert lost["answer"].startswith(LOST_THREAD)
        assert not say("alice", PFS)["answer"].startswith(LOST_THREAD)  # said once
    finally:
        s.stop()


def test_only_json_is_accepted(server: LocalServer) -> None:
    for path in ("/v1/ask", "/webhooks/rest/webhook"):
        status, body = post(server.url + path, None, raw=b'{"question": "hi", "sender": "a", "message": "hi"}',
                            headers={"Content-Type": "text/plain"})
        assert status == 415 and body["error"] == "unsupported_media_type"


def test_a_huge_number_is_a_plain_422(server: LocalServer) -> None:
    status, body = post(server.url + "/v1/ask", None, raw=b'{"question": "hi", "id": ' + b"9" * 5000 + b"}")
    assert status == 422 and "set_int_max_str_digits" not in body["message"]


# ---------------------------------------------------------------- 11: a token


def test_a_token_guards_the_post_routes(tmp_path: Path) -> None:
    s = LocalServer(["--no-log", "--no-access-log", "--token", "s3cret-token"])
    try:
        assert post(s.url + "/v1/ask", {"question": PFS})[0] == 401
        assert post(s.url + "/v1/ask", {"question": PFS}, {"Authorization": "Bearer wrong"})[0] == 401
        status, body = post(s.url + "/v1/ask", {"question": PFS}, {"Authorization": "Bearer s3cret-token"})
        assert status == 200 and body["status"] == "answered"
        assert get(s.url + "/healthz")[0] == 200
    finally:
        s.stop()


def test_serving_beyond_loopback_without_a_token_warns() -> None:
    port = free_port("0.0.0.0")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(port),
                             "--no-log"], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TRIAL_ASSISTANT_TOKEN": ""})
    try:
        first = proc.stderr.readline()  # type: ignore[union-attr]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert first.startswith("warning: serving on 0.0.0.0 without a token")


# ---------------------------------------------------------------- 12: the compiled cache, cosmetics


def test_an_edited_knowledge_cache_is_rebuilt_not_served(tmp_path: Path) -> None:
    from assistant.kb.store import open_store

    store = open_store(cache=tmp_path)
    conn = sqlite3.connect(store.path)
    conn.execute("update facts set record = replace(record, '58.2', '99') where id = 'pfs.rate.2y'")
    conn.commit()
    conn.close()
    again = Assistant(cache_dir=tmp_path).ask(PFS)
    assert "58.2%" in again.answer and "99%" not in again.answer


def test_an_unwritable_cache_warns_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    done = cli("ask", PFS, env={"TRIAL_ASSISTANT_CACHE": str(blocker / "cache")})
    assert done.returncode == 0 and "58.2%" in done.stdout
    warnings = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("warning: knowledge cache not writable"), done.stderr


def test_context_models_keep_their_defaults() -> None:
    assert Context().version == 1 and Context.model_validate_json(Context().model_dump_json()) == Context()
