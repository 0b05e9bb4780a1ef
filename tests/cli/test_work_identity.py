"""Unfinished work is whose its folder's results would be (sim.experiments.identity).

The work manifest (OUT.work/manifest.json) recorded the command and the scenario's name, not the file nor
the options, so `run b/mini.yaml --force` discarded the unfinished work of a/mini.yaml (the same folder
name), `run --out X --force` a sweep's or another seed's unfinished work in X.work, and `--resume` took
them for its own. Now the manifest records the identity the finished folder's marker records, and one
check refuses another's work, finished or not, even with --force.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest

import sim
import sim.experiments.executors as executors
from sim.experiments.runner import Interrupted
from tests.cli.test_bad_inputs import MINI
from tests.cli.test_bad_inputs import run_main as run_printed
from tests.cli.test_default_folders import TINY


def run_main(args: list[str], directory: Path) -> tuple[int, str, str]:
    """`dostyk ARGS` in this process; stderr and stdout with their lines joined and spaces single: sentences as they
    read, before being wrapped at 100 columns."""
    code, err, out = run_printed(args, directory)
    return code, " ".join(err.split()), " ".join(out.split())


FAST = ["--executor", "serial", "--quiet", "--no-report"]
SWEEP = ["--vary", "unloading.grain.points=4,6", "-n", "1", "--executor", "serial", "--quiet", "--no-plots"]


def _parts(work: Path) -> dict[str, int]:
    """Each part file's name and modification time: what must survive a refused command untouched."""
    return {p.name: p.stat().st_mtime_ns for p in sorted((work / "parts").glob("*.pkl"))}


def _interrupted(args: list[str], root: Path, monkeypatch: pytest.MonkeyPatch, after: int = 1) -> None:
    """`dostyk ARGS` in this process, interrupted (as by Ctrl-C) once `after` tasks are finished."""
    real = executors.execute
    done: list[object] = []

    def stop(task):  # type: ignore[no-untyped-def]
        if len(done) >= after:
            raise KeyboardInterrupt
        done.append(task)
        return real(task)

    monkeypatch.setattr(executors, "execute", stop)
    try:
        code, err, _ = run_main(args, root)
    finally:
        monkeypatch.setattr(executors, "execute", real)
    assert code == 130 and "Interrupted" in err, err

def _interrupted_then_edited(root: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    """`dostyk run mini.yaml` interrupted after one task, then `old` in the file edited to `new`."""
    mini = root / "mini.yaml"
    mini.write_text(TINY, encoding="utf-8")
    _interrupted(["run", "mini.yaml", *FAST], root, monkeypatch)
    assert old in TINY
    mini.write_text(TINY.replace(old, new), encoding="utf-8")



def _two_files(root: Path, text: str = TINY) -> None:
    """a/mini.yaml and b/mini.yaml: one folder name, one scenario name, other numbers."""
    for folder, points in (("a", 6), ("b", 9)):
        (root / folder).mkdir()
        (root / folder / "mini.yaml").write_text(
            text.replace("points: 6, wagon_time: {dist: gamma", f"points: {points}, wagon_time: {{dist: gamma"),
            encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_mid_run_then_another_file_of_the_same_name_neither_discards_nor_resumes_its_work(
        tmp_path: Path) -> None:
    from tests.experiments.test_interrupt import _interrupt, _start, _wait_for_part

    _two_files(tmp_path, MINI)
    n = 6
    args = ["run", "a/mini.yaml", "-n", str(n), "--executor", "serial", "--quiet", "--no-report"]
    proc = _start(args, tmp_path, uuid.uuid4().hex)
    while not (tmp_path / "results").is_dir() or not list((tmp_path / "results").glob("*.work")):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    (work,) = (tmp_path / "results").glob("*.work")
    _wait_for_part(proc, work / "parts")
    _interrupt(proc, signal.SIGINT, work / "parts", n)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    kept = _parts(work)
    for given in ([], ["--force"], ["--resume"]):
        code, err, _ = run_main(["run", "b/mini.yaml", "-n", str(n), *given, *FAST], tmp_path)
        assert code == 2, (given, err)
        assert (f"{work.relative_to(tmp_path)} holds {len(kept)} finished task(s) of an interrupted run of "
                "a/mini.yaml, another file than b/mini.yaml") in err, err
        assert "finish it with `dostyk run a/mini.yaml … --resume`" in err, err
        assert _parts(work) == kept  # neither discarded nor resumed
    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["file"], manifest["file_path"]) == ("a/mini.yaml", str(tmp_path / "a" / "mini.yaml"))
    code, err, out = run_main([*args, "--resume"], tmp_path)
    assert code == 0, err
    assert f"reused {len(kept)} saved replications" in out and not work.exists()
    marker = json.loads((work.with_name(work.name[:-5]) / "metadata.json").read_text(encoding="utf-8"))
    assert {k: marker[k] for k in ("file", "file_path", "options")} == \
        {k: manifest[k] for k in ("file", "file_path", "options")}  # one identity, finished or not


def test_work_of_other_options_in_an_out_folder_is_neither_discarded_nor_resumed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    _interrupted(["run", "mini.yaml", "--seed", "5", "--out", "x", *FAST], tmp_path, monkeypatch)
    kept = _parts(tmp_path / "x.work")
    for given in (["--force"], ["--resume"], []):
        code, err, _ = run_main(["run", "mini.yaml", "--out", "x", *given, *FAST], tmp_path)
        assert code == 2, err
        assert "x.work holds 1 finished task(s) of an interrupted run with options seed=5, not with no options" in err
        assert _parts(tmp_path / "x.work") == kept
    code, err, out = run_main(["run", "mini.yaml", "--seed", "5", "--out", "x", "--resume", *FAST], tmp_path)
    assert code == 0 and "reused 1 saved replications" in out, err


def test_force_does_not_discard_another_commands_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run --out X --force` discarded a sweep's unfinished work in X.work (only --resume was refused)."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    _interrupted(["sweep", "mini.yaml", *SWEEP, "--out", "x"], tmp_path, monkeypatch)
    kept = _parts(tmp_path / "x.work")
    code, err, _ = run_main(["run", "mini.yaml", "--out", "x", "--force", *FAST], tmp_path)
    assert code == 2 and "x.work holds 1 finished task(s) of an interrupted sweep, not of a run" in err, err
    assert _parts(tmp_path / "x.work") == kept and not (tmp_path / "x").exists()
    # without either flag it is called a sweep, not "an interrupted run"
    code, err, _ = run_main(["sweep", "mini.yaml", *SWEEP, "--out", "x"], tmp_path)
    assert code == 2 and "of an interrupted sweep; use --resume" in err, err


def test_work_that_records_no_file_is_taken_as_this_commands_and_said(tmp_path: Path) -> None:
    """Work begun from Python (or by an earlier dostyk) records no file: the same command and scenario
    take it as theirs, and --force says that it discards it."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    scenario = sim.load_scenario(tmp_path / "mini.yaml")

    def stop(stream, n):  # type: ignore[no-untyped-def]
        for item in stream:
            yield item
            raise KeyboardInterrupt

    (tmp_path / "results").mkdir()
    with pytest.raises(Interrupted):
        sim.run(scenario, executor="serial", workdir=tmp_path / "results" / "mini.work", progress=stop)
    code, err, _ = run_main(["run", "mini.yaml", *FAST], tmp_path)
    assert code == 2 and "use --resume to complete it, or --force" in err, err
    code, err, _ = run_main(["run", "mini.yaml", "--force", *FAST], tmp_path)
    assert code == 0, err
    assert "held 1 finished task(s) of an interrupted run that recorded no file" in err
    assert "taken as this one's and discarded (--force)" in err


@pytest.mark.parametrize("spelled", ["./mini.yaml", "sub/../mini.yaml", "{root}/mini.yaml", "link/mini.yaml"])
def test_the_same_file_by_another_path_resumes_its_own_work(spelled: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path)
    _interrupted(["run", "mini.yaml", *FAST], tmp_path, monkeypatch)
    code, err, out = run_main(["run", spelled.format(root=tmp_path), "--resume", *FAST], tmp_path)
    assert code == 0, err
    assert "reused 1 saved replications" in out and "Results written to results/mini" in out


def test_a_relative_record_is_read_from_where_it_was_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest records mini.yaml; from sub/, where another mini.yaml is, that name is another file:
    the absolute path recorded with it says which file it was."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mini.yaml").write_text(TINY.replace("points: 6, wagon_time", "points: 9, wagon_time"),
                                                encoding="utf-8")
    out = str(tmp_path / "x")
    _interrupted(["run", "mini.yaml", "--out", out, *FAST], tmp_path, monkeypatch)
    code, err, _ = run_main(["run", "mini.yaml", "--out", out, "--resume", *FAST], tmp_path / "sub")
    assert code == 2 and f"of an interrupted run of {tmp_path / 'mini.yaml'}, another file than mini.yaml" in err, err
    code, err, printed = run_main(["run", "../mini.yaml", "--out", out, "--resume", *FAST], tmp_path / "sub")
    assert code == 0 and "reused 1 saved replications" in printed, err


def test_a_file_edited_before_the_resume_says_why_nothing_was_reused(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupted_then_edited(tmp_path, monkeypatch, "points: 6, wagon_time", "points: 9, wagon_time")
    code, err, out = run_main(["run", "mini.yaml", "--resume", *FAST], tmp_path)
    assert code == 0, err
    assert "Resumed" not in out and "keeps 1 finished task(s) of other work" in err
    assert "mini.yaml edited since" in err, err


def test_a_default_folder_written_with_other_options_is_not_replaced(tmp_path: Path) -> None:
    """`run mini.yaml --seed 5 --out results/mini` put seed 5's results under the name of the file's own
    seed; `run mini.yaml --force` replaced them as its own."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--seed", "5", "--out", "results/mini", *FAST], tmp_path)
    assert code == 0, err
    kept = (tmp_path / "results" / "mini" / "kpis.csv").read_bytes()
    code, err, _ = run_main(["run", "mini.yaml", "--force", *FAST], tmp_path)
    assert code == 2 and "results/mini holds the results with options seed=5, not with no options" in err, err
    assert (tmp_path / "results" / "mini" / "kpis.csv").read_bytes() == kept


def test_a_path_option_spelled_another_way_is_the_same_folder(tmp_path: Path) -> None:
    from tests.cli.test_default_folders import TARGETS

    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(TARGETS, encoding="utf-8")
    calibrate = ["calibrate", "mini.yaml", "--profile", "0", "-N", "1", "-n", "1", "--executor", "serial", "--quiet"]
    code, err, _ = run_main([*calibrate, "--targets", "t.yaml"], tmp_path)
    assert code == 0, err
    (made,) = os.listdir(tmp_path / "results")
    for spelled in ("./t.yaml", str(tmp_path / "t.yaml"), "results/../t.yaml"):
        code, err, _ = run_main([*calibrate, "--targets", spelled], tmp_path)
        assert code == 2 and f"results/{made} already exists" in err, (spelled, err)


#: each command that keeps unfinished work, given a/mini.yaml (or b/mini.yaml), in its default folder
COMMANDS = {
    "run": ["run", "{f}/mini.yaml", *FAST],
    "sweep": ["sweep", "{f}/mini.yaml", *SWEEP],
    "compare": ["compare", "{f}/mini.yaml", "{f}/mini.yaml", "--set", "2:unloading.grain.points=8", "-n", "2", *FAST],
    "optimize": ["optimize", "{f}/mini.yaml", "--lever", "unloading.grain.points=4:8", "--objective",
                 "min:backlog_wagons_mean", "-N", "2", "-n", "1", "--batch", "1", "--executor", "serial", "--quiet"],
    "sensitivity": ["sensitivity", "{f}/mini.yaml", "--lever", "unloading.containers.points=4:6", "--lever",
                    "unloading.grain.points=4:6", "--trajectories", "2", "-n", "1", "--executor", "serial", "--quiet"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_command_discards_or_resumes_another_files_work(command: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _two_files(tmp_path)
    args = COMMANDS[command]
    _interrupted([a.format(f="a") for a in args], tmp_path, monkeypatch)
    (work,) = (tmp_path / "results").glob("*.work")
    kept = _parts(work)
    for given in (["--force"], ["--resume"]):
        code, err, _ = run_main([*(a.format(f="b") for a in args), *given], tmp_path)
        assert code == 2 and "of a/mini.yaml" in err and "neither resumes nor discards that work" in err, (given, err)
        assert _parts(work) == kept
    code, err, _ = run_main([*(a.format(f="a") for a in args), "--resume"], tmp_path)
    assert code == 0 and not work.exists(), err


def test_a_joint_fit_records_its_files_and_keeps_its_folder_from_other_files(tmp_path: Path) -> None:
    """A joint fit's folder is named by its episodes' file names: b/one.yaml b/two.yaml replaced the fit
    of a/one.yaml a/two.yaml with --force (the marker recorded no file)."""
    import yaml

    from tests.decision.test_joint import BAN

    changes = yaml.safe_dump({"changes": yaml.safe_load((BAN.parent / "evidence" / BAN.name).read_text(
        encoding="utf-8"))["changes"]})
    for folder, tolerance in (("a", 24), ("b", 30)):
        (tmp_path / folder / "evidence").mkdir(parents=True)
        for name in ("one", "two"):
            (tmp_path / folder / f"{name}.yaml").write_text(f"extends: {BAN}\nname: {name}\n", encoding="utf-8")
            (tmp_path / folder / "evidence" / f"{name}.yaml").write_text(
                changes + "targets:\n  - {name: delivered, kpi: wagons_delivered, cargo: grain, window: {from: "
                f"2025-01-30, to: 2025-02-24}}, value: 160, tolerance: {tolerance}, role: fitted, fitted: acceptance, "
                "source: SOURCES.md B4, tolerance_derivation: ASSUMPTION}\n", encoding="utf-8")
    joint = ["calibrate", "--shared", "crossings.altynkol.unloading.grain.points=1:4", "-N", "1", "-n", "1",
             "--profile", "0", "--executor", "serial", "--quiet"]
    code, err, _ = run_main([*joint, "a/one.yaml", "a/two.yaml"], tmp_path)
    assert code == 0, err
    (made,) = (tmp_path / "results").iterdir()
    kept = (made / "fit.csv").read_bytes()
    code, err, _ = run_main([*joint, "b/one.yaml", "b/two.yaml", "--force"], tmp_path)
    assert code == 2 and "holds the results of a/one.yaml, a/two.yaml, other files than b/one.yaml, b/two.yaml" \
        in err, err
    assert (made / "fit.csv").read_bytes() == kept
    assert json.loads((made / "calibration.json").read_text(encoding="utf-8"))["file"] == ["a/one.yaml", "a/two.yaml"]


def test_history_records_its_directory_and_keeps_its_folder_from_another(tmp_path: Path) -> None:
    from tests.validation.test_history_command import replay

    directory = replay(tmp_path, 160, 24).relative_to(tmp_path)
    (tmp_path / "other").mkdir()
    other = replay(tmp_path / "other", 160, 30).relative_to(tmp_path)
    history = ["history", "-n", "2", "--executor", "serial", "--quiet"]
    code, err, _ = run_main([*history, str(directory)], tmp_path)
    assert code == 0, err
    (made,) = (tmp_path / "results").iterdir()
    # another directory's replays written there with --out are not replaced as this directory's
    code, err, _ = run_main([*history, str(other), "--out", f"results/{made.name}", "--force"], tmp_path)
    assert code == 0, err
    code, err, _ = run_main([*history, str(directory), "--force"], tmp_path)
    assert code == 2 and f"results/{made.name} holds the results of other/history, another folder than history" \
        in err, err
    assert json.loads((made / "history.json").read_text(encoding="utf-8"))["file"] == "other/history"


def test_the_same_files_name_edited_since_is_still_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose `name:` was edited after its run was interrupted: its work was refused as another
    scenario's even with --force (only deleting results/mini.work by hand started afresh)."""
    _interrupted_then_edited(tmp_path, monkeypatch, "name: mini", "name: renamed")
    code, err, _ = run_main(["run", "mini.yaml", "--force", *FAST], tmp_path)
    assert code == 0, err
    code, err, _ = run_main(["run", "mini.yaml", *FAST], tmp_path)
    assert code == 2 and "results/mini already exists; use --force" in err, err
    (tmp_path / "mini.yaml").write_text(TINY.replace("name: mini", "name: again"), encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--force", *FAST], tmp_path)  # its finished results likewise
    assert code == 0, err


def test_the_order_of_precision_kpis_is_one_folder(tmp_path: Path) -> None:
    """Each --precision-kpi's interval decides alone: in another order the same replications, the same files
    (only the printed table's rows follow the order), so the same folder."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    precise = ["run", "mini.yaml", "--precision", "50%", "--max-replications", "3", *FAST]
    code, err, _ = run_main([*precise, "--precision-kpi", "tonnes_delivered", "--precision-kpi", "dwell_h_mean"],
                            tmp_path)
    assert code == 0, err
    for given in (["dwell_h_mean", "tonnes_delivered"], ["dwell_h_mean", "tonnes_delivered", "dwell_h_mean"]):
        code, err, _ = run_main([*precise, *(a for k in given for a in ("--precision-kpi", k))], tmp_path)
        assert code == 2 and "already exists" in err, (given, err)


def test_a_hold_out_given_twice_is_one_folder_and_one_episode(tmp_path: Path) -> None:
    from tests.cli.test_default_folders import (
        test_joint_fits_of_other_episodes_or_hold_outs_get_other_folders as j,
    )

    j(tmp_path)  # one.yaml, two.yaml, and their fits holding out each
    joint = ["calibrate", "one.yaml", "two.yaml", "--shared", "crossings.altynkol.unloading.grain.points=1:4",
             "-N", "1", "-n", "1", "--profile", "0", "--executor", "serial"]
    code, err, _ = run_main([*joint, "--hold-out", "one", "--hold-out", "one", "--quiet"], tmp_path)
    assert code == 2 and "already exists" in err, err
    code, err, out = run_main([*joint, "--hold-out", "one", "--hold-out", "one", "--out", "x"], tmp_path)
    assert code == 0 and "Fitted on 1 episode(s)" in out, err


def test_a_path_counts_one_way_from_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.cli.folders import path_text

    monkeypatch.chdir(tmp_path)
    for spelled in ("t.yaml", "./t.yaml", "a/../t.yaml", str(tmp_path / "t.yaml"), f"../{tmp_path.name}/t.yaml"):
        assert path_text(spelled) == "t.yaml", spelled
    assert path_text("sub/book.xlsx") == "sub/book.xlsx"  # as typed when it is so already: names stay
    assert path_text("../elsewhere/t.yaml") == str(tmp_path.parent / "elsewhere" / "t.yaml")  # out of here


@pytest.mark.parametrize("recorded", [
    {"kind": 3, "file": 5, "file_path": ["a", "b"], "options": "seed=5"},
    {"kind": "run", "file": ["", None], "options": {"given": 5}},
    {"kind": "run", "file": "no\0such.yaml", "options": {"digest": None}},
    [1, 2],
], ids=["numbers", "blanks", "nul", "not-a-mapping"])
def test_a_manifest_edited_by_hand_is_not_held_against_the_command(recorded: object, tmp_path: Path) -> None:
    """What cannot be read as an identity says nothing against anyone: --force discards it (and says so),
    never an internal error."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    work = tmp_path / "results" / "mini.work"
    (work / "parts").mkdir(parents=True)
    (work / "parts" / "r00000-0123456789ab.pkl").write_bytes(b"x")
    (work / "manifest.json").write_text(json.dumps(recorded), encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--force", *FAST], tmp_path)
    assert code == 0 and "internal error" not in err, err
