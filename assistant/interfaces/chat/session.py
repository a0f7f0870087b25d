"""The terminal front end: a prompt-toolkit session (history in the XDG state dir, auto-suggest, Tab
completion, bottom toolbar) and the loops that feed a Chat, from the prompt or from plain lines.
prompt-toolkit is imported only inside the functions that use it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from assistant.interfaces.chat.complete import example_questions, make_completer
from assistant.interfaces.chat.conversation import Chat
from assistant.kb.normal import strip_control

PROMPT = "> "


def state_dir() -> Path:
    """$XDG_STATE_HOME/trial-assistant (default ~/.local/state/trial-assistant)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "trial-assistant"


def history_path() -> Path:
    return state_dir() / "history"


def plain_loop(chat: Chat, lines: Iterable[str], echo: bool = True) -> int:
    """Read questions line by line (stdin not a terminal): `printf 'q1\\nq2\\n' | assistant chat`."""
    for line in lines:
        text = " ".join(strip_control(line).split())
        if echo and text:
            chat.write(PROMPT + text)
        if not chat.handle(line):
            break
    return 0


def make_history(path: Path | None) -> Any:
    """FileHistory at path (control characters stripped before storing), or in memory if unwritable/None."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class CleanHistory(FileHistory):
        def append_string(self, string: str) -> None:
            super().append_string(strip_control(string))

    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
            return CleanHistory(str(path))
        except OSError:
            pass
    return InMemoryHistory()


def make_session(chat: Chat, *, history: Path | None, input: Any = None, output: Any = None) -> Any:
    """The prompt-toolkit PromptSession for a chat."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

    def toolbar() -> str:
        last = f" │ last reply: {chat.last.status}" if chat.last else ""
        return f" Tab: complete  ↑↓: history  →: take suggestion  /help  Ctrl-D: quit{last}"

    return PromptSession(
        message=PROMPT, history=make_history(history), auto_suggest=AutoSuggestFromHistory(),
        completer=make_completer(example_questions(chat.assistant.store)), complete_while_typing=False,
        bottom_toolbar=toolbar, input=input, output=output, enable_history_search=False,
    )


def prompt_loop(chat: Chat, session: Any) -> int:
    """Prompt until /quit or Ctrl-D; Ctrl-C clears the line and keeps the conversation."""
    while not chat.done:
        try:
            line = session.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        chat.handle(line)
    return 0
