"""Step 7: render an Answer for people: plain terminal text and Markdown (tables with bars for overviews)."""
from __future__ import annotations

from .models import Answer
from .normalise import strip_control

BAR_WIDTH = 20


def bar(number: float | None, unit: str, width: int = BAR_WIDTH) -> str:
    """A proportional bar of Unicode blocks for a percentage ('' for other units)."""
    if number is None or unit != "%":
        return ""
    eighths = round(max(0.0, min(100.0, number)) / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def table_lines(answer: Answer) -> list[str]:
    """Aligned plain-text rows: label, value, bar, CI, P."""
    rows = answer.table or []
    if not rows:
        return []
    lw = max(len(r["label"]) for r in rows)
    vw = max(len(r["value"]) for r in rows)
    out = []
    for r in rows:
        extra = "  ".join(x for x in (f"95% CI {r['ci']}" if r["ci"] else "", f"P = {r['p']}" if r["p"] else "") if x)
        b = bar(r["number"], r["unit"])
        out.append(f"{r['label']:<{lw}}  {r['value']:>{vw}}  {b:<{BAR_WIDTH}}  {extra}".rstrip())
    return out


def text(answer: Answer, sources: bool = True) -> str:
    """Terminal text: the answer (table drawn when there is one), then the citation."""
    body = answer.answer
    if answer.table:
        first = body.split("\n", 1)[0]
        caveat_lines = [ln for ln in body.split("\n") if ln.startswith("Caveat:")]
        body = "\n".join([first, *table_lines(answer), *caveat_lines])
    lines = [body]
    if sources and answer.citations:
        refs = sorted({c.reference for c in answer.citations})
        lines.append("Source: " + "; ".join(refs) + " — " + ", ".join(dict.fromkeys(c.locator.split(" (")[0]
                                                                        for c in answer.citations)))
    return strip_control("\n".join(lines)).replace("\r", "")


def _md_escape(s: str) -> str:
    return strip_control(s).replace("|", "\\|").replace("\n", " ")


def markdown_table(answer: Answer) -> str:
    rows = answer.table or []
    out = ["| | Value | | 95% CI | P |", "|---|---:|---|---|---|"]
    for r in rows:
        out.append(f"| {_md_escape(r['label'])} | {r['value']} | {bar(r['number'], r['unit'])} | {r['ci']} | {r['p']} |")
    return "\n".join(out)


def markdown_turn(answer: Answer, heading: str = "") -> str:
    """One turn as Markdown: question, status, answer (table if any), citations with verbatim quotes."""
    q = _md_escape(answer.question) or "(empty)"
    parts = [f"### {_md_escape(heading) + ': ' if heading else ''}{q}", "", f"*Status: `{answer.status}`*", ""]
    body = answer.answer
    if answer.table:
        first = body.split("\n", 1)[0]
        cav = [ln for ln in body.split("\n") if ln.startswith("Caveat:")]
        parts += [strip_control(first), "", markdown_table(answer), *([""] + cav if cav else [])]
    else:
        parts.append(strip_control(body).replace("\n", "  \n"))
    if answer.citations:
        parts.append("")
        for c in answer.citations:
            parts.append(f"> \"{_md_escape(c.quote)}\"  \n> — {_md_escape(c.reference)}, {_md_escape(c.locator)}")
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"
