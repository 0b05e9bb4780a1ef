"""Hostile input to calibrate, optimize, sensitivity and run --precision: one clear message, exit 2, no traceback.

Each case runs the real CLI (`sim.cli.main`) and checks the file or option, the key and the
expectation are named. Nothing is simulated before the input is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from tests.cli.helpers import said

GOOD_TARGET = "{kpi: tonnes_delivered, value: 200000, tolerance: 5%}"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The exit status and what stderr says, its sentences whole (the terminal's 100 columns wrap them)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(exc.value.code or 0), said(err)


def _targets(tmp_path: Path, targets: str = GOOD_TARGET,
             parameters: str = "{path: unloading.grain.points, low: 6, high: 12}") -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(f"targets:\n  - {targets}\nparameters:\n  - {parameters}\n", encoding="utf-8")
    return path


CALIBRATE_CASES = {
    "unknown KPI": ({"targets": "{kpi: tonnes_shipped, value: 1, tolerance: 5%}"},
                    ["targets[0]", "unknown KPI 'tonnes_shipped' over the whole run", "tonnes_delivered"]),
    "KPI with no window form": ({"targets": "{kpi: dwell_h_mean, window: {from: 2024-01-15, to: 2024-01-20}, "
                                             "value: 1, tolerance: 5%}"},
                                ["unknown KPI 'dwell_h_mean' with a window", "backlog_wagons_max"]),
    "unknown cargo": ({"targets": "{kpi: tonnes_delivered, cargo: wheat, value: 1, tolerance: 5%}"},
                      ["targets[0].cargo", "unknown cargo 'wheat'; expected one of: grain, all"]),
    "bounds reversed": ({"parameters": "{path: unloading.grain.points, low: 12, high: 6}"},
                        ["parameters[0]", "low (12) must be below high (6)"]),
    "path that does not exist": ({"parameters": "{path: unloading.wheat.points, low: 1, high: 3}"},
                                 ["parameters[0].path", "unloading.wheat.points: no such key",
                                  "keys here: grain"]),
    "path that is not a number": ({"parameters": "{path: checks.handover.time, low: 1, high: 3}"},
                                  ["parameters[0].path", "is not a number in the scenario (it is a mapping of keys)"]),
    "bound making an invalid scenario": ({"parameters": "{path: unloading.grain.points, low: 0, high: 3}"},
                                         ["parameters[0].low", "unloading.grain.points=0 makes an invalid scenario"]),
    "window outside the run": ({"targets": "{kpi: backlog_wagons_max, window: {from: 2024-02-20, to: 2024-03-10}, "
                                            "value: 1, tolerance: 5%}"},
                               ["targets[0].window", "not inside the simulated days 2024-01-01 to 2024-02-29"]),
    "window reversed": ({"targets": "{kpi: backlog_wagons_max, window: {from: 2024-02-20, to: 2024-02-10}, "
                                     "value: 1, tolerance: 5%}"},
                        ["targets[0].window", "ends (2024-02-10) before it starts (2024-02-20)"]),
    "date outside the run": ({"targets": "{kpi: backlog_wagons_end, at: 2025-01-01, value: 1, tolerance: 5%}"},
                             ["targets[0].at", "2025-01-01 is not inside the simulated days"]),
    "tolerance zero": ({"targets": "{kpi: tonnes_delivered, value: 1, tolerance: 0%}"},
                       ["targets[0].tolerance", "a tolerance must be above 0"]),
    "tolerance negative": ({"targets": "{kpi: tonnes_delivered, value: 1, tolerance: -3}"},
                           ["targets[0].tolerance", "a tolerance must be above 0"]),
    "tolerance not a number": ({"targets": "{kpi: tonnes_delivered, value: 1, tolerance: lots}"},
                               ["targets[0].tolerance", "expected a percentage such as 5%"]),
    "unknown key": ({"targets": "{kpi: tonnes_delivered, value: 1, tolerance: 5%, weight: 2}"},
                    ["targets[0].weight", "unknown key"]),
}


@pytest.mark.parametrize("case", list(CALIBRATE_CASES))
def test_calibrate_refuses(case: str, small_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kwargs, expected = CALIBRATE_CASES[case]
    targets = _targets(tmp_path, **kwargs)
    code, err = _cli(["calibrate", str(small_path), "--targets", str(targets), "--out", str(tmp_path / "out"), "-q"], capsys)
    assert code == 2, err
    assert f"{targets}: invalid targets file" in err
    for text in expected:
        assert text in err, (text, err)
    assert not (tmp_path / "out").exists()


def test_duplicate_parameters_are_refused(small_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(f"targets: [{GOOD_TARGET}]\nparameters:\n"
                    "  - {path: unloading.grain.points, low: 6, high: 12}\n"
                    "  - {path: unloading.grain.points, low: 8, high: 9}\n", encoding="utf-8")
    code, err = _cli(["calibrate", str(small_path), "--targets", str(path), "-q"], capsys)
    assert code == 2
    assert "parameters[1].path: unloading.grain.points is given twice" in err


def test_targets_file_that_is_missing_or_not_a_mapping(small_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(["calibrate", str(small_path), "--targets", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2 and "nope.yaml: invalid targets file" in err and "no such file" in err
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    code, err = _cli(["calibrate", str(small_path), "--targets", str(tmp_path / "list.yaml")], capsys)
    assert code == 2 and "expected a mapping with `targets:`" in err
    (tmp_path / "none.yaml").write_text(f"targets: [{GOOD_TARGET}]\n", encoding="utf-8")
    code, err = _cli(["calibrate", str(small_path), "--targets", str(tmp_path / "none.yaml")], capsys)
    assert code == 2 and "parameters: calibration needs at least one free parameter" in err


OPTION_CASES = {
    "objective without direction": (["--objective", "total_cost_usd"], "--objective: invalid option",
                                    "expected min:KPI or max:KPI"),
    "objective on an unknown KPI": (["--objective", "min:cost"], "--objective: invalid option", "unknown KPI 'cost'"),
    "constraint on an unknown cargo": (["--objective", "min:total_cost_usd", "--constraint", "backlog_wagons_max@wheat<=9"],
                                       "--constraint: invalid option", "unknown cargo 'wheat'"),
    "constraint without a number": (["--objective", "min:total_cost_usd", "--constraint", "backlog_wagons_max<=many"],
                                    "--constraint: invalid option", "expected KPI<=LIMIT or KPI>=LIMIT"),
    "constraint with one replication": (["--objective", "min:total_cost_usd", "--constraint", "backlog_wagons_max<=9",
                                         "-n", "1"], "--replications: invalid option", "needs at least 2 replications"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_optimize_refuses(case: str, small_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra, head, text = OPTION_CASES[case]
    code, err = _cli(["optimize", str(small_path), "--lever", "unloading.grain.points=6:12", *extra,
                      "--out", str(tmp_path / "o"), "-q", "--executor", "serial"], capsys)
    assert code == 2, err
    assert head in err and text in err, err


@pytest.mark.parametrize(("lever", "text"), [
    ("unloading.grain.points=12:6", "low (12) must be below high (6)"),
    ("unloading.grain.points=6", "expected key.path=LOW:HIGH"),
    ("unloading.grain.points=a:b", "bounds must be numbers"),
    ("line.transit_time=1:3", "is not a number in the scenario"),
    ("unloading.grain.points=6.5:12:int", "whole-number bounds"),
])
def test_bad_levers_are_refused(lever: str, text: str, small_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(["sensitivity", str(small_path), "--lever", lever, "--lever", "costs.wagon_day_usd=10:40",
                      "-q", "--executor", "serial"], capsys)
    assert code == 2 and text in err, err


def test_lever_cost_on_a_key_that_does_not_exist(small_path: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(["optimize", str(small_path), "--lever", "unloading.grain.points=6:12",
                      "--objective", "min:total_cost_usd", "--set", "costs.levers={unloading.wheat.points: {usd_per_unit: 1}}",
                      "-q", "--executor", "serial", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "costs.levers.unloading.wheat.points: no such key in the scenario" in err, err


def test_precision_with_a_maximum_below_the_start(small_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(["run", str(small_path), "--precision", "5%", "-n", "10", "--max-replications", "5", "-q"], capsys)
    assert code == 2
    assert "--max-replications: invalid option" in err and "maximum (5) is below the initial replications (10)" in err
    code, err = _cli(["run", str(small_path), "--precision", "0%", "-q"], capsys)
    assert code == 2 and "--precision" in err and "above 0" in err
    code, err = _cli(["run", str(small_path), "--precision-kpi", "dwell_h_mean", "-q"], capsys)
    assert code == 2 and "goes with --precision" in err
    code, err = _cli(["run", str(small_path), "--precision", "5%", "--precision-kpi", "dwell", "-q"], capsys)
    assert code == 2 and "unknown KPI 'dwell'" in err
