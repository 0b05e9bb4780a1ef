"""Something that is no path where a path is expected is named, not a TypeError from pathlib.

`sim.load_scenario(None)` or `results.write(None)` failed inside pathlib; `Path("")` is the current
directory, which `results.write("", force=True)` would have replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.experiments.arguments import ArgumentError


@pytest.mark.parametrize("bad", [None, {"name": "x"}, "", "  ", 3])
def test_load_scenario(bad: object) -> None:
    with pytest.raises(sim.ScenarioError, match=r"sim.load_scenario: invalid scenario\n  path: expected the path of "
                                                r"a scenario file \(\.yaml\), as text or a pathlib\.Path; got"):
        sim.load_scenario(bad)  # type: ignore[arg-type]


def test_a_mapping_is_told_how_to_validate_data() -> None:
    with pytest.raises(sim.ScenarioError, match=r"got a mapping of keys \(data already in Python: sim\.Scenario\.from_data"):
        sim.load_scenario({"name": "x"})  # type: ignore[arg-type]


def test_load_targets() -> None:
    with pytest.raises(sim.SimError, match=r"sim.load_targets: invalid argument\n  path: expected the path of a "
                                           r"targets file"):
        sim.load_targets(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, "", 3])
def test_results_write_read_and_report(results: sim.Results, bad: object, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("kept")
    with pytest.raises(ArgumentError, match="out: expected the path of the results directory to write"):
        results.write(bad, force=True)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
    with pytest.raises(ArgumentError, match="directory: expected the path of a results directory"):
        sim.Results.read(bad)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="directory: expected the path of the directory to write the report"):
        sim.write_report(results, bad)  # type: ignore[arg-type]


def test_write_report_with_its_arguments_swapped(results: sim.Results, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match=r"write_report takes the Results of sim\.run, then the directory; got "
                                            r"the path '.* first"):
        sim.write_report(tmp_path, results)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
