"""Step 7: render an Answer for people: terminal text (colour by status) and Markdown (tables with bars).

JSON is not rendered here: it is `Answer.contract()`. Everything shown passes through `strip_control`, so
control characters and ANSI escapes that arrive in a question or a knowledge file never reach the terminal raw;
colour codes are added afterwards, and only when `use_colour()` allows them.
"""
from __future__ import annotations

import os
import re
import shutil
import textwrap
from typing import Any, TextIO

from assistant.kb.contract import Answer, Explain
from assistant.kb.normal import strip_control

BAR_WIDTH = 20

# SGR codes per status, and how each status is named to people.
STATUS_COLOURS: dict[str, str] = {
    "answered": "32", "clarify": "33", "no_data": "35", "out_of_scope": "36",
    "medical_advice": "1;31", "chitchat": "34", "invalid_input": "31",
}
STATUS_LABELS: dict[str, str] = {
    "answered": "answered", "clarify": "needs clarification", "no_data": "not reported",
    "out_of_scope": "out of scope", "medical_advice": "not medical advice", "chitchat": "chit-chat",
    "invalid_input": "invalid input",
}
CAVEAT_COLOUR = "33"
DIM = "2"


def use_colour(stream: TextIO | None = None) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def paint(s: str, code: str, colour: bool = True) -> str:
    """Wrap s in an SGR colour code (no-op when colour is off or s is empty)."""
    return f"\x1b[{code}m{s}\x1b[0m" if colour and code and s else s


def status_tag(status: str, colour: bool = False) -> str:
    """'[answered]', coloured by status."""
    return paint(f"[{STATUS_LABELS.get(status, status)}]", STATUS_COLOURS.get(status, ""), colour)


def bar(number: float | None, unit: str, width: int = BAR_WIDTH) -> str:
    """A proportional bar of Unicode blocks for a percentage ('' for other units)."""
    if number is None or unit != "%":
        return ""
    eighths = round(max(0.0, min(100.0, number)) / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def _cell(row: dict[str, Any], key: str) -> str:
    return strip_control(str(row.get(key) or "")).replace("\n", " ")


def terminal_width(stream: TextIO | None) -> int | None:
    """The width to wrap at: the terminal's columns when `stream` is a terminal, else None (never wrap JSON, CSV
    or piped output)."""
    try:
        if stream is None or not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def wrap(line: str, width: int | None) -> list[str]:
    """One line wrapped on word boundaries (never inside a word), continuation lines indented like list items,
    caveats and table rows need."""
    if not width or len(line) <= width:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    hang = lead + (2 if line.lstrip().startswith(("- ", "Caveat:")) else 4 if lead else 2)
    return textwrap.wrap(line, width, subsequent_indent=" " * min(hang, width // 3), break_long_words=False,
                         break_on_hyphens=False) or [line]


def table_lines(answer: Answer, colour: bool = False, width: int | None = None) -> list[str]:
    """Aligned plain-text rows: label, value, bar, CI, P (bars coloured by status when colour is on). When the
    rows are wider than `width` the bars are left out and long rows wrap."""
    rows = answer.table or []
    if not rows:
        return []
    plain = _table(answer, rows, False, bars=True)
    if width and max(map(len, plain)) > width:
        return [w for ln in _table(answer, rows, False, bars=False) for w in wrap(ln, width)]
    return _table(answer, rows, colour, bars=True)


def _table(answer: Answer, rows: list[dict[str, Any]], colour: bool, bars: bool) -> list[str]:
    labels = [_cell(r, "label") for r in rows]
    values = [_cell(r, "value") for r in rows]
    lw, vw = max(map(len, labels)), max(map(len, values))
    has_bar = bars and any(bar(r.get("number"), r.get("unit", "")) for r in rows)
    code = STATUS_COLOURS.get(answer.status, "")
    out = []
    for r, label, value in zip(rows, labels, values):
        if not value:  # a row without a figure (a statement): its sentence
            out.append(f"{label}: {_cell(r, 'text')}" if r.get("text") else label)
            continue
        ci, p = _cell(r, "ci"), _cell(r, "p")
        extra = "  ".join(x for x in (f"95% CI {ci}" if ci else "", f"P = {p}" if p else "") if x)
        b = bar(r.get("number"), r.get("unit", ""))
        shown_bar = paint(b, code, colour) + " " * (BAR_WIDTH - len(b)) if has_bar else ""
        line = f"{label:<{lw}}  {value:>{vw}}" + (f"  {shown_bar}" if has_bar else "") + (f"  {extra}" if extra else "")
        out.append(line.rstrip())
    return out


def sources_line(answer: Answer) -> str:
    """'Source: <reference> — paragraph 4, paragraph 7' ('' when the answer cites nothing)."""
    if not answer.citations:
        return ""
    refs = sorted({c.reference for c in answer.citations})
    where = dict.fromkeys(c.locator.split(" (")[0] for c in answer.citations)
    return strip_control("Source: " + "; ".join(refs) + " — " + ", ".join(where)).replace("\r", "")


def text(answer: Answer, sources: bool = True, colour: bool = False, status: bool = False,
         width: int | None = None) -> str:
    """Terminal text: [status], the answer (table drawn when there is one), then the citation; wrapped at
    `width` on word boundaries when given (terminal_width()).

    With colour=False the result holds no escape sequences at all.
    """
    body = strip_control(answer.answer).replace("\r", "")
    if answer.table:
        first = body.split("\n", 1)[0]
        caveat_lines = [ln for ln in body.split("\n") if ln.startswith("Caveat:")]
        body_lines = [*wrap(first, width), *table_lines(answer, colour, width),
                      *(w for ln in caveat_lines for w in wrap(ln, width))]
    else:
        body_lines = [w for ln in body.split("\n") for w in wrap(ln, width)]
    if colour:
        caveat = False  # a wrapped caveat's continuation lines keep its colour
        painted = []
        for ln in body_lines:
            caveat = ln.startswith("Caveat:") or (caveat and ln.startswith("  "))
            painted.append(paint(ln, CAVEAT_COLOUR) if caveat else ln)
        body_lines = painted
    lines = [status_tag(answer.status, colour)] if status else []
    lines += body_lines
    src = sources_line(answer) if sources else ""
    if src:
        lines += [paint(ln, DIM, colour) for ln in wrap(src, width)]
    return "\n".join(lines)


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|~&])")


def md_inline(s: str) -> str:
    """One line of user text, safe in Markdown: controls stripped, newlines as spaces, specials escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(strip_control(s).replace("\r", " ").split("\n")))


def md_unescape(s: str) -> str:
    """Inverse of md_inline's escaping."""
    return _MD_ESCAPED.sub(r"\1", s)


def _md_escape(s: str) -> str:
    return strip_control(s).replace("|", "\\|").replace("\n", " ")


def markdown_table(answer: Answer) -> str:
    """A GitHub table: result, value, bar (percentages), and CI / P columns when any row has them."""
    rows = answer.table or []
    has_ci = any(r.get("ci") for r in rows)
    has_p = any(r.get("p") for r in rows)
    head = ["Result", "Value", "Chart"] + (["95% CI"] if has_ci else []) + (["P"] if has_p else [])
    align = ["---", "---:", "---"] + (["---"] if has_ci else []) + (["---"] if has_p else [])
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for r in rows:
        cells = [_md_escape(str(r.get("label") or "")), _md_escape(str(r.get("value") or r.get("text") or "")),
                 bar(r.get("number"), r.get("unit", ""))]
        cells += [_md_escape(str(r.get("ci") or ""))] if has_ci else []
        cells += [_md_escape(str(r.get("p") or ""))] if has_p else []
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def markdown_turn(answer: Answer, heading: str = "") -> str:
    """One turn as Markdown: question, status, answer (table if any), citations with verbatim quotes.

    The heading line is `### <heading>: <question>` with the question escaped by `md_inline`, so
    `md_unescape` gives it back exactly (transcripts rely on this).
    """
    q = md_inline(answer.question) or "(empty)"
    parts = [f"### {md_inline(heading) + ': ' if heading else ''}{q}", "", f"*Status: `{answer.status}`*", ""]
    body = strip_control(answer.answer).replace("\r", "")
    if answer.table:
        first = body.split("\n", 1)[0]
        cav = [ln for ln in body.split("\n") if ln.startswith("Caveat:")]
        parts += [first, "", markdown_table(answer), *([""] + cav if cav else [])]
    else:
        parts.append(body.replace("\n", "  \n"))
    groups: dict[tuple[str, str], list[str]] = {}
    for c in answer.citations:
        groups.setdefault((c.reference, c.locator), []).append(c.quote)
    for (reference, locator), quotes in groups.items():
        parts.append("")
        parts += [f"> \"{_md_escape(q)}\"  " for q in quotes]
        parts.append(f"> — {_md_escape(reference)}, {_md_escape(locator)}")
    return "\n".join(parts).rstrip() + "\n"


ROLE_NAMES = {"term": "understood", "frame": "frame word", "number": "number", "unplaced": "NOT PLACED",
              "foreign": "FOREIGN"}


def accounting(explain: Explain) -> list[str]:
    """The word accounting for people ('/why'): each word, what it was read as, and why the status follows."""
    lines = []
    if explain.words:
        shown = []
        for w in explain.words:
            word = strip_control(w.written or w.text)
            if w.role == "frame" and not w.detail:
                shown.append(word)
            else:
                what = strip_control(w.detail) if w.role == "term" else ROLE_NAMES[w.role] + (
                    f": {strip_control(w.detail)}" if w.detail else "")
                shown.append(f"{word} [{what}]")
        lines.append("Words: " + " ".join(shown))
    if explain.reason:
        lines.append("Why this status: " + strip_control(explain.reason))
    return lines
