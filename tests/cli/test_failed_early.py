"""A command that fails before any task finished leaves no empty work directory (OUT.work) behind,
and its CLI options refuse what the machine cannot take before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_bad_inputs import MINI, run_main


def test_a_search_that_fails_before_any_task_leaves_no_work_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`optimize` opens its work directory itself (not through a run's session): an unreachable
    scheduler left an empty out.work with a manifest and no parts."""
    import distributed

    def unreachable(*args: object, **kwargs: object) -> None:
        raise TimeoutError("Timed out trying to connect to tcp://127.0.0.1:1 after 30 s")

    monkeypatch.setattr(distributed, "Client", unreachable)
    (tmp_path / "s.yaml").write_text(MINI.replace("duration: 365d", "duration: 3d"), encoding="utf-8")
    code, err, _ = run_main(["optimize", "s.yaml", "--lever", "unloading.grain.points=4:8", "--objective",
                             "min:dwell_h_mean", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
                             "--quiet", "--out", "out"], tmp_path)
    assert code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"], list(tmp_path.iterdir())


@pytest.mark.parametrize("command", [["run", "s.yaml"], ["sweep", "s.yaml", "--vary", "unloading.grain.points=4,5"],
                                     ["optimize", "s.yaml", "--lever", "unloading.grain.points=4:8", "--objective",
                                      "min:dwell_h_mean"]])
def test_more_workers_than_a_few_per_core_are_refused_by_the_option(command: list[str], tmp_path: Path) -> None:
    """`--workers 100000` started one process per task (1,000 for a 1,000-task sweep) on 2 cores."""
    (tmp_path / "s.yaml").write_text(MINI, encoding="utf-8")
    code, err, _ = run_main([*command, "--workers", "100000", "--quiet", "--out", "out"], tmp_path)
    assert code == 2 and "Invalid value for '--workers': 100000 is not in the range 1<=x<=" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
