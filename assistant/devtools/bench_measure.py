"""What `assistant bench` measures and how: the report records, latency and throughput passes, cold start in a
fresh process, peak memory of a child, and the BM25 sentence-search baseline it is compared with."""
from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, Field

QUESTION = "What was the 2-year progression-free survival?"
# the labelled development set: the checkout's, else the copy packaged with the wheel (pyproject force-include)
_CHECKOUT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "questions.jsonl"
_PACKAGED_SET = Path(__file__).resolve().parents[1] / "_data" / "questions.jsonl"
DEV_SET = _CHECKOUT_SET if _CHECKOUT_SET.is_file() else _PACKAGED_SET
TARGETS = {"cold_start_s": 0.25, "batch_per_s": 10_000.0, "rss_mb": 60.0,
           # issue 13: against the baseline and `python -c pass` in the same run
           "p50_x": 1.0, "p99_x": 5.0, "cold_start_x": 15.0, "library_x": 10.0}


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
    cold_start_python: ColdStart | None = Field(None, description="`python -c pass` on the same machine: the unit of "
                                                                  "the cold-start targets")
    worst_us: float | None = Field(None, description="the slowest no-cache ask over the questions and 2,000-"
                                                     "character inputs")
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


def measure_ask(assistant: Any, cases: list[dict[str, Any]], passes: int, new: bool = False) -> Latency:
    """Latency over `passes` passes; with `new`, every cache is emptied before each pass (each question new)."""
    ask_pass(assistant, cases)  # warm up: imports, regex caches, the answer LRU
    times: list[int] = []
    for _ in range(passes):
        if new:
            assistant.clear_caches()
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
        return Baseline(available=False, note="bm25s is not installed: pip install 'trial-assistant[bench]' "
                        "(from a checkout: pip install '.[bench]')")
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
    """The HTTP load test of assistant.devtools.loadtest: against `url` (loopback), or a server started for it."""
    try:
        from assistant.devtools import loadtest
    except ImportError as e:
        return {"error": f"assistant.devtools.loadtest is not available ({e})"}
    try:
        if url:
            result = loadtest.run_load(url, requests=requests)
        else:
            result = loadtest.load_local_server(requests=requests)
    except (ValueError, RuntimeError, OSError) as e:
        return {"error": str(e)}
    return result.model_dump() if hasattr(result, "model_dump") else result
