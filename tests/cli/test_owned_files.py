"""`--force` and `dostyk report` replace only the files dostyk wrote: a user's files beside them survive.

Every command that writes a directory runs twice on one `--out` with a user's `notes.txt` (and a
figure of theirs in `plots/`) added in between; the second run, with `--force`, must leave both
byte for byte, replace the tool's files and list them (with checksums) in its marker file. Budgets
are tiny: what is tested is the files, not the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.experiments.manifest import KIND_MARKER
from tests.cli.test_bad_inputs import MINI, run_main
from tests.decision.conftest import SMALL

NOTES = "my notes: do not delete\n"
FIGURE = b"\x89PNG my own figure"
FAST = ["--executor", "serial", "-q"]
SETS = ["--set", "duration=2d", "--set", "disruptions=[]"]
SMALL_SETS = ["--set", "duration=20d"]
TARGETS = {"targets": [{"kpi": "tonnes_delivered", "value": 400000, "tolerance": 100000}],
           "parameters": [{"path": "disruptions.hold.capacity", "low": 0.05, "high": 0.2}]}

RUN = ["run", "mini.yaml", *SETS, "-n", "1", "--no-report"]
COMMANDS = {
    "run": [*RUN, "--xlsx", "--at", "2024-01-02"],
    "sweep": ["sweep", "mini.yaml", *SETS, "-n", "1", "--vary", "unloading.grain.points=5,6", "--no-plots"],
    "compare": ["compare", "mini.yaml", "mini.yaml", *SETS, "-n", "2", "--set", "2:unloading.grain.points=7",
                "--no-report"],
    "calibrate": ["calibrate", "small.yaml", *SMALL_SETS, "--targets", "targets.yaml", "-N", "2", "-n", "1",
                  "--batch", "2", "--profile", "0"],
    "optimize": ["optimize", "small.yaml", *SMALL_SETS, "--lever", "unloading.grain.points=8:12",
                 "--objective", "min:backlog_wagons_mean", "-N", "2", "-n", "1", "--batch", "2"],
    "sensitivity": ["sensitivity", "small.yaml", *SMALL_SETS, "--lever", "unloading.grain.points=8:12",
                    "--lever", "disruptions.hold.capacity=0.05:0.2", "--trajectories", "2", "--levels", "2",
                    "-n", "1"],
    "experiment": ["experiment", "experiment.yaml"],
    "history": ["history", "replays", "-n", "2"],
}
#: the marker each command's directory carries (experiment writes a comparison's)
KIND = {"experiment": "compare"}
EXPERIMENT = {"baseline": "mini.yaml", "replications": 2, "kpis": ["backlog_wagons_mean"],
              "variants": {"two-days": {"duration": "2d", "disruptions": []},
                           "seven-points": {"duration": "2d", "disruptions": [], "unloading.grain.points": 7}}}
BAN = Path(__file__).resolve().parents[2] / "scenarios" / "history" / "feb2025_altynkol_ban.yaml"
EVIDENCE = """targets:
  - {name: delivered, kpi: wagons_delivered, cargo: grain, value: 160, tolerance: 200, role: held_out,
     source: "SOURCES.md B4", tolerance_derivation: "ASSUMPTION: a test"}
"""


def _inputs(directory: Path) -> None:
    (directory / "mini.yaml").write_text(MINI, encoding="utf-8")
    (directory / "small.yaml").write_text(SMALL, encoding="utf-8")
    (directory / "targets.yaml").write_text(yaml.safe_dump(TARGETS), encoding="utf-8")
    (directory / "experiment.yaml").write_text(yaml.safe_dump(EXPERIMENT), encoding="utf-8")
    (directory / "replays" / "evidence").mkdir(parents=True)
    (directory / "replays" / "ban.yaml").write_text(f"extends: {BAN}\nname: ban\nduration: 10d\n", encoding="utf-8")
    (directory / "replays" / "evidence" / "ban.yaml").write_text(EVIDENCE, encoding="utf-8")


def _dostyk(directory: Path, *args: str) -> tuple[int, str]:
    code, err, _ = run_main(list(args), directory)
    return code, err


def _manifest(out: Path, kind: str) -> dict[str, dict]:
    return json.loads((out / KIND_MARKER[kind]).read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("kind", COMMANDS)
def test_force_replaces_only_the_tools_files(kind: str, tmp_path: Path) -> None:
    _inputs(tmp_path)
    args = [*COMMANDS[kind], *FAST, "--out", "out"]
    code, err = _dostyk(tmp_path, *args)
    assert code == 0, err
    out = tmp_path / "out"
    first = _manifest(out, KIND.get(kind, kind))
    assert first and all(len(v["sha256"]) == 64 for v in first.values())
    assert all("rows" in v for k, v in first.items() if k.endswith(".csv"))
    (out / "notes.txt").write_text(NOTES, encoding="utf-8")
    (out / "plots").mkdir(exist_ok=True)
    (out / "plots" / "mine.png").write_bytes(FIGURE)
    (out / "drafts").mkdir()
    code, err = _dostyk(tmp_path, *args, "--force")
    assert code == 0, err
    assert (out / "notes.txt").read_text(encoding="utf-8") == NOTES
    assert (out / "plots" / "mine.png").read_bytes() == FIGURE
    assert (out / "drafts").is_dir()
    second = _manifest(out, KIND.get(kind, kind))
    assert set(second) == set(first), "the new results list the same files (and not the user's)"
    assert not {"notes.txt", "plots/mine.png"} & set(second)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir() if p.name != ".out.lock")
    if kind == "run":  # the optional outputs are the tool's too
        assert {"results.xlsx", "windows.csv"} <= set(second)


def test_a_users_file_with_a_name_the_command_writes_is_refused_before_running(tmp_path: Path) -> None:
    """report.html of the user's in a directory written with --no-report: a run with a report would
    overwrite it, so --force refuses before computing (exit 2) and changes nothing."""
    _inputs(tmp_path)
    code, err = _dostyk(tmp_path, *RUN, *FAST, "--out", "out")
    assert code == 0, err
    (tmp_path / "out" / "report.html").write_text("<p>my page</p>", encoding="utf-8")
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    args = [a for a in RUN if a != "--no-report"]
    code, err = _dostyk(tmp_path, *args, *FAST, "--out", "out", "--force")
    assert code == 2, err
    assert "out holds report.html, which dostyk did not write" in err and "move it away" in err
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before


def test_report_rewrites_only_its_own_plots(tmp_path: Path) -> None:
    _inputs(tmp_path)
    code, err = _dostyk(tmp_path, *RUN, *FAST, "--out", "out")
    assert code == 0, err
    out = tmp_path / "out"
    (out / "notes.txt").write_text(NOTES, encoding="utf-8")
    (out / "plots").mkdir()
    (out / "plots" / "mine.png").write_bytes(FIGURE)
    code, err = _dostyk(tmp_path, "report", "out")
    assert code == 0, err
    assert (out / "notes.txt").read_text(encoding="utf-8") == NOTES
    assert (out / "plots" / "mine.png").read_bytes() == FIGURE
    files = _manifest(out, "run")
    assert "report.html" in files and "plots/backlog.png" in files and "plots/mine.png" not in files
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "report left temporary files"
    # a figure of the user's named like one of the report's: refused, nothing replaced
    (out / "plots" / "backlog.png").unlink()
    (out / "plots" / "backlog.png").write_bytes(FIGURE)
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))  # make it not ours: drop it from the list
    del meta["files"]["plots/backlog.png"]
    (out / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    code, err = _dostyk(tmp_path, "report", "out")
    assert code == 2 and "out/plots/backlog.png was not written by dostyk" in err, err
    assert (out / "plots" / "backlog.png").read_bytes() == FIGURE


KPIS = ["kpis", "out", "--at", "2024-01-01", "--csv"]
WARMUP = ["warmup", "mini.yaml", "--plot"]


@pytest.mark.parametrize(("command", "target"), [
    (KPIS, "out/daily.csv"), (KPIS, "out/../out/kpis.csv"), (KPIS, "link.csv"), (KPIS, "out/windows.csv"),
    (WARMUP, "out/plots/backlog.png"), (WARMUP, "mini.yaml"), (WARMUP, "out/daily.csv")])
def test_no_output_file_lands_on_a_file_being_read_or_a_results_file(tmp_path: Path, command: list[str],
                                                                       target: str) -> None:
    """`dostyk kpis R --csv R/daily.csv` replaced the data it had just read; `warmup --plot` its scenario."""
    _inputs(tmp_path)
    out = tmp_path / "out"
    (out / "plots").mkdir(parents=True)
    (out / "metadata.json").write_text('{"version": "0", "created": "2024", "replications": 1}', encoding="utf-8")
    for name in ("daily.csv", "kpis.csv", "plots/backlog.png"):
        (out / name).write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(out / "daily.csv")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, err = _dostyk(tmp_path, *command, target)
    assert code == 2, err
    assert f"Invalid value for {command[-1]}: {target} is " in err and "would replace it" in err, err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
