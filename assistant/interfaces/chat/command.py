"""`assistant chat`: the command's options, and the choice of the prompt or plain lines."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from assistant.interfaces.chat.commands import COMMANDS
from assistant.interfaces.chat.conversation import Chat
from assistant.interfaces.chat.session import history_path, make_session, plain_loop, prompt_loop

BANNER = ("trial-assistant {version}: cited answers about the mini-hyper-CVD + inotuzumab ozogamicin "
          "(+/- blinatumomab) trial in older adults with Ph-negative B-ALL (NCT01371630).\n"
          "Trial results, not medical advice. Type a question, /help for commands, Ctrl-D to quit.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("commands inside the chat: " + " ".join(COMMANDS) + "\n"
                "examples:\n  assistant chat\n  assistant chat --transcript today.md\n"
                "  printf 'What was the 2-year PFS?\\nand at 5 years?\\n' | assistant chat")
    p.add_argument("--width", type=int, metavar="N",
                   help="wrap replies at N columns (default: the terminal's width; no wrapping when piped; 0: never)")
    p.add_argument("--transcript", metavar="FILE", help="append every turn to this Markdown transcript as it happens")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: packaged)")
    p.add_argument("--no-history", action="store_true", help="do not read or write the input history")
    p.add_argument("--log-unanswered", action="store_true", help="log questions the assistant could not answer")


def run(args: argparse.Namespace) -> int:
    from assistant.interfaces.oneshot import open_assistant
    from assistant.interfaces.render import terminal_width, use_colour

    assistant = open_assistant(args.knowledge, args.log_unanswered, long_running=True)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    width = (lambda: terminal_width(sys.stdout)) if args.width is None else (args.width or None)
    chat = Chat(assistant, colour=use_colour(sys.stdout), transcript=args.transcript, width=width)
    try:
        if not interactive:
            import io

            stdin: TextIO = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
            return plain_loop(chat, stdin)
        from assistant import __version__

        chat.write(BANNER.format(version=__version__))
        session = make_session(chat, history=None if args.no_history else history_path())
        return prompt_loop(chat, session)
    finally:
        chat.close()
