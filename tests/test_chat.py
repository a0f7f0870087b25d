"""`assistant chat`: driven through prompt-toolkit pipe input (as prompt-toolkit's own tests do) and plain lines."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from assistant.interfaces import chat as chatmod
from assistant.interfaces.chat import COMMANDS, Chat, history_path, make_completer, make_session, plain_loop, prompt_loop
from assistant.interfaces.transcripts import read

ROOT = Path(__file__).resolve().parent.parent
PFS2 = "What was the 2-year progression-free survival?"


def drive(assistant, keys: str, **kw):  # type: ignore[no-untyped-def]
    """Type `keys` into a chat prompt (pipe input, dummy output); return the chat and what it printed."""
    out: list[str] = []
    chat = Chat(assistant, write=out.append, **kw)
    with create_pipe_input() as inp:
        inp.send_text(keys + "\x04")  # Ctrl-D at the end, so a test can never hang
        session = make_session(chat, history=history_path(), input=inp, output=DummyOutput())
        assert prompt_loop(chat, session) == 0
    chat.close()
    return chat, "\n".join(out)


def test_question_and_follow_up(assistant) -> None:
    # Given a chat, when a question and a follow-up are typed
    chat, shown = drive(assistant, f"{PFS2}\rand at 5 years?\r")
    # Then both are answered with the article's numbers and their source
    assert "58.2%" in shown and "44.0%" in shown
    assert "[answered]" in shown and "Source: Jabbour E" in shown
    assert chat.last is not None and chat.last.status == "answered" and chat.number == 2


def test_help_lists_every_command(assistant) -> None:
    _, shown = drive(assistant, "/help\r")
    for command in COMMANDS:
        assert command in shown
    assert "Ctrl-D" in shown


def test_topics_names_the_topics_with_examples(assistant) -> None:
    _, shown = drive(assistant, "/topics\r")
    assert "Side effects" in shown and "Survival (PFS, OS)" in shown and "e.g." in shown


def test_sources_quotes_the_last_answer(assistant) -> None:
    _, shown = drive(assistant, f"/sources\r{PFS2}\r/sources\r")
    assert "Ask a question first" in shown
    assert '"the 2-year progression-free survival (PFS) rate was 58.2% (95% CI, 46.7%-68.2%)"' in shown
    assert "paragraph 4" in shown


def test_why_explains_the_last_match(assistant) -> None:
    _, shown = drive(assistant, f"{PFS2}\rand at 5 years?\r/why\r")
    assert "Matched rule" in shown
    assert "measure = pfs  (from the context)" in shown
    assert "timepoint = 5y  (from the question" in shown


def test_why_shows_each_word_and_why_the_status_follows(assistant) -> None:
    _, shown = drive(assistant, "What are the side effects of ibrutinib?\r/why\r")
    assert "Words: what are the side [ae_any] effects [ae_any] of ibrutinib [FOREIGN: a drug name (ending -tinib)]" in shown
    assert "Why this status: about ibrutinib" in shown and "not this trial" in shown


def test_reset_clears_the_context(assistant) -> None:
    # Given a conversation about PFS, when it is reset, a bare follow-up no longer knows the measure
    chat, shown = drive(assistant, f"{PFS2}\r/reset\rand at 5 years?\r")
    assert "Context cleared" in shown
    assert chat.last is not None and chat.last.status == "clarify"
    assert "44.0" not in chat.last.answer


def test_save_writes_a_transcript(assistant, tmp_path: Path) -> None:
    target = tmp_path / "saved.md"
    chat, shown = drive(assistant, f"{PFS2}\rand at 5 years?\r/save {target}\r")
    assert f"Saved 2 turns to {target}" in shown
    turns = read(target).turns
    assert [t.question for t in turns] == [PFS2, "and at 5 years?"]
    assert "44.0%" in turns[1].block


def test_quit_ends_the_chat_and_ignores_the_rest(assistant) -> None:
    chat, shown = drive(assistant, "/quit\rhello\r")
    assert chat.done and chat.number == 0 and "Hello" not in shown


def test_ctrl_d_quits(assistant) -> None:
    chat, shown = drive(assistant, "")
    assert chat.number == 0 and shown == ""


def test_ctrl_c_clears_the_line_and_keeps_the_session(assistant) -> None:
    # Given half a line, Ctrl-C drops it; the conversation (and its context) goes on
    chat, shown = drive(assistant, f"{PFS2}\rthis is never sent\x03and at 5 years?\r")
    assert chat.number == 2 and "44.0%" in shown
    assert "this is never sent" not in history_path().read_text(encoding="utf-8")


def test_history_is_kept_in_the_xdg_state_dir(assistant) -> None:
    drive(assistant, "How common was nausea?\r")
    path = Path(os.environ["XDG_STATE_HOME"]) / "trial-assistant" / "history"
    assert path == history_path()
    assert "+How common was nausea?" in path.read_text(encoding="utf-8")


def test_unknown_command(assistant) -> None:
    _, shown = drive(assistant, "/frobnicate\r")
    assert "Unknown command /frobnicate" in shown


def test_overview_answer_is_an_aligned_table_with_bars(assistant) -> None:
    _, shown = drive(assistant, "all the side effects\r")
    rows = [ln for ln in shown.split("\n") if "█" in ln]
    assert len(rows) >= 10
    assert len({ln.index("%") for ln in rows}) == 1  # values right-aligned in one column
    nausea = next(ln for ln in rows if ln.startswith("Nausea"))
    assert "54%" in nausea


def test_transcript_is_appended_turn_by_turn(assistant, tmp_path: Path) -> None:
    # Given --transcript FILE, each turn is on disk as soon as it is answered (flushed, before quitting)
    path = tmp_path / "t.md"
    out: list[str] = []
    chat = Chat(assistant, write=out.append, transcript=path)
    chat.handle(PFS2)
    assert "58.2%" in path.read_text(encoding="utf-8")
    chat.handle("/reset")
    chat.handle("and at 5 years?")
    chat.close()
    # When a second chat appends to the same file, it starts a new conversation
    chat2 = Chat(assistant, write=out.append, transcript=path)
    chat2.handle("How common was nausea?")
    chat2.close()
    saved = read(path)
    assert [t.number for t in saved.turns] == [1, 2, 3]
    assert saved.text().count("## New conversation") == 2


def test_completion_of_commands_and_example_questions(assistant) -> None:
    completer = make_completer(chatmod.example_questions(assistant.store))

    def complete(text: str) -> list[str]:
        doc = Document(text, len(text))
        return [c.text for c in completer.get_completions(doc, CompleteEvent(completion_requested=True))]

    assert complete("/so") == ["/sources"]
    assert "/save" in complete("/s") and "/help" not in complete("/s")
    found = complete("nausea")
    assert found and all("nausea" in q.lower() for q in found)
    assert complete("")  # Tab on an empty line offers examples


def test_plain_lines_never_echo_control_characters(assistant) -> None:
    out: list[str] = []
    chat = Chat(assistant, write=out.append)
    plain_loop(chat, ["\x1b[31mhello\x1b[0m\x07\n", "What is \x1b]0;pwned\x07the weather in Paris?\n", "/quit\n"])
    shown = "\n".join(out)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "> hello" in shown and "Hello!" in shown and "[out of scope]" in shown


def test_piped_stdin_reads_plain_lines() -> None:
    # Given stdin that is not a terminal: `printf 'q1\nq2\n' | assistant chat` answers each line
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "assistant", "chat"], input=f"{PFS2}\nand at 5 years?\n",
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "58.2%" in done.stdout and "44.0%" in done.stdout
    assert "\x1b" not in done.stdout  # not a terminal: no colour


@pytest.mark.parametrize("status", ["answered", "medical_advice", "out_of_scope"])
def test_colour_by_status_only_when_allowed(assistant, monkeypatch: pytest.MonkeyPatch, status: str) -> None:
    from assistant.interfaces import render

    q = {"answered": PFS2, "medical_advice": "should my 74 year old mother get this treatment?",
         "out_of_scope": "What is the weather in Paris?"}[status]
    answer = assistant.ask(q)
    assert answer.status == status
    coloured = render.text(answer, colour=True, status=True)
    assert f"\x1b[{render.STATUS_COLOURS[status]}m[" in coloured
    assert "\x1b" not in render.text(answer, colour=False, status=True)

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert render.use_colour(Tty())  # type: ignore[arg-type]
    assert not render.use_colour(sys.stdout if not sys.stdout.isatty() else None)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not render.use_colour(Tty())  # type: ignore[arg-type]
