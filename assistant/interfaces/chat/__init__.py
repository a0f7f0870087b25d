"""`assistant chat`: a terminal conversation (prompt-toolkit), or plain lines when stdin is not a terminal.

Modules: `conversation` (Chat: turns and context, no terminal code), `commands` (the slash commands),
`complete` (Tab completion), `session` (the prompt-toolkit session and the input loops), `command` (the CLI).
"""
from __future__ import annotations

from assistant.interfaces.chat.command import BANNER, add_arguments, run
from assistant.interfaces.chat.commands import ALIASES, COMMANDS
from assistant.interfaces.chat.complete import example_questions, make_completer
from assistant.interfaces.chat.conversation import Chat
from assistant.interfaces.chat.session import (PROMPT, history_path, make_history, make_session, plain_loop,
                                               prompt_loop, state_dir)

__all__ = ["Chat", "COMMANDS", "ALIASES", "BANNER", "PROMPT", "add_arguments", "run", "example_questions",
           "make_completer", "make_history", "make_session", "plain_loop", "prompt_loop", "history_path",
           "state_dir"]
