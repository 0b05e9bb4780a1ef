"""What older versions of dostyk wrote still loads with today's code, with the same meaning.

The fixtures (tests/compat/fixtures, see its README for the commit and command of each) are real
outputs of three older commits: before the corridor, before the manifest, before issue 17's
recorder. Each must load and read back the figures its files hold, or be refused with a message
naming the file and what to do, never changed behind the user's back.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiments.atomic import replaceable
from sim.experiments.manifest import foreign, is_results_dir
from sim.experiments.results import DamagedResultsError, RefusedScenarioError
from tests.cli.helpers import dostyk, dostyk_here

FIXTURES = Path(__file__).parent / "fixtures"
OLDEST, CORRIDOR, MANIFEST = "2026-11-23-e11ccd9", "2026-11-25-6f55cc3", "2026-12-03-304b304"
DECISION = "2026-11-25-d19614e"  # the first calibrate and optimize outputs
VERSIONS = (OLDEST, CORRIDOR, MANIFEST)

# the old baseline's Spring Festival falls after the fixtures' 5 days, which today's loader points out
pytestmark = pytest.mark.filterwarnings("ignore::sim.scenario.effects.ScenarioWarning")


def copy(version: str, what: str, tmp_path: Path) -> Path:
    """A copy of one fixture directory (a command must not touch the repository's)."""
    return Path(shutil.copytree(FIXTURES / version / what, tmp_path / what))


def digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("version", VERSIONS)
def test_results_read_gives_the_figures_the_old_files_hold(version: str) -> None:
    directory = FIXTURES / version / "run"
    before = digests(directory)
    results = sim.Results.read(directory)
    written = pd.read_csv(directory / "kpis.csv")
    assert results.replications == 2 and results.crossings == ["dostyk"]
    for cargo in ("grain", "containers", "all"):
        rows = written[written["cargo"] == cargo].set_index("replication")
        for kpi in ("tonnes_delivered", "backlog_wagons_mean", "dwell_h_mean"):
            assert results.kpi(kpi, cargo).tolist() == pytest.approx(rows[kpi].tolist(), rel=1e-12)
    assert set(results.kpis["crossing"]) == {"dostyk"}  # written before crossings: the one crossing
    daily = pd.read_csv(directory / "daily.csv")
    monthly = results.monthly  # derived from the daily series, also for directories older than monthly.csv
    assert monthly[monthly["cargo"] == "all"]["tonnes_delivered"].sum() == pytest.approx(
        daily[daily["cargo"] == "all"]["tonnes_delivered"].sum(), rel=1e-12)
    assert digests(directory) == before  # reading changes nothing


@pytest.mark.parametrize("version", VERSIONS)
def test_today_s_model_gives_the_old_figures_for_the_old_scenario(version: str) -> None:
    """The scenario.yaml an old run saved means the same today: same seed, same KPIs and daily series
    (to 1e-9) in every column the old version wrote."""
    directory = FIXTURES / version / "run"
    scenario = sim.load_scenario(directory / "scenario.yaml")
    seed = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))["seed"]
    again = sim.run(scenario, replications=2, seed=seed, executor="serial")
    old = pd.read_csv(directory / "kpis.csv")
    columns = [c for c in old.columns if c not in ("replication", "cargo", "crossing")]
    ours = again.kpis.set_index(["replication", "cargo"])[columns].sort_index()
    theirs = old.set_index(["replication", "cargo"])[columns].sort_index()
    pd.testing.assert_frame_equal(ours, theirs, rtol=1e-9, check_dtype=False)
    old_daily = pd.read_csv(directory / "daily.csv", parse_dates=["date"])
    index = ["replication", "day", "cargo"]
    columns = [c for c in old_daily.columns if c not in (*index, "crossing", "date")]  # day: the same date
    pd.testing.assert_frame_equal(again.daily.set_index(index)[columns].sort_index(),
                                  old_daily.set_index(index)[columns].sort_index(), rtol=1e-9, check_dtype=False)


@pytest.mark.parametrize("version", [OLDEST, CORRIDOR])
def test_an_old_scenario_file_loads_with_the_meaning_it_had(version: str) -> None:
    """The old shipped baseline_2023.yaml, verbatim, at 5 days is the scenario that old run saved."""
    user_file = sim.load_scenario(FIXTURES / version / "baseline_2023.yaml").with_changes({"duration": "5d"})
    saved = sim.load_scenario(FIXTURES / version / "run" / "scenario.yaml")
    assert user_file.to_dict() == saved.to_dict()


def test_report_renders_an_old_results_directory(tmp_path: Path) -> None:
    """The oldest directory (no crossing column, no manifest, no monthly.csv); the newer ones differ in
    what Results.read checks, tested above, not in what the report draws."""
    directory = copy(OLDEST, "run", tmp_path)
    data = {name: digests(directory)[name] for name in ("kpis.csv", "daily.csv", "scenario.yaml")}
    proc = dostyk("report", str(directory))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    html = (directory / "report.html").read_text(encoding="utf-8")
    row = re.search(r'<td class="kpi">tonnes_delivered</td>(.*?)</tr>', html, re.S)
    assert row is not None
    shown = [float(v.replace(",", "")) for v in re.findall(r'<td class="num">([\d,.]+)</td>', row.group(1))]
    kpis = pd.read_csv(directory / "kpis.csv")
    means = [kpis[kpis["cargo"] == c]["tonnes_delivered"].mean() for c in ("grain", "containers", "all")]
    for value, mean in zip(shown, means, strict=True):  # rounded to the CI's precision: within half a unit
        text = f"{value:.0f}"
        unit = 10 ** (len(text) - len(text.rstrip("0")))
        assert abs(value - mean) <= unit / 2
    assert {p.name for p in (directory / "plots").glob("*.png")} >= {"backlog.png", "deliveries.png", "dwell.png"}
    assert {name: digests(directory)[name] for name in data} == data  # the data files are left as written


def test_kpis_over_a_window_of_an_old_directory_read_its_daily_series(tmp_path: Path) -> None:
    directory = copy(OLDEST, "run", tmp_path)
    before = digests(directory)
    proc = dostyk_here("kpis", str(directory), "--window", "2023-01-02:2023-01-04", "--at", "2023-01-03",
                  "--csv", str(tmp_path / "k.csv"))
    assert proc.returncode == 0, proc.stderr
    assert "written before dostyk recorded checksums" in " ".join(proc.stderr.split())  # says what is checked
    got = pd.read_csv(tmp_path / "k.csv")
    daily = pd.read_csv(directory / "daily.csv")
    window = daily[(daily["date"] >= "2023-01-02") & (daily["date"] <= "2023-01-04")]
    expected = window.groupby(["replication", "cargo"])["tonnes_delivered"].sum()
    rows = got[got["from"].notna() & got["tonnes_delivered"].notna()].set_index(["replication", "cargo"])
    assert rows["tonnes_delivered"].sort_index().tolist() == expected.sort_index().tolist()
    at = got[got["backlog_wagons_end"].notna()].set_index(["replication", "cargo"])["backlog_wagons_end"]
    end = daily[daily["date"] == "2023-01-03"].set_index(["replication", "cargo"])["backlog_end"]
    assert at.sort_index().tolist() == end.sort_index().tolist()
    assert digests(directory) == before


@pytest.mark.parametrize("version", [OLDEST, MANIFEST])
@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_an_old_comparison_or_sweep_is_named_for_what_wrote_it(version: str, kind: str) -> None:
    with pytest.raises(DamagedResultsError) as refused:
        sim.Results.read(FIXTURES / version / kind)
    assert f"holds what `dostyk {kind}` wrote" in str(refused.value)


def test_resuming_an_old_versions_work_directory_is_refused_and_leaves_it(tmp_path: Path) -> None:
    """Its parts were computed by another model: resumed, they were mixed with today's replications
    under today's version (or failed on their old columns). Refused, naming the file and the way out."""
    work = copy(OLDEST, "out.work", tmp_path)
    before = digests(work)
    scenario = FIXTURES / OLDEST / "baseline_2023.yaml"
    args = ["run", str(scenario), "--set", "duration=1d", "-n", "1", "--executor", "serial", "--no-report",
            "--out", str(tmp_path / "out")]
    proc = dostyk_here(*args, "--resume")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(work / "manifest.json") in proc.stderr and "has no `code`" in proc.stderr
    assert "--force instead of --resume" in proc.stderr
    assert digests(work) == before and not (tmp_path / "out").exists()
    proc = dostyk_here(*args, "--force")
    assert proc.returncode == 0, proc.stderr
    assert sim.Results.read(tmp_path / "out").metadata.get("replications_reused") == 0 and not work.exists()


def test_the_api_refuses_an_old_work_directory_too(tmp_path: Path) -> None:
    work = copy(MANIFEST, "out.work", tmp_path)
    scenario = sim.load_scenario(FIXTURES / MANIFEST / "run" / "scenario.yaml").with_changes({"duration": "1d"})
    with pytest.raises(sim.SimError, match="computed by an older version of dostyk"):
        sim.run(scenario, replications=1, executor="serial", workdir=work, resume=True)
    assert len(list((work / "parts").glob("*.pkl"))) == 1


def test_an_old_scenario_today_s_rules_refuse_is_said_with_its_key_not_as_damage(tmp_path: Path) -> None:
    """e11ccd9 ran resume_below: 0 (loading halted for good); today's rules refuse it. Reading its
    results said 'damaged results: scenario.yaml cannot be read (ValidationError)', naming no key."""
    directory = copy(OLDEST, "run-resume-below-0", tmp_path)
    before = digests(directory)
    proc = dostyk_here("report", str(directory))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    message = " ".join(proc.stderr.split())  # its sentences whole, as they read before being wrapped at 100 columns
    assert f"{directory}/scenario.yaml: this version of dostyk refuses the scenario" in message
    assert "policies.stop_loading.resume_below: expected at least 1" in message
    assert "damaged" not in message and "or it was edited since" in message
    assert "--seed 2024 --replications 2" in message
    assert digests(directory) == before


def test_a_rule_tightened_after_a_manifest_directory_was_written_is_said_as_such(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """304b304 recorded the scenario's checksum: the file is as dostyk wrote it, so the refusal is today's
    rule against an older version's scenario (here a bound on trains lowered for the test)."""
    monkeypatch.setattr("sim.scenario.limits.MAX_TRAINS", 10)
    with pytest.raises(RefusedScenarioError) as refused:
        sim.Results.read(FIXTURES / MANIFEST / "run")
    message = str(refused.value)
    assert "demand." in message and "the limit is 10" in message
    assert "as it is now: that version accepted what this one refuses" in message


@pytest.mark.parametrize(("version", "kind"), [
    (OLDEST, "run"), (OLDEST, "compare"), (OLDEST, "sweep"), (CORRIDOR, "run"), (MANIFEST, "run"),
    (MANIFEST, "compare"), (MANIFEST, "sweep"), (DECISION, "calibrate"), (DECISION, "optimize")])
def test_every_old_output_directory_is_dostyk_s_to_replace_with_force(version: str, kind: str,
                                                                     tmp_path: Path) -> None:
    """--force replaces a directory dostyk wrote, keeping the user's files. The first calibrate and
    optimize markers had no creation time: their directories were 'not a results directory written by
    dostyk (it has no … calibration.json …; it holds calibration.json …)', and --force was refused."""
    directory = copy(version, kind, tmp_path)
    (directory / "notes.txt").write_text("mine", encoding="utf-8")
    assert is_results_dir(directory)
    assert replaceable(directory, kind) is None
    assert foreign(directory) == ["notes.txt"]  # the rest is dostyk's, replaced by the new results


def test_an_old_calibrated_scenario_holds_the_values_its_calibration_chose() -> None:
    directory = FIXTURES / DECISION / "calibrate"
    scenario = sim.load_scenario(directory / "calibrated.yaml")
    best = pd.read_csv(directory / "fit.csv").set_index("parameter")["best"]
    hold = next(d for d in scenario.disruptions if d.name == "admin-hold")
    assert hold.capacity == pytest.approx(best["disruptions.admin-hold.capacity"], rel=1e-12)
    assert scenario.policies.stop_loading is not None
    assert scenario.policies.stop_loading.above_wagons == best["policies.stop_loading.above_wagons"]


def test_a_file_named_like_a_marker_that_is_not_one_is_said_as_such(tmp_path: Path) -> None:
    """The refusal said 'it has no … calibration.json …; it holds calibration.json' of such a directory."""
    directory = copy(DECISION, "calibrate", tmp_path)
    (directory / "calibration.json").write_text('{"note": "mine"}', encoding="utf-8")
    why = replaceable(directory, "calibrate")
    assert why is not None and "its calibration.json is not a marker dostyk wrote" in why
