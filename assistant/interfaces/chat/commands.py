"""The chat's slash commands (/help, /topics, /sources, /why, /reset, /save, /quit), as a mixin of Chat."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from assistant.interfaces.render import accounting
from assistant.kb.contract import Answer, Context
from assistant.kb.normal import strip_control

COMMANDS: dict[str, str] = {
    "/help": "show this help",
    "/topics": "what you can ask about, with an example question per topic",
    "/sources": "the citation and verbatim quote behind the last answer",
    "/why": "how the last question was understood (rule, score, slots)",
    "/reset": "forget the conversation so far (start a new topic)",
    "/save": "/save [FILE]: write this conversation as a Markdown transcript (default: the XDG data folder)",
    "/quit": "leave (also /exit, Ctrl-D)",
}
def transcripts_dir() -> Path:
    """$XDG_DATA_HOME/trial-assistant/transcripts (default ~/.local/share/trial-assistant/transcripts)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trial-assistant" / "transcripts"


ALIASES = {"/exit": "/quit", "/q": "/quit", "/?": "/help", "/h": "/help", "/clear": "/reset"}


class Commands:
    """The slash commands; `Chat` supplies the state they read (assistant, last answer, transcript)."""

    assistant: Any
    write: Callable[[str], None]
    context: Context
    last: Answer | None
    chunks: list[str]
    number: int
    recorder: Any
    done: bool
    record: Callable[[Callable[[Any], None]], None]

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
        names, chosen = store.answers.overview.topic_names, store.answers.overview.topic_examples
        w = max((len(names.get(t, t)) for t in best), default=0)
        lines = ["You can ask about:"]
        for topic in sorted(best, key=lambda t: list(names).index(t) if t in names else 99):
            example = chosen.get(topic) or best[topic].examples[0]
            lines.append(f"  {names.get(topic, topic.replace('_', ' ')):<{w}}  e.g. {example}")
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
        self.record(lambda r: r.reset())
        self.write("Context cleared: the next question starts a new conversation.")

    def save(self, name: str | None = None) -> Path | None:
        """/save [FILE]: FILE as given, else a new file in the transcripts folder of the XDG data directory."""
        from assistant.interfaces.transcripts import HEADER, write_atomic

        stamp = datetime.now().strftime("transcript-%Y%m%d-%H%M%S.md")
        path = Path(name).expanduser() if name else transcripts_dir() / stamp
        if name and (name.endswith("/") or path.is_dir()):
            path = path / stamp  # a folder: a new file in it
        try:
            if not name:
                path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, HEADER + "".join(self.chunks))
        except OSError as e:
            self.write(f"Could not save the transcript to {path}: {e.strerror or e}")
            return None
        turns = f"{self.number} turn{'s' if self.number != 1 else ''}"
        self.write(f"Saved {turns} to {path}")
        return path

    def quit(self) -> None:
        self.done = True
