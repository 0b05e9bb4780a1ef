"""The Python API checks its arguments rather than coercing them: int(2.9) silently ran 2 replications,
seed=1.5 ran seed 1, workers=-4 ran serially. And scripts that would re-run themselves in every worker
process are told so, instead of "a worker process died"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.experiments.arguments import ArgumentError
from tests.conftest import ROOT, SCENARIOS


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes(
        {"duration": "1d", "disruptions": []})


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"replications": 2.9}, "replications must be a whole number, got the number 2.9"),
    ({"replications": "3"}, "replications must be a whole number, got the text '3'"),
    ({"replications": True}, "replications must be a whole number, got a yes/no value (True)"),
    ({"replications": 0}, "replications must be between 1 and 100,000, got 0"),
    ({"seed": 1.5}, "seed must be a whole number, got the number 1.5"),
    ({"seed": -1}, "seed must be between 0 and 9,223,372,036,854,775,807, got -1"),
    ({"workers": -4}, "workers must be at least 1, got -4"),
    ({"workers": 0}, "workers must be at least 1, got 0"),
    # 1,000 worker processes were started for a 1,000-task sweep on a 2-core machine
    ({"workers": 100_000}, "workers must be at most"),
    ({"executor": "proces"}, "unknown executor 'proces'"),
])
def test_run_refuses_arguments_it_used_to_coerce(short: sim.Scenario, kwargs: dict, says: str) -> None:
    with pytest.raises(ArgumentError, match=says.replace("(", r"\(").replace(")", r"\)")) as info:
        sim.run(short, **{"executor": "serial", **kwargs})
    assert isinstance(info.value, ValueError) and isinstance(info.value, sim.SimError)


def test_sweep_and_compare_refuse_them_too(short: sim.Scenario) -> None:
    with pytest.raises(ArgumentError, match="replications must be a whole number"):
        sim.sweep(short, {"unloading.grain.points": [4, 5]}, replications=2.9, executor="serial")
    with pytest.raises(ArgumentError, match="seed must be a whole number"):
        sim.compare([short, short], seed=1.5, executor="serial")
    with pytest.raises(ArgumentError, match="workers must be at least 1"):
        sim.compare([short, short], replications=2, workers=-4)
    with pytest.raises(ArgumentError, match="a paired comparison needs two"):
        sim.compare([short, short], replications=1, executor="serial")


def test_whole_numbers_of_any_integer_type_are_taken(short: sim.Scenario) -> None:
    res = sim.run(short, replications=np.int64(2), seed=np.uint8(7), executor="serial")
    assert (res.replications, res.seed) == (2, 7)


def test_with_changes_of_something_else_than_a_mapping_is_a_scenario_error(short: sim.Scenario) -> None:
    for bad in (None, [("duration", "2d")], "duration=2d"):
        with pytest.raises(sim.ScenarioError, match="with_changes expects a mapping of key paths to values"):
            short.with_changes(bad)  # type: ignore[arg-type]


def test_a_directory_is_not_called_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(sim.ScenarioError, match="is a directory; expected a scenario file"):
        sim.load_scenario(tmp_path)


def _readme_api_lines() -> list[str]:
    """The first lines of the Python API example (docs/api.md): load, change, run."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0].splitlines()
    end = next(i for i, line in enumerate(block) if line.startswith("results = sim.run("))
    return block[: end + 1]


def test_the_readme_example_as_an_unguarded_script_is_told_why_it_cannot_run(tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text("\n".join(_readme_api_lines()) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("sim.experiments.mainguard.UnguardedMainError: the process executor's workers re-run the "
                           f"script {script} when they start, and its line {len(_readme_api_lines())}, outside "
                           '`if __name__ == "__main__":`'), proc.stderr
    assert "worker process died" not in proc.stderr


def test_a_guarded_script_runs_with_worker_processes(tmp_path: Path) -> None:
    script = tmp_path / "guarded.py"
    body = "\n".join("    " + line for line in _readme_api_lines() if line)
    script.write_text(f"def main():\n{body}\n    print(results.replications)\n\n\nif __name__ == \"__main__\":\n"
                      f"    main()\n", encoding="utf-8")
    text = script.read_text().replace('with_changes({"unloading.grain.points": 8})',
                                      'with_changes({"unloading.grain.points": 8, "duration": "2d"})')
    script.write_text(text.replace("replications=10)", "replications=2, workers=2)"), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2"


@pytest.mark.parametrize("call", ["run", "sweep", "compare", "suggest_warmup"])
def test_a_path_where_a_scenario_is_expected_says_how_to_load_it(call: str, short: sim.Scenario) -> None:
    """`sim.run("baseline.yaml")` was "AttributeError: 'str' object has no attribute 'replications'"."""
    path = str(SCENARIOS / "baseline_2023.yaml")
    calls = {"run": lambda: sim.run(path, replications=1, executor="serial"),
             "sweep": lambda: sim.sweep(path, {"unloading.grain.points": [4, 5]}, replications=1, executor="serial"),
             "compare": lambda: sim.compare([short, path], replications=2, executor="serial"),
             "suggest_warmup": lambda: sim.suggest_warmup(path, replications=1, executor="serial")}
    with pytest.raises(ArgumentError, match=r"must be a Scenario \(load the file first: sim\.load_scenario\("):
        calls[call]()
