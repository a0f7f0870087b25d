"""`assistant ask "QUESTION"`: one cited answer; `--json` for the contract record; `--context FILE` for scripts.

With `--context FILE` the saved context is read before asking (a missing or empty file starts a new
conversation) and replaced by the new one afterwards, so a shell script can hold a conversation:

    assistant ask --context s.json "What was the 2-year PFS?"
    assistant ask --context s.json "and at 5 years?"
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, ContextError, InputFormatError


def open_assistant(knowledge: str | Path | None = None, log_unanswered: bool = False,
                   long_running: bool = False) -> Any:
    """An Assistant; with log_unanswered, one that logs unanswered questions (when this version can); with
    long_running (batch, chat), the process is settled for many answers (see `settle`)."""
    from assistant.core import Assistant

    if not log_unanswered:
        assistant = Assistant(knowledge)
    else:
        try:
            assistant = Assistant(knowledge, log=True)  # type: ignore[call-arg]
        except TypeError as e:
            if "log" not in str(e):
                raise
            print("warning: this version cannot log unanswered questions; --log-unanswered ignored", file=sys.stderr)
            assistant = Assistant(knowledge)
    if long_running:
        settle()
    return assistant


def settle() -> None:
    """For a process that answers many questions: what is loaded now (the knowledge, the compiled rules) lives as
    long as the process, so the garbage collector's full passes leave it out (gc.freeze) instead of walking it
    every few thousand answers, which made the slowest answers several times slower than the rest."""
    import gc

    gc.collect()
    gc.freeze()


def read_context(path: Path) -> str | None:
    """The saved context JSON, or None for a missing or empty file."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise InputFormatError(f"cannot read context file {path}: {e}") from None
    return raw if raw.strip() else None


def write_context(path: Path, data: str) -> None:
    from assistant.interfaces.transcripts import write_atomic

    try:
        write_atomic(path, data + "\n")
    except OSError as e:
        raise AssistantError(f"cannot write context file {path}: {e}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("exit status: 0 when a reply was printed (whatever its status), 1 on an error\n"
                "(e.g. a malformed context file), 2 on a usage error.\n"
                "examples:\n  assistant ask \"What was the 2-year progression-free survival?\"\n"
                "  assistant ask --json \"How common was nausea?\" | jq .citations\n"
                "  assistant ask --context s.json \"What was the 2-year PFS?\"\n"
                "  assistant ask --context s.json \"and at 5 years?\"")
    p.add_argument("question", nargs="+", help="the question (several words are joined; - reads stdin)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON (the batch contract record)")
    p.add_argument("--context", metavar="FILE", type=Path,
                   help="read the conversation context from FILE and save the new one there")
    p.add_argument("--no-sources", action="store_true", help="text output without the Source line")
    p.add_argument("--width", type=int, metavar="N",
                   help="wrap text at N columns (default: the terminal's width; no wrapping when piped; 0: never)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: packaged)")
    p.add_argument("--log-unanswered", action="store_true", help="log the question if it could not be answered")


def run(args: argparse.Namespace) -> int:
    from assistant.interfaces.render import terminal_width, text, use_colour

    question = " ".join(args.question)
    if args.question == ["-"]:
        question = sys.stdin.read().strip()
    saved = read_context(args.context) if args.context else None
    assistant = open_assistant(args.knowledge, args.log_unanswered)
    try:
        answer = assistant.ask(question, saved)
    except ContextError as e:
        raise ContextError(f"{args.context}: {e}") from None
    if args.context:
        write_context(args.context, answer.context.model_dump_json())
    if args.json:
        print(json.dumps(answer.contract(), ensure_ascii=False, indent=2))
    else:
        width = terminal_width(sys.stdout) if args.width is None else (args.width or None)
        print(text(answer, sources=not args.no_sources, colour=use_colour(sys.stdout), status=True, width=width))
    return 0
