"""Reading a results directory back: every file is checked against metadata.json and the scenario, so
damaged results are refused with a clear message rather than reported as fewer replications."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiments.results import DamagedResultsError, Results
from tests.cli.helpers import dostyk, dostyk_here, said
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "3d"})
    out = tmp_path_factory.mktemp("results") / "r"
    sim.run(scenario, replications=2, executor="serial").write(out)
    return out


@pytest.fixture
def copy(written: Path, tmp_path: Path) -> Path:
    """A copy as written before files had checksums (metadata.json without `files`): these tests are of
    the consistency checks, which protect such directories (tests/experiments/test_checksums.py: the rest)."""
    out = Path(shutil.copytree(written, tmp_path / "r"))
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    del meta["files"]
    (out / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def _cut(name: str, keep: Callable[[str], str]) -> Callable[[Path], None]:
    def damage(d: Path) -> None:
        (d / name).write_text(keep((d / name).read_text(encoding="utf-8")), encoding="utf-8")
    return damage


def _rows(name: str, n: int) -> Callable[[Path], None]:
    return _cut(name, lambda text: "".join(text.splitlines(keepends=True)[:n]))


DAMAGE = {
    "kpis-one-replication": (_rows("kpis.csv", 4), "kpis.csv holds 1 of the 2 replications metadata.json counts"),
    "kpis-cut-mid-row": (_cut("kpis.csv", lambda t: t[: len(t) * 2 // 3]), "kpis.csv has incomplete rows"),
    "kpis-last-row-lost": (_rows("kpis.csv", 6), "kpis.csv has 5 rows"),
    "kpis-empty": (_cut("kpis.csv", lambda t: ""), "kpis.csv cannot be read"),
    "daily-cut": (_cut("daily.csv", lambda t: t[: len(t) // 2]), "daily.csv"),
    "daily-other-replication": (_cut("daily.csv", lambda t: t.replace("\n1,", "\n7,")),
                                "daily.csv holds 1 of the 2 replications metadata.json counts (and unknown ones: [7])"),
    "metadata-more-replications": (_cut("metadata.json", lambda t: t.replace('"replications": 2', '"replications": 3')),
                                   "kpis.csv holds 2 of the 3 replications"),
    "metadata-garbled": (_cut("metadata.json", lambda t: t[:10]), "metadata.json cannot be read"),
    "scenario-edited": (_cut("scenario.yaml", lambda t: t.replace("points: 6", "points: -6")),
                        "or it was edited since"),
    "cargo-renamed": (_cut("kpis.csv", lambda t: t.replace(",grain,", ",wheat,")), "kpis.csv has cargo"),
    "dwell-cut": (_cut("dwell.csv", lambda t: t[: len(t) // 2].rsplit(",", 1)[0]), "dwell.csv has incomplete rows"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_damaged_results_are_refused_with_what_is_wrong(copy: Path, case: str) -> None:
    damage, says = DAMAGE[case]
    damage(copy)
    with pytest.raises(DamagedResultsError) as info:
        Results.read(copy)
    assert says in str(info.value) and str(copy) in str(info.value)


def test_intact_results_read_back_whole(written: Path) -> None:
    res = Results.read(written)
    assert res.replications == 2 and json.loads((written / "metadata.json").read_text())["replications"] == 2
    assert set(res.summary().query("kpi == 'tonnes_delivered'")["n"]) == {2}


def test_results_written_under_a_higher_daily_rows_limit_still_load(written: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The daily-rows limit fell from 5,000,000 to 500,000 (what a run holds in 1 GB): it bounds what
    is run, not what is read, so a directory with more rows than today's limit loads as it did."""
    from sim.scenario import limits
    from sim.scenario.schema import Scenario

    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 10)  # 2 replications x 3 days x 3 series are 18 rows
    with pytest.raises(ValueError, match="18 daily rows"):  # a new run of it would be refused
        Scenario.model_validate(Results.read(written).scenario.to_dict())
    res = Results.read(written)
    assert res.replications == 2 and len(res.daily) == 18 and res.scenario.replications == 2


def test_report_command_refuses_a_truncated_kpis_csv(copy: Path) -> None:
    """`dostyk report` said "1 replication" of a kpis.csv cut short while metadata.json said 2."""
    _rows("kpis.csv", 4)(copy)
    before = sorted(p.name for p in copy.iterdir())
    proc = dostyk("report", str(copy))
    assert proc.returncode == 2, proc.stderr
    told = said(proc.stderr)  # wrapped to 100 columns, at a place that depends on the temporary path's length
    assert f"{copy}: damaged results, refusing to report them: kpis.csv holds 1 of the 2 replications" in told
    assert f"dostyk run {copy / 'scenario.yaml'} --seed 2023 --replications 2 --out {copy} --force" in told
    assert sorted(p.name for p in copy.iterdir()) == before and "Traceback" not in proc.stderr
    assert pd.read_csv(copy / "kpis.csv").shape[0] == 3


@pytest.mark.parametrize("name", ["NA", "null", "NaN", "None"])
def test_a_cargo_named_like_a_missing_value_reads_back(tmp_path: Path, name: str) -> None:
    """pandas reads `NA`, `null`… as missing by default: such a cargo's rows lost their name on reading."""
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    data = base.with_changes({"duration": "2d", "disruptions": []}).to_dict()
    for part in ("cargo", "demand", "unloading", "loading"):
        data[part][name] = data[part].pop("containers")
    res = sim.run(sim.Scenario.model_validate(data), replications=2, executor="serial")
    res.write(tmp_path / "r")
    back = Results.read(tmp_path / "r")
    assert list(back.kpis["cargo"].unique()) == ["grain", name, "all"]
    pd.testing.assert_frame_equal(back.summary(), res.summary())


def test_report_of_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    proc = dostyk_here("report", str(tmp_path / "no" / "such"))
    assert proc.returncode == 2 and said(proc.stderr) == f"{tmp_path / 'no' / 'such'}: no such results directory"
    assert not (tmp_path / "no").exists()


@pytest.mark.filterwarnings("ignore:.*changes nothing in this run")
def test_replications_without_rows_keep_the_tables_typed() -> None:
    """A replication that unloads no wagon has no dwell rows (and may have no events): stacked with
    replications that have them, the columns keep their dtypes, and the report's dwell chart (which
    takes quantiles of dwell_h) draws. 3,000 one-day replications at a low demand failed in the report
    with "dtype 'object' does not support operation 'quantile'"."""
    from sim.experiments.replication import run_replication
    from sim.reporting import plots

    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    quiet = run_replication(base.with_changes({"duration": "1d", "warmup": 0}), 0)
    busy = run_replication(base.with_changes({"duration": "20d", "warmup": 0}), 1)
    assert quiet.dwell.empty and not busy.dwell.empty
    for reps in ([quiet, busy], [busy, quiet]):
        results = Results.from_replications(base, 1, reps)
        assert results.dwell["dwell_h"].dtype == float and results.dwell["quantile"].dtype == float
        assert results.kpis.dtypes.equals(Results.from_replications(base, 1, [busy]).kpis.dtypes)
        plots.close(plots.dwell(results))
    alone = Results.from_replications(base, 1, [quiet])
    assert alone.dwell.empty and alone.dwell["dwell_h"].dtype == float
