"""trial-assistant: cited, rule-based answers about one clinical trial (NCT01371630).

    from assistant import Assistant
    answer = Assistant().ask("What was the 2-year PFS?")
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "Assistant", "Answer", "Context", "Citation", "Explain", "STATUSES",
    "AssistantError", "KnowledgeError", "KnowledgeCheckError", "ContextError", "InputFormatError", "__version__",
]

if TYPE_CHECKING:  # pragma: no cover
    from assistant.core import Assistant
    from assistant.errors import AssistantError, ContextError, InputFormatError, KnowledgeCheckError, KnowledgeError
    from assistant.kb.contract import Answer, Citation, Context, Explain
    from assistant.kb.models import STATUSES

_LAZY = {
    "Assistant": "core", "Answer": "kb.contract", "Context": "kb.contract", "Citation": "kb.contract",
    "Explain": "kb.contract", "STATUSES": "kb.models", "AssistantError": "errors", "KnowledgeError": "errors", "KnowledgeCheckError": "errors",
    "ContextError": "errors", "InputFormatError": "errors",
}


def __getattr__(name: str) -> Any:
    """Import on first use, so `assistant --version` and the CLI start fast."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
