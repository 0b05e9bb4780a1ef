"""Calibration recovers a hidden parameter, is reproducible, resumable, and writes what it promises."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim import calibrate, load_targets
from sim.analysis.stats import t_halfwidth
from sim.analysis.window import window_kpis
from sim.decision.targets import targets_from_data
from tests.decision.conftest import HOLD

HIDDEN = 0.075     # handover quota floor(100 × 0.075) = 7 trains a day during the hold
PARAM = "disruptions.hold.capacity"


@pytest.fixture(scope="module")
def observed() -> dict:
    """Targets measured on the hidden scenario with another seed (independent of the calibration's runs).

    Each tolerance is three times the 95 % CI half-width of the measured mean: the calibration's own
    mean (3 replications) is noisier still, and a fit is only ruled out when its CI clears the band.
    """
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    hidden = validate_scenario(parse_yaml(SMALL, "small"), "small")
    res = sim.run(hidden, replications=10, seed=999, executor="serial")
    w = window_kpis(res.daily, *HOLD)
    w = w[w["cargo"] == "all"]
    targets = []
    for kpi in ("tonnes_delivered", "backlog_wagons_max"):
        values = w[kpi].to_numpy(dtype=float)
        half = t_halfwidth(float(values.std(ddof=1)), len(values))
        targets.append({"kpi": kpi, "window": {"from": HOLD[0], "to": HOLD[1]},
                        "value": float(values.mean()), "tolerance": 3 * half})
    return {"targets": targets, "parameters": [{"path": PARAM, "low": 0.02, "high": 0.2}]}


@pytest.fixture(scope="module")
def fitted(observed: dict) -> sim.decision.Calibration:
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    start = validate_scenario(parse_yaml(SMALL, "small"), "small").with_changes({PARAM: 0.5})  # a wrong guess
    return calibrate(start, targets_from_data(observed), candidates=24, replications=3, batch=6, seed=7,
                     profile=10, executor="serial")


def test_fitted_interval_contains_the_hidden_value(fitted: sim.decision.Calibration) -> None:
    fit = fitted.fit.set_index("parameter").loc[PARAM]
    assert fit["low"] <= HIDDEN <= fit["high"]
    # ...and is informative: quotas of 5 or 10 trains a day (capacity 0.05, 0.10) are ruled out
    assert fit["low"] > 0.05 and fit["high"] < 0.10
    assert abs(fit["best"] - HIDDEN) < 0.01
    assert fitted.targets["within_tolerance"].all()
    assert fitted.calibrated.disruptions[0].capacity == pytest.approx(fit["best"])


def test_same_seed_same_candidates_and_process_executor_agrees(observed: dict,
                                                                fitted: sim.decision.Calibration) -> None:
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    start = validate_scenario(parse_yaml(SMALL, "small"), "small").with_changes({PARAM: 0.5})
    again = calibrate(start, targets_from_data(observed), candidates=12, replications=3, batch=6, seed=7,
                      executor="process", workers=2)
    first12 = fitted.candidates[fitted.candidates["phase"] == "search"].head(12).reset_index(drop=True)
    pd.testing.assert_frame_equal(again.candidates, first12)


def test_interrupted_calibration_resumes_from_its_workdir(small: sim.Scenario, tmp_path: Path, observed: dict,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.decision.evaluate as evaluate
    from sim.experiments.runner import Interrupted

    spec = targets_from_data(observed)
    real = evaluate.run_tasks
    calls = {"n": 0}

    def stop_on_second_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise Interrupted(0, 1, tmp_path / "w")
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate, "run_tasks", stop_on_second_batch)
    with pytest.raises(Interrupted):
        calibrate(small, spec, candidates=8, replications=2, batch=4, executor="serial", workdir=tmp_path / "w")
    monkeypatch.setattr(evaluate, "run_tasks", real)
    resumed = calibrate(small, spec, candidates=8, replications=2, batch=4, executor="serial",
                        workdir=tmp_path / "w", resume=True)
    fresh = calibrate(small, spec, candidates=8, replications=2, batch=4, executor="serial")
    assert resumed.metadata["tasks_reused"] == 4 * 2  # the first batch was not recomputed
    pd.testing.assert_frame_equal(resumed.candidates, fresh.candidates)


def test_cli_writes_calibrated_scenario_plots_and_tables(small_path: Path, tmp_path: Path, observed: dict) -> None:
    from click.testing import CliRunner

    from sim.cli import cli

    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump(observed), encoding="utf-8")
    out = tmp_path / "cal"
    args = ["calibrate", str(small_path), "--targets", str(targets), "-N", "6", "-n", "2", "--batch", "3",
            "--profile", "3", "--executor", "serial", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "not ruled out (range)" in result.output and "observed ± tolerance" in result.output
    assert "e+" not in result.output
    for name in ("candidates.csv", "fit.csv", "targets.csv", "calibrated.yaml", "calibration.json",
                 "plots/targets_vs_model.png", "plots/parameters.png"):
        assert (out / name).is_file(), name
    best = pd.read_csv(out / "fit.csv")["best"].iloc[0]
    assert sim.load_scenario(out / "calibrated.yaml").disruptions[0].capacity == pytest.approx(best)
    assert len(pd.read_csv(out / "candidates.csv")) == 6 + 3
    assert not (tmp_path / "cal.work").exists()
    again = CliRunner().invoke(cli, args)  # existing results are not overwritten without --force
    assert again.exit_code != 0 and "already exists" in str(again.exception)  # main() prints it (exit 2)


def test_loading_a_targets_file_keeps_units_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("targets:\n  - {kpi: tonnes_delivered, cargo: grain, value: 2230000, tolerance: 5%, "
                    "source: Eurasianet}\n  - {kpi: backlog_wagons_end, at: 2024-01-20, value: 3000, tolerance: 900}\n"
                    "parameters: [{path: unloading.grain.points, low: 4, high: 10}]\n", encoding="utf-8")
    spec = load_targets(path)
    assert spec.targets[0].tolerance_abs == pytest.approx(111_500)
    assert spec.targets[1].tolerance_abs == 900 and spec.targets[1].dated
    assert spec.targets[0].label == "tonnes_delivered[grain]"
