"""`assistant bench`: latency, batch throughput, cold start, knowledge build time and memory, from one run,
side by side with a BM25 baseline that returns the best-matching article sentence (bm25s, the [bench] extra).

Speed is reported here, never asserted in tests. `run_bench` returns a pydantic `BenchReport`; the command prints it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.devtools.bench_measure import (DEV_SET, QUESTION, TARGETS, BenchReport, Target, Throughput, ask_pass,
                                             bm25_baseline, child_peak_rss, cold_start, http_load, load_dev,
                                             measure_ask, measure_batch, rss_mb, timed, write_lines)


# ---------------------------------------------------------------- the run


def run_bench(questions: Path | str | None = DEV_SET, knowledge: Path | str | None = None, *, passes: int = 5,
              batch_items: int = 20_000, cold_runs: int = 7, http: bool = False, http_url: str | None = None,
              http_requests: int = 20_000) -> BenchReport:
    """Measure everything once, the assistant first (so peak RSS is its own), then the baseline."""
    from assistant.kb.build import build
    from assistant.core import Assistant
    from assistant.devtools.evaluate import Case, is_correct
    from assistant.kb.load import load_valid
    from assistant.kb.store import open_store

    open_s, store = timed(lambda: open_store(knowledge), 3)
    assistant = Assistant(store=store)
    uncached = Assistant(store=store, cache_size=0)
    cases = load_dev(Path(questions) if questions else None, store)
    if not cases:
        raise ValueError("no questions to benchmark")
    warm = measure_ask(assistant, cases, passes)
    cold = measure_ask(uncached, cases, max(1, passes // 2), new=True)
    answers = ask_pass(assistant, cases)
    scored = [is_correct(Case.model_validate(c), a.status, a.answer)[0]
              for c, a in zip(cases, answers) if c["expected_status"] == "answered" and c["must_contain"]]
    batch_warm = measure_batch(assistant, cases, batch_items)
    batch_cold = measure_batch(uncached, cases, min(batch_items, 4 * len(cases)))
    load_s, kn = timed(lambda: load_valid(knowledge), 3)
    with tempfile.TemporaryDirectory() as tmp:
        build_s, _ = timed(lambda: build(kn, Path(tmp) / f"kb-{time.perf_counter_ns()}.sqlite"), 3)
    peak = rss_mb()
    notes: list[str] = []

    kn_args = ["--knowledge", str(knowledge)] if knowledge else []
    cli = cold_start([sys.executable, "-m", "assistant", "ask", QUESTION, *kn_args], cold_runs)
    where = repr(str(knowledge)) if knowledge else "None"
    code = ("from assistant import Assistant; from assistant.interfaces.render import text; "
            f"print(text(Assistant({where}).ask({QUESTION!r})))")
    lib = cold_start([sys.executable, "-c", code], cold_runs)
    python = cold_start([sys.executable, "-c", "pass"], cold_runs)
    long_inputs = [{"id": f"long{i}", "session": None,
                    "question": (c["question"] + " ") * (2000 // max(1, len(c["question"]) + 1))}
                   for i, c in enumerate(cases[:20])]  # near the 2,000-character limit
    worst = max(_worst(uncached, cases), _worst(uncached, long_inputs))
    child_peak_rss(["ask", QUESTION, *kn_args])  # the cache is current (knowledge may have been edited)
    rss_ask, err = child_peak_rss(["ask", QUESTION, *kn_args])
    if err:
        notes.append(f"assistant ask (peak RSS): {err}")
    with tempfile.TemporaryDirectory() as tmp:
        rss_first, _ = child_peak_rss(["ask", QUESTION, *kn_args], TRIAL_ASSISTANT_CACHE=tmp)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "lines.jsonl"
        n = write_lines(src, cases, batch_items)
        t0 = time.perf_counter()
        rss_batch, err = child_peak_rss(["batch", str(src), "-q", "-o", str(Path(tmp) / "out.jsonl"), *kn_args])
        dt = time.perf_counter() - t0
    batch_cli = None if err else Throughput(items=n, seconds=round(dt, 3), per_s=round(n / dt, 1))
    if err:
        notes.append(f"assistant batch: {err}")

    baseline = bm25_baseline(cases, knowledge, passes, batch_items)
    report = BenchReport(
        knowledge=store.hash[:12], questions=len(cases), python=sys.version.split()[0], cpus=os.cpu_count() or 1,
        ask_warm=warm, ask_uncached=cold, batch_warm=batch_warm, batch_uncached=batch_cold,
        answered_accuracy=round(sum(scored) / len(scored), 4) if scored else 0.0,
        cold_start=cli, cold_start_library=lib, cold_start_python=python, worst_us=worst, load_s=load_s, build_s=build_s, open_s=open_s,
        rss_ask_mb=rss_ask, rss_first_mb=rss_first, rss_batch_mb=rss_batch, batch_cli=batch_cli, rss_bench_mb=peak, baseline=baseline,
        notes=notes,
    )
    report.ratios = ratios(report)
    report.targets = targets(report)
    if http or http_url:
        report.http = http_load(http_url, http_requests)
    return report


def _worst(assistant: Any, cases: list[dict[str, Any]]) -> float:
    """The slowest single ask, in microseconds."""
    times: list[int] = []
    ask_pass(assistant, cases, times)
    return round(max(times) / 1000, 1) if times else 0.0


def ratios(r: BenchReport) -> dict[str, float]:
    b = r.baseline
    if not (b.available and b.ask and b.batch):
        return {}
    div = lambda x, y: round(x / y, 2) if y else 0.0  # noqa: E731
    return {
        "p50_warm": div(r.ask_warm.p50_us, b.ask.p50_us), "p99_warm": div(r.ask_warm.p99_us, b.ask.p99_us),
        "p50_uncached": div(r.ask_uncached.p50_us, b.ask.p50_us),
        "p99_uncached": div(r.ask_uncached.p99_us, b.ask.p99_us),
        "batch_warm": div(r.batch_warm.per_s, b.batch.per_s),
        "batch_uncached": div(r.batch_uncached.per_s, b.batch.per_s),
    }


def targets(r: BenchReport) -> list[Target]:
    out = []
    b = r.baseline
    if b.available and b.ask:  # the headline: each question new to the pipeline, as most help-desk traffic is
        x50, x99 = r.ask_uncached.p50_us / b.ask.p50_us, r.ask_uncached.p99_us / b.ask.p99_us
        out.append(Target(name="p50 latency (new questions)", goal=f"<= {TARGETS['p50_x']:g}x BM25 p50 "
                          f"({b.ask.p50_us:.0f} us)", value=f"{r.ask_uncached.p50_us:.0f} us = {x50:.2f}x",
                          met=x50 <= TARGETS["p50_x"]))
        out.append(Target(name="p99 latency (new questions)", goal=f"<= {TARGETS['p99_x']:g}x BM25 p99 "
                          f"({b.ask.p99_us:.0f} us)", value=f"{r.ask_uncached.p99_us:.0f} us = {x99:.2f}x",
                          met=x99 <= TARGETS["p99_x"]))
        if b.batch:
            xb = r.batch_uncached.per_s / b.batch.per_s
            out.append(Target(name="batch throughput (new questions)", goal=f">= BM25 ({b.batch.per_s:,.0f} /s)",
                              value=f"{r.batch_uncached.per_s:,.0f} /s = {xb:.2f}x", met=xb >= 1.0))
        out.append(Target(name="p50 latency (repeated questions, answer cache warm)",
                          goal=f"<= BM25 p50 ({b.ask.p50_us:.0f} us)", value=f"{r.ask_warm.p50_us:.0f} us",
                          met=r.ask_warm.p50_us <= b.ask.p50_us))
    py = r.cold_start_python.median_s if r.cold_start_python else None
    for name, cold, limit in (("cold start (assistant ask)", r.cold_start, TARGETS["cold_start_x"]),
                              ("cold start (library import and one answer)", r.cold_start_library,
                               TARGETS["library_x"])):
        if py and cold.median_s is not None:
            x = cold.median_s / py
            out.append(Target(name=f"{name} vs python -c pass", goal=f"<= {limit:g}x ({py:.3f} s)",
                              value=f"{cold.median_s:.3f} s = {x:.1f}x", met=x <= limit))
    cs = r.cold_start.median_s if r.cold_start.median_s is not None else r.cold_start_library.median_s
    which = "assistant ask" if r.cold_start.median_s is not None else "library (ask command failed)"
    out.append(Target(name=f"cold start ({which})", goal=f"<= {TARGETS['cold_start_s']} s",
                      value=f"{cs:.3f} s" if cs is not None else "not measured",
                      met=cs is not None and cs <= TARGETS["cold_start_s"]))
    out.append(Target(name="batch throughput (warm)", goal=f">= {TARGETS['batch_per_s']:,.0f} questions/s",
                      value=f"{r.batch_warm.per_s:,.0f} /s", met=r.batch_warm.per_s >= TARGETS["batch_per_s"]))
    measured = [x for x in (r.rss_ask_mb, r.rss_first_mb, r.rss_batch_mb) if x is not None]
    worst = max(measured) if measured else None
    out.append(Target(name="peak RSS (assistant ask, first run, assistant batch)", goal=f"< {TARGETS['rss_mb']:.0f} MB",
                      value=f"{worst:.1f} MB" if worst is not None else "not measured",
                      met=worst is not None and worst < TARGETS["rss_mb"]))
    return out


# ---------------------------------------------------------------- printing


def _us(x: float) -> str:
    return f"{x:,.0f} us" if x >= 10 else f"{x:.1f} us"


def format_report(r: BenchReport) -> str:
    b = r.baseline
    rat = r.ratios
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, mine: str, theirs: str = "", ratio: float | None = None) -> None:
        rows.append((name, mine, theirs, f"{ratio:.2f}x" if ratio is not None else ""))

    bl = b.ask if b.available else None
    row("ask p50, new questions", _us(r.ask_uncached.p50_us), _us(bl.p50_us) if bl else "", rat.get("p50_uncached"))
    row("ask p99, new questions", _us(r.ask_uncached.p99_us), _us(bl.p99_us) if bl else "", rat.get("p99_uncached"))
    row("ask p50, repeated (cache warm)", _us(r.ask_warm.p50_us), _us(bl.p50_us) if bl else "", rat.get("p50_warm"))
    row("ask p99, repeated (cache warm)", _us(r.ask_warm.p99_us), _us(bl.p99_us) if bl else "", rat.get("p99_warm"))
    bb = b.batch if b.available else None
    row(f"batch questions/s, new ({r.batch_uncached.items:,})", f"{r.batch_uncached.per_s:,.0f}",
        f"{bb.per_s:,.0f}" if bb else "", rat.get("batch_uncached"))
    row(f"batch questions/s, repeated ({r.batch_warm.items:,})", f"{r.batch_warm.per_s:,.0f}",
        f"{bb.per_s:,.0f}" if bb else "", rat.get("batch_warm"))
    row("answered dev cases right", f"{100 * r.answered_accuracy:.1f}%",
        f"{100 * b.answered_hits:.1f}%" if b.answered_hits is not None else "")
    w = max(len(x[0]) for x in rows)
    out = [f"assistant bench: knowledge {r.knowledge}, {r.questions} labelled questions, Python {r.python}, "
           f"{r.cpus} CPUs", "  new = each question new to the pipeline (no answer cache): most help-desk traffic; "
           "repeated = the same questions again, from the answer cache",
           "", f"  {'':<{w}}  {'assistant':>14}  {'BM25 baseline':>14}  {'ratio':>7}"]
    out += [f"  {a:<{w}}  {m:>14}  {t:>14}  {x:>7}".rstrip() for a, m, t, x in rows]
    if b.available:
        out.append(f"  (baseline: {b.note}, {b.sentences} article sentences, index built in {b.index_s:.3f} s; "
                   "its 'right' = the best sentence holds every expected string)")
    else:
        out.append(f"  BM25 baseline not run (no comparison, no latency targets): {b.note}")
    out.append("")
    for label, cs in (("cold start, assistant ask", r.cold_start), ("cold start, library only", r.cold_start_library)):
        if cs.median_s is not None:
            out.append(f"  {label:<27} {cs.median_s:.3f} s median of {len(cs.runs)} "
                       f"(min {min(cs.runs):.3f}, max {max(cs.runs):.3f})")
        else:
            out.append(f"  {label:<27} failed: {cs.error}")
    if r.cold_start_python and r.cold_start_python.median_s is not None:
        out.append(f"  {'cold start, python -c pass':<27} {r.cold_start_python.median_s:.3f} s median")
    if r.worst_us is not None:
        out.append(f"  {'slowest new question':<27} {r.worst_us:,.0f} us (dev questions and 2,000-character inputs)")
    out.append(f"  {'knowledge':<27} load+validate {r.load_s:.3f} s, build SQLite {r.build_s:.3f} s, "
               f"open cached {r.open_s:.3f} s")
    if r.batch_cli:
        out.append(f"  {'assistant batch, end to end':<27} {r.batch_cli.items:,} lines in {r.batch_cli.seconds:.2f} s "
                   f"= {r.batch_cli.per_s:,.0f} lines/s (start, read, answer, write jsonl)")
    mb = lambda x: f"{x} MB" if x is not None else "not measured"  # noqa: E731
    out.append(f"  {'peak RSS':<27} assistant ask {mb(r.rss_ask_mb)} (first run, building the cache: "
               f"{mb(r.rss_first_mb)}), assistant batch {mb(r.rss_batch_mb)}")
    out.append(f"  {'':<27} this bench process {r.rss_bench_mb} MB (two assistants and the timing data)")
    out += [f"  note: {n}" for n in r.notes]
    if r.http is not None:
        h = r.http
        if isinstance(h, dict) and "requests_per_second" in h:
            out += ["", f"HTTP load test ({h.get('url', '')}): {h.get('completed')}/{h.get('planned')} requests over "
                    f"{h.get('connections')} connections in {h.get('seconds')} s = {h['requests_per_second']:,.0f} "
                    f"requests/s, p50 {h.get('p50_ms')} ms, p99 {h.get('p99_ms')} ms, errors {h.get('errors')}"]
        else:
            out += ["", "HTTP load test: " + json.dumps(h, default=str)]
    out += ["", "targets:"]
    out += [f"  [{'ok' if t.met else 'MISS'}] {t.name}: {t.value} (goal {t.goal})" for t in r.targets]
    return "\n".join(out)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("The BM25 baseline needs the development extra: pip install '.[bench]'.\n"
                "examples:\n  assistant bench\n  assistant bench --json > bench.json\n  assistant bench --http")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--http", action="store_true",
                   help="also run the HTTP load test (assistant.devtools.loadtest; starts `assistant serve` on loopback)")
    p.add_argument("--http-url", metavar="URL", help="load this running loopback server instead (implies --http)")
    p.add_argument("--http-requests", type=int, default=20_000, help="HTTP requests to send (default: 20000)")
    p.add_argument("--questions", metavar="FILE", default=str(DEV_SET),
                   help="labelled jsonl to time (default: the development set; else the knowledge's examples)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: a checkout's knowledge/, else the installed copy)")
    p.add_argument("--passes", type=int, default=5, help="timed passes over the questions (default: 5)")
    p.add_argument("--batch-items", type=int, default=20_000, help="lines in the batch run (default: 20000)")
    p.add_argument("--cold-runs", type=int, default=7, help="cold-start runs (default: 7)")


def run(args: argparse.Namespace) -> int:
    from assistant.kb.load import authoring_knowledge

    knowledge = authoring_knowledge(args.knowledge)
    print(f"knowledge: {knowledge}; questions: {args.questions}", file=sys.stderr)
    report = run_bench(args.questions, knowledge, passes=max(1, args.passes),
                       batch_items=max(1, args.batch_items), cold_runs=max(1, args.cold_runs), http=args.http,
                       http_url=args.http_url, http_requests=max(1, args.http_requests))
    print(report.model_dump_json(indent=2) if args.json else format_report(report))
    return 0
