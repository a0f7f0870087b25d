"""One conversation (no terminal code): it answers questions, carries the context, runs the slash commands
and records the transcript."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from assistant.errors import AssistantError
from assistant.interfaces.chat.commands import Commands
from assistant.kb.contract import Answer, Context
from assistant.kb.normal import strip_control


class Chat(Commands):
    """One conversation: context, last answer, transcript; `handle(line)` answers or runs a command."""

    def __init__(self, assistant: Any, *, write: Callable[[str], None] | None = None, colour: bool = False,
                 transcript: Path | str | None = None, width: int | Callable[[], int | None] | None = None) -> None:
        from assistant.interfaces.transcripts import Recorder

        self.assistant = assistant
        self.write = write or (lambda s: print(s, flush=True))
        self.colour = colour
        self._width = width  # wrap replies at this many columns (None: do not wrap; a callable: ask each turn)
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
        self.write(render_text(answer, colour=self.colour, status=True, width=self.width) + self._suggest(answer))
        self.record(lambda r: r.turn(answer, question))
        return answer

    def record(self, step: Callable[[Any], None]) -> None:
        """Append to the live transcript; when it cannot be written the chat goes on and says it stopped."""
        if self.recorder is None:
            return
        try:
            step(self.recorder)
        except AssistantError as e:
            self.recorder = None
            self.write(f"The transcript stopped: {e}. The conversation goes on; /save writes it elsewhere.")

    @property
    def width(self) -> int | None:
        """Columns to wrap at now (a terminal may have been resized since the last turn)."""
        return self._width() if callable(self._width) else self._width

    def _suggest(self, answer: Answer) -> str:
        from assistant.interfaces.render import DIM, paint, wrap

        if not answer.suggestions or answer.status in ("clarify", "chitchat", "invalid_input"):
            return ""  # a clarification already lists its options
        lines = ["You could also ask:", *(f"  - {strip_control(s)}" for s in answer.suggestions[:3])]
        return "\n" + "\n".join(paint(w, DIM, self.colour) for ln in lines for w in wrap(ln, self.width))

    def close(self) -> None:
        if self.recorder:
            self.recorder.close()
