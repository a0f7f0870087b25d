"""Typed errors. Every error the library raises derives from AssistantError; the CLI prints them on one line."""
from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error raised by the assistant library."""


class KnowledgeError(AssistantError):
    """A problem in an authored knowledge file, named by file, record id and field."""

    def __init__(self, file: str, record: str, field: str, message: str) -> None:
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(f"{file}: {record or '-'}: {field or '-'}: {message}")


class KnowledgeCheckError(AssistantError):
    """Several knowledge errors found by one check; str() lists the first, .errors holds them all."""

    def __init__(self, errors: list[KnowledgeError]) -> None:
        self.errors = errors
        more = f" (and {len(errors) - 1} more; run 'assistant kb check')" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}" if errors else "knowledge check failed")


class ContextError(AssistantError):
    """A dialogue context that is malformed or was tampered with; `field` names where (e.g. 'frames.0.facts.1')."""

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class InputFormatError(AssistantError):
    """An input file or line that cannot be read (batch, transcripts, saved context)."""


class SessionStoreError(AssistantError):
    """A conversation store that cannot be set up: an unknown URL, a missing optional package (`redis`)."""


class StoreUnavailable(SessionStoreError):
    """The conversation store cannot serve a turn now: Redis unreachable, SQLite locked past its timeout, or the
    sender's previous turn still holding its conversation. The turn is refused, never answered without its context."""
