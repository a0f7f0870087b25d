"""The interfaces (the top layer, beside `devtools`): they call `assistant.core.Assistant` and turn its answers
and typed errors into text, JSON, Markdown and HTTP. The only place an AssistantError becomes a message.

Modules: `cli` (the thin command dispatcher), `oneshot` (ask), `batch`, `chat/` (conversation, commands, completion,
prompt session), `http/` (app, handlers, records, schema, access log, serve), `sessions/` (webhook conversation stores),
`transcripts`, `kbcli`, `render`.
"""
