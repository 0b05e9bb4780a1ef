"""A lever is a lever in every command; decision inputs are checked before anything runs (issue 15, items 5, 6).

Each refusal goes through the CLI (`sim.cli.main`, in this process) as a user would, with a hook
that fails the test if a replication starts: a refusal costs nothing, and the commands stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
import sim.experiments.runner as runner
from sim.decision.errors import InputError
from sim.decision.levers import Lever, check_costs, lever_cost_usd, resolve, uncosted
from sim.experiments.sweep import check_levers
from sim.scenario.keypaths import KeyPathError
from sim.scenario.levers import SEARCH, SWEEP, canonical, not_a_lever
from tests.cli.test_bad_inputs import LEVER_CASES, MINI, Case, _run_case, run_main
from tests.conftest import SCENARIOS


class ReplicationStartedError(AssertionError):
    """Raised by the hook: something was about to be simulated."""


@pytest.fixture
def no_replications(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail as soon as any command asks for an executor (every replication, on any executor, needs one)."""
    started: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        raise ReplicationStartedError("a replication started before the input was refused")

    monkeypatch.setattr(runner, "make_executor", refuse)
    return started


def test_the_hook_catches_a_replication(tmp_path: Path, no_replications: list[Any]) -> None:
    """Control: a valid command does reach the hook (so a refusal that passes below really ran nothing)."""
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--set", "duration=1d", "-n", "1", "--quiet", "--out", "out"], tmp_path)
    assert code != 0 and no_replications, err


# -- item 5: seed, replications, name and description are no lever in any command ------------------

NOT_LEVERS = {"seed": ("3", "4"), "replications": ("3", "4"), "name": ("a", "b"), "description": ("a", "b")}


def _args(command: str, key: str, tmp_path: Path) -> list[str]:
    one, two = NOT_LEVERS[key]
    if command == "sweep":
        return ["sweep", "mini.yaml", "--vary", f"{key}={one},{two}"]
    if command == "compare":
        return ["compare", "mini.yaml", "mini.yaml", "--set", f"2:{key}={two}"]
    if command == "calibrate":
        (tmp_path / "targets.yaml").write_text(
            "targets: [{kpi: tonnes_delivered, value: 2000000, tolerance: 10%}]\n"
            f"parameters: [{{path: {key}, low: 1, high: 5}}]\n", encoding="utf-8")
        return ["calibrate", "mini.yaml", "--targets", "targets.yaml"]
    if command == "optimize":
        return ["optimize", "mini.yaml", "--lever", f"{key}=1:5", "--objective", "min:backlog_wagons_mean"]
    return ["sensitivity", "mini.yaml", "--lever", f"{key}=1:5", "--lever", "unloading.grain.points=4:8"]


@pytest.mark.parametrize("key", list(NOT_LEVERS))
@pytest.mark.parametrize("command", ["sweep", "compare", "calibrate", "optimize", "sensitivity"])
def test_no_command_takes_a_non_lever(command: str, key: str, tmp_path: Path, no_replications: list[Any]) -> None:
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    code, err, _ = run_main([*_args(command, key, tmp_path), "--quiet", "--out", "out"], tmp_path)
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    named = f"2:{key}" if command == "compare" else key
    assert f"{named}: not a lever" in err or f"{named}: {key}: not a lever" in err, err
    assert not no_replications and not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["start", "duration", "warmup"])
def test_the_period_is_no_lever_of_a_search_but_a_sweep_may_vary_it(key: str) -> None:
    """A search compares candidates by their KPIs, which must cover the same days; a sweep shows every point."""
    scenario = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    data = scenario.to_dict()
    assert "not a lever of a search" in (not_a_lever(data, key, SEARCH) or "")
    assert not_a_lever(data, key, SWEEP) is None
    values = {"start": ["2023-01-01", "2023-07-01"], "duration": ["30d", "60d"], "warmup": ["0d", "5d"]}[key]
    assert len(check_levers(scenario, {key: values})) == 2


# -- item 5: one lever, two spellings --------------------------------------------------------------

CORRIDOR = SCENARIOS / "history" / "altynkol_2025_cut.yaml"


def test_index_and_name_spell_one_lever_also_in_a_corridor() -> None:
    data = sim.load_scenario(CORRIDOR).to_dict()
    by_index = canonical(data, "crossings.altynkol.checks[2].trains_per_day")
    assert by_index == canonical(data, "crossings.altynkol.checks.handover.trains_per_day")
    assert by_index == "crossings.altynkol.checks.handover.trains_per_day"
    cut = [d["name"] for d in data["disruptions"]].index("cut")  # after the corridor's own windows
    assert canonical(data, f"disruptions[{cut}].capacity") == canonical(data, "disruptions.cut.capacity") == \
        "disruptions.cut.capacity"
    with pytest.raises(KeyPathError):
        canonical(data, "crossings.altynkol.checks.lab.time")


def test_a_lever_given_twice_by_index_and_by_name_is_refused() -> None:
    scenario = sim.load_scenario(CORRIDOR)
    levers = [Lever(path="crossings.altynkol.checks[2].trains_per_day", low=8, high=16),
              Lever(path="crossings.altynkol.checks.handover.trains_per_day", low=10, high=14)]
    with pytest.raises(InputError, match=r"levers\[1\]\.path.*names the same lever as levers\[0\]"):
        resolve(scenario, levers, "--lever", where="levers")


def _with_costs(costs: dict[str, Any]) -> sim.Scenario:
    return sim.load_scenario(CORRIDOR, {"costs": {"levers": costs}})


@pytest.mark.parametrize(("lever", "costed"), [
    ("crossings.altynkol.checks[2].trains_per_day", "crossings.altynkol.checks.handover.trains_per_day"),
    ("crossings.altynkol.checks.handover.trains_per_day", "crossings.altynkol.checks[2].trains_per_day"),
])
def test_a_cost_on_one_spelling_applies_to_the_other(lever: str, costed: str) -> None:
    scenario = _with_costs({costed: {"usd_per_unit": 1000, "per": "train a day"}})
    levers = resolve(scenario, [Lever(path=lever, low=8, high=20)], "--lever", where="levers")
    assert uncosted(scenario, levers) == []
    assert lever_cost_usd(scenario, {lever: 17}, {lever: 14.0}) == pytest.approx(3000, abs=1e-9)


def test_two_costs_for_one_lever_are_refused() -> None:
    scenario = _with_costs({"crossings.altynkol.checks[2].trains_per_day": {"usd_per_unit": 1},
                            "crossings.altynkol.checks.handover.trains_per_day": {"usd_per_unit": 2}})
    with pytest.raises(InputError, match=r"costs\.levers\.crossings\.altynkol\.checks\.handover\.trains_per_day: "
                                         r"the same lever as costs\.levers\.crossings\.altynkol\.checks\[2\]"):
        check_costs(scenario, "corridor.yaml")


def test_a_cost_on_a_non_lever_is_refused() -> None:
    scenario = _with_costs({"seed": {"usd_per_unit": 1}})
    with pytest.raises(InputError, match=r"costs\.levers\.seed: not a lever"):
        check_costs(scenario, "corridor.yaml")


def test_optimize_charges_a_lever_spelt_by_index_its_cost_given_by_name(tmp_path: Path) -> None:
    """Through the CLI: every candidate's lever cost is usd_per_unit × (value − today's), whatever the spelling."""
    text = MINI + "costs:\n  wagon_day_usd: 25\n  levers: {checks.customs.time.mean: {usd_per_unit: 1000}}\n"
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    code, err, _ = run_main(["optimize", "mini.yaml", "--lever", "checks[0].time.mean=2:6", "--objective",
                             "min:lever_cost_usd", "-N", "4", "--batch", "4", "-n", "1", "--set", "duration=2d",
                             "--executor", "serial", "--quiet", "--out", "out"], tmp_path)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "out" / "candidates.csv")
    assert len(table) == 4
    expected = 1000 * (table["checks[0].time.mean"] - 4.0)  # MINI's customs time has mean 4h
    assert (table["min:lever_cost_usd@all mean"] - expected).abs().max() < 1e-6
    assert table["min:lever_cost_usd@all mean"].abs().max() > 0  # the cost was charged, not taken as free


# -- item 6 (and the item-5 cases of the README table): refused before any replication ------------

@pytest.mark.parametrize("case", LEVER_CASES, ids=[c.id for c in LEVER_CASES])
def test_refused_before_any_replication(case: Case, tmp_path: Path, no_replications: list[Any]) -> None:
    code, err, _ = _run_case(case, tmp_path)
    assert code == 2, err
    assert case.key in err and case.expected in err, err
    assert not no_replications, "a replication started before the input was refused"


@pytest.mark.parametrize("path", [".seed", "seed.", "crossings.altynkol.checks[1].name", "disruptions.cut.name",
                                  "disruptions[1].name", "crossings.altynkol.checks.customs.name"])
def test_odd_spellings_of_a_non_lever_are_refused_too(path: str) -> None:
    data = sim.load_scenario(CORRIDOR).to_dict()
    assert (not_a_lever(data, path, SWEEP) or "").startswith("not a lever")


@pytest.mark.parametrize(("kpi", "changes", "refused"), [
    ("recovery_days.cut", {}, False),                                   # a dated window inside the run
    ("recovery_days.six-a-day", {}, False),                             # a recurring one whose season is inside
    ("recovery_days", {}, False),
    ("recovery_days.cut", {"disruptions.cut.capacity": 1}, False),      # inert: a lever may move it
    ("recovery_days.cut", {"duration": "40d"}, True),                   # ends with the run: never counted
    ("recovery_days.cut", {"warmup": "45d"}, True),                     # ends before the counted days
    ("recovery_days.six-a-day", {"start": "2025-05-01"}, True),         # its season ended before the run
    ("recovery_days", {"start": "2025-05-01"}, True),
    ("recovery_days.wind", {}, True),                                   # no such disruption
    ("idle_cost_usd", {}, False),
    ("total_cost_usd", {"costs": {}}, True),                            # no wagon-day price
])
def test_which_kpis_a_scenario_can_produce(kpi: str, changes: dict[str, Any], refused: bool) -> None:
    """No false refusal: a KPI is refused only when no run of this scenario can give it a value.
    (The corridor's `cut` runs 6 March to 10 April 2025; the file's run ends 10 April.)"""
    from sim.decision.inputs import kpi_problem

    scenario = sim.load_scenario(CORRIDOR, {"duration": "60d", "costs": {"wagon_day_usd": 25}, **changes})
    assert (kpi_problem(scenario, kpi) is not None) == refused


def test_validate_warns_of_lever_costs_that_optimize_would_refuse(tmp_path: Path) -> None:
    """`costs.levers` is used by optimize only; validate says at once what optimize would refuse."""
    text = MINI + ("costs:\n  levers:\n    'checks[0].time.mean': {usd_per_unit: 1}\n"
                   "    checks.customs.time.mean: {usd_per_unit: 2}\n    seed: {usd_per_unit: 1}\n"
                   "    unloading.wheat.points: {usd_per_unit: 1}\n")
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    code, err, _ = run_main(["validate", "mini.yaml"], tmp_path)
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("warning: mini.yaml: costs.levers.")]
    assert len(warned) == 3, err
    said = " ".join(err.split())  # each warning whole, as wrapped to the terminal's width
    assert "costs.levers.checks.customs.time.mean: the same lever as costs.levers.checks[0].time.mean" in said
    assert "costs.levers.seed: not a lever" in said
    assert "costs.levers.unloading.wheat.points: no such key in the scenario" in said
