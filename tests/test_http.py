"""The HTTP service: every endpoint and every error through Starlette's TestClient, then a real
`python -m assistant serve` on a free loopback port with concurrent clients and a clean shutdown."""
from __future__ import annotations

import io
import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from assistant.interfaces.http import MAX_BODY, create_app  # noqa: E402
from assistant.kb.models import STATUSES  # noqa: E402
from assistant.interfaces.sessions import MemoryStore  # noqa: E402

from .conftest import post_json as post, run_in_threads  # noqa: E402

PFS = "What was the 2-year progression-free survival?"
CONTRACT = {"id", "session", "question", "status", "answer", "citations", "facts", "intent", "confidence",
            "context", "explain",
            "suggestions", "caveats"}


def test_client(app: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
        from starlette.testclient import TestClient

        kw.setdefault("headers", {"Content-Type": "application/json"})  # the service accepts JSON only
        return TestClient(app, **kw)


test_client.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def app(assistant):  # type: ignore[no-untyped-def]
    return create_app(assistant, sessions=MemoryStore(max_sessions=100, ttl=600))


@pytest.fixture(scope="module")
def client(app):  # type: ignore[no-untyped-def]
    return test_client(app)


def ask(client: Any, **body: Any) -> Any:
    return client.post("/v1/ask", json=body)


def assert_error(r: Any, status: int, field: str | None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error"] and body["message"]
    assert body.get("field") == field
    return body


# ---------------------------------------------------------------- POST /v1/ask


def test_ask_returns_the_contract_fields_and_the_new_context(client: Any) -> None:
    r = ask(client, question=PFS)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == CONTRACT
    assert body["status"] == "answered"
    assert "58.2%" in body["answer"]
    assert body["citations"] and "58.2%" in body["citations"][0]["quote"]
    assert body["context"]["turn"] == 1 and body["context"]["frames"]
    assert body["explain"]["rule"] and body["explain"]["words"]  # how it was read: the word accounting


def test_ask_is_stateless_the_client_carries_the_context(client: Any) -> None:
    first = ask(client, question=PFS, session="s1").json()
    second = ask(client, question="and at 5 years?", context=first["context"], session="s1").json()
    assert second["status"] == "answered" and "44.0%" in second["answer"]
    assert second["context"]["turn"] == 2
    # the same context as a JSON string works too
    again = ask(client, question="and at 5 years?", context=json.dumps(first["context"])).json()
    assert again["answer"] == second["answer"]
    # nothing was kept on the server: without the context the turn count starts over
    assert ask(client, question="and at 5 years?", session="s1").json()["context"]["turn"] == 1


def test_ask_echoes_id_and_session(client: Any) -> None:
    body = ask(client, question=PFS, id=7, session="desk-42").json()
    assert (body["id"], body["session"], body["question"]) == (7, "desk-42", PFS)


@pytest.mark.parametrize("question,status", [
    ("What is the weather in Paris?", "out_of_scope"),
    ("hello", "chitchat"),
    ("should my 74 year old mother get this treatment?", "medical_advice"),
    ("", "invalid_input"),
    ("   ", "invalid_input"),
    ("x" * 2001, "invalid_input"),
    ("\ud800", "invalid_input"),
])
def test_ask_answers_every_kind_of_question_with_200(client: Any, question: str, status: str) -> None:
    r = client.post("/v1/ask", content=json.dumps({"question": question}).encode())
    assert r.status_code == 200
    assert r.json()["status"] == status


def test_a_question_of_2000_characters_is_still_read(client: Any) -> None:
    q = (PFS + " ") * (2000 // (len(PFS) + 1))
    assert len(q) <= 2000
    assert ask(client, question=q).json()["status"] != "invalid_input"


# ---------------------------------------------------------------- errors: 413, 422, 404, 405


def test_a_body_over_16_kib_is_413(client: Any) -> None:
    big = json.dumps({"question": "x" * MAX_BODY}).encode()
    assert_error(client.post("/v1/ask", content=big), 413, None)
    assert_error(client.post("/webhooks/rest/webhook", content=big), 413, None)


def test_a_streamed_body_over_16_kib_is_413_without_a_content_length(client: Any) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(40):
            yield b"a" * 1024
        yield b'"}'

    assert_error(client.post("/v1/ask", content=chunks()), 413, None)


def test_a_body_of_exactly_16_kib_is_read(client: Any) -> None:
    pad = MAX_BODY - len(json.dumps({"question": PFS, "pad": ""}).encode())
    body = json.dumps({"question": PFS, "pad": "p" * pad}).encode()
    assert len(body) == MAX_BODY
    assert client.post("/v1/ask", content=body).json()["status"] == "answered"


@pytest.mark.parametrize("raw", [b"{bad json", b"", b"   ", b"\xff\xfe\x00", b"[" * 5000 + b"]" * 5000,
                                 b'{"question": ' + b"1" * 5000 + b"}"])
def test_malformed_json_is_422_naming_the_body(client: Any, raw: bytes) -> None:
    assert_error(client.post("/v1/ask", content=raw), 422, "body")
    assert_error(client.post("/webhooks/rest/webhook", content=raw), 422, "body")


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"What was the 2-year PFS?"', b"null", b"42"])
def test_a_body_that_is_not_an_object_is_422(client: Any, raw: bytes) -> None:
    assert_error(client.post("/v1/ask", content=raw), 422, "body")


@pytest.mark.parametrize("body,field", [
    ({}, "question"),
    ({"q": PFS}, "question"),
    ({"question": None}, "question"),
    ({"question": 42}, "question"),
    ({"question": ["a"]}, "question"),
    ({"question": PFS, "session": [1]}, "session"),
    ({"question": PFS, "session": True}, "session"),
    ({"question": PFS, "id": {"a": 1}}, "id"),
    ({"question": PFS, "context": 5}, "context"),
    ({"question": PFS, "context": []}, "context"),
])
def test_wrong_types_are_422_naming_the_field(client: Any, body: dict[str, Any], field: str) -> None:
    err = assert_error(client.post("/v1/ask", json=body), 422, field)
    assert err["message"].startswith(field)


@pytest.mark.parametrize("context,field", [
    ({"turn": "many"}, "context.turn"),
    ({"turn": -1}, "context.turn"),
    ({"frames": "x"}, "context.frames"),
    ({"frames": [{"age": -1}]}, "context.frames.0.age"),
    ({"frames": [{"slots": {"measure": "pfs"}}]}, "context.frames.0.slots.measure"),
    ({"nonsense": 1}, "context.nonsense"),
    ("{not json", "context"),
    ("[1]", "context"),
])
def test_a_malformed_context_is_422_naming_the_field(client: Any, context: Any, field: str) -> None:
    assert_error(ask(client, question="and at 5 years?", context=context), 422, field)


@pytest.mark.parametrize("frame,field", [
    ({"facts": ["pfs.rate.99y"]}, "context.frames.0.facts.0"),
    ({"slots": {"measure": ["pfs", "made-up"]}}, "context.frames.0.slots.measure.1"),
    ({"slots": {"colour": ["red"]}}, "context.frames.0.slots"),
    ({"intent": "exfiltrate"}, "context.frames.0.intent"),
    ({"age": 99}, "context.frames.0.age"),
])
def test_a_tampered_context_is_422_and_not_echoed(client: Any, frame: dict[str, Any], field: str) -> None:
    good = ask(client, question=PFS).json()["context"]
    good["frames"][0].update(frame)
    r = ask(client, question="and at 5 years?", context=good)
    assert_error(r, 422, field)
    for value in ("pfs.rate.99y", "made-up", "colour", "exfiltrate"):
        assert value not in r.text


def test_an_unknown_route_is_404_json(client: Any) -> None:
    body = assert_error(client.get("/v2/nothing"), 404, None)
    assert body["error"] == "not_found"
    assert_error(client.post("/ask"), 404, None)


def test_a_wrong_method_is_405_json(client: Any) -> None:
    assert assert_error(client.get("/v1/ask"), 405, None)["error"] == "method_not_allowed"
    assert_error(client.delete("/healthz"), 405, None)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)
BODIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"question": JSON_VALUES}, optional={"context": JSON_VALUES, "session": JSON_VALUES}),
    st.fixed_dictionaries({"question": st.text(max_size=60)},
                          optional={"context": st.fixed_dictionaries({}, optional={
                              "turn": JSON_VALUES, "version": JSON_VALUES,
                              "frames": st.lists(st.dictionaries(st.sampled_from(["slots", "facts", "intent", "age"]),
                                                                 JSON_VALUES, max_size=4), max_size=3)})}),
    st.fixed_dictionaries({"sender": JSON_VALUES, "message": JSON_VALUES}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, path=st.sampled_from(["/v1/ask", "/webhooks/rest/webhook"]))
def test_never_a_5xx_for_any_json_body(client: Any, body: Any, path: str) -> None:
    r = client.post(path, content=json.dumps(body).encode())
    assert r.status_code in (200, 422), r.text
    assert isinstance(r.json(), (dict, list))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=300))
def test_never_a_5xx_for_any_bytes(client: Any, raw: bytes) -> None:
    assert client.post("/v1/ask", content=raw).status_code in (200, 422)


# ---------------------------------------------------------------- POST /webhooks/rest/webhook (Rasa REST)


def rasa(client: Any, sender: Any, message: Any) -> Any:
    r = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
    assert r.status_code == 200, r.text
    return r.json()


def test_webhook_speaks_the_rasa_rest_format(client: Any) -> None:
    replies = rasa(client, "rasa-user-1", PFS)
    assert isinstance(replies, list) and len(replies) >= 2
    assert all(r["recipient_id"] == "rasa-user-1" for r in replies)
    texts, custom = replies[:-1], replies[-1]
    assert all(set(r) <= {"recipient_id", "text", "buttons"} and r["text"] for r in texts)
    assert "58.2%" in texts[0]["text"]
    assert set(custom) == {"recipient_id", "custom"}
    assert set(custom["custom"]) == CONTRACT
    assert custom["custom"]["status"] == "answered" and custom["custom"]["session"] == "rasa-user-1"
    buttons = texts[-1]["buttons"]
    assert buttons and all(b["title"] == b["payload"] for b in buttons)
    assert [b["title"] for b in buttons] == custom["custom"]["suggestions"]


def test_webhook_keeps_each_senders_conversation_on_the_server(client: Any, app: Any) -> None:
    rasa(client, "alice", PFS)
    follow = rasa(client, "alice", "and at 5 years?")[-1]["custom"]
    assert follow["status"] == "answered" and "44.0%" in follow["answer"]
    rasa(client, "bob", "hello")
    assert app.state.sessions.get("alice").turn == 2
    assert app.state.sessions.get("bob").turn == 1


def test_webhook_needs_a_sender_and_takes_it_as_sent(client: Any) -> None:
    """Without a sender every caller would share one conversation; 5 and "5" are not silently the same."""
    assert_error(client.post("/webhooks/rest/webhook", json={"message": "hello"}), 422, "sender")
    assert_error(client.post("/webhooks/rest/webhook", json={"sender": 12345, "message": "hello"}), 422, "sender")
    assert rasa(client, "12345", "hello")[0]["recipient_id"] == "12345"


@pytest.mark.parametrize("body,field", [
    ({"sender": "a"}, "message"),
    ({"sender": "a", "message": None}, "message"),
    ({"sender": "a", "message": 3}, "message"),
    ({"sender": ["a"], "message": "hi"}, "sender"),
    ({"sender": None, "message": "hi"}, "sender"),
    ({"sender": "", "message": "hi"}, "sender"),
    ({"sender": "s" * 257, "message": "hi"}, "sender"),
])
def test_webhook_errors_name_the_field(client: Any, body: dict[str, Any], field: str) -> None:
    assert_error(client.post("/webhooks/rest/webhook", json=body), 422, field)


def test_webhook_answers_bad_text_like_rasa_would_chat(client: Any) -> None:
    assert rasa(client, "carol", "")[-1]["custom"]["status"] == "invalid_input"
    assert rasa(client, "carol", "x" * 2001)[-1]["custom"]["status"] == "invalid_input"


def test_rasa_channel_health(client: Any) -> None:
    assert client.get("/webhooks/rest/").json() == {"status": "ok"}


def test_webhook_store_stays_bounded(assistant: Any) -> None:
    app = create_app(assistant, sessions=MemoryStore(max_sessions=5, ttl=60))
    c = test_client(app)
    for n in range(20):
        rasa(c, f"visitor-{n}", "hello")
    assert len(app.state.sessions) == 5


# ---------------------------------------------------------------- GET endpoints


def test_healthz(client: Any, assistant: Any) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "knowledge": assistant.store.hash[:12]}


def test_info_gives_the_knowledge_version_and_counts(client: Any, assistant: Any) -> None:
    info = client.get("/v1/info").json()
    assert info["knowledge"] == assistant.info()["knowledge"]
    assert info["facts"] == len(assistant.store.facts) > 50
    assert info["caveats"] == len(assistant.store.caveats)
    assert info["statuses"] == list(STATUSES)
    assert info["limits"]["max_body_bytes"] == MAX_BODY and info["limits"]["max_question_chars"] == 2000


def test_schema_describes_the_answer(client: Any) -> None:
    schema = client.get("/v1/schema").json()
    props = schema["properties"]
    assert set(props) == CONTRACT | {"table"}
    assert props["status"]["enum"] == list(STATUSES)
    assert {"status", "answer"} <= set(schema["required"])
    assert "Citation" in schema["$defs"] and "Context" in schema["$defs"]
    body = ask(client, question=PFS).json()
    assert set(body) <= set(props) and set(schema["required"]) <= set(body)


def test_openapi_document_is_complete(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/v1/ask", "/webhooks/rest/webhook", "/healthz", "/v1/info", "/v1/schema"} <= set(doc["paths"])
    names = set(doc["components"]["schemas"])
    refs = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if "$ref" in x:
                refs.add(x["$ref"].rsplit("/", 1)[1])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    assert refs and refs <= names


# ---------------------------------------------------------------- CORS, logs, mounting


def test_cors_is_off_by_default(client: Any) -> None:
    pre = client.options("/v1/ask", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    r = client.post("/v1/ask", json={"question": PFS}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_the_configured_origin(assistant: Any) -> None:
    c = test_client(create_app(assistant, cors_origin="https://helpdesk.example.org"))
    ok = {"Origin": "https://helpdesk.example.org", "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type"}
    pre = c.options("/v1/ask", headers=ok)
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://helpdesk.example.org"
    r = c.post("/v1/ask", json={"question": PFS}, headers={"Origin": "https://helpdesk.example.org"})
    assert r.headers["access-control-allow-origin"] == "https://helpdesk.example.org"
    bad = c.options("/v1/ask", headers={**ok, "Origin": "https://evil.example"})
    assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers


def test_request_logs_never_contain_the_context(assistant: Any, caplog: Any) -> None:
    stream = io.StringIO()
    caplog.set_level("DEBUG")
    app = create_app(assistant, access_log=stream)
    with test_client(app) as c:  # the lifespan's shutdown flushes the access log
        ctx = c.post("/v1/ask", json={"question": PFS}).json()["context"]
        c.post("/v1/ask", json={"question": "and at 5 years?", "context": ctx})
        ctx["frames"][0]["facts"] = ["SECRET-MARKER-FACT"]
        c.post("/v1/ask", json={"question": "and at 5 years?", "context": ctx})
        c.post("/v1/ask?context=SECRET-MARKER-QUERY", json={"question": PFS})
        c.post("/v1/ask", content=b'{"question": "x", "context": "SECRET-MARKER-BAD"')
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5
    assert lines[0].endswith("ms") and '"POST /v1/ask HTTP/1.1" 200' in lines[0]
    assert '" 422 ' in lines[2] and '" 422 ' in lines[4]
    server_side = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    everything = stream.getvalue() + "\n".join(server_side)
    assert "SECRET-MARKER" not in everything and "pfs.rate.2y" not in everything


def test_http_turns_go_to_the_unanswered_log(assistant: Any, tmp_path: Path) -> None:
    path = tmp_path / "u.sqlite"
    c = test_client(create_app(assistant, log=path))
    ask(c, question="What is the weather in Paris?")
    ask(c, question=PFS)
    rasa(c, "dora", "What is the weather in Paris?")
    with sqlite3.connect(path) as conn:
        got = conn.execute("select normalised, status from unanswered").fetchall()
    assert got == [("what is the weather in paris", "out_of_scope")] * 2


def test_the_app_mounts_inside_another_asgi_app(assistant: Any) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    outer = Starlette(routes=[Mount("/trial", app=create_app(assistant))])
    c = test_client(outer)
    assert c.post("/trial/v1/ask", json={"question": PFS}).json()["status"] == "answered"
    assert c.get("/trial/healthz").json()["status"] == "ok"


# ---------------------------------------------------------------- the real server



def test_the_real_server_answers_concurrent_clients_and_stops_cleanly(tmp_path: Path) -> None:
    from assistant.devtools.loadtest import LocalServer, run_load

    server = LocalServer(["--log-db", str(tmp_path / "u.sqlite")])
    try:
        results: list[tuple[str, Any]] = []

        def client(n: int) -> None:
            for _ in range(5):
                s, first = post(server.url + "/v1/ask", {"question": PFS, "session": f"t{n}"})
                assert s == 200 and "58.2%" in first["answer"]
                s, follow = post(server.url + "/v1/ask", {"question": "and at 5 years?",
                                                          "context": first["context"]})
                results.append(("follow", follow))
                s, weather = post(server.url + "/v1/ask", {"question": "What is the weather in Paris?"})
                results.append(("weather", weather))
                s, replies = post(server.url + "/webhooks/rest/webhook", {"sender": f"t{n}", "message": PFS})
                results.append(("rasa", replies[-1]["custom"]))
                s, bad = post(server.url + "/v1/ask", {"question": 5})
                assert s == 422 and bad["field"] == "question"

        run_in_threads(client, 8)
        assert len(results) == 8 * 5 * 3
        statuses = [r["status"] for _, r in results]
        assert statuses.count("out_of_scope") == 40 and statuses.count("answered") == 80
        assert all("44.0%" in r["answer"] for k, r in results if k == "follow")
        assert all(r["status"] == "out_of_scope" for k, r in results if k == "weather")
        load = run_load(server.url, requests=300, connections=4, seconds=60)
        assert (load.completed, load.errors) == (300, 0)
        # connections run concurrently, so how the 300 requests fall over the 5-question cycle varies by a few
        assert sum(load.answer_statuses.values()) == 300 and 100 <= load.answer_statuses["answered"] <= 140
        logged_by_load = load.answer_statuses.get("out_of_scope", 0)
    finally:
        code = server.stop()
    out = server.output()
    assert code == 0, out
    assert "Application shutdown complete" in out and "Finished server process" in out
    assert '"POST /v1/ask HTTP/1.1" 200' in out and "Traceback" not in out
    assert '"pfs.rate.2y"' not in out and "frames" not in out
    with sqlite3.connect(tmp_path / "u.sqlite") as conn:
        assert conn.execute("select count(*) from unanswered").fetchone()[0] == 40 + logged_by_load


def test_the_real_server_with_two_workers(tmp_path: Path) -> None:
    from assistant.devtools.loadtest import local_server

    with local_server(["--workers", "2", "--no-log", "--no-access-log"]) as server:
        for _ in range(10):
            s, body = post(server.url + "/v1/ask", {"question": PFS})
            assert s == 200 and "58.2%" in body["answer"]
    assert server.returncode == 0, server.output()


def test_with_workers_the_listening_socket_gets_tcp_nodelay() -> None:
    # uvicorn issue #3149: without it every keep-alive reply under --workers waits ~40 ms for a delayed ACK
    import socket

    import uvicorn

    from assistant.interfaces.http import _nodelay_listener

    config = uvicorn.Config("assistant.interfaces.http:app_from_env", host="127.0.0.1", port=0)
    original = uvicorn.config.Config.bind_socket
    with _nodelay_listener(uvicorn):
        sock = config.bind_socket()
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()
    assert uvicorn.config.Config.bind_socket is original  # the patch does not outlive `serve`


def test_the_load_generator_only_targets_loopback() -> None:
    from assistant.devtools.loadtest import check_loopback, run_load

    assert check_loopback("http://127.0.0.1:8000") == ("127.0.0.1", 8000, "/v1/ask")
    assert check_loopback("http://localhost:9/webhooks/rest/webhook")[2] == "/webhooks/rest/webhook"
    for url in ("http://example.org/v1/ask", "http://10.0.0.1:8000", "https://127.0.0.1", "ftp://127.0.0.1"):
        with pytest.raises(ValueError):
            run_load(url, requests=1, connections=1, seconds=1)


def test_serve_reports_a_log_it_cannot_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.interfaces.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["serve", "--log-db", str(blocker / "u.sqlite")]) == 1
    assert "unanswered-question log" in capsys.readouterr().err
