"""Malformed scenarios: each gives one clear message naming the file, the key path and what was
expected — exit status 2 and no traceback — through `dostyk validate`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main


def _edit(data: dict[str, Any], path: str, value: Any) -> None:
    node: Any = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()

# (id, edits {dotted path: new value}, expected key path in the message, expected wording)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown-top-key", {"durration": "365d"}, "durration", "unknown key"),
    ("unknown-nested-key", {"unloading.grain.pointz": 4}, "unloading.grain.pointz", "unknown key"),
    ("missing-duration", {"duration": _DELETE}, "duration", "required key is missing"),
    ("bad-unit", {"line.transit_time.mean": "20 furlongs"}, "line.transit_time.mean", "unknown time unit"),
    ("duration-not-a-duration", {"duration": "soon"}, "duration", "expected a duration"),
    ("negative-points", {"unloading.grain.points": -2}, "unloading.grain.points", "greater than or equal to 1"),
    ("quota-minus-one", {"checks.2.trains_per_day": -1}, "checks.handover.trains_per_day", "greater than or equal to 1"),
    ("resume-above-halt", {"policies.stop_loading.resume_below": 3000}, "policies.stop_loading",
     "resume_below (3000) must be below above_wagons (2500)"),
    ("disruption-ends-before-start", {"disruptions.1.to": "2023-01-01"}, "disruptions.spring-festival", "must be after `from`"),
    ("check-unknown-cargo", {"checks.1.cargo": ["wheat"]}, "checks.phytosanitary.cargo", "unknown cargo 'wheat'"),
    ("unknown-dist", {"line.transit_time": {"dist": "weibull", "mean": 3}}, "line.transit_time", "unknown dist 'weibull'"),
    ("lognormal-missing-sd", {"line.transit_time": {"dist": "lognormal", "mean": "20h"}}, "line.transit_time.sd",
     "required key is missing"),
    ("triangular-disordered", {"checks.2.time": {"dist": "triangular", "min": 5, "mode": 2, "max": 6}},
     "checks.handover.time", "min <= mode <= max"),
    ("profile-11-months", {"demand.grain.monthly_profile": [1] * 11}, "demand.grain.monthly_profile",
     "expected 12 monthly weights"),  # it named demand.grain, then "monthly_profile:" inside the message
    ("demand-both-volumes", {"demand.grain.trains_per_day": 2}, "demand.grain", "exactly one of"),
    ("demand-unknown-cargo", {"demand.wheat": {"trains_per_day": 1}}, "demand.wheat", "unknown cargo 'wheat'"),
    ("unknown-target", {"disruptions.1.target": "checks.border-guard"}, "disruptions.spring-festival.target", "unknown target"),
    ("wrong-type-seed", {"seed": "lucky"}, "seed", "valid integer"),
    ("warmup-longer-than-run", {"warmup": "400d"}, "warmup", "must be shorter than duration (365d), got 400d"),
    ("yard-too-small", {"yard.capacity_wagons": 40}, "yard.capacity_wagons", "cannot hold one"),
    ("fleet-too-small", {"fleet.grain": 10}, "fleet.grain", "cannot form one train"),
    ("bad-working-hours", {"checks.1.hours": "8am-8pm"}, "checks.phytosanitary.hours", "HH:MM-HH:MM"),
    ("arrivals-typo", {"demand.grain.arrivals": "poison"}, "demand.grain.arrivals", "'poisson' or 'regular'"),
    ("partial-capacity-on-unlimited", {"line.max_trains_per_day": _DELETE, "disruptions.0.capacity": 0.5}, "disruptions.wind.capacity",
     "no finite capacity"),
]


def _write_case(tmp_path: Path, baseline_text: str, edits: dict[str, Any]) -> Path:
    data = yaml.safe_load(baseline_text)
    for path, value in edits.items():
        _edit(data, path, value)
    target = tmp_path / "broken.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize(("edits", "key_path", "wording"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_scenario_gives_clear_error(
    tmp_path: Path, baseline_text: str, capsys: pytest.CaptureFixture[str], edits: dict[str, Any],
    key_path: str, wording: str,
) -> None:
    path = _write_case(tmp_path, baseline_text, edits)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert str(path) in err, err
    lines = [line.strip() for line in err.splitlines()]
    assert any(line.startswith(f"{key_path}:") and wording in line for line in lines), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("name: x\nduration: [1, 2\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("a: &anchor [1, 2]\nb: *anchor\n", "aliases"),
    ],
    ids=["syntax", "not-a-mapping", "alias"],
)
def test_unreadable_yaml_gives_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, wording: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert str(path) in err and wording in err and "Traceback" not in err


def test_real_process_exit_status_and_no_traceback(tmp_path: Path, baseline_text: str) -> None:
    """The same contract holds for the installed command, not only in-process."""
    path = _write_case(tmp_path, baseline_text, {"unloading.grain.points": -2})
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "unloading.grain.points" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_unknown_set_path_is_an_error(baseline_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(baseline_path), "--set", "unloading.wheat.points=3"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unloading.wheat.points" in err and "Traceback" not in err


def test_a_problem_with_a_whole_option_names_no_key_path() -> None:
    """`--precision abc` was said as "--precision: invalid option / (top level): expected …": an option has
    no top level; a file's problem with the whole file still says (top level)."""
    from sim.scenario.errors import ScenarioError

    assert str(ScenarioError("--vary", [("", "expected key.path=v1,v2,…, got 'x'")])) == (
        "--vary: invalid scenario\n  expected key.path=v1,v2,…, got 'x'")
    assert str(ScenarioError("s.yaml", [("", "no such file")])) == "s.yaml: invalid scenario\n  (top level): no such file"
    assert str(ScenarioError("--vary", [("seed", "not a lever")])) == "--vary: invalid scenario\n  seed: not a lever"
