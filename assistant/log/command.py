"""`assistant log`: the most frequent unanswered questions (`unanswered`), and pruning the log (`prune`)."""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys

from assistant.log.unanswered import LOGGED, MAX_DAYS, MAX_ROWS, UnansweredLog, default_path

LOW_SPACE = 1 << 20  # bytes free on the log's file system below which `unanswered` warns


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("examples:\n  assistant log unanswered --top 20\n"
                     "  assistant log unanswered --db /var/lib/assistant/unanswered.sqlite --status no_data\n"
                     f"\nThe log is at $TRIAL_ASSISTANT_LOG, else {default_path()}.")
    sub = parser.add_subparsers(dest="log_command", metavar="WHICH", required=True)
    p = sub.add_parser("unanswered", help="the most frequent questions the assistant could not answer",
                       description="The most frequent normalised questions answered no_data, out_of_scope "
                                   "or clarify, with counts and last-seen time.")
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many questions to list (default 20)")
    p.add_argument("--db", metavar="PATH", help="log file (default $TRIAL_ASSISTANT_LOG or the XDG data dir)")
    p.add_argument("--status", choices=sorted(LOGGED), help="only this status")
    p.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format (default text)")
    q = sub.add_parser("prune", help="delete the oldest rows beyond a count and rows older than an age",
                       description="Delete rows beyond --max-rows (oldest first) and older than --max-days. The "
                                   "server also prunes as it writes, with the defaults.")
    q.add_argument("--db", metavar="PATH", help="log file (default $TRIAL_ASSISTANT_LOG or the XDG data dir)")
    q.add_argument("--max-rows", type=int, default=MAX_ROWS, metavar="N", help=f"rows kept (default {MAX_ROWS:,})")
    q.add_argument("--max-days", type=float, default=MAX_DAYS, metavar="DAYS",
                   help=f"age kept (default {MAX_DAYS:.0f} days)")


def prune(args: argparse.Namespace) -> int:
    if args.max_rows < 0 or args.max_days < 0:
        print("error: --max-rows and --max-days must not be negative", file=sys.stderr)
        return 2
    log = UnansweredLog(args.db, max_rows=args.max_rows, max_days=args.max_days) if args.db else \
        UnansweredLog(max_rows=args.max_rows, max_days=args.max_days)
    if not log.path.exists():
        print(f"No log at {log.path}.")
        return 0
    try:
        n = log.prune()
        left = log.count()
    except sqlite3.Error as e:
        print(f"error: cannot prune {log.path}: {e}", file=sys.stderr)
        return 1
    finally:
        log.close()
    print(f"Deleted {n} rows; {left} kept in {log.path}")
    return 0


def _health(log: UnansweredLog) -> list[str]:
    """Lines about writes that failed and about the space left where the log lives."""
    out = []
    lost = log.lost()
    if lost:
        out.append(f"warning: {lost} unanswered turns could not be written (disk full or not writable)")
    try:
        free = shutil.disk_usage(log.path.parent).free
    except OSError:
        return out
    if free < LOW_SPACE:
        out.append(f"warning: only {free // 1024} KiB free where the log is ({log.path.parent}): new turns may be lost")
    return out


def run(args: argparse.Namespace) -> int:
    if args.log_command == "prune":
        return prune(args)
    if args.top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    log = UnansweredLog(args.db, readonly=True) if args.db else UnansweredLog(readonly=True)
    try:
        entries = log.top(args.top, args.status)
        total = log.count()
        health = _health(log)
    except sqlite3.Error as e:
        print(f"error: cannot read {log.path}: {e}", file=sys.stderr)
        return 1
    finally:
        log.close()
    for line in health:
        print(line, file=sys.stderr)
    if args.format == "jsonl":
        for e in entries:
            print(e.model_dump_json())
        return 0
    if not entries:
        print(f"No unanswered questions logged in {log.path}.")
        return 0
    from assistant.kb.normal import strip_control

    width = max(5, *(len(str(e.count)) for e in entries))
    print(f"{'count':>{width}}  last seen         status        question (normalised)")
    for e in entries:
        print(f"{e.count:>{width}}  {e.last_seen_text}  {e.statuses:<12}  {strip_control(e.normalised)}")
    shown = f"{len(entries)} question{'s' if len(entries) != 1 else ''} shown"
    turns = f"{total} unanswered turn{'s' if total != 1 else ''}"
    print(f"\n{shown}; {turns} logged in {log.path}")
    return 0
