"""Command line: a thin layer over the library. Each subcommand lives in its own module, imported lazily.

A subcommand module provides `add_arguments(parser)` and `run(args) -> int`. Library errors
(AssistantError) become one-line messages; exit codes: 0 ok, 1 failure, 2 usage.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from typing import Sequence, TextIO

from assistant import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("assistant.interfaces.chat", "talk to the assistant in the terminal"),
    "ask": ("assistant.interfaces.oneshot", "ask one question and print the cited answer"),
    "batch": ("assistant.interfaces.batch", "answer a file of questions (txt, csv, jsonl or - for stdin)"),
    "replay": ("assistant.interfaces.transcripts", "re-ask saved transcripts and show what changed"),
    "kb": ("assistant.interfaces.kbcli", "check, build and describe the knowledge base"),
    "serve": ("assistant.interfaces.http", "run the HTTP service (needs the [server] extra)"),
    "log": ("assistant.log.command", "show or prune the log of unanswered questions"),
    "eval": ("assistant.devtools.evaluate", "measure accuracy on a labelled question set"),
    "bench": ("assistant.devtools.bench", "measure latency, throughput, cold start and memory"),
}

EPILOG = """examples:
  assistant chat
  assistant ask "What was the 2-year progression-free survival?"
  assistant batch questions.jsonl --format jsonl > answers.jsonl
  assistant kb check
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; subcommand modules are imported only for `only` (or all, when None)."""
    parser = argparse.ArgumentParser(
        prog="assistant", description="Cited answers about the mini-hyper-CVD + inotuzumab ozogamicin "
        "(+/- blinatumomab) phase 2 trial in older adults with Ph-negative B-ALL (NCT01371630).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_.capitalize() + ".",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if only is None or name == only:
            mod = importlib.import_module(module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: TextIO | None = None, line: str | None = None) -> None:
    """Warnings to people: one line, no source file or code line."""
    print(f"warning: {message}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.errors import AssistantError

    warnings.showwarning = _one_line_warning
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else "")
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - a bug: one line for the user, the traceback only on request
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(f"error: internal error ({type(e).__name__}: {e}); set ASSISTANT_DEBUG=1 for the traceback",
              file=sys.stderr)
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
