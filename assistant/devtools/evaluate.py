"""`assistant eval`: accuracy on a labelled question set, and the share of out-of-scope questions rejected.

A case is correct when the status is the expected one and every `must_contain` string is in the answer
text (case-insensitive). Lines sharing a `session` are asked in file order as one conversation.
The library function `evaluate` returns a pydantic `EvalReport`; the command only prints it.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import InputFormatError

# an off-trial question is handled when it gets one of these (advice: a personal health question declined)
REJECTED = ("out_of_scope", "chitchat", "medical_advice")
SHORT = {"invalid_input": "invalid", "medical_advice": "advice", "out_of_scope": "oos"}


class Case(BaseModel):
    """One labelled question (the fields of tests/data/questions.jsonl)."""

    id: Any = None
    session: Any = None
    question: str
    expected_status: str
    must_contain: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list, description="figures of another question: harmful")
    accept: list[str] = Field(default_factory=list, description="other statuses that are also right")
    topic: str = ""
    note: str = ""


class Miss(BaseModel):
    """A case answered wrongly, with what the assistant did and why."""

    id: Any = None
    session: Any = None
    question: str
    topic: str
    expected_status: str
    status: str
    missing: list[str] = Field(default_factory=list, description="must_contain strings not in the answer")
    forbidden: list[str] = Field(default_factory=list, description="must_not_contain strings in the answer")
    harmful: bool = False
    answer: str
    rule: str = ""
    slots: list[str] = Field(default_factory=list, description="slot=value (source)")
    note: str = ""


class Group(BaseModel):
    """Accuracy of one slice (an expected status or a topic)."""

    name: str
    total: int
    correct: int
    accuracy: float


class OosResult(BaseModel):
    """How many questions of an out-of-scope file were rejected, and the statuses they got."""

    file: str
    total: int
    rejected: int
    share: float
    statuses: dict[str, int]
    examples: list[str] = Field(default_factory=list, description="a few questions that were not rejected")


class EvalReport(BaseModel):
    """Everything `assistant eval` reports."""

    file: str = ""
    knowledge: str = ""
    total: int
    correct: int
    accuracy: float
    harmful: int = Field(0, description="replies that give a figure they must not (see `harm`)")
    by_status: list[Group]
    by_topic: list[Group]
    confusion: dict[str, dict[str, int]] = Field(description="expected status -> given status -> count")
    misses: list[Miss]
    oos: list[OosResult] = Field(default_factory=list)


# ---------------------------------------------------------------- reading


def _jsonl(path: Path | str) -> Iterable[tuple[int, Any]]:
    p = Path(path)
    if not p.is_file():
        raise InputFormatError(f"file not found: {path}")
    with open(p, encoding="utf-8-sig", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except ValueError as e:
                raise InputFormatError(f"{path}: line {n}: not valid JSON ({e})") from None


def load_cases(path: Path | str) -> list[Case]:
    """Labelled cases from a jsonl file; raises InputFormatError naming the first bad line."""
    cases = []
    for n, rec in _jsonl(path):
        try:
            cases.append(Case.model_validate(rec))
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "-"
            raise InputFormatError(f"{path}: line {n}: {where}: {err['msg']}") from None
    return cases


def load_questions(path: Path | str) -> list[str]:
    """The 'question' strings of a jsonl file (lines without one are skipped)."""
    return [rec["question"] for _, rec in _jsonl(path)
            if isinstance(rec, dict) and isinstance(rec.get("question"), str)]


# ---------------------------------------------------------------- scoring


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_COUNTED = r"(?= (?:patients|people|participants|cycles|doses|deaths)\b)"  # 'six patients': a count of them
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_TENS) + r")(?:[- ](" + "|".join(_UNITS[1:10]) + r"))?\b"
                          r"|\b(" + "|".join(_UNITS[10:]) + r")\b|\b(" + "|".join(_UNITS[2:10]) + r")\b" + _COUNTED)


def _digits(low: str) -> str:
    """Number words from ten to ninety-nine written as digits ('seventy-nine' -> '79'), as a reply may spell a
    figure out at the start of a sentence the way the article does; single words below ten only before what they
    count ('Six patients had a CRp' -> '6 patients'; 'one of', 'three age groups' stay words)."""
    def one(m: re.Match[str]) -> str:
        if m.group(3) or m.group(4):
            return str(_UNITS.index(m.group(3) or m.group(4)))
        return str(10 * (_TENS.index(m.group(1)) + 2) + (_UNITS.index(m.group(2)) if m.group(2) else 0))
    return _NUMBER_WORD.sub(one, low)


_COUNT = re.compile(r"n\s*=\s*(\d+)")
_SHARED_UNIT = re.compile(r"(\d+(?:\.\d+)?) ([a-z]+)")  # a figure and its unit, which a pair 'A vs B unit' shares


def _has(low: str, s: str) -> bool:
    """`s` in the lower-cased text; a figure only as a whole number ('4' is not in '44.0', '58.2' not in '58.25')
    but as the same number however many zeros end it ('46' is in '46.0%', '0.01' in 'P = 0.010'), or spelt out
    ('79' is in 'Seventy-nine of the 80'); a count 'n = 27' is the number 27; '34.7 months' is in '34.7 vs 56.4
    months', a pair sharing its unit; '.77' as written in the article also matches '0.77'."""
    s = s.lower()
    if not any(c.isdigit() for c in s):
        return s in low
    if (count := _COUNT.fullmatch(s)) is not None:  # 'n = 27', the article's way of writing a count, is 27
        return _has(low, count.group(1))
    if (shared := _SHARED_UNIT.fullmatch(s)) is not None and re.search(  # '34.7 months' in '34.7 vs 56.4 months'
            r"(?<![\d.])" + re.escape(shared.group(1)) + r" (?:vs|versus|and|or) [\d.]+ " + re.escape(shared.group(2))
            + r"\b", low):
        return True
    before = r"(?<![\d.])0?" if s.startswith(".") else r"(?<![\d.])"
    zeros = (r"0*" if "." in s else r"(?:\.0+)?") if s[-1].isdigit() else ""
    pattern = re.compile(before + re.escape(s) + zeros + r"(?![\d]|\.\d)")
    return pattern.search(low) is not None or pattern.search(_digits(low)) is not None


_DASH = re.compile(r"[\u2010-\u2015\u2212]")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


_RELATION = re.compile(r"\s*([=<>\u2264\u2265])\s*")


def _plain(text: str) -> str:
    """Lower case, the middle dot as a point, every dash as '-', a hyphen between letters as a space and one space
    each side of '=', '<', '>': the same words and figures however they are joined ('20.0–56.3' is '20.0-56.3',
    'low-intensity' is 'low intensity', the article's 'P =.11' is 'P = .11')."""
    return _RELATION.sub(r" \1 ", _WORD_HYPHEN.sub(" ", _DASH.sub("-", text.lower().replace("·", "."))))


def is_correct(case: Case, status: str, text: str) -> tuple[bool, list[str]]:
    """(correct, missing strings): the status is expected (or accepted) and every must_contain string is there."""
    low = _plain(text)
    missing = [s for s in case.must_contain if not _has(low, _plain(s))] if status == "answered" else []
    forbidden = [s for s in case.must_not_contain if _has(low, _plain(s))]
    ok = status in (case.expected_status, *case.accept) and not missing and not forbidden
    return ok, missing


def harm(case: Case, status: str, text: str) -> tuple[bool, list[str]]:
    """(harmful, forbidden strings found). Harmful: answered when the gold is not (a figure for something the
    article does not report, a personal decision or another trial answered), answered without the asked figure,
    or any reply that gives a figure the case forbids."""
    low = _plain(text)
    forbidden = [s for s in case.must_not_contain if _has(low, _plain(s))]
    if forbidden:
        return True, forbidden
    if status == "answered":
        if "answered" not in (case.expected_status, *case.accept):
            return True, []
        if any(not _has(low, _plain(s)) for s in case.must_contain):
            return True, []
    return False, []


def _groups(pairs: Iterable[tuple[str, bool]]) -> list[Group]:
    total: Counter[str] = Counter()
    good: Counter[str] = Counter()
    for name, ok in pairs:
        total[name] += 1
        good[name] += ok
    return [Group(name=k, total=total[k], correct=good[k], accuracy=round(good[k] / total[k], 4))
            for k in sorted(total)]


def evaluate(assistant: Any, cases: list[Case], oos: Iterable[Path | str] = (), file: str = "") -> EvalReport:
    """Ask every case (sessions in order, as one conversation each) and score; then the out-of-scope files."""
    from assistant.interfaces.batch import Item, answer_items

    items = (Item(line=n, id=c.id, session=c.session, question=c.question) for n, c in enumerate(cases, 1))
    results: list[tuple[str, bool]] = []
    topics: list[tuple[str, bool]] = []
    confusion: dict[str, Counter[str]] = {}
    misses: list[Miss] = []
    harmful = 0
    for case, answer in zip(cases, answer_items(assistant, items)):
        ok, missing = is_correct(case, answer.status, answer.answer)
        bad, forbidden = harm(case, answer.status, answer.answer)
        harmful += bad
        results.append((case.expected_status, ok))
        topics.append((case.topic or "-", ok))
        confusion.setdefault(case.expected_status, Counter())[answer.status] += 1
        if not ok:
            ex = answer.explain
            misses.append(Miss(
                id=case.id, session=case.session, question=case.question, topic=case.topic,
                expected_status=case.expected_status, status=answer.status, missing=missing, forbidden=forbidden,
                harmful=bad, answer=answer.answer,
                rule=ex.rule, slots=[f"{s.slot}={s.value} ({s.source})" for s in ex.slots], note=ex.note,
            ))
    correct = sum(ok for _, ok in results)
    return EvalReport(
        file=file, knowledge=assistant.store.hash[:12], total=len(cases), correct=correct,
        accuracy=round(correct / len(cases), 4) if cases else 0.0, harmful=harmful,
        by_status=_groups(results), by_topic=_groups(topics),
        confusion={k: dict(sorted(v.items())) for k, v in sorted(confusion.items())}, misses=misses,
        oos=[oos_share(assistant, path) for path in oos],
    )


def oos_share(assistant: Any, path: Path | str, examples: int = 5) -> OosResult:
    """Ask every question of the file on its own; the share whose status is in REJECTED."""
    statuses: Counter[str] = Counter()
    kept: list[str] = []
    questions = load_questions(path)
    for q in questions:
        status = assistant.ask(q).status
        statuses[status] += 1
        if status not in REJECTED and len(kept) < examples:
            kept.append(q)
    rejected = sum(statuses[s] for s in REJECTED)
    return OosResult(file=str(path), total=len(questions), rejected=rejected,
                     share=round(rejected / len(questions), 4) if questions else 0.0,
                     statuses=dict(statuses.most_common()), examples=kept)


def run_eval(path: Path | str, oos: Iterable[Path | str] = (), knowledge: Path | str | None = None,
             assistant: Any = None) -> EvalReport:
    """Load the cases and evaluate them with `assistant` (a new one on `knowledge` when not given)."""
    if assistant is None:
        from assistant.core import Assistant

        assistant = Assistant(knowledge)
    return evaluate(assistant, load_cases(path), oos, file=str(path))


# ---------------------------------------------------------------- printing


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def format_report(r: EvalReport, misses: int | None = None) -> str:
    """The report as plain text."""
    out = [f"{r.file or 'cases'}: {r.correct}/{r.total} correct, accuracy {_pct(r.accuracy).strip()}"
           f"  (knowledge {r.knowledge})",
           f"harmful replies: {r.harmful}" + (f" of {r.total} ({_pct(r.harmful / r.total).strip()})" if r.total else ""),
           "", "by expected status:"]
    out += [f"  {g.name:<16} {g.correct:>4}/{g.total:<4} {_pct(g.accuracy)}" for g in r.by_status]
    out += ["", "by topic:"]
    out += [f"  {g.name:<16} {g.correct:>4}/{g.total:<4} {_pct(g.accuracy)}" for g in r.by_topic]
    given = sorted({s for row in r.confusion.values() for s in row})
    short = {s: SHORT.get(s, s)[:8] for s in given}
    out += ["", "confusion (rows: expected, columns: given):",
            "  " + " " * 16 + " ".join(f"{short[s]:>8}" for s in given)]
    for exp, row in r.confusion.items():
        out.append(f"  {exp:<16}" + " ".join(f"{row.get(s, 0) or '.':>8}" for s in given))
    shown = r.misses if misses is None else r.misses[:misses]
    if r.misses:
        out += ["", f"misses ({len(r.misses)}" + (f", first {len(shown)}" if len(shown) < len(r.misses) else "")
                + "):"]
    for m in shown:
        sess = f" [{m.session}]" if m.session is not None else ""
        out.append(f"  {m.id}{sess} {m.question!r}")
        what = f"expected {m.expected_status}, got {m.status}" if m.status != m.expected_status else m.status
        if m.missing:
            what += "; missing " + ", ".join(repr(s) for s in m.missing)
        if m.forbidden:
            what += "; gives " + ", ".join(repr(s) for s in m.forbidden)
        if m.harmful:
            what += "  [HARMFUL]"
        out.append(f"      {what}")
        note = f" note={m.note}" if m.note else ""
        out.append(f"      rule={m.rule or '-'} slots={', '.join(m.slots) or '-'}{note}")
        text = " ".join(m.answer.split())
        out.append(f"      answer: {text[:160]}{'...' if len(text) > 160 else ''}")
    if r.oos:
        out += ["", "out-of-scope files (share rejected as " + " or ".join(REJECTED) + "):"]
        for o in r.oos:
            rest = ", ".join(f"{k} {v}" for k, v in o.statuses.items())
            out.append(f"  {o.file}: {o.rejected}/{o.total} {_pct(o.share).strip()}  ({rest})")
            for q in o.examples:
                out.append(f"      not rejected: {q!r}")
    return "\n".join(out)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("A case is correct when its status matches expected_status and the answer contains every\n"
                "must_contain string (case-insensitive).\nexamples:\n"
                "  assistant eval tests/data/questions.jsonl\n"
                "  assistant eval tests/data/questions.jsonl --oos clinc150-dev.jsonl --min-accuracy 0.75\n"
                "  assistant eval tests/data/questions.jsonl --json > report.json")
    p.add_argument("file", help="labelled jsonl: id, session, question, expected_status, must_contain, topic")
    p.add_argument("--oos", nargs="+", action="extend", default=[], metavar="FILE",
                   help="jsonl files of out-of-scope questions ('question' field); reports the share rejected")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--min-accuracy", type=float, metavar="X",
                   help="exit 1 when accuracy is below X (a fraction, e.g. 0.8; values over 1 are percent)")
    p.add_argument("--max-harmful", type=int, metavar="N",
                   help="exit 1 when more than N replies are harmful (CI uses 0)")
    p.add_argument("--misses", type=int, metavar="N", help="show at most N misses (text output)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: a checkout's knowledge/, else the installed copy)")


def run(args: argparse.Namespace) -> int:
    from assistant.kb.load import authoring_knowledge

    knowledge = authoring_knowledge(args.knowledge)
    report = run_eval(args.file, args.oos, knowledge)
    print(report.model_dump_json(indent=2) if args.json else format_report(report, args.misses))
    print(f"knowledge: {knowledge}", file=sys.stderr)  # last: a bad input file stays a one-line error
    if args.min_accuracy is not None:
        floor = args.min_accuracy / 100 if args.min_accuracy > 1 else args.min_accuracy
        if report.accuracy < floor:
            print(f"accuracy {report.accuracy:.4f} is below the floor {floor:.4f}", file=sys.stderr)
            return 1
    if args.max_harmful is not None and report.harmful > args.max_harmful:
        print(f"{report.harmful} harmful replies, more than the bound {args.max_harmful}", file=sys.stderr)
        return 1
    return 0
