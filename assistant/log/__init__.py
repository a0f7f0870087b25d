"""The service's log (beside `answer`, below the front object): questions the assistant could not answer
(no_data, out_of_scope, clarify), kept in SQLite for the knowledge team. Written by `Assistant.ask` when a log is
configured; read by `assistant log unanswered` and `GET /v1/unanswered`.
"""
