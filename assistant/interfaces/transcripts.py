"""Transcripts: one Markdown format for saved conversations, readable on GitHub, and `assistant replay`.

A transcript file is Markdown:

    # Title                        <- free text (kept as written)
    ## New conversation            <- any '## ' heading starts a new conversation (the context is cleared)
    ### 1: What was the 2-year PFS?   <- a turn: '### <n>: <question>' (question escaped by render.md_inline)
    *Status: `answered`*
    <answer, table, citations with quotes>  (render.markdown_turn)

`assistant replay transcripts/` re-asks every turn in order (carrying the context within a conversation), renders
it again and shows a unified diff for each reply that changed (exit 1); `--update` rewrites the files.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel

from assistant.interfaces.output import WholeRecords
from assistant.errors import InputFormatError
from assistant.kb.contract import Answer

TURN = re.compile(r"^### (\d+): (.*)$")
CONVERSATION = re.compile(r"^## ")
HEADER = "# Chat transcript\n\n"
NEW_CONVERSATION = "## New conversation\n\n"


class Note(BaseModel):
    """Free Markdown between turns, kept verbatim. `reset` when it opens with a '## ' heading."""

    text: str
    reset: bool = False


class Turn(BaseModel):
    """One saved turn: its number, the question, and the Markdown block as saved."""

    number: int
    question: str
    block: str


class Transcript(BaseModel):
    """A parsed transcript file: notes and turns in order."""

    parts: list[Note | Turn]

    @property
    def turns(self) -> list[Turn]:
        return [p for p in self.parts if isinstance(p, Turn)]

    def text(self) -> str:
        """The file again (parse -> text is exact)."""
        return "".join(p.text if isinstance(p, Note) else p.block for p in self.parts)


class Change(BaseModel):
    """A reply that differs from the saved one."""

    path: str
    number: int
    question: str
    old: str
    new: str

    def diff(self) -> str:
        return "\n".join(difflib.unified_diff(
            self.old.rstrip("\n").split("\n"), self.new.rstrip("\n").split("\n"),
            fromfile=f"{self.path} turn {self.number} (saved)", tofile=f"{self.path} turn {self.number} (now)",
            lineterm="",
        ))


# ---------------------------------------------------------------- format


def render_turn(number: int, answer: Answer, question: str | None = None) -> str:
    """A turn block: `markdown_turn` with the turn number as heading, then one blank line."""
    from assistant.interfaces.render import markdown_turn

    if question is not None and question != answer.question:
        answer = answer.model_copy(update={"question": question})
    return markdown_turn(answer, heading=str(number)) + "\n"


def parse(text: str) -> Transcript:
    """Split Markdown into notes and turns. A turn runs from its '### n: ' heading to the next turn or '## '."""
    from assistant.interfaces.render import md_unescape

    parts: list[Note | Turn] = []
    cur: list[str] = []
    kind: Any = Note(text="")

    def close() -> None:
        if not cur:
            return
        chunk = "".join(cur)
        if isinstance(kind, Turn):
            parts.append(kind.model_copy(update={"block": chunk}))
        else:
            parts.append(kind.model_copy(update={"text": chunk}))
        cur.clear()

    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):  # only \n ends a line (not \u2028, \x0c, ...)
        bare = line.rstrip("\r\n")
        m = TURN.match(bare)
        if m:
            close()
            kind = Turn(number=int(m.group(1)), question=md_unescape(m.group(2)), block="")
        elif CONVERSATION.match(bare):
            close()
            kind = Note(text="", reset=True)
        cur.append(line)
    close()
    return Transcript(parts=parts)


def read(path: Path) -> Transcript:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InputFormatError(f"cannot read transcript {path}: {e}") from None


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class Recorder:
    """Appends turns to a transcript file as they happen (flushed each turn: nothing lost on Ctrl-C or kill)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        existing = read(self.path) if self.path.is_file() else Transcript(parts=[])
        turns = existing.turns
        self.number = max((t.number for t in turns), default=0)
        self._out = WholeRecords.open(str(self.path), f"transcript {self.path}", unit="turn", append=True)
        if not existing.parts or not existing.text().strip():
            self._write(HEADER, count=False)
        elif turns:
            self._write(("\n" if not existing.text().endswith("\n") else "") + NEW_CONVERSATION, count=False)

    def _write(self, s: str, count: bool = True) -> None:
        """One whole part (a turn, a header); raises OutputError, the file ending on the last whole part."""
        self._out.write(s, count)

    def turn(self, answer: Answer, question: str | None = None) -> None:
        self.number += 1
        self._write(render_turn(self.number, answer, question))

    def reset(self) -> None:
        self._write(NEW_CONVERSATION, count=False)

    def close(self) -> None:
        self._out.close()


# ---------------------------------------------------------------- replay


def replay(assistant: Any, transcript: Transcript, path: str = "") -> tuple[Transcript, list[Change]]:
    """Re-ask every turn; return the transcript with fresh blocks and the changed replies."""
    ctx = None
    parts: list[Note | Turn] = []
    changes: list[Change] = []
    for part in transcript.parts:
        if isinstance(part, Note):
            if part.reset:
                ctx = None
            parts.append(part)
            continue
        answer = assistant.ask(part.question, ctx)
        ctx = answer.context
        new = render_turn(part.number, answer, part.question)
        if new.rstrip() != part.block.rstrip():
            changes.append(Change(path=path, number=part.number, question=part.question, old=part.block, new=new))
            parts.append(part.model_copy(update={"block": new}))
        else:
            parts.append(part)
    return Transcript(parts=parts), changes


def transcript_files(paths: Iterable[str]) -> list[Path]:
    """Files named, and the *.md files (with at least one turn) of directories named, sorted."""
    out: list[Path] = []
    for name in paths:
        p = Path(name)
        if p.is_dir():
            out += [f for f in sorted(p.glob("*.md")) if read(f).turns]
        elif p.is_file():
            out.append(p)
        else:
            raise InputFormatError(f"transcript not found: {name}")
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Transcripts are Markdown files written by `assistant chat --transcript FILE` or /save.\n"
                "examples:\n  assistant replay transcripts/\n  assistant replay transcripts/ --update\n"
                "  assistant replay my-session.md")
    p.add_argument("paths", nargs="*", default=["transcripts"], metavar="PATH",
                   help="transcript files or directories of *.md (default: transcripts)")
    p.add_argument("--update", action="store_true", help="rewrite the transcripts with today's replies")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: a checkout's knowledge/, else the installed copy)")
    p.add_argument("--quiet", "-q", action="store_true", help="only the summary, no diffs")


def run(args: argparse.Namespace) -> int:
    from assistant.core import Assistant

    files = transcript_files(args.paths)
    if not files:
        raise InputFormatError("no transcripts found in " + ", ".join(args.paths))
    from assistant.kb.load import authoring_knowledge

    knowledge = authoring_knowledge(args.knowledge)
    assistant = Assistant(knowledge)
    total = changed = 0
    for f in files:
        saved = read(f)
        if not saved.turns:
            raise InputFormatError(f"{f}: no turns ('### 1: question' headings) found")
        fresh, changes = replay(assistant, saved, str(f))
        total += len(saved.turns)
        changed += len(changes)
        if not args.quiet:
            for c in changes:
                print(c.diff())
        if changes and args.update:
            write_atomic(f, fresh.text())
            print(f"updated {f} ({len(changes)} changed)", file=sys.stderr)
    verdict = "updated" if args.update else "changed"
    print(f"{len(files)} transcript{'s' if len(files) != 1 else ''}, {total} turn{'s' if total != 1 else ''}, "
          f"{changed} {verdict} (knowledge: {knowledge})", file=sys.stderr)
    return 1 if changed and not args.update else 0
