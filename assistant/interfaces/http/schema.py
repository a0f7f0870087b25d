"""The JSON schema of an answer and the OpenAPI document of the service (served cached)."""
from __future__ import annotations

from typing import Any

from assistant.interfaces.http.records import AskRequest, ErrorBody, RasaMessage, RasaReply
from assistant.kb.contract import Answer


def _answer_schema(ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, definitions) of the /v1/ask response: the Answer contract fields, `context` among them."""
    schema = Answer.model_json_schema(ref_template=ref_template, mode="serialization")
    defs = schema.pop("$defs", {})
    schema["description"] = ("One answer: the contract fields (Answer.contract()); send `context` back with the "
                             "next question of the conversation. `table` only for overview answers; `explain` says "
                             "how the question was read (each word, the rule, the slots, why the status).")
    return schema, defs


def answer_json_schema() -> dict[str, Any]:
    """JSON schema (draft 2020-12) of one /v1/ask answer."""
    schema, defs = _answer_schema("#/$defs/{model}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "$defs": defs}


def openapi_document() -> dict[str, Any]:
    """A small OpenAPI 3.1 description of the service."""
    from assistant import __version__

    ref = "#/components/schemas/{model}"
    answer, defs = _answer_schema(ref)
    comps: dict[str, Any] = {**defs, "Answer": answer}
    for model in (AskRequest, RasaMessage, RasaReply, ErrorBody):
        s = model.model_json_schema(ref_template=ref)
        comps.update(s.pop("$defs", {}))
        comps[model.__name__] = s

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    def resp(desc: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"description": desc}
        if schema is not None:
            out["content"] = {"application/json": {"schema": schema}}
        return out

    err = {"$ref": "#/components/schemas/ErrorBody"}
    errors = {"413": resp("Body over 16 KiB", err), "422": resp("Malformed JSON or a field of the wrong type", err)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "trial-assistant", "version": __version__,
                 "description": "Cited answers about one clinical trial (NCT01371630)."},
        "paths": {
            "/v1/ask": {"post": {"summary": "Answer one question", "requestBody": body("AskRequest"),
                                 "responses": {"200": resp("The answer", {"$ref": "#/components/schemas/Answer"}),
                                               **errors}}},
            "/webhooks/rest/webhook": {"post": {
                "summary": "Rasa REST channel", "requestBody": body("RasaMessage"),
                "responses": {"200": resp("Bot messages", {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/RasaReply"}}),
                              **errors, "503": resp("The conversation store is down or busy: retry", err)}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": resp("ok")}}},
            "/v1/info": {"get": {"summary": "Knowledge version and counts", "responses": {"200": resp("info")}}},
            "/v1/schema": {"get": {"summary": "JSON schema of an answer", "responses": {"200": resp("schema")}}},
            "/": {"get": {"summary": "The web chat page (HTML)", "responses": {"200": resp("the page")}}},
            "/widget.js": {"get": {"summary": "The embeddable chat widget (one <script> tag; needs --cors-origin)",
                                   "responses": {"200": resp("JavaScript")}}},
        },
        "components": {"schemas": comps},
    }
