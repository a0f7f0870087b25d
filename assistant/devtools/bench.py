"""`assistant bench`: latency, batch throughput, cold start, knowledge build time and memory, from one run,
side by side with a BM25 baseline that returns the best-matching article sentence (bm25s, the [bench] extra).

Speed is reported here, never asserted in tests. `run_bench` returns a pydantic `BenchReport`; the command prints it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, Field

QUESTION = "What was the 2-year progression-free survival?"
DEV_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "questions.jsonl"
TARGETS = {"cold_start_s": 0.25, "batch_per_s": 10_000.0, "rss_mb": 60.0}


class Latency(BaseModel):
    """Per-call latency over n calls, in microseconds."""

    n: int
    p50_us: float
    p99_us: float
    mean_us: float


class Throughput(BaseModel):
    items: int
    seconds: float
    per_s: float


class ColdStart(BaseModel):
    """Wall time of a fresh process, median of several runs (after one untimed run that may build the cache)."""

    command: list[str]
    runs: list[float] = Field(default_factory=list)
    median_s: float | None = None
    error: str = ""


class Baseline(BaseModel):
    """BM25 over the article's sentences: the best sentence for each question."""

    available: bool
    note: str = ""
    sentences: int = 0
    index_s: float | None = None
    ask: Latency | None = None
    batch: Throughput | None = None
    answered_hits: float | None = Field(None, description="share of answered dev cases whose must_contain strings "
                                                          "are all in the retrieved sentence")


class Target(BaseModel):
    name: str
    goal: str
    value: str
    met: bool


class BenchReport(BaseModel):
    """Everything `assistant bench` measures."""

    knowledge: str
    questions: int
    python: str
    cpus: int
    ask_warm: Latency = Field(description="ask() with the answer LRU cache warm")
    ask_uncached: Latency = Field(description="ask() with no answer cache: the whole pipeline every time")
    batch_warm: Throughput
    batch_uncached: Throughput
    answered_accuracy: float = Field(description="share of answered dev cases (with expected strings) the assistant "
                                                 "gets right")
    cold_start: ColdStart
    cold_start_library: ColdStart
    load_s: float = Field(description="read + validate the knowledge TOML (kb.load_valid)")
    build_s: float = Field(description="compile validated knowledge to SQLite (build.build)")
    open_s: float = Field(description="open the compiled, cached knowledge (store.open_store)")
    rss_ask_mb: float | None = Field(description="peak RSS of one `assistant ask` process (knowledge cached)")
    rss_first_mb: float | None = Field(None, description="peak RSS of `assistant ask` building the knowledge cache")
    rss_batch_mb: float | None = Field(description="peak RSS of one `assistant batch` process over the batch lines")
    batch_cli: Throughput | None = Field(description="`assistant batch` end to end (start, read, answer, write jsonl)")
    rss_bench_mb: float = Field(description="this process after the assistant runs, before the baseline is loaded")
    notes: list[str] = Field(default_factory=list)
    baseline: Baseline
    ratios: dict[str, float] = Field(default_factory=dict, description="assistant / baseline")
    targets: list[Target] = Field(default_factory=list)
    http: Any = None


# ---------------------------------------------------------------- helpers


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def latency(samples_ns: list[int]) -> Latency:
    s = sorted(samples_ns)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))] / 1000  # noqa: E731
    return Latency(n=len(s), p50_us=round(pick(0.5), 1), p99_us=round(pick(0.99), 1),
                   mean_us=round(statistics.fmean(s) / 1000, 1))


def load_dev(path: Path | None, store: Any) -> list[dict[str, Any]]:
    """The labelled dev set, or (when the source checkout's file is absent) the knowledge's example questions."""
    if path and path.is_file():
        from assistant.devtools.evaluate import load_cases

        return [c.model_dump() for c in load_cases(path)]
    return [{"id": f"{f.id}.{i}", "session": None, "question": q, "expected_status": "answered", "must_contain": []}
            for f in store.facts.values() for i, q in enumerate(f.examples)]


def ask_pass(assistant: Any, cases: list[dict[str, Any]], times: list[int] | None = None) -> list[Any]:
    """Ask every case in order (sessions carry context); append each call's duration in ns to `times`."""
    contexts: dict[str, Any] = {}
    answers = []
    clock = time.perf_counter_ns
    for c in cases:
        key = json.dumps(c["session"]) if c["session"] is not None else None
        ctx = contexts.get(key) if key else None
        t0 = clock()
        a = assistant.ask(c["question"], ctx, id=c["id"], session=c["session"])
        if times is not None:
            times.append(clock() - t0)
        if key:
            contexts[key] = a.context
        answers.append(a)
    return answers


def measure_ask(assistant: Any, cases: list[dict[str, Any]], passes: int) -> Latency:
    ask_pass(assistant, cases)  # warm up: imports, regex caches, the answer LRU
    times: list[int] = []
    for _ in range(passes):
        ask_pass(assistant, cases, times)
    return latency(times)


def measure_batch(assistant: Any, cases: list[dict[str, Any]], items: int) -> Throughput:
    """Questions/s through batch.answer_items, the dev set repeated up to `items` lines."""
    from assistant.interfaces.batch import Item, answer_items

    reps = max(1, -(-items // len(cases)))
    lines = [Item(line=n, id=c["id"], session=c["session"] and f"{c['session']}#{r}", question=c["question"])
             for r in range(reps) for n, c in enumerate(cases, 1)]
    for _ in answer_items(assistant, lines[: len(cases)]):
        pass
    t0 = time.perf_counter()
    n = sum(1 for _ in answer_items(assistant, lines))
    dt = time.perf_counter() - t0
    return Throughput(items=n, seconds=round(dt, 3), per_s=round(n / dt, 1))


def _child_env() -> dict[str, str]:
    """The environment for child processes: this checkout's package first on the path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def cold_start(command: list[str], runs: int) -> ColdStart:
    """Median wall time of `command` as a fresh process (after one untimed run that may build the cache)."""
    result = ColdStart(command=command)
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=_child_env(), stdin=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or [f"exit code {proc.returncode}"]
            result.error = f"exit {proc.returncode}: {lines[-1][:200]}"
            return result
        if i:
            result.runs.append(round(dt, 4))
    result.median_s = round(statistics.median(result.runs), 4)
    return result


_PEAK = """
import sys
from assistant.interfaces.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
try:
    kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
except (OSError, StopIteration):
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
print("PEAK_RSS_KB", kb, file=sys.stderr)
sys.exit(rc)
"""


def child_peak_rss(argv: list[str], **env: str) -> tuple[float | None, str]:
    """Peak RSS in MB of one `assistant ARGV...` process, read inside it (VmHWM: a parent's pages do not count)."""
    proc = subprocess.run([sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True,
                          env={**_child_env(), **env}, stdin=subprocess.DEVNULL)
    found = re.search(r"PEAK_RSS_KB (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        lines = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
        return None, f"exit {proc.returncode}: {lines[-1][:200]}"
    return round(int(found.group(1)) / 1024, 1), ""


def write_lines(path: Path, cases: list[dict[str, Any]], items: int) -> int:
    """A batch input: the cases repeated up to `items` lines, each repetition's sessions kept apart."""
    reps = max(1, -(-items // len(cases)))
    with open(path, "w", encoding="utf-8") as f:
        for r in range(reps):
            for c in cases:
                session = f"{c['session']}#{r}" if c["session"] is not None else None
                f.write(json.dumps({"id": f"{c['id']}#{r}", "session": session, "question": c["question"]}) + "\n")
    return reps * len(cases)


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median seconds of `repeat` calls, and the last result."""
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4), out


# ---------------------------------------------------------------- the BM25 baseline

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|\n+")


def article_sentences(knowledge: Path | str | None = None) -> list[str]:
    """Sentences of the source text(s) that quotes come from."""
    import tomllib

    from assistant.kb.load import default_knowledge_dir

    root = Path(knowledge) if knowledge else default_knowledge_dir()
    sources = tomllib.loads((root / "sources.toml").read_text(encoding="utf-8")).get("source", [])
    text = "\n".join((root / s["file"]).read_text(encoding="utf-8") for s in sources if s.get("file"))
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def bm25_baseline(cases: list[dict[str, Any]], knowledge: Path | str | None, passes: int, items: int) -> Baseline:
    try:
        import bm25s  # development-only: pip install '.[bench]'
    except ImportError:
        return Baseline(available=False, note="bm25s is not installed: pip install '.[bench]' (or pip install bm25s)")
    sentences = article_sentences(knowledge)
    opts = {"stopwords": "en", "show_progress": False}
    t0 = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(sentences, **opts), show_progress=False)
    index_s = round(time.perf_counter() - t0, 4)

    def best(question: str) -> str:
        ids, _ = retriever.retrieve(bm25s.tokenize([question], **opts), k=1, show_progress=False, n_threads=0)
        return sentences[int(ids[0][0])]

    questions = [c["question"] for c in cases]
    found = [best(q) for q in questions]  # warm up
    times: list[int] = []
    clock = time.perf_counter_ns
    for _ in range(passes):
        for q in questions:
            t = clock()
            best(q)
            times.append(clock() - t)
    reps = max(1, -(-items // len(questions)))
    many = questions * reps
    t0 = time.perf_counter()
    ids, _ = retriever.retrieve(bm25s.tokenize(many, **opts), k=1, show_progress=False, n_threads=0)
    got = [sentences[int(i[0])] for i in ids]
    dt = time.perf_counter() - t0
    answered = [(c, s) for c, s in zip(cases, found) if c["expected_status"] == "answered" and c["must_contain"]]
    hits = sum(all(m.lower() in s.lower() for m in c["must_contain"]) for c, s in answered)
    return Baseline(available=True, note=f"bm25s {getattr(bm25s, '__version__', '')}".strip(),
                    sentences=len(sentences), index_s=index_s, ask=latency(times),
                    batch=Throughput(items=len(got), seconds=round(dt, 3), per_s=round(len(got) / dt, 1)),
                    answered_hits=round(hits / len(answered), 4) if answered else None)


def http_load(url: str | None = None, requests: int = 20_000) -> Any:
    """The HTTP load test of assistant.loadtest: against `url` (loopback), or a server started for it."""
    try:
        from assistant.devtools import loadtest
    except ImportError as e:
        return {"error": f"assistant.loadtest is not available ({e})"}
    try:
        if url:
            result = loadtest.run_load(url, requests=requests)
        else:
            result = loadtest.load_local_server(requests=requests)
    except (ValueError, RuntimeError, OSError) as e:
        return {"error": str(e)}
    return result.model_dump() if hasattr(result, "model_dump") else result


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
    cold = measure_ask(uncached, cases, max(1, passes // 2))
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
        cold_start=cli, cold_start_library=lib, load_s=load_s, build_s=build_s, open_s=open_s,
        rss_ask_mb=rss_ask, rss_first_mb=rss_first, rss_batch_mb=rss_batch, batch_cli=batch_cli, rss_bench_mb=peak, baseline=baseline,
        notes=notes,
    )
    report.ratios = ratios(report)
    report.targets = targets(report)
    if http or http_url:
        report.http = http_load(http_url, http_requests)
    return report


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
    if b.available and b.ask:
        out.append(Target(name="p50 latency (warm)", goal=f"<= BM25 p50 ({b.ask.p50_us:.0f} us)",
                          value=f"{r.ask_warm.p50_us:.0f} us", met=r.ask_warm.p50_us <= b.ask.p50_us))
    else:
        out.append(Target(name="p50 latency (warm)", goal="<= BM25 p50", value="baseline missing", met=False))
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
    row("ask p50, answer cache warm", _us(r.ask_warm.p50_us), _us(bl.p50_us) if bl else "", rat.get("p50_warm"))
    row("ask p99, answer cache warm", _us(r.ask_warm.p99_us), _us(bl.p99_us) if bl else "", rat.get("p99_warm"))
    row("ask p50, no answer cache", _us(r.ask_uncached.p50_us), _us(bl.p50_us) if bl else "", rat.get("p50_uncached"))
    row("ask p99, no answer cache", _us(r.ask_uncached.p99_us), _us(bl.p99_us) if bl else "", rat.get("p99_uncached"))
    bb = b.batch if b.available else None
    row(f"batch questions/s, warm ({r.batch_warm.items:,})", f"{r.batch_warm.per_s:,.0f}",
        f"{bb.per_s:,.0f}" if bb else "", rat.get("batch_warm"))
    row(f"batch questions/s, no cache ({r.batch_uncached.items:,})", f"{r.batch_uncached.per_s:,.0f}",
        f"{bb.per_s:,.0f}" if bb else "", rat.get("batch_uncached"))
    row("answered dev cases right", f"{100 * r.answered_accuracy:.1f}%",
        f"{100 * b.answered_hits:.1f}%" if b.answered_hits is not None else "")
    w = max(len(x[0]) for x in rows)
    out = [f"assistant bench: knowledge {r.knowledge}, {r.questions} questions, Python {r.python}, {r.cpus} CPUs",
           "", f"  {'':<{w}}  {'assistant':>14}  {'BM25 baseline':>14}  {'ratio':>7}"]
    out += [f"  {a:<{w}}  {m:>14}  {t:>14}  {x:>7}".rstrip() for a, m, t, x in rows]
    if b.available:
        out.append(f"  (baseline: {b.note}, {b.sentences} article sentences, index built in {b.index_s:.3f} s; "
                   "its 'right' = the best sentence holds every expected string)")
    else:
        out.append(f"  BM25 baseline not run: {b.note}")
    out.append("")
    for label, cs in (("cold start, assistant ask", r.cold_start), ("cold start, library only", r.cold_start_library)):
        if cs.median_s is not None:
            out.append(f"  {label:<27} {cs.median_s:.3f} s median of {len(cs.runs)} "
                       f"(min {min(cs.runs):.3f}, max {max(cs.runs):.3f})")
        else:
            out.append(f"  {label:<27} failed: {cs.error}")
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
                   help="also run the HTTP load test (assistant.loadtest; starts `assistant serve` on loopback)")
    p.add_argument("--http-url", metavar="URL", help="load this running loopback server instead (implies --http)")
    p.add_argument("--http-requests", type=int, default=20_000, help="HTTP requests to send (default: 20000)")
    p.add_argument("--questions", metavar="FILE", default=str(DEV_SET),
                   help="labelled jsonl to time (default: the development set; else the knowledge's examples)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: packaged)")
    p.add_argument("--passes", type=int, default=5, help="timed passes over the questions (default: 5)")
    p.add_argument("--batch-items", type=int, default=20_000, help="lines in the batch run (default: 20000)")
    p.add_argument("--cold-runs", type=int, default=7, help="cold-start runs (default: 7)")


def run(args: argparse.Namespace) -> int:
    report = run_bench(args.questions, args.knowledge, passes=max(1, args.passes),
                       batch_items=max(1, args.batch_items), cold_runs=max(1, args.cold_runs), http=args.http,
                       http_url=args.http_url, http_requests=max(1, args.http_requests))
    print(report.model_dump_json(indent=2) if args.json else format_report(report))
    return 0
