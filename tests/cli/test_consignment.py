"""`dostyk consignment`: an order's dates as a user reads them, and its refusals."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.cli.helpers import dostyk, dostyk_here
from tests.conftest import SCENARIOS
from tests.model.test_orders import STORY


def said(text: str) -> str:
    """The text's sentences whole, as they read before being wrapped to the terminal's width."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("consignment") / "story.yaml"
    path.write_text(yaml.safe_dump(STORY), encoding="utf-8")
    return path


def test_the_story_order_is_told_in_dates(story: Path) -> None:
    """The story of tests/model/test_orders.py (fixed times): 5 wagons ordered at 13:00 on 1 January
    are formed at once, at the border at 23:00 and all unloaded at 14:00 on 3 January (+49 h) in
    every replication; so all of them by the end of 3 January."""
    proc = dostyk_here("consignment", str(story), "--wagons", "5", "--on", "2023-01-01T13:00", "--by", "2023-01-03",
                  "-n", "3", "--executor", "serial", "-q")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "5 wagons of grain ordered at 2023-01-01 13:00 (2 trains, on top of the scenario's demand); 3 replications" in said(out)
    unloaded = next(line for line in out.splitlines() if line.startswith("all unloaded"))
    assert unloaded.count("2023-01-03 14:00 (+2.0 d)") == 3
    border = next(line for line in out.splitlines() if line.startswith("last train at"))  # its label wrapped
    assert border.count("2023-01-01 23:00 (+0.4 d)") == 3 and "border" in out
    assert ("Days from the order to all unloaded: mean 2.0 (95 % CI of the mean 2.0 to 2.0); one order's own: 2.0 to "
            "2.0 days in 80 % of runs (the 10 % and 90 % points).") in said(out)
    assert "All unloaded by the end of 2023-01-03: in 3 of 3 replications (100 %; 95 % CI 29 % to 100 %)." in out


def test_an_order_too_late_to_be_unloaded_is_said_so(story: Path) -> None:
    proc = dostyk_here("consignment", str(story), "--wagons", "3", "--on", "2023-01-03T12:00", "-n", "2",
                  "--executor", "serial", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "Not all unloaded by the end of the run (2023-01-04 00:00) in 2 of 2 replications" in proc.stdout
    assert "after the run" in proc.stdout


def test_every_executor_gives_the_same_answer() -> None:
    args = ("consignment", str(SCENARIOS / "baseline_2023.yaml"), "--cargo", "grain", "--wagons", "300",
            "--on", "2023-03-01", "--set", "duration=90d", "-n", "3", "-q")
    serial, process = dostyk(*args, "--executor", "serial"), dostyk(*args, "--executor", "process", "--workers", "2")
    assert serial.returncode == 0 and process.returncode == 0, serial.stderr + process.stderr
    assert serial.stdout == process.stdout and "all unloaded" in serial.stdout


@pytest.mark.parametrize(("args", "option", "words"), [
    (("--wagons", "5", "--on", "2023-02-01"), "--on", "is not inside the run (2023-01-01 00:00 to 2023-01-04 00:00)"),
    (("--wagons", "5", "--on", "1 Jan"), "--on", "is not an ISO date such as 2023-10-01"),
    # (the end of the last day a datetime can hold was an internal OverflowError)
    (("--wagons", "5", "--on", "2023-01-02", "--by", "9999-12-31"), "--by", "is not inside the run"),
    (("--wagons", "5", "--on", "2023-01-01T13:00+06:00"), "--on", "without a time zone"),
    (("--wagons", "5", "--on", "2023-01-02", "--by", "2023-01-01"), "--by", "is not after the order"),
    (("--wagons", "5", "--on", "2023-01-02", "--cargo", "coal"), "--cargo", "unknown cargo 'coal'; expected one of: grain"),
    # (order_problem's words, as sim.order_outcomes and the workbench's Order tab say them)
    (("--wagons", "0", "--on", "2023-01-02"), "--wagons", "wagons must be a whole number of at least 1, got 0"),
    (("--wagons", str(10**30), "--on", "2023-01-02"), "--wagons", "an order may be at most 10,000 trains"),
    (("--wagons", "100000", "--on", "2023-01-02"), "--wagons", ("100,000 wagons are 33,334 trains of grain; an order may "
                                                               "be at most 10,000 trains")),
])
def test_bad_orders_are_refused_before_anything_runs(story: Path, args: tuple[str, ...], option: str,
                                                     words: str) -> None:
    proc = dostyk_here("consignment", str(story), *args, "--executor", "serial", "-q")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert option in proc.stderr and words in said(proc.stderr), proc.stderr


def test_several_cargo_need_one_named() -> None:
    proc = dostyk_here("consignment", str(SCENARIOS / "baseline_2023.yaml"), "--wagons", "5", "--on", "2023-03-01", "-q")
    assert proc.returncode == 2 and "--cargo" in proc.stderr and "several cargo; name one of: grain, containers" in proc.stderr


@pytest.mark.parametrize("by", ["20230103", "2023-W01-2"])
def test_a_date_alone_in_any_iso_form_means_the_end_of_that_day(story: Path, by: str) -> None:
    """--by 20230103 (or its week date) is the end of 3 January as --by 2023-01-03 is (it was read as
    its midnight, so the story's order, unloaded at 14:00 that day, was not through by it). With one
    replication the days are given without a CI (nothing was said)."""
    proc = dostyk_here("consignment", str(story), "--wagons", "5", "--on", "2023-01-01T13:00", "--by", by, "-n", "1",
                  "--executor", "serial", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "All unloaded by the end of 2023-01-03: in 1 of 1 replications (100 %;" in proc.stdout, proc.stdout
    assert "Days from the order to all unloaded: 2.0 (one replication: no confidence interval)." in proc.stdout


def test_an_order_lost_at_origin_or_in_the_warmup_is_said_so(tmp_path: Path) -> None:
    """Stop-loading with on_halt: lose halts the story's grain from 22 h to 37 h: an order at 30 h is
    lost, in every replication. It used to read as late ("lengthen the run or order earlier"). It is
    also placed in a 2-day warm-up, when the crossing is still filling: said too."""
    data = copy.deepcopy(STORY)
    data["policies"] = {"stop_loading": {"cargo": ["grain"], "above_wagons": 2, "resume_below": 1, "on_halt": "lose"}}
    data["warmup"] = "2d"
    path = tmp_path / "lost.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = dostyk_here("consignment", str(path), "--wagons", "5", "--on", "2023-01-02T06:00", "-n", "2",
                  "--executor", "serial", "-q")
    assert proc.returncode == 0, proc.stderr
    out = said(proc.stdout)
    assert "in 2 of 2 replications (never will be in 2: lost at origin in 2)" in out, out
    assert "lengthen the run" not in out and "after the run" not in out and "not in the run" in out
    assert "lost at origin (loading halted or banned with `lose`): in 2 of 2 replications (5 wagons" in out
    assert "Ordered in the scenario's warm-up (until 2023-01-03 00:00)" in out
    assert "warm-up" not in proc.stderr  # said once, in the answer (sim.order_outcomes warns of it too)


def test_many_replications_are_not_refused_for_daily_rows_never_kept(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    """-n 2000 on a 1-year scenario was refused as '2,350,000 daily rows, kept in memory and written
    to daily.csv': a consignment keeps one Outcome per replication and writes nothing. (The runs are
    replaced by their answer here: what is checked is that nothing refuses them first.)"""
    import sim.cli.consignment as command
    from sim.analysis.consignment import Outcome
    from tests.cli.test_bad_inputs import run_main

    asked: list[int] = []

    def answer(scenario: object, order: object, replications: int, *_: object, **__: object) -> list[Outcome]:
        asked.append(replications)
        return [Outcome(8, 1420.0, 1440.0, 1500.0, 0)] * replications  # (1 March 2023 is 1416 h)

    monkeypatch.setattr(command, "order_outcomes", answer)
    code, err, out = run_main(["consignment", str(SCENARIOS / "baseline_2023.yaml"), "--cargo", "grain", "--wagons",
                               "400", "--on", "2023-03-01", "-n", "2000", "--executor", "serial", "-q"], tmp_path)
    assert code == 0 and asked == [2000] and "; 2000 replications:" in said(out), err


def test_versus_answers_the_same_order_with_a_change_paired(story: Path) -> None:
    """The story with a second point (--versus unloading.grain.points=2): train 1's 3 wagons (border 22)
    and the order's 5 (border 23) share two 5-h points: 22-27 (two), 27-32 (two), 32-37 (two), 37-42
    (one), so the order is all unloaded at 42 h, 29 h after it instead of 49 h: 20 h (0.8 d) sooner
    in every replication (fixed times: the paired CI has no width, which `compare` says as it is, not as a
    95 % "sooner")."""
    proc = dostyk_here("consignment", str(story), "--wagons", "5", "--on", "2023-01-01T13:00", "-n", "3",
                  "--executor", "serial", "-q", "--versus", "unloading.grain.points=2")
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("\nWith unloading.grain.points=2:\n")
    assert "all unloaded" in first and first.count("2023-01-03 14:00 (+2.0 d)") == 3
    unloaded = next(line for line in second.splitlines() if line.startswith("all unloaded"))
    assert unloaded.count("2023-01-02 18:00 (+1.2 d)") == 3
    assert ("With unloading.grain.points=2 − without (paired, the same seed and replications): days to all "
            "unloaded, mean ± 95 % CI: -0.8333 ± 0: sooner by the same amount in every pair (no spread, so no CI); "
            "sooner in 3 of 3 replications, later in 0.") in said(second)


@pytest.mark.parametrize(("versus", "words"), [
    ("seed=5", "seed=5 would not be paired with the answer without it"),
    ("start=2022-12-31", "start=2022-12-31 would not be paired"),
    ("duration=12h", "with duration=12h: the order is not inside the run (2023-01-01 00:00 to 2023-01-01 12:00)"),
    ("points", "expected key.path=value, got 'points'"),
])
def test_versus_refuses_a_change_that_breaks_the_pairing_or_the_order(story: Path, versus: str, words: str) -> None:
    proc = dostyk_here("consignment", str(story), "--wagons", "5", "--on", "2023-01-01T13:00", "-n", "2",
                  "--executor", "serial", "-q", "--versus", versus)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Invalid value for --versus" in said(proc.stderr) and words in said(proc.stderr), proc.stderr


def test_versus_cuts_the_order_into_the_changed_trains(story: Path) -> None:
    """--versus cargo.grain.wagons_per_train=5: the order of 5 wagons is one train, not the two of 3 and 2
    the scenario as given cuts it into (the changed answer said '2 trains')."""
    proc = dostyk_here("consignment", str(story), "--wagons", "5", "--on", "2023-01-01T13:00", "-n", "2",
                  "--executor", "serial", "-q", "--versus", "cargo.grain.wagons_per_train=5")
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("\nWith cargo.grain.wagons_per_train=5:\n")
    assert "(2 trains, on top of the scenario's demand)" in said(first)
    assert "(1 train, on top of the scenario's demand)" in said(second)


def test_the_mean_days_ci_is_never_printed_below_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Three replications through in 0.1, 0.1 and 2.0 days gave "95 % CI of the mean -2.0 to 3.5": clipped at
    0 days, and said so. (The runs are replaced by such an answer: what is checked is what is printed.)"""
    import sim.cli.consignment as command
    from sim.analysis.consignment import Outcome
    from tests.cli.helpers import run_main

    at = 1416.0  # 1 March 2023, in hours since the scenario's start
    answer = [Outcome(8, at, at + 1.0, at + 24.0 * d, 0) for d in (0.1, 0.1, 2.0)]
    monkeypatch.setattr(command, "order_outcomes", lambda *_, **__: answer)
    code, err, out = run_main(["consignment", str(SCENARIOS / "baseline_2023.yaml"), "--cargo", "grain", "--wagons",
                               "400", "--on", "2023-03-01", "-n", "3", "--executor", "serial", "-q"], tmp_path)
    assert code == 0, err
    assert ("Days from the order to all unloaded: mean 0.7 (95 % CI of the mean 0.0 to 3.5; lower bound clipped "
            "at 0: days cannot be negative)") in said(out), out
