"""Transcripts: the Markdown format round-trips, replay finds changed replies, and every curated one still holds."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.interfaces import transcripts as tx
from assistant.interfaces.cli import main
from assistant.kb.normal import strip_control
from assistant.interfaces.render import md_inline, md_unescape

ROOT = Path(__file__).resolve().parent.parent
CURATED = sorted((ROOT / "transcripts").glob("*.md"))
PFS2 = "What was the 2-year progression-free survival?"


def record(assistant, path: Path, *questions: str) -> None:  # type: ignore[no-untyped-def]
    rec = tx.Recorder(path)
    ctx = None
    for q in questions:
        if q == "/reset":
            rec.reset()
            ctx = None
            continue
        a = assistant.ask(q, ctx)
        ctx = a.context
        rec.turn(a, q)
    rec.close()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_question_escaping_round_trips(text: str) -> None:
    line = " ".join(strip_control(text).split())
    assert "\n" not in md_inline(line)
    assert md_unescape(md_inline(line)) == line


def test_round_trip(assistant, tmp_path: Path) -> None:
    # Given a recorded conversation with awkward characters and a reset
    path = tmp_path / "t.md"
    odd = "What was the *2-year* PFS? <b>|</b> #1 [x](y) \\o/ & `code`"
    record(assistant, path, PFS2, "and at 5 years?", "/reset", odd, "all the side effects")
    text = path.read_text(encoding="utf-8")
    parsed = tx.parse(text)
    # Then parsing gives back the questions, the exact file, and replay finds nothing changed
    assert [t.question for t in parsed.turns] == [PFS2, "and at 5 years?", odd, "all the side effects"]
    assert parsed.text() == text
    assert sum(isinstance(p, tx.Note) and p.reset for p in parsed.parts) == 1
    fresh, changes = tx.replay(assistant, parsed, str(path))
    assert changes == [] and fresh.text() == text


def test_replay_shows_a_diff_and_update_rewrites(assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a transcript whose saved reply was edited (as if the knowledge had changed)
    path = tmp_path / "t.md"
    record(assistant, path, PFS2, "and at 5 years?")
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("44.0%", "45.0%", 1), encoding="utf-8")
    # When replayed, the changed turn is shown as a diff and the exit status is 1
    assert main(["replay", str(path)]) == 1
    out, err = capsys.readouterr()
    assert f"{path} turn 2 (saved)" in out
    assert "-The 5-year progression-free survival rate was 45.0%" in out
    assert "+The 5-year progression-free survival rate was 44.0%" in out
    assert "1 transcript, 2 turns, 1 changed" in err
    # And --update rewrites the file, after which replay passes
    assert main(["replay", "--update", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == good
    assert main(["replay", str(path)]) == 0


def test_replay_of_nothing_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path)]) == 1
    assert "no transcripts found" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "missing.md")]) == 1


def test_curated_transcripts_cover_the_product(assistant) -> None:
    # At least 8 conversations: every topic, follow-ups, a clarification, no_data, advice, out of scope, chit-chat
    assert len(CURATED) >= 8
    statuses: set[str] = set()
    topics: set[str] = set()
    follow_ups = 0
    for path in CURATED:
        ctx = None
        for part in tx.read(path).parts:
            if isinstance(part, tx.Note):
                ctx = None if part.reset else ctx
                continue
            a = assistant.ask(part.question, ctx)
            statuses.add(a.status)
            topics |= {assistant.store.facts[f].topic for f in a.facts}
            follow_ups += any(s.source == "context" for s in a.explain.slots)
            ctx = a.context
    assert {"answered", "clarify", "no_data", "out_of_scope", "medical_advice", "chitchat"} <= statuses
    assert topics >= {f.topic for f in assistant.store.facts.values()}
    assert follow_ups >= 3


@pytest.mark.parametrize("path", CURATED, ids=[p.name for p in CURATED])
def test_curated_transcript_replays_unchanged(assistant, path: Path) -> None:
    """If this fails, the assistant's replies changed: review `assistant replay transcripts/`, then --update."""
    saved = tx.read(path)
    assert saved.turns
    _, changes = tx.replay(assistant, saved, str(path.relative_to(ROOT)))
    assert not changes, "\n\n".join(c.diff() for c in changes)
