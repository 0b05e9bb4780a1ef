"""An optimisation an analyst can act on: distinct candidates with today's among them, each against
today (paired), constraint verdicts with margins, the possible best by subset selection, and the
documented example (docs/howto/calibrate-optimise.md) answering with a feasible candidate."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.analysis.selection import select_subset
from sim.analysis.stats import t_halfwidth
from sim.decision.levers import Lever
from sim.decision.optimize import optimize
from sim.decision.ranking import NO, UNDECIDED, YES, replications_to_decide
from tests.shown_output import assert_prints_as_shown

POINTS = "unloading.grain.points"
COST = 80_000   # USD per point over the run (tests/decision/conftest.py: costs.levers)
TODAY = 10      # the small scenario's points
REPS = 4
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def swept() -> pd.DataFrame:
    """Per point (8–14) and replication: total cost and backlog maximum, by brute force (a sweep, same seed)."""
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    base = validate_scenario(parse_yaml(SMALL, "small"), "small")
    sw = sim.sweep(base, {POINTS: list(range(8, 15))}, replications=REPS, executor="serial")
    k = sw.kpis[sw.kpis["cargo"] == "all"].copy()
    k["total"] = k["idle_cost_usd"] + COST * (k[POINTS] - TODAY)
    return k[[POINTS, "replication", "total", "backlog_wagons_max"]].reset_index(drop=True)


def test_subset_selection_keeps_the_true_best_at_its_confidence() -> None:
    """Six systems sharing a common random component (as CRN gives): the true best (mean 0) is kept
    in at least 95 % of 200 experiments (less 3 binomial standard errors), clearly worse ones rejected."""
    rng = np.random.default_rng(19)
    means = np.array([0.0, 0.3, 1.0, 2.0, 3.0, 4.0])
    kept_best, rejected_worst, trials = 0, 0, 200
    for _ in range(trials):
        common = rng.normal(0, 3.0, size=(10, 1))          # large, shared by every system
        x = means + common + rng.normal(0, 1.0, size=(10, 6))
        chosen = select_subset(pd.DataFrame(x), "minimize", 0.95)
        kept_best += chosen.is_kept(0)
        rejected_worst += not chosen.is_kept(5)
    assert kept_best / trials >= 0.95 - 3 * np.sqrt(0.05 * 0.95 / trials)
    assert rejected_worst / trials > 0.95   # a 4-sd gap at n = 10 with paired differences is plain
    # maximising mirrors minimising; a single system is kept; a pair with < 2 common values rejects nothing
    assert select_subset(pd.DataFrame(-np.array([[0.0, 5.0]] * 3) + np.arange(3)[:, None] * 0.1), "maximize").kept == [0]
    assert select_subset(pd.DataFrame({"a": [1.0, 2.0]})).kept == ["a"]
    assert select_subset(pd.DataFrame({"a": [1.0, np.nan], "b": [5.0, 6.0]})).kept == ["a", "b"]


def test_search_wider_than_its_budget_tries_distinct_points_today_first(small: sim.Scenario) -> None:
    result = optimize(small, [Lever(path=POINTS, low=4, high=20)], ["min:total_cost_usd"],
                      candidates=8, replications=2, batch=4, seed=3, executor="serial")
    c = result.candidates
    assert len(c) == 8 and c[POINTS].is_unique
    assert c.loc[0, POINTS] == TODAY and c.loc[0, "today"] and c["today"].sum() == 1
    assert result.metadata["search"] == "tpe" and result.metadata["distinct_points"] == 17
    assert result.metadata["tasks_run"] == 8 * 2      # no replication spent twice


def test_today_outside_the_bounds_is_still_a_candidate(small: sim.Scenario) -> None:
    result = optimize(small, [Lever(path=POINTS, low=12, high=14)], ["min:total_cost_usd"],
                      candidates=10, replications=2, executor="serial")
    c = result.candidates
    assert sorted(c[POINTS]) == [10, 12, 13, 14]      # the whole grid, and today's 10
    assert c.loc[c["today"], POINTS].tolist() == [TODAY]
    assert result.metadata["search"] == "every point"


def test_grid_that_fits_is_enumerated_with_paired_differences_and_possible_best(
        small: sim.Scenario, swept: pd.DataFrame) -> None:
    result = optimize(small, [Lever(path=POINTS, low=8, high=14)], ["min:total_cost_usd"],
                      candidates=16, replications=REPS, batch=4, seed=7, executor="serial")
    c = result.candidates.set_index(POINTS)
    assert sorted(c.index) == list(range(8, 15))     # every point once, not 16 samples
    per = swept.pivot(index="replication", columns=POINTS, values="total")
    label = "min:total_cost_usd@all"
    for p in range(8, 15):
        d = (per[p] - per[TODAY]).to_numpy()
        assert c.loc[p, f"{label} vs today"] == pytest.approx(d.mean(), rel=1e-9, abs=1e-6)
        half = 0.0 if d.std() == 0 else t_halfwidth(float(d.std(ddof=1)), REPS)
        assert c.loc[p, f"{label} vs today ci95"] == pytest.approx(half, rel=1e-9, abs=1e-6)
    truth = int(per.mean().idxmin())
    assert c.loc[truth, "best"] and c.loc[truth, "possible_best"]
    # rejected candidates are beaten beyond noise: their paired difference to the best has a CI above 0
    best = per[truth]
    for p in c.index[~c["possible_best"]]:
        d = (per[p] - best).to_numpy()
        assert d.mean() > 0


def test_constraint_verdicts_margins_and_replications_to_decide(small: sim.Scenario, swept: pd.DataFrame) -> None:
    g = swept.groupby(POINTS)["backlog_wagons_max"]
    half = g.std(ddof=1).map(lambda s: t_halfwidth(float(s), REPS))
    limit = float((g.mean() + 0.5 * half).min())     # the best point's mean is below it, its CI is not
    result = optimize(small, [Lever(path=POINTS, low=8, high=14)], ["min:total_cost_usd"],
                      [f"backlog_wagons_max<={limit}"], candidates=7, replications=REPS, executor="serial")
    c = result.candidates.set_index(POINTS)
    label = f"backlog_wagons_max@all<={limit:g}"
    assert not result.feasible
    for p in c.index:
        mean, hw = g.mean()[p], half[p]
        assert c.loc[p, f"{label} margin"] == pytest.approx(limit - mean, rel=1e-9)
        expected = YES if mean + hw <= limit else NO if mean - hw > limit else UNDECIDED
        assert c.loc[p, f"{label} verdict"] == expected
    undecided = c[c[f"{label} verdict"] == UNDECIDED]
    assert len(undecided) and (undecided[f"{label} replications to decide"] > REPS).all()
    # the rule of thumb: at the n it names, the t-interval of the same sd clears the margin; one fewer does not
    from scipy import stats

    n = int(replications_to_decide(4, 10.0, 5.0))
    sd = 10.0 * 2 / stats.t.ppf(0.975, 3)
    assert stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) < 5.0 <= stats.t.ppf(0.975, n - 2) * sd / np.sqrt(n - 1)


def test_an_undecided_constraint_with_no_number_is_left_empty_with_why(small: sim.Scenario, tmp_path: Path) -> None:
    """candidates.csv wrote `inf` replications to decide where none can be told (a mean exactly on the
    limit); a spreadsheet user read it as a number. Now the cell is empty and the note beside it says why,
    and the advice offers no number of replications for such a candidate."""
    from sim.reporting.decision_tables import advice

    def search(limit: float):  # type: ignore[no-untyped-def]
        return optimize(small, [Lever(path=POINTS, low=8, high=9)], ["min:total_cost_usd"],
                        [f"backlog_wagons_max<={limit!r}"], candidates=2, replications=REPS, executor="serial")

    loose = search(1e9)
    on_limit = float(loose.candidates[f"{loose.constraints[0].label} mean"].iloc[0])
    result = search(on_limit)  # the same candidates and seeds: the first one's mean sits on the limit
    label = result.constraints[0].label
    row = result.candidates.iloc[0]
    assert row[f"{label} verdict"] == UNDECIDED and np.isnan(row[f"{label} replications to decide"])
    assert row[f"{label} replications to decide note"] == (
        "none can be told: not decided within 100,000 replications (the model's mean is at or very near the limit)")
    written = pd.read_csv(result.write(tmp_path / "opt") / "candidates.csv", keep_default_na=False)
    assert written[f"{label} replications to decide"].iloc[0] == ""  # empty, not inf
    assert not any("would decide" in line for line in advice(result, REPS))


def test_cli_top_k_and_closest_when_infeasible(small_path: Path, tmp_path: Path) -> None:
    from sim.cli import cli

    args = ["optimize", str(small_path), "--lever", f"{POINTS}=9:12", "--objective", "min:total_cost_usd",
            "--constraint", "backlog_wagons_max<=2500", "-n", "3", "--top", "3", "--executor", "serial",
            "--out", str(tmp_path / "ok")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    last_part = max(i for i, line in enumerate(lines) if line.startswith("---"))  # the part with the figures
    rows = [line for line in lines[last_part + 1:] if re.match(r"^(\d|today)", line)]
    assert len(rows) in (3, 4) and "possible best" in result.output and "− today (paired)" in result.output
    assert any("today" in r for r in rows)              # today's row is shown, ranked or added
    assert "yes (+" in result.output
    args[7] = "backlog_wagons_max<=1"
    args[-1] = str(tmp_path / "none")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3
    assert "No feasible candidate; the 3 closest" in result.output
    assert "No candidate's mean meets backlog_wagons_max@all<=1: relax it" in result.output
    assert "no (-" in result.output


def _readme_optimize_command() -> list[str]:
    """The `dostyk optimize` example of the how-to page (it was the README's)."""
    text = (ROOT / "docs" / "howto" / "calibrate-optimise.md").read_text(encoding="utf-8")
    section = text[text.index("## `dostyk optimize`"):]
    block = section[section.index("```sh") + 5:section.index("```", section.index("```sh") + 5)]
    return shlex.split(block.replace("\\\n", " "))


@pytest.mark.slow
def test_readme_optimise_example_answers_with_a_feasible_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.cli import cli

    monkeypatch.chdir(ROOT)
    words = _readme_optimize_command()
    assert words[:2] == ["dostyk", "optimize"]
    result = CliRunner().invoke(cli, [*words[1:], "--out", str(tmp_path / "readme"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    c = pd.read_csv(tmp_path / "readme" / "candidates.csv")
    assert c["feasible"].any() and c["today"].sum() == 1 and c["possible_best"].any()
    assert (tmp_path / "readme" / "best.yaml").is_file()
    assert "Best " in result.output and "feasible candidates by min:total_cost_usd@all" in result.output
    page = (ROOT / "docs" / "howto" / "calibrate-optimise.md").read_text(encoding="utf-8")
    shown = page.split("It prints, with today's values always among the candidates:\n\n```\n", 1)[1].split("```", 1)[0]
    assert_prints_as_shown(shown, result.stdout)  # the page's table and its reading are today's answer


def test_the_pareto_plot_marks_todays_values() -> None:
    """Two objectives (backlog and lever cost) drew the front without saying which point is today's, so
    the trade-off could not be read against the present (one objective's panels marked it)."""
    import pandas as pd

    from sim.reporting.decision_plots import optimisation

    candidates = pd.DataFrame({
        "unloading.grain.points": [6, 7, 8], "min:backlog_wagons_mean@grain mean": [144.0, 124.0, 114.0],
        "min:backlog_wagons_mean@grain ci95": [54.0, 31.0, 24.0], "min:lever_cost_usd@all mean": [0.0, 1.5e6, 3e6],
        "min:lever_cost_usd@all ci95": [0.0, 0.0, 0.0], "feasible": [True] * 3, "pareto": [True] * 3,
        "best": [False] * 3, "today": [True, False, False]})
    ax = optimisation(candidates, ["min:backlog_wagons_mean@grain", "min:lever_cost_usd@all"], 3).axes[0]
    today = [c for c in ax.collections if c.get_gid() == "today"]
    assert len(today) == 1 and today[0].get_offsets().tolist() == [[144.0, 0.0]]
    assert "today's values" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_constraint_in_millions_is_printed_without_an_exponent(small_path: Path, tmp_path: Path) -> None:
    """`--constraint 'lever_cost_usd<=3000000'` (a budget) was headed `lever_cost_usd@all<=3e+06`."""
    from sim.cli import cli

    result = CliRunner().invoke(cli, ["optimize", str(small_path), "--lever", "unloading.grain.points=10:11",
                                      "--objective", "min:backlog_wagons_mean", "--constraint",
                                      "lever_cost_usd<=3000000", "-N", "2", "-n", "2", "--executor", "serial",
                                      "--set", "duration=20d", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "lever_cost_usd@all<=3,000,000: holds? (margin)" in result.output and "e+" not in result.output


@pytest.mark.parametrize(("limit", "shown"), [(3e6, "3,000,000"), (2.5e9, "2,500,000,000"), (0.5, "0.5"), (-2.5, "-2.5"),
                                              (1e300, "1e+300"), (2.0**60, "1.15292150460685e+18")])
def test_a_constraint_limit_shows_only_digits_the_user_gave(limit: float, shown: str) -> None:
    """Beyond 15 significant digits the limit was printed with digits a float does not hold: `<=1e300` as 301
    digits ('1,000,000,000,000,000,052,504,…'), 2**60 as '1,152,921,504,606,850,048' (it is …846,976)."""
    from sim.decision.goals import parse_constraint
    from sim.reporting.decision_tables import said

    assert said(parse_constraint(f"lever_cost_usd<={limit!r}", ["grain", "all"])).endswith(f"<={shown}")
