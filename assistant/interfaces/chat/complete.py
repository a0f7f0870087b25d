"""Tab completion: slash commands after '/', else the knowledge's example questions."""
from __future__ import annotations

from typing import Any

from assistant.interfaces.chat.commands import ALIASES, COMMANDS


def well_formed(question: str) -> bool:
    """A question as people write one to be read: capitalised, ending with '?' (not a shorthand like 'nausea %'
    or a typo kept as a test example)."""
    return bool(question) and (question[0].isupper() or question[0].isdigit()) and question.endswith("?")


def example_questions(store: Any) -> list[str]:
    """Well-formed example questions from the knowledge (facts, then intents), each once, in order."""
    seen: dict[str, None] = {}
    for f in sorted(store.facts.values(), key=lambda f: (-f.rank, f.id)):
        seen.update(dict.fromkeys(q for q in f.examples if well_formed(q)))
    for i in store.intents.values():
        seen.update(dict.fromkeys(q for q in i.examples if well_formed(q)))
    return list(seen)


def make_completer(examples: list[str]) -> Any:
    """Tab completion: slash commands after '/', else example questions containing every typed word."""
    from prompt_toolkit.completion import Completer, Completion

    commands = [*COMMANDS, *ALIASES]

    class ChatCompleter(Completer):
        def get_completions(self, document, complete_event):  # type: ignore[no-untyped-def]
            typed = document.text_before_cursor
            stripped = typed.lstrip()
            if stripped.startswith("/"):
                for c in commands:
                    if c.startswith(stripped.lower()):
                        yield Completion(c, start_position=-len(stripped), display_meta=COMMANDS.get(c, "alias"))
                return
            words = stripped.lower().split()
            if not words and not complete_event.completion_requested:
                return
            n = 0
            for ex in examples:
                low = ex.lower()
                if all(w in low for w in words):
                    yield Completion(ex, start_position=-len(typed))
                    n += 1
                    if n == 40:
                        return

    return ChatCompleter()
