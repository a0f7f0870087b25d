"""`assistant chat`: a terminal conversation (prompt-toolkit), or plain lines when stdin is not a terminal.

The conversation logic lives in `Chat` (no terminal code): it answers questions, carries the context,
runs the slash commands and records the transcript. `prompt_loop` wraps it in a prompt-toolkit session
(history in the XDG state dir, auto-suggest, Tab completion, bottom toolbar); `plain_loop` reads lines.
prompt-toolkit is imported only inside the functions that use it.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, TextIO

from assistant.kb.models import Answer, Context
from assistant.kb.normal import strip_control
from assistant.interfaces.render import accounting

COMMANDS: dict[str, str] = {
    "/help": "show this help",
    "/topics": "what you can ask about, with an example question per topic",
    "/sources": "the citation and verbatim quote behind the last answer",
    "/why": "how the last question was understood (rule, score, slots)",
    "/reset": "forget the conversation so far (start a new topic)",
    "/save": "/save [FILE]: write this conversation as a Markdown transcript",
    "/quit": "leave (also /exit, Ctrl-D)",
}
ALIASES = {"/exit": "/quit", "/q": "/quit", "/?": "/help", "/h": "/help", "/clear": "/reset"}
TOPIC_NAMES = {
    "design": "Trial design", "dosing": "Dosing and schedule", "efficacy": "Survival (PFS, OS)",
    "response": "Response and MRD", "subgroups_age": "Results by age group", "genetics": "TP53 and genetics",
    "cytogenetics": "Cytogenetics", "amendment": "The protocol amendment", "safety": "Side effects",
    "deaths": "Deaths in remission", "neoplasms": "Second cancers", "drugs": "The drugs",
    "citation": "The publication", "conclusion": "Conclusions",
}
PROMPT = "> "
BANNER = ("trial-assistant {version}: cited answers about the mini-hyper-CVD + inotuzumab ozogamicin "
          "(+/- blinatumomab) trial in older adults with Ph-negative B-ALL (NCT01371630).\n"
          "Trial results, not medical advice. Type a question, /help for commands, Ctrl-D to quit.")


def state_dir() -> Path:
    """$XDG_STATE_HOME/trial-assistant (default ~/.local/state/trial-assistant)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "trial-assistant"


def history_path() -> Path:
    return state_dir() / "history"


def example_questions(store: Any) -> list[str]:
    """Example questions from the knowledge (facts, then intents), each once, in order."""
    seen: dict[str, None] = {}
    for f in sorted(store.facts.values(), key=lambda f: (-f.rank, f.id)):
        seen.update(dict.fromkeys(f.examples))
    for i in store.intents.values():
        seen.update(dict.fromkeys(i.examples))
    return list(seen)


class Chat:
    """One conversation: context, last answer, transcript; `handle(line)` answers or runs a command."""

    def __init__(self, assistant: Any, *, write: Callable[[str], None] | None = None, colour: bool = False,
                 transcript: Path | str | None = None) -> None:
        from assistant.interfaces.transcripts import Recorder

        self.assistant = assistant
        self.write = write or (lambda s: print(s, flush=True))
        self.colour = colour
        self.context = Context()
        self.last: Answer | None = None
        self.chunks: list[str] = []  # this session's transcript, for /save
        self.number = 0
        self.recorder = Recorder(transcript) if transcript else None
        self.done = False

    # ------------------------------------------------------------ turns

    def handle(self, line: str) -> bool:
        """Answer a question or run a /command. Returns False once the chat should end."""
        text = " ".join(strip_control(line).split())
        if not text:
            return not self.done
        if text.startswith("/") and (len(text) == 1 or text[1].isalpha() or text[1] == "?"):
            self.command(text)
        else:
            self.ask(text)
        return not self.done

    def ask(self, question: str) -> Answer:
        from assistant.interfaces.render import text as render_text
        from assistant.interfaces.transcripts import render_turn

        answer = self.assistant.ask(question, self.context)
        self.context, self.last = answer.context, answer
        self.number += 1
        self.chunks.append(render_turn(self.number, answer, question))
        if self.recorder:
            self.recorder.turn(answer, question)
        self.write(render_text(answer, colour=self.colour, status=True) + self._suggest(answer))
        return answer

    def _suggest(self, answer: Answer) -> str:
        from assistant.interfaces.render import DIM, paint

        if not answer.suggestions or answer.status in ("clarify", "chitchat", "invalid_input"):
            return ""  # a clarification already lists its options
        lines = ["You could also ask:", *(f"  - {strip_control(s)}" for s in answer.suggestions[:3])]
        return "\n" + "\n".join(paint(ln, DIM, self.colour) for ln in lines)

    # ------------------------------------------------------------ commands

    def command(self, text: str) -> None:
        name, _, arg = text.partition(" ")
        name = ALIASES.get(name.lower(), name.lower())
        handler = {
            "/help": self.help, "/topics": self.topics, "/sources": self.sources, "/why": self.why,
            "/reset": self.reset, "/quit": self.quit,
        }.get(name)
        if name == "/save":
            self.save(arg.strip() or None)
        elif handler:
            handler()
        else:
            self.write(f"Unknown command {name}. Type /help for the list.")

    def help(self) -> None:
        w = max(map(len, COMMANDS))
        lines = ["Ask a question in your own words, e.g. \"What was the 2-year progression-free survival?\",",
                 "then follow up (\"and at 5 years?\"). Commands:"]
        lines += [f"  {c:<{w}}  {h}" for c, h in COMMANDS.items()]
        lines.append("Keys: Tab completes commands and example questions, Up/Down browse history, "
                     "Right accepts the grey suggestion, Ctrl-C clears the line, Ctrl-D quits.")
        self.write("\n".join(lines))

    def topics(self) -> None:
        store = self.assistant.store
        best: dict[str, Any] = {}
        for f in store.facts.values():
            if f.examples and (f.topic not in best or (-f.rank, f.id) < (-best[f.topic].rank, best[f.topic].id)):
                best[f.topic] = f
        w = max((len(TOPIC_NAMES.get(t, t)) for t in best), default=0)
        lines = ["You can ask about:"]
        for topic in sorted(best, key=lambda t: list(TOPIC_NAMES).index(t) if t in TOPIC_NAMES else 99):
            lines.append(f"  {TOPIC_NAMES.get(topic, topic.replace('_', ' ')):<{w}}  e.g. {best[topic].examples[0]}")
        lines.append("Tab after a word or two lists matching example questions.")
        self.write("\n".join(lines))

    def sources(self) -> None:
        if self.last is None:
            self.write("Ask a question first; /sources then shows where its answer comes from.")
            return
        if not self.last.citations:
            self.write(f"The last reply ({self.last.status}) cites nothing: it states no trial results.")
            return
        lines = []
        for i, c in enumerate(self.last.citations, 1):
            lines += [f"[{i}] {strip_control(c.reference)}, {strip_control(c.locator)}",
                      f"    \"{strip_control(c.quote)}\""]
        self.write("\n".join(lines))

    def why(self) -> None:
        a = self.last
        if a is None:
            self.write("Ask a question first; /why then explains how it was understood.")
            return
        e = a.explain
        lines = [f"Status: {a.status}; intent: {a.intent or '-'}; confidence {a.confidence:.2f}"]
        if e.rule:
            lines.append(f"Matched rule {e.rule} (score {e.score:.2f})"
                         + (f"; runner-up {e.runner_up} ({e.runner_up_score:.2f})" if e.runner_up else ""))
        if e.normalised:
            lines.append(f"Read as: {strip_control(e.normalised)}")
        for s in e.slots:
            said = f": \"{strip_control(s.text)}\"" if s.text else ""
            lines.append(f"  {s.slot} = {s.value}  (from the {s.source}{said})")
        lines += accounting(e)
        if a.facts:
            lines.append("Facts: " + ", ".join(a.facts))
        if e.note:
            lines.append(f"Note: {strip_control(e.note)}")
        self.write("\n".join(lines))

    def reset(self) -> None:
        from assistant.interfaces.transcripts import NEW_CONVERSATION

        self.context, self.last = Context(), None
        self.chunks.append(NEW_CONVERSATION)
        if self.recorder:
            self.recorder.reset()
        self.write("Context cleared: the next question starts a new conversation.")

    def save(self, name: str | None = None) -> Path | None:
        from assistant.interfaces.transcripts import HEADER, write_atomic

        path = Path(name or datetime.now().strftime("transcript-%Y%m%d-%H%M%S.md")).expanduser()
        try:
            write_atomic(path, HEADER + "".join(self.chunks))
        except OSError as e:
            self.write(f"Could not save the transcript: {e}")
            return None
        self.write(f"Saved {self.number} turn(s) to {path}")
        return path

    def quit(self) -> None:
        self.done = True

    def close(self) -> None:
        if self.recorder:
            self.recorder.close()


# ---------------------------------------------------------------- front ends


def plain_loop(chat: Chat, lines: Iterable[str], echo: bool = True) -> int:
    """Read questions line by line (stdin not a terminal): `printf 'q1\\nq2\\n' | assistant chat`."""
    for line in lines:
        text = " ".join(strip_control(line).split())
        if echo and text:
            chat.write(PROMPT + text)
        if not chat.handle(line):
            break
    return 0


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


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("commands inside the chat: " + " ".join(COMMANDS) + "\n"
                "examples:\n  assistant chat\n  assistant chat --transcript today.md\n"
                "  printf 'What was the 2-year PFS?\\nand at 5 years?\\n' | assistant chat")
    p.add_argument("--transcript", metavar="FILE", help="append every turn to this Markdown transcript as it happens")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: packaged)")
    p.add_argument("--no-history", action="store_true", help="do not read or write the input history")
    p.add_argument("--log-unanswered", action="store_true", help="log questions the assistant could not answer")


def run(args: argparse.Namespace) -> int:
    from assistant.interfaces.oneshot import open_assistant
    from assistant.interfaces.render import use_colour

    assistant = open_assistant(args.knowledge, args.log_unanswered)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    chat = Chat(assistant, colour=use_colour(sys.stdout), transcript=args.transcript)
    try:
        if not interactive:
            import io

            stdin: TextIO = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
            return plain_loop(chat, stdin)
        from assistant import __version__

        chat.write(BANNER.format(version=__version__))
        session = make_session(chat, history=None if args.no_history else history_path())
        return prompt_loop(chat, session)
    finally:
        chat.close()
