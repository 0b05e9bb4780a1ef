"""Default results folders tell apart every command that computes something else (sim.cli.folders).

Two sweeps of one scenario with other --vary wrote one folder (the second found "already exists", or
with --force replaced the first's results); so did --seed, -n, a levers, targets or KPI choice of the
searches, another history directory, and any joint fit (always results/joint-calibration). `dostyk run
FILE` named its folder by the scenario's `name:`, `make run` and `compare` by the file. Now: the file's
name, the command, then what it was given; the same command finds the same folder again, options left to
their defaults keep the name, and what an earlier dostyk left under its names is said, never taken silently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli.folders import default_out
from sim.experiments.runner import run as run_replications
from sim.scenario.loader import load_scenario
from tests.cli.test_bad_inputs import MINI
from tests.cli.test_bad_inputs import run_main as run_printed
from tests.conftest import ROOT


def run_main(args: list[str], directory: Path) -> tuple[int, str, str]:
    """`dostyk ARGS` in this process; stderr and stdout with their lines joined and spaces single: sentences as they
    read, before being wrapped at 100 columns."""
    code, err, out = run_printed(args, directory)
    return code, " ".join(err.split()), " ".join(out.split())

TINY = MINI.replace("duration: 365d", "duration: 2d").replace("replications: 10", "replications: 2")
FAST = ["--executor", "serial", "--quiet"]
TARGETS = ("targets:\n  - {kpi: tonnes_delivered, value: 20000, tolerance: 50%}\n"
           "parameters:\n  - {path: unloading.grain.points, low: 4, high: 8}\n")
SEARCH = ["-N", "1", "-n", "1"]
BASE = {
    "run": ["run", "mini.yaml", "--no-report"],
    "sweep": ["sweep", "mini.yaml", "--no-plots"],
    "compare": ["compare", "mini.yaml", "mini.yaml", "--set", "2:unloading.grain.points=8", "--no-report"],
    "calibrate": ["calibrate", "mini.yaml", "--profile", "0", *SEARCH],
    "optimize": ["optimize", "mini.yaml", *SEARCH],
    "sensitivity": ["sensitivity", "mini.yaml", "--lever", "unloading.containers.points=4:6", "--trajectories", "2",
                    "-n", "1"],
}
#: per command, two invocations that differ in one option that changes what is computed
DIFFER = [
    ("run", ["--seed", "5"], ["--seed", "6"]),
    ("run", ["-n", "1"], []),
    ("sweep", ["--vary", "unloading.grain.points=4,6"], ["--vary", "unloading.grain.points=6,8"]),
    ("sweep", ["--vary", "unloading.grain.points=4,6", "--seed", "5"], ["--vary", "unloading.grain.points=4,6"]),
    ("sweep", ["--vary", "unloading.grain.points=4,6", "-n", "1"], ["--vary", "unloading.grain.points=4,6"]),
    ("compare", ["--seed", "5"], ["--seed", "6"]),
    ("compare", ["-n", "3"], []),
    ("calibrate", ["--targets", "t.yaml"], ["--targets", "t2.yaml"]),
    ("calibrate", ["--targets", "t.yaml", "--batch", "2"], ["--targets", "t.yaml"]),
    ("optimize", ["--lever", "unloading.grain.points=4:6", "--objective", "min:backlog_wagons_mean"],
     ["--lever", "unloading.grain.points=4:8", "--objective", "min:backlog_wagons_mean"]),
    ("optimize", ["--lever", "unloading.grain.points=4:6", "--objective", "min:backlog_wagons_mean"],
     ["--lever", "unloading.grain.points=4:6", "--objective", "min:dwell_h_mean"]),
    ("sensitivity", ["--lever", "unloading.grain.points=4:6"], ["--lever", "unloading.grain.points=4:8"]),
    ("sensitivity", ["--lever", "unloading.grain.points=4:6", "--kpi", "dwell_h_mean"],
     ["--lever", "unloading.grain.points=4:6"]),
]


def _results(root: Path) -> set[str]:
    return {p.name for p in (root / "results").iterdir() if p.is_dir()} if (root / "results").is_dir() else set()


def _files(root: Path) -> None:
    (root / "mini.yaml").write_text(TINY, encoding="utf-8")
    (root / "t.yaml").write_text(TARGETS, encoding="utf-8")
    (root / "t2.yaml").write_text(TARGETS.replace("value: 20000", "value: 30000"), encoding="utf-8")


@pytest.mark.parametrize(("command", "one", "other"), DIFFER,
                         ids=[f"{c}{''.join(o)}" for c, o, _ in DIFFER])
def test_commands_that_compute_other_things_get_other_folders(command: str, one: list[str], other: list[str],
                                                              tmp_path: Path) -> None:
    _files(tmp_path)
    for given in (one, other):
        code, err, _ = run_main([*BASE[command], *given, *FAST], tmp_path)
        assert code == 0, err
    made = _results(tmp_path)
    assert len(made) == 2, made
    # the same command again finds its folder: "already exists" (and so --resume finds its work)
    code, err, _ = run_main([*BASE[command], *one, *FAST], tmp_path)
    assert code == 2 and "already exists" in err, err
    assert _results(tmp_path) == made


def test_a_sweep_folder_shows_its_levers(tmp_path: Path) -> None:
    _files(tmp_path)
    code, err, out = run_main([*BASE["sweep"], "--vary", "unloading.grain.points=4,6", *FAST], tmp_path)
    assert code == 0, err
    (made,) = _results(tmp_path)
    assert re.fullmatch(r"mini-sweep\+vary=unloading\.grain\.points=4,6-[0-9a-f]{8}", made), made
    assert f"results/{made}" in out


def test_options_left_to_their_defaults_keep_the_names_folders_always_had(tmp_path: Path) -> None:
    _files(tmp_path)
    code, err, _ = run_main([*BASE["run"], *FAST], tmp_path)
    assert code == 0, err
    code, err, _ = run_main(["compare", "mini.yaml", "mini.yaml", "--name", "2:copy", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    assert _results(tmp_path) == {"mini", "compare-mini-vs-copy"}
    # --seed and -n the same as the scenario's (seed 1, 2 replications) run the same: the same folder
    code, err, _ = run_main([*BASE["run"], "--seed", "1", "-n", "2", *FAST], tmp_path)
    assert code == 2 and "results/mini already exists" in err, err
    # --set alone: as named since --set had tags (the hash is of the changes only, as before)
    assert default_out("mini", "-sweep", {"duration": "30d"}).name == "mini-sweep+duration=30d-" + \
        default_out("x", "", {"duration": "30d"}).name.rsplit("-", 1)[1]


def test_seed_given_as_an_option_or_as_a_set_change_is_one_folder(tmp_path: Path) -> None:
    _files(tmp_path)
    code, err, _ = run_main([*BASE["run"], "--seed", "5", *FAST], tmp_path)
    assert code == 0, err
    code, err, _ = run_main([*BASE["run"], "--set", "seed=5", *FAST], tmp_path)
    assert code == 2 and "already exists" in err, err


# -- one rule: the file's name ---------------------------------------------------------------------------

def test_run_names_its_folder_by_the_file_as_make_run_and_compare_do(tmp_path: Path) -> None:
    """`dostyk run scenarios/baseline_2023.yaml` wrote results/baseline-2023 (its name:), `make run`
    results/baseline_2023 (--out), compare compare-baseline_2023-vs-…: now the file's name everywhere."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    scenario, out = re.search(r"dostyk run (\S+) --out (\S+)", makefile).groups()  # type: ignore[union-attr]
    assert Path(out) == default_out(Path(scenario).stem)
    (tmp_path / "other.yaml").write_text(TINY, encoding="utf-8")  # name: mini
    code, err, out_text = run_main(["run", "other.yaml", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    assert _results(tmp_path) == {"other"} and "Results written to results/other" in out_text


def test_an_old_folder_named_by_the_scenario_is_said_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(TINY, encoding="utf-8")  # name: mini: results/mini before
    code, err, _ = run_main(["run", "other.yaml", "--no-report", "--out", "results/mini", *FAST], tmp_path)
    assert code == 0, err
    before = (tmp_path / "results" / "mini" / "kpis.csv").read_bytes()
    code, err, _ = run_main(["run", "other.yaml", "--no-report", "--seed", "3", *FAST], tmp_path)
    assert code == 0, err
    assert "results/mini" not in err  # not this command's: its seed was 1
    code, err, _ = run_main(["run", "other.yaml", "--no-report", "--force", *FAST], tmp_path)
    assert code == 0, err
    assert "results/mini, where an earlier dostyk wrote this command's results" in err and "left as it is" in err
    assert "these go to results/other" in err
    assert (tmp_path / "results" / "mini" / "kpis.csv").read_bytes() == before
    assert len(_results(tmp_path)) == 3


def test_a_folder_holding_another_scenario_is_not_replaced_even_with_force(tmp_path: Path) -> None:
    """results/mini, written by an earlier dostyk for a file whose name: was mini, is not mini.yaml's to
    replace when mini.yaml's scenario is another: a change of meaning is refused, with a message."""
    (tmp_path / "a.yaml").write_text(TINY, encoding="utf-8")  # name: mini
    (tmp_path / "mini.yaml").write_text(TINY.replace("name: mini", "name: other-name"), encoding="utf-8")
    code, err, _ = run_main(["run", "a.yaml", "--no-report", "--out", "results/mini", *FAST], tmp_path)
    assert code == 0, err
    before = (tmp_path / "results" / "mini" / "kpis.csv").read_bytes()
    code, err, _ = run_main(["run", "mini.yaml", "--no-report", "--force", *FAST], tmp_path)
    assert code == 2, err
    assert "results/mini holds the results of scenario 'mini', not of 'other-name'" in err and "--out" in err
    assert (tmp_path / "results" / "mini" / "kpis.csv").read_bytes() == before
    code, err, _ = run_main(["run", "mini.yaml", "--no-report", "--force", "--out", "results/mini", *FAST], tmp_path)
    assert code == 0, err  # said plainly, it is replaced


def test_a_default_folder_of_another_kind_of_command_is_not_replaced(tmp_path: Path) -> None:
    """`run compare-mini-vs-copy.yaml --force` replaced the comparison `compare mini.yaml mini.yaml --name 2:copy`
    had written to the same default folder."""
    _files(tmp_path)
    code, err, _ = run_main(["compare", "mini.yaml", "mini.yaml", "--name", "2:copy", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    (tmp_path / "compare-mini-vs-copy.yaml").write_text(TINY, encoding="utf-8")
    code, err, _ = run_main(["run", "compare-mini-vs-copy.yaml", "--force", "--no-report", *FAST], tmp_path)
    assert code == 2 and "holds the results of a compare, not of a run" in err, err
    assert (tmp_path / "results" / "compare-mini-vs-copy" / "comparison.json").is_file()


# -- --resume of work begun under the old names ---------------------------------------------------------

def test_resume_of_work_begun_under_the_old_name_says_where_it_is_and_finishes_there(tmp_path: Path) -> None:
    """`run mini.yaml --seed 5` kept its unfinished work in results/mini.work; with folders named by the
    options, --resume looked in results/mini+seed=5-….work, found nothing and started afresh, silently."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    scen = load_scenario(tmp_path / "mini.yaml")  # as `run --seed 5` runs it
    (tmp_path / "results").mkdir()
    run_replications(scen, 2, 5, executor="serial", workdir=tmp_path / "results" / "mini.work", resume=True)
    code, err, _ = run_main(["run", "mini.yaml", "--seed", "5", "--resume", "--no-report", *FAST], tmp_path)
    assert code == 2, err
    assert "results/mini.work holds 2 finished task(s)" in err and "--resume --out results/mini" in err, err
    assert _results(tmp_path) == {"mini.work"}  # nothing started
    code, err, out = run_main(["run", "mini.yaml", "--seed", "5", "--no-report", "--executor", "serial", "--resume",
                               "--out", "results/mini"], tmp_path)
    assert code == 0, err
    assert "reused 2 saved replications" in out and _results(tmp_path) == {"mini"}


def test_old_unfinished_work_of_another_seed_is_not_taken_for_this_commands(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "results").mkdir()
    run_replications(load_scenario(tmp_path / "mini.yaml"), 2, 5, executor="serial",
                     workdir=tmp_path / "results" / "mini.work", resume=True)
    code, err, _ = run_main(["run", "mini.yaml", "--seed", "6", "--resume", "--no-report", *FAST], tmp_path)
    assert code == 0 and "mini.work" not in err, err
    assert "mini.work" in _results(tmp_path)  # left as it was


def test_without_resume_old_unfinished_work_is_said_and_kept(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    scen = load_scenario(tmp_path / "mini.yaml")  # as `run --seed 5` runs it
    (tmp_path / "results").mkdir()
    run_replications(scen, 2, 5, executor="serial", workdir=tmp_path / "results" / "mini.work", resume=True)
    code, err, _ = run_main(["run", "mini.yaml", "--seed", "5", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    assert "results/mini.work holds 2 finished task(s)" in err and "left as it is" in err
    assert "mini.work" in _results(tmp_path)


# -- history and joint fits: no longer one fixed name ---------------------------------------------------

def test_history_folders_tell_apart_directories_and_replications(tmp_path: Path) -> None:
    from tests.validation.test_history_command import replay

    directory = replay(tmp_path, 160, 24).relative_to(tmp_path)
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "history").symlink_to(tmp_path / "history", target_is_directory=True)
    for args in ([str(directory), "-n", "2"], [str(directory), "-n", "3"], ["more/history", "-n", "2"]):
        code, err, _ = run_main(["history", *args, "--executor", "serial", "--quiet"], tmp_path)
        assert code == 0, err
    made = _results(tmp_path)
    assert len(made) == 3 and all(m.startswith("history+") for m in made), made
    code, err, _ = run_main(["history", str(directory), "-n", "2", "--executor", "serial", "--quiet"], tmp_path)
    assert code == 2 and "already exists" in err, err
    # the shipped replays with each file's replications keep results/history
    assert default_out("history") == Path("results/history")


def test_joint_fits_of_other_episodes_or_hold_outs_get_other_folders(tmp_path: Path) -> None:
    import yaml

    from tests.decision.test_joint import BAN

    (tmp_path / "evidence").mkdir()
    ban_changes = yaml.safe_dump({"changes": yaml.safe_load(
        (BAN.parent / "evidence" / BAN.name).read_text(encoding="utf-8"))["changes"]})
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text(f"extends: {BAN}\nname: {name}\n", encoding="utf-8")
        (tmp_path / "evidence" / f"{name}.yaml").write_text(
            ban_changes + "targets:\n  - {name: delivered, kpi: wagons_delivered, cargo: grain, window: {from: "
            "2025-01-30, to: 2025-02-24}, value: 160, tolerance: 24, role: fitted, fitted: acceptance, "
            "source: SOURCES.md B4, tolerance_derivation: ASSUMPTION}\n", encoding="utf-8")
    (tmp_path / "results" / "joint-calibration").mkdir(parents=True)  # an earlier dostyk's only name
    joint = ["calibrate", "one.yaml", "two.yaml", "--shared", "crossings.altynkol.unloading.grain.points=1:4",
             "-N", "1", "-n", "1", "--profile", "0", *FAST]
    for hold_out in ("one", "two"):
        code, err, _ = run_main([*joint, "--hold-out", hold_out], tmp_path)
        assert code == 0, err
    made = _results(tmp_path) - {"joint-calibration"}
    assert len(made) == 2 and all(m.startswith("joint-one-two-calibration+") for m in made), made
    assert {re.search(r"hold-out=(\w+)", m).group(1) for m in made} == {"one", "two"}  # type: ignore[union-attr]
    code, err, _ = run_main([*joint, "--hold-out", "one"], tmp_path)
    assert code == 2 and "already exists" in err, err


# -- the name itself, against hostile option values ------------------------------------------------------

@pytest.mark.parametrize("options", [
    {"vary": ("../../etc/passwd=1,2",)},
    {"lever": tuple(f"checks[{i}].time.mean=1:{i + 2}" for i in range(300))},
    {"targets": ("C:\\targets\\jan.yaml",), "sampler": "random"},
    {"objective": ("min:backlog_wagons_mean@зерно 多斯特克",)},
    {"vary": ("description=caf\udce9,x",)},  # a shell argument that is not UTF-8 (surrogateescape)
], ids=["slashes", "many", "reserved", "unicode", "undecodable"])
def test_any_option_value_gives_one_safe_bounded_folder(options: dict[str, object]) -> None:
    path = default_out("mini" * 50, "-optimize", {"seed": 5}, options=options)
    name = path.name
    assert path.parent == Path("results") and name not in ("", ".", "..") and not set('/\\<>:"|?*\0') & set(name)
    assert len(name.encode("utf-8")) <= 80 + len("-optimize") + 1 + 80 + 1 + 8, len(name.encode("utf-8"))
    assert "-optimize+seed=5+" in name


def test_options_the_readable_part_cannot_show_are_told_apart_by_the_hash() -> None:
    one = {"lever": tuple(f"k{i}=1:2" for i in range(40))}
    other = {"lever": tuple(f"k{i}=1:{2 + (i == 39)}" for i in range(40))}  # differs after the cut
    assert default_out("m", "-optimize", options=one) != default_out("m", "-optimize", options=other)
    # an option and a --set change of the same text are not one folder
    assert default_out("m", "-sweep", {"vary": "x=1,2"}) != default_out("m", "-sweep", options={"vary": "x=1,2"})
    # the order of --vary is the order of the grid's points: another order, another folder
    assert (default_out("m", "-sweep", options={"vary": ("a=1,2", "b=3,4")})
            != default_out("m", "-sweep", options={"vary": ("b=3,4", "a=1,2")}))
