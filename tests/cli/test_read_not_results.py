"""`report` and `kpis` given what is not one run's results: unfinished work, or the folder that holds results.

After Ctrl-C an analyst has `OUT.work` and no `OUT`; `dostyk report OUT` said "no such results directory" and
`dostyk report OUT.work` "not a complete results directory (missing: scenario.yaml, …)", neither saying that
the work can be finished. `dostyk report results` (the parent folder) listed six missing files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import cli_wording
from sim.experiments.results import DamagedResultsError, Results
from sim.experiments.workdir import WorkDir, unfinished_work
from tests.cli.helpers import dostyk_here, said

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "baseline_2023.yaml"


def _interrupted(tmp_path: Path) -> Path:
    """results/cc.work as an interrupted `dostyk run` leaves it: a manifest and two finished parts."""
    out = tmp_path / "results" / "cc"
    work = WorkDir.open(out.with_name("cc.work"), manifest={"kind": "run", "file": "scenarios/baseline_2023.yaml"})
    work.save("p0000-r00000-0123456789ab", {"part": 0})
    work.save("p0000-r00001-0123456789ab", {"part": 1})
    return out


@pytest.mark.parametrize("args", [["report", "results/cc"], ["report", "results/cc.work"],
                                  ["kpis", "results/cc", "--at", "2023-01-05"],
                                  ["kpis", "results/cc.work", "--at", "2023-01-05"]])
def test_unfinished_work_is_said_with_how_to_finish_it(tmp_path: Path, args: list[str]) -> None:
    _interrupted(tmp_path)
    proc = dostyk_here(*args, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    told = said(proc.stderr)  # as a sentence, whatever the wrapping to 100 columns
    assert "2 finished task(s) of an interrupted `dostyk run scenarios/baseline_2023.yaml …`" in told
    assert "Finish it with the same command and --resume; the results are then written to results/cc" in told
    assert "missing:" not in told
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["cc.work"], "reading wrote something"


def test_the_python_api_says_it_in_its_own_words(tmp_path: Path) -> None:
    out = _interrupted(tmp_path)
    with pytest.raises(DamagedResultsError, match=r"the same call and resume=True"):
        Results.read(out)
    with cli_wording():
        assert "--resume" in (unfinished_work(out) or "")


def test_a_missing_directory_without_work_is_still_just_missing(tmp_path: Path) -> None:
    assert unfinished_work(tmp_path / "nothing") is None
    (tmp_path / "plain.work").mkdir()  # not a work directory of dostyk's: no parts/, no manifest
    assert unfinished_work(tmp_path / "plain.work") is None
    proc = dostyk_here("report", "nothing", cwd=tmp_path)
    assert proc.returncode == 2 and "nothing: no such results directory" in said(proc.stderr)


def test_the_folder_of_results_is_told_to_give_one_of_them(tmp_path: Path) -> None:
    made = dostyk_here("run", str(SCENARIO), "-n", "2", "--set", "duration=3d", "--executor", "serial", "--quiet",
                       "--no-report", "--out", "results/a", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    for args in (["report", "results"], ["kpis", "results", "--at", "2023-01-02"]):
        proc = dostyk_here(*args, cwd=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "results is a folder of results directories (results/a), not one; give one of them" in said(proc.stderr)
