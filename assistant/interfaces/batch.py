"""Scripted batches: read questions (txt, csv, jsonl, or - for stdin), answer them in order, stream answers out.

Lines sharing a `session` are one conversation. A bad line becomes an `invalid_input` record; the batch goes on.
Memory stays constant: lines stream through, and session contexts live in a bounded LRU.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from assistant.errors import AssistantError, InputFormatError
from assistant.interfaces.output import OutputError, WholeRecords
from assistant.kb.contract import Answer

MAX_SESSIONS = 100_000
FORMATS = ("jsonl", "csv", "markdown")


@dataclass
class Item:
    """One input line: id, session, question, or the reason it could not be read."""

    line: int
    id: Any = None
    session: Any = None
    question: str = ""
    error: str = ""


def _clean(x: Any) -> Any:
    """Lone surrogates (from JSON escapes) become U+FFFD, so every record can be written as UTF-8."""
    if isinstance(x, str):
        return x.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return x


def _from_record(n: int, rec: Any) -> Item:
    if not isinstance(rec, dict):
        return Item(n, id=n, error=f"line {n}: expected a JSON object with a 'question' field")
    item = Item(n, id=_clean(rec.get("id", n)), session=_clean(rec.get("session")))
    q = _clean(rec.get("question"))
    if not isinstance(q, str):
        item.error = f"line {n}: 'question' is missing or not a string"
    else:
        item.question = q
    return item


def _csv_items(stream: TextIO) -> Iterator[Item]:
    """Rows of a CSV with a header; a blank row is an invalid_input record like any unreadable row."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if not header or "question" not in header:
        raise InputFormatError("CSV input needs a header row with a 'question' column")
    for n, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            yield Item(n, id=n, error=f"row {n}: empty row")
            continue
        rec = dict(zip(header, row))
        if len(row) > len(header):
            yield Item(n, id=rec.get("id") or n, session=rec.get("session") or None,
                       error=f"row {n}: more fields than the header")
            continue
        yield _from_record(n, {"id": rec.get("id") or n, "session": rec.get("session") or None,
                               "question": rec.get("question") or ""})


def sniff(first: str) -> str:
    return "jsonl" if first.lstrip().startswith("{") else "txt"


def read_items(stream: TextIO, fmt: str) -> Iterator[Item]:
    """Items from an open text stream in format txt, csv or jsonl."""
    if fmt == "csv":
        yield from _csv_items(stream)
        return
    for n, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if fmt == "txt":
            yield Item(n, id=n, question=line)
            continue
        if not line.strip():  # one record per input line, in every format
            yield Item(n, id=n, error=f"line {n}: empty line (expected a JSON object with a 'question' field)")
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as e:
            why = (f"{e.msg} at column {e.colno}" if isinstance(e, json.JSONDecodeError) else
                   "a number with too many digits" if "integer string conversion" in str(e) else "nested too deeply")
            yield Item(n, id=n, error=f"line {n}: not valid JSON ({why})")
            continue
        yield _from_record(n, rec)


def open_input(path: str, fmt: str | None = None) -> tuple[TextIO, str]:
    """Open a path (or '-' for stdin) leniently decoded as UTF-8 (a byte-order mark, as Excel writes, is dropped);
    the format comes from the suffix or is sniffed."""
    if path == "-":
        stream: TextIO = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
    else:
        p = Path(path)
        if p.is_dir():
            raise InputFormatError(f"input is a directory, not a file: {path}")
        if not p.exists():
            raise InputFormatError(f"input file not found: {path}")
        try:
            stream = open(p, encoding="utf-8-sig", errors="replace", newline="")
        except OSError as e:
            raise InputFormatError(f"cannot read {path}: {e.strerror or e}") from None
        fmt = fmt or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}.get(p.suffix.lower())
    if fmt is None:
        buffered = io.StringIO()
        first = stream.readline()
        buffered.write(first)
        fmt = sniff(first)
        return _Chain(first, stream), fmt  # type: ignore[return-value]
    return stream, fmt


class _Chain(io.TextIOBase):
    """A stream that yields one already-read line, then the rest (for sniffing stdin)."""

    def __init__(self, first: str, rest: TextIO) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        if self.first:
            yield self.first
        yield from self.rest

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        if self.first:
            line, self.first = self.first, ""
            return line
        return self.rest.readline()

    def read(self, size: int | None = -1) -> str:  # type: ignore[override]
        line, self.first = self.first, ""
        return line + self.rest.read()


ONE_SESSION = "\x00one-session"  # the conversation of lines without a session, with --one-session


def answer_items(assistant: Any, items: Iterable[Item], one_session: bool = False) -> Iterator[Answer]:
    """Answer items in order; sessions carry their context (bounded LRU). With `one_session`, lines without a
    session are one conversation (a .txt file of follow-ups); their `session` stays null in the records."""
    sessions: OrderedDict[str, str] = OrderedDict()  # each as JSON: a fraction of the model's memory
    for item in items:
        if item.error:
            yield Answer(id=item.id, session=item.session, question=item.question, status="invalid_input",
                         answer=item.error, intent="invalid_input", confidence=1.0)
            continue
        key = json.dumps(item.session) if item.session is not None else ONE_SESSION if one_session else None
        ctx = sessions.get(key) if key else None
        try:
            answer = assistant.ask(item.question, ctx, id=item.id, session=item.session)
        except AssistantError as e:  # never expected (the context is the assistant's own): the line, not the batch
            sessions.pop(key, None)
            yield Answer(id=item.id, session=item.session, question=item.question, status="invalid_input",
                         answer=f"line {item.line}: {e}", intent="invalid_input", confidence=1.0)
            continue
        except Exception as e:  # noqa: BLE001 - a bug on one line loses that line's answer, not the batch
            sessions.pop(key, None)
            yield Answer(id=item.id, session=item.session, question=item.question, status="invalid_input",
                         answer=f"line {item.line}: internal error ({type(e).__name__}); please report this question",
                         intent="invalid_input", confidence=1.0)
            continue
        if key is not None:
            sessions[key] = answer.context.model_dump_json()
            sessions.move_to_end(key)
            if len(sessions) > MAX_SESSIONS:
                sessions.popitem(last=False)
        yield answer


# ---------------------------------------------------------------- writers

CSV_FIELDS = ["id", "session", "question", "status", "answer", "intent", "confidence", "facts", "citations",
              "caveats", "suggestions"]


class Writer:
    """Streams answers as jsonl, csv or a Markdown report, each record written whole (a file that cannot be
    written to the end stops at the last complete record, and OutputError says so)."""

    def __init__(self, out: TextIO | WholeRecords, fmt: str) -> None:
        self.sink = out if isinstance(out, WholeRecords) else WholeRecords(out, "standard output")
        self.fmt, self.counts = fmt, Counter()
        self._row = io.StringIO()
        self._csv = csv.DictWriter(self._row, fieldnames=CSV_FIELDS, lineterminator="\n") if fmt == "csv" else None
        if self._csv:
            self._csv.writeheader()
            self._flush_row()
        elif fmt == "markdown":
            self.sink.write("# Answers\n\n")

    def _flush_row(self) -> None:
        self.sink.write(self._row.getvalue())
        self._row.seek(0)
        self._row.truncate()

    def write(self, a: Answer) -> None:
        self.counts[a.status] += 1
        if self.fmt == "jsonl":
            self.sink.write(json.dumps(a.contract(), ensure_ascii=False) + "\n")
        elif self._csv:
            self._csv.writerow({
                "id": a.id, "session": a.session if a.session is not None else "", "question": a.question,
                "status": a.status, "answer": a.answer, "intent": a.intent, "confidence": a.confidence,
                "facts": " ".join(a.facts), "citations": " | ".join(f"{c.locator}: {c.quote}" for c in a.citations),
                "caveats": " | ".join(a.caveats), "suggestions": " | ".join(a.suggestions),
            })
            self._flush_row()
        else:
            from assistant.interfaces.render import markdown_turn

            self.sink.write(markdown_turn(a, heading=f"{a.id}") + "\n")

    def summary(self) -> str:
        total = sum(self.counts.values())
        order = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return f"{total} {'line' if total == 1 else 'lines'} read" + (
            ": " + ", ".join(f"{n} {status}" for status, n in order) if order else "")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("input: .txt (a question per line), .csv (a 'question' column, optional 'id' and 'session'),\n"
                ".jsonl ({\"id\", \"session\", \"question\"} per line) or - for stdin (jsonl or txt, sniffed).\n"
                "examples:\n  assistant batch questions.txt\n  assistant batch q.jsonl --format csv --output a.csv\n"
                "  printf 'What was the ORR?\\n' | assistant batch -")
    p.add_argument("file", help="input file, or - for stdin")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--input-format", choices=("txt", "csv", "jsonl"), help="override the input format")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--one-session", action="store_true",
                   help="lines without a session are one conversation (follow-ups in a .txt file work)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: packaged)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal and answers do not go to it)")
    p.add_argument("--log-unanswered", action="store_true", help="log questions that could not be answered")


def count_lines(path: str) -> int | None:
    """Lines in a regular file (a quick pass in 1 MiB blocks, constant memory), or None for stdin."""
    if path == "-":
        return None
    n, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def show_progress(args: argparse.Namespace) -> bool:
    """--progress/--no-progress, else: stderr is a terminal and stdout is not the same terminal."""
    if args.progress is not None:
        return bool(args.progress)
    return sys.stderr.isatty() and (bool(args.output) or not sys.stdout.isatty())


def with_progress(answers: Iterable[Answer], total: int | None) -> Iterator[Answer]:
    """Pass answers through while prompt-toolkit's ProgressBar counts them on stderr (never reads stdin)."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import create_output
    from prompt_toolkit.shortcuts import ProgressBar

    # An idle pipe as input: the bar must not read stdin (it may be the batch input) nor see EOF. So it must not
    # ask the terminal for the cursor position either: the reply would land in the shell ('^[[1;1R') and
    # prompt-toolkit would warn that the terminal does not support it.
    output = create_output(stdout=sys.stderr)
    if hasattr(output, "enable_cpr"):
        output.enable_cpr = False
    with create_pipe_input() as idle, ProgressBar(title="answering", output=output, input=idle) as pb:
        yield from pb(answers, total=total, label="questions")


def run(args: argparse.Namespace) -> int:
    from assistant.interfaces.oneshot import open_assistant

    assistant = open_assistant(args.knowledge, args.log_unanswered, long_running=True)
    stream, fmt = open_input(args.file, args.input_format)
    try:
        out = WholeRecords.open(args.output) if args.output else WholeRecords(sys.stdout, "standard output")
    except OutputError:
        if stream is not sys.stdin:
            stream.close()
        raise
    try:
        writer = Writer(out, args.format)
        answers: Iterable[Answer] = answer_items(assistant, read_items(stream, fmt), args.one_session)
        if show_progress(args):
            total = count_lines(args.file)
            answers = with_progress(answers, total - (fmt == "csv") if total else None)
        for answer in answers:
            writer.write(answer)
    finally:
        out.close()
        if stream is not sys.stdin:
            stream.close()
    if not args.quiet:
        print(writer.summary(), file=sys.stderr)
    return 0
