"""`assistant eval` on the labelled development set, the committed accuracy floor, out-of-scope rejection,
and a smoke run of `assistant bench` (its figures are reported, never asserted)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.interfaces.cli import main
from assistant.devtools.evaluate import REJECTED, Case, EvalReport, format_report, harm, is_correct, load_cases, run_eval

from .conftest import DATA, SHARED

DEV = DATA / "questions.jsonl"
OOS_FILES = [SHARED / "data" / "clinc150-dev.jsonl", SHARED / "data" / "medquad-dev.jsonl"]
# Shares of the out-of-scope sets that must be rejected (measured 0.998 and 1.000 when last raised; the issue asks >= 0.99).
OOS_FLOORS = {"clinc150-dev.jsonl": 0.99, "medquad-dev.jsonl": 0.99}
# Every real off-trial set in ../shared/data: rejected >= 99.5% and answered <= 0.1% (issue 9), now on every set
# (K-QA's last two, "What is the prednisone for?" and "what is GI side affects?", are general questions now).
ALL_OOS = sorted((SHARED / "data").glob("*-dev.jsonl")) if (SHARED / "data").is_dir() else []
# The labelled sets CI evaluates with --max-harmful 0: every set whose first run is recorded and that was tuned
# against afterwards (tests/data/README.md). sets 7, 8 and 10-13 still hold harmful replies after tuning: see TUNED_CEILINGS.
DEV_SETS = ["questions.jsonl", "questions_check.jsonl", "questions_check2.jsonl", "questions_check3.jsonl",
            "questions_fresh1.jsonl", "questions_fresh2.jsonl", "questions_fresh3.jsonl", "questions_fresh4.jsonl",
            "questions_fresh5.jsonl", "questions_fresh6.jsonl", "questions_fresh9.jsonl", "questions_fresh11.jsonl",
            "questions_fresh14.jsonl", "questions_fresh15.jsonl", "questions_fresh18.jsonl", "questions_fresh26.jsonl",
            "questions_fresh27.jsonl", "questions_fresh28.jsonl", "questions_fresh29.jsonl", "questions_fresh33.jsonl",
            "questions_fresh35.jsonl", "questions_fresh36.jsonl", "questions_fresh37.jsonl"]
# First runs of the sets written from the article alone by helpers who never saw the code (tests/data/README.md):
# accuracy and harmful replies on first contact, then after tuning against the set.
FIRST_RUNS = {"questions_fresh1.jsonl": (0.8222, 31), "questions_fresh2.jsonl": (0.9038, 14),
              "questions_fresh3.jsonl": (0.8346, 21), "questions_fresh4.jsonl": (0.8846, 5),
              "questions_fresh5.jsonl": (0.8962, 8), "questions_fresh6.jsonl": (0.9038, 9),
              "questions_fresh7.jsonl": (0.9038, 8), "questions_fresh8.jsonl": (0.8769, 11),
              "questions_fresh9.jsonl": (0.9346, 5), "questions_fresh10.jsonl": (0.8962, 5),
              "questions_fresh11.jsonl": (0.9000, 9), "questions_fresh12.jsonl": (0.9231, 4),
              "questions_fresh13.jsonl": (0.9038, 9),
              "questions_fresh15.jsonl": (0.9269, 5), "questions_fresh14.jsonl": (0.8846, 11),
              "questions_fresh16.jsonl": (0.9269, 4),
              "questions_fresh17.jsonl": (0.9269, 5), "questions_fresh18.jsonl": (0.9154, 7),
              "questions_fresh19.jsonl": (0.9154, 5), "questions_fresh20.jsonl": (0.9038, 8),
              "questions_fresh21.jsonl": (0.9385, 5), "questions_fresh22.jsonl": (0.9385, 2),
              "questions_fresh23.jsonl": (0.9538, 7),
              "questions_fresh24.jsonl": (0.9500, 8),
              "questions_fresh25.jsonl": (0.9577, 2),
              "questions_fresh26.jsonl": (0.9577, 2),
              "questions_fresh27.jsonl": (0.9846, 1),
              "questions_fresh28.jsonl": (0.9500, 4),
              "questions_fresh29.jsonl": (0.9538, 1),
              "questions_fresh30.jsonl": (0.9385, 6),
              "questions_fresh31.jsonl": (0.9423, 2),
              "questions_fresh32.jsonl": (0.9615, 3),
              "questions_fresh33.jsonl": (0.9615, 2),
              "questions_fresh34.jsonl": (0.9577, 2),
              "questions_fresh35.jsonl": (0.9577, 3),
              "questions_fresh36.jsonl": (0.9500, 3),
              "questions_fresh37.jsonl": (0.9692, 2),
              "questions_fresh38.jsonl": (0.9462, 6),
              "questions_fresh39.jsonl": (0.9654, 7),
              "questions_fresh40.jsonl": (0.9538, 4),
              "questions_fresh41.jsonl": (0.9115, 2),
              "questions_fresh42.jsonl": (0.9462, 6),
              "questions_fresh43.jsonl": (0.9654, 4),
              "questions_fresh44.jsonl": (0.9538, 5),
              "questions_fresh45.jsonl": (0.9385, 2),
              "questions_fresh46.jsonl": (0.9577, 6),
              "questions_fresh47.jsonl": (0.9769, 2),
              "questions_fresh48.jsonl": (0.9615, 6),
              "questions_fresh49.jsonl": (0.9769, 2),
              "questions_fresh50.jsonl": (0.95, 12),
              "questions_fresh51.jsonl": (0.9654, 2),
              "questions_fresh52.jsonl": (0.9692, 2),
              "questions_fresh53.jsonl": (0.9846, 0),
              "questions_fresh54.jsonl": (0.9462, 7),
              "questions_fresh55.jsonl": (0.95, 4),
              "questions_fresh56.jsonl": (0.9654, 3)}
# set 23 with the scorer reading a count 'n = 27' as the number 27, on the code of its first run: 96.5% with 4;
# set 28 with the scorer reading '34.7 months' in '34.7 vs 56.4 months', on the code of its first run: 95.4% with 3
# Sets tuned after their first run that still have harmful replies: held at their measured level.
TUNED_CEILINGS = {"questions_fresh7.jsonl": (0.9731, 1), "questions_fresh8.jsonl": (0.9692, 1),
                  "questions_fresh10.jsonl": (0.9808, 1), "questions_fresh12.jsonl": (0.9731, 1),
                  "questions_fresh13.jsonl": (0.9846, 1), "questions_fresh16.jsonl": (0.9846, 1),
                  "questions_fresh17.jsonl": (0.9846, 1), "questions_fresh19.jsonl": (0.9808, 1),
                  "questions_fresh20.jsonl": (0.9769, 3), "questions_fresh21.jsonl": (0.9808, 2),
                  "questions_fresh22.jsonl": (0.9769, 1), "questions_fresh23.jsonl": (0.9962, 1),
                  "questions_fresh24.jsonl": (0.9885, 1), "questions_fresh25.jsonl": (0.9885, 1),
                  "questions_fresh30.jsonl": (0.9923, 1), "questions_fresh31.jsonl": (0.9923, 1),
                  "questions_fresh32.jsonl": (0.9884, 1), "questions_fresh34.jsonl": (0.9884, 1)}


def accuracy_floor() -> float:
    """tests/data/accuracy_floor.txt: the committed CI floor (first line that is not a comment)."""
    for line in (DATA / "accuracy_floor.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            return float(line)
    raise AssertionError("accuracy_floor.txt holds no number")


@pytest.fixture(scope="module")
def report(assistant: Assistant) -> EvalReport:
    return run_eval(DEV, assistant=assistant)


def write_cases(path: Path, rows: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


STABLE = [
    {"id": "a", "session": None, "question": "What was the 2-year progression-free survival?",
     "expected_status": "answered", "must_contain": ["58.2%"], "topic": "efficacy"},
    {"id": "b", "session": None, "question": "What is the weather in Paris?", "expected_status": "out_of_scope",
     "must_contain": [], "topic": "out_of_scope"},
    {"id": "c", "session": None, "question": "", "expected_status": "invalid_input", "must_contain": [],
     "topic": "invalid"},
    {"id": "d", "session": None, "question": "should my 74 year old mother get this treatment?",
     "expected_status": "medical_advice", "must_contain": [], "topic": "advice"},
    {"id": "e", "session": None, "question": "hello", "expected_status": "chitchat", "must_contain": [],
     "topic": "chitchat"},
]


def test_dev_set_accuracy_is_not_below_the_committed_floor(report: EvalReport) -> None:
    """CI: the development set's accuracy may rise, never fall below tests/data/accuracy_floor.txt."""
    floor = accuracy_floor()
    assert report.accuracy >= floor, format_report(report, misses=30)


def test_report_adds_up(report: EvalReport) -> None:
    cases = load_cases(DEV)
    assert report.total == len(cases) > 300
    assert report.correct == report.total - len(report.misses)
    assert sum(g.total for g in report.by_status) == report.total == sum(g.total for g in report.by_topic)
    assert sum(g.correct for g in report.by_topic) == report.correct
    assert sum(sum(row.values()) for row in report.confusion.values()) == report.total
    for g in report.by_status:  # the diagonal of the confusion matrix bounds each status's correct count
        assert g.correct <= report.confusion[g.name].get(g.name, 0)
    assert {g.name for g in report.by_status} == {c.expected_status for c in cases}
    for m in report.misses:
        assert m.status != m.expected_status or m.missing
        assert m.answer


def test_stable_cases_are_all_correct(assistant: Assistant, tmp_path: Path) -> None:
    """Given the clearly correct behaviours, when evaluated, then accuracy is 1 and the matrix is diagonal."""
    r = run_eval(write_cases(tmp_path / "stable.jsonl", STABLE), assistant=assistant)
    assert (r.total, r.correct, r.accuracy) == (5, 5, 1.0), format_report(r)
    assert all(list(row) == [status] for status, row in r.confusion.items())


def test_a_wrong_label_is_a_miss_with_its_explanation(assistant: Assistant, tmp_path: Path) -> None:
    rows = [dict(STABLE[0], must_contain=["58.2%", "99.9%"]), dict(STABLE[1], expected_status="answered")]
    r = run_eval(write_cases(tmp_path / "wrong.jsonl", rows), assistant=assistant)
    assert r.correct == 0 and len(r.misses) == 2
    first, second = r.misses
    assert first.status == "answered" and first.missing == ["99.9%"] and first.rule
    assert any(s.startswith("measure=") for s in first.slots)
    assert second.expected_status == "answered" and second.status == "out_of_scope" and second.note
    assert r.confusion == {"answered": {"answered": 1, "out_of_scope": 1}}
    text = format_report(r)
    assert "missing '99.9%'" in text and "expected answered, got out_of_scope" in text


def test_sessions_are_asked_in_order(assistant: Assistant, tmp_path: Path) -> None:
    """A follow-up is only right when its session's earlier turn was asked first, in the same conversation."""
    rows = [dict(STABLE[0], id="t1", session="s1", question="2y PFS?"),
            dict(STABLE[0], id="t2", session="s1", question="and at 5 years?", must_contain=["44.0"])]
    r = run_eval(write_cases(tmp_path / "session.jsonl", rows), assistant=assistant)
    assert r.accuracy == 1.0, format_report(r)


def test_command_line_json_and_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(tmp_path / "stable.jsonl", [*STABLE, dict(STABLE[1], id="f", expected_status="answered")])
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 6 and data["correct"] == 5 and data["misses"][0]["id"] == "f"
    assert main(["eval", str(path), "--min-accuracy", "0.8"]) == 0
    capsys.readouterr()
    assert main(["eval", str(path), "--min-accuracy", "0.9"]) == 1
    captured = capsys.readouterr()
    assert "below the floor" in captured.err and "accuracy" in captured.out
    assert main(["eval", str(path), "--min-accuracy", "90"]) == 1  # percent works too


def test_command_line_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "hi", "expected_status": "chitchat"}\n{"question": 1}\n', encoding="utf-8")
    assert main(["eval", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "line 2" in err and len(err.strip().splitlines()) == 1
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 1
    assert "not found" in capsys.readouterr().err


@pytest.mark.skipif(not all(p.is_file() for p in OOS_FILES), reason="../shared/data is not present")
def test_out_of_scope_sets_are_rejected(assistant: Assistant, tmp_path: Path) -> None:
    """Given general questions (CLINC150) and other medical questions (MedQuAD), the assistant declines them."""
    r = run_eval(write_cases(tmp_path / "stable.jsonl", STABLE), OOS_FILES, assistant=assistant)
    assert [Path(o.file).name for o in r.oos] == [p.name for p in OOS_FILES]
    for o in r.oos:
        assert o.total > 3000
        assert o.rejected == sum(o.statuses.get(s, 0) for s in REJECTED)
        assert o.share >= OOS_FLOORS[Path(o.file).name], (o.file, o.share, o.statuses, o.examples)


def test_bench_smoke(tmp_path: Path) -> None:
    """`assistant bench` measures everything in one small run; the figures are only reported."""
    from assistant.devtools.bench import format_report as bench_text
    from assistant.devtools.bench import run_bench

    r = run_bench(DEV, passes=1, batch_items=400, cold_runs=1)
    assert r.questions == len(load_cases(DEV))
    assert r.ask_warm.n == r.questions and r.ask_uncached.n == r.questions
    assert r.batch_warm.items >= 400 and r.batch_warm.per_s > 0
    assert r.cold_start.median_s is not None, r.cold_start.error
    assert r.rss_ask_mb and r.rss_batch_mb and r.build_s > 0
    assert len(r.targets) == (9 if r.baseline.available else 5)
    assert r.answered_accuracy > 0.9  # a labelled set: a real accuracy
    if r.baseline.available:
        assert r.baseline.ask and set(r.ratios) >= {"p50_warm", "p50_uncached", "batch_warm"}
    else:
        assert "pip install" in r.baseline.note
    text = bench_text(r)
    assert "targets:" in text and "cold start" in text and "baseline missing" not in text
    assert text.index("ask p50, new questions") < text.index("ask p50, repeated (cache warm)")


def test_bench_without_bm25s_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from assistant.devtools.bench import bm25_baseline

    monkeypatch.setitem(sys.modules, "bm25s", None)  # import bm25s -> ImportError
    b = bm25_baseline([{"question": "x", "expected_status": "answered", "must_contain": []}], None, 1, 1)
    assert not b.available and "pip install '.[bench]'" in b.note


def test_second_question_set_written_without_seeing_the_code(assistant: Assistant) -> None:
    """tests/data/questions_check.jsonl was written from the article alone by someone who had not seen the lexicon
    or the development set (measured 0.885 before any tuning against it, 0.955 after)."""
    check = run_eval(DATA / "questions_check.jsonl", assistant=assistant)
    assert check.total == 200
    assert check.accuracy >= 0.93, format_report(check, misses=20)


def test_third_question_set_written_without_seeing_the_code(assistant: Assistant) -> None:
    """tests/data/questions_check2.jsonl: 180 questions by another writer who saw only the article (persona-driven:
    nurse, pharmacist, relative, student, journalist, call-centre agent). Measured 0.900 before tuning, 0.944 after."""
    check = run_eval(DATA / "questions_check2.jsonl", assistant=assistant)
    assert check.total == 180
    assert check.accuracy >= 0.92, format_report(check, misses=20)


def test_fourth_question_set_written_without_seeing_the_code(assistant: Assistant) -> None:
    """tests/data/questions_check3.jsonl: 150 help-desk style messages (lower case, texting, typos) by a third writer
    who saw only the article. Measured 0.907 on first run, 0.940 after."""
    check = run_eval(DATA / "questions_check3.jsonl", assistant=assistant)
    assert check.total == 150
    assert check.accuracy >= 0.92, format_report(check, misses=20)


# ---------------------------------------------------------------- harmful replies (issue 9)


def test_harm_counts_figures_for_what_was_not_asked() -> None:
    five_os = Case(question="5-year OS?", expected_status="answered", must_contain=["46.0"], must_not_contain=["44.0"])
    assert harm(five_os, "answered", "The 5-year OS rate was 46.0%.") == (False, [])
    assert harm(five_os, "answered", "OS 46.0%; PFS 44.0%.") == (True, ["44.0"])  # more than was asked
    assert harm(five_os, "answered", "The 2-year OS rate was 63.6%.")[0]  # another figure
    assert not harm(five_os, "clarify", "Which one?")[0]  # asking back is never harmful
    other = Case(question="2-year OS in UKALL14?", expected_status="out_of_scope", must_not_contain=["63.6"])
    assert harm(other, "answered", "The 2-year OS rate was 63.6%.")[0]  # another trial answered
    assert harm(other, "no_data", "Not reported. What it does report: 63.6%.")[0]  # padded with this trial's figures
    assert not harm(other, "out_of_scope", "I only answer about one trial.")[0]
    advice = Case(question="should I take it?", expected_status="medical_advice")
    assert harm(advice, "answered", "Median OS was 34.7 months.")[0]  # a personal decision answered with a statistic


def test_figures_match_as_whole_numbers() -> None:
    case = Case(question="p?", expected_status="answered", must_contain=[".77"], must_not_contain=["4"])
    assert is_correct(case, "answered", "P = 0.77 (44.0%)")[0]  # '.77' as written is '0.77'; '4' is not in '44.0'
    assert not is_correct(case, "answered", "P = 0.771")[0]
    assert not is_correct(case, "answered", "P = 0.77 after 4 cycles")[0]


def test_a_p_value_matches_however_its_equals_sign_is_spaced() -> None:
    """The article writes 'P =.11' and 'P = 0.010': a reply writing 'P = .11' gives the first, 'P = .27' does not."""
    case = Case(question="p?", expected_status="answered", must_contain=["P =.11"])
    assert is_correct(case, "answered", "the P value across groups was P = .11.")[0]
    assert is_correct(case, "answered", "(P=.11)")[0]
    assert not is_correct(case, "answered", "(P = .27)")[0]
    assert not is_correct(case, "answered", "(P = .118)")[0]


def test_figures_match_the_same_number_with_end_zeros_or_spelt_out() -> None:
    """'46' is the figure in '46.0%' (the article's own '46·0'), not in '46.6'; '79' is 'Seventy-nine'."""
    case = Case(question="5-year OS?", expected_status="answered", must_contain=["46", "0.01"])
    assert is_correct(case, "answered", "The 5-year OS rate was 46.0% (P = 0.010).")[0]
    assert not is_correct(case, "answered", "The 5-year OS rate was 46.6% (P = 0.010).")[0]
    assert not is_correct(case, "answered", "The 5-year OS rate was 46.0% (P = 0.011).")[0]
    assert not is_correct(case, "answered", "146.0% (P = 0.01)")[0]
    spelt = Case(question="how many?", expected_status="answered", must_contain=["79"], must_not_contain=["80"])
    assert is_correct(spelt, "answered", "Seventy-nine patients were eligible.")[0]
    assert not is_correct(spelt, "answered", "Seventy-eight patients were eligible.")[0]
    assert harm(spelt, "answered", "Eighty patients were eligible.")[0]
    small = Case(question="how many CRp?", expected_status="answered", must_contain=["6"], must_not_contain=["3"])
    assert is_correct(small, "answered", "Six patients had a complete response without platelet recovery.")[0]
    assert not is_correct(small, "answered", "Six of them had a CRp.")[0]  # a word below ten only before what it counts
    assert not harm(small, "answered", "6 patients, in three age groups")[0]


def test_a_count_written_n_equals_is_that_number() -> None:
    """The article writes counts as 'n = 27': a reply giving 27 patients gives it, one giving 25 does not."""
    case = Case(question="how many were 65-69?", expected_status="answered", must_contain=["n = 27"],
                must_not_contain=["n = 25"])
    assert is_correct(case, "answered", "27 patients were aged 65-69 years.")[0]
    assert is_correct(case, "answered", "aged 65-69 (n = 27)")[0]
    assert not is_correct(case, "answered", "127 patients were aged 65-69 years.")[0]
    assert harm(case, "answered", "25 patients were aged 60-64 and 27 were aged 65-69.")[0]


def test_a_figure_with_its_unit_is_in_a_pair_sharing_the_unit() -> None:
    """'34.7 months' is given by '34.7 vs 56.4 months', not by '34.7%' nor by '56.4 vs 34.7 days'."""
    case = Case(question="PFS after vs before?", expected_status="answered", must_contain=["34.7 months"])
    assert is_correct(case, "answered", "Median PFS (34.7 vs 56.4 months; P = .77).")[0]
    assert is_correct(case, "answered", "34.7 and 56.4 months")[0]
    assert not is_correct(case, "answered", "PFS 34.7% vs 56.4 months")[0]
    assert not is_correct(case, "answered", "56.4 vs 34.7 days")[0]
    assert not is_correct(case, "answered", "134.7 vs 56.4 months")[0]


def test_dashes_and_hyphens_join_the_same_words_and_figures() -> None:
    """'20.0–56.3' (en dash) is '20.0-56.3'; 'low-intensity' is 'low intensity'; the figures still must match."""
    case = Case(question="CI?", expected_status="answered", must_contain=["20.0-56.3", "low intensity"])
    assert is_correct(case, "answered", "median OS 34.7 months (95% CI 20.0–56.3), low-intensity chemotherapy")[0]
    assert not is_correct(case, "answered", "median OS 34.7 months (95% CI 20.0–56.4), low-intensity")[0]
    assert not is_correct(case, "answered", "95% CI 20.0 56.3, low-intensity")[0]  # a range is not two numbers
    forbid = Case(question="CI?", expected_status="answered", must_contain=["34.7"], must_not_contain=["13.6-56.2"])
    assert harm(forbid, "answered", "34.7 months; PFS 34.2 (13.6–56.2)")[0]


@pytest.mark.parametrize("name", DEV_SETS)
def test_dev_sets_have_no_harmful_reply(assistant: Assistant, name: str) -> None:
    """CI runs every labelled development set with a harmful bound of 0."""
    r = run_eval(DATA / name, assistant=assistant)
    bad = [m for m in r.misses if m.harmful]
    assert r.harmful == 0, format_report(r.model_copy(update={"misses": bad}))


def test_eval_command_fails_above_the_harmful_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": "h", "question": "What was the 5-year overall survival?", "expected_status": "answered",
             "must_contain": ["46.0"], "must_not_contain": ["46.0"]}]  # a case no reply can pass harmlessly
    path = write_cases(tmp_path / "h.jsonl", rows)
    assert main(["eval", str(path), "--max-harmful", "0"]) == 1
    captured = capsys.readouterr()
    assert "harmful replies: 1" in captured.out and "more than the bound 0" in captured.err
    assert main(["eval", str(DATA / "questions.jsonl"), "--max-harmful", "0", "--misses", "0"]) == 0
    assert "harmful replies: 0" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(FIRST_RUNS))
def test_fresh_sets_do_at_least_as_well_as_on_first_contact(assistant: Assistant, name: str) -> None:
    """Each fresh set may only improve on its recorded first run (fresh1's first run is of the code before issue 9;
    the others of the code as it stood when each arrived)."""
    first_accuracy, first_harmful = FIRST_RUNS[name]
    r = run_eval(DATA / name, assistant=assistant)
    assert r.total >= 260
    assert r.accuracy >= first_accuracy and r.harmful <= first_harmful, format_report(r, misses=10)


@pytest.mark.parametrize("name", sorted(TUNED_CEILINGS))
def test_tuned_sets_with_harmful_replies_left_hold_their_level(assistant: Assistant, name: str) -> None:
    accuracy, harmful = TUNED_CEILINGS[name]
    r = run_eval(DATA / name, assistant=assistant)
    assert r.accuracy >= accuracy and r.harmful <= harmful, format_report(r.model_copy(update={"misses": [
        m for m in r.misses if m.harmful]}))


@pytest.mark.skipif(not ALL_OOS, reason="../shared/data is not present")
@pytest.mark.parametrize("path", ALL_OOS, ids=[p.name for p in ALL_OOS])
def test_every_real_off_trial_set_is_rejected(assistant: Assistant, path: Path) -> None:
    """Real questions nobody here wrote, none about this trial: >= 99.5% rejected (out_of_scope, chit-chat, or
    medical_advice for a personal health question), at most 0.1% answered."""
    from assistant.devtools.evaluate import oos_share

    o = oos_share(assistant, path)
    answered = o.statuses.get("answered", 0) / o.total
    assert o.share >= 0.995, (o.statuses, o.examples)
    assert answered <= 0.001, (o.statuses, o.examples)
