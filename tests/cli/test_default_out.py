"""Default results folders tell apart what the command runs (sim.cli.outputs.default_out).

`dostyk compare A B --set x=1` and `--set x=2` both wrote results/compare-A-vs-B: the second was refused
("already exists"), or with --force replaced the first's results; so did run, sweep, calibrate, optimize and
sensitivity with their --set. Now --set changes show as a short tag with a hash of them all, in one way for
every command; folders that have no --set keep their names, and reading results never depends on the name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli.folders import HASH_CHARS, NAME_BYTES, default_out
from sim.cli.outputs import work_path
from tests.cli.test_bad_inputs import MINI, run_main

TINY = MINI.replace("duration: 365d", "duration: 2d").replace("replications: 10", "replications: 2")
FAST = ["--executor", "serial", "--quiet"]
TARGETS = ("targets:\n  - {kpi: tonnes_delivered, value: 20000, tolerance: 50%}\n"
           "parameters:\n  - {path: unloading.grain.points, low: 4, high: 8}\n")

COMMANDS = {
    "run": ["run", "mini.yaml", "-n", "1", "--no-report"],
    "sweep": ["sweep", "mini.yaml", "--vary", "unloading.grain.points=4,6", "-n", "1", "--no-plots"],
    "compare": ["compare", "mini.yaml", "mini.yaml", "--set", "2:unloading.grain.points=8", "-n", "2", "--no-report"],
    "optimize": ["optimize", "mini.yaml", "--lever", "unloading.grain.points=4:6", "--objective",
                 "min:backlog_wagons_mean", "-N", "1", "-n", "1"],
    "sensitivity": ["sensitivity", "mini.yaml", "--lever", "unloading.grain.points=4:6", "--lever",
                    "unloading.containers.points=4:6", "--trajectories", "2", "-n", "1"],
    "calibrate": ["calibrate", "mini.yaml", "--targets", "t.yaml", "-N", "1", "-n", "1", "--profile", "0"],
}


def _results(root: Path) -> set[str]:
    return {p.name for p in (root / "results").iterdir() if p.is_dir()} if (root / "results").is_dir() else set()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_two_runs_with_other_set_values_get_two_folders(command: str, tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(TARGETS, encoding="utf-8")
    for value in ("1.5h", "2.5h"):
        code, err, _ = run_main([*COMMANDS[command], "--set", f"checks.customs.time.mean={value}", *FAST], tmp_path)
        assert code == 0, err
    made = _results(tmp_path)
    assert len(made) == 2, made
    assert {name.split("+checks.customs.time.mean=")[1][:4] for name in made} == {"1.5h", "2.5h"}, made


def test_a_variant_named_with_name_still_gets_its_own_folder(tmp_path: Path) -> None:
    """--name replaces the label that showed a variant's own --set: its values are hashed all the same."""
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    for points in ("6", "8"):
        code, err, _ = run_main(["compare", "mini.yaml", "mini.yaml", "--set", f"2:unloading.grain.points={points}",
                                 "--name", "2:more", "--no-report", *FAST], tmp_path)
        assert code == 0, err
    made = _results(tmp_path)
    assert len(made) == 2 and all(m.startswith("compare-mini-vs-more-") for m in made), made


def test_no_set_keeps_the_old_name_and_old_folders_keep_loading(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    assert _results(tmp_path) == {"mini"}
    (tmp_path / "results" / "mini").rename(tmp_path / "results" / "mini-any old name")  # read by content, not name
    code, err, out = run_main(["kpis", "results/mini-any old name", "--at", "2024-01-02"], tmp_path)
    assert code == 0 and "backlog" in out, err


def test_the_same_key_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", "--set", "duration=1d", "--set", "duration=2d", *FAST], tmp_path)
    assert code == 2 and "duration is given twice" in err, err
    assert not (tmp_path / "results").exists()


# -- the name itself, against hostile --set values -------------------------------------------------------

def _ok(path: Path) -> str:
    """The folder name, checked safe for any file system: one component under results/, no reserved
    character, at most 255 bytes."""
    assert path.parent == Path("results"), path
    name = path.name
    assert name not in ("", ".", "..") and not set('/\\<>:"|?*\0') & set(name), name
    assert len(name.encode("utf-8")) <= 255, len(name.encode("utf-8"))
    return name


HOSTILE = {
    "huge": {"description": "x" * 100_000},
    "many": {f"checks[{i}].time.mean": f"{i}h" for i in range(300)},
    "slashes": {"description": "../../etc/passwd", "name": "../../x"},
    "unicode": {"description": "Достык 2024 — 多斯特克 🚂", "unloading.grain.points": 8},
    "reserved": {"description": 'a<b>c:d"e|f?g*h\\i\x00j'},
    "undecodable": {"description": "caf\udce9"},  # a shell argument that is not UTF-8 (surrogateescape)
    "list": {"demand.grain.monthly_profile": [1.0] * 12},
}


@pytest.mark.parametrize("changes", list(HOSTILE.values()), ids=list(HOSTILE))
def test_any_set_value_gives_one_safe_bounded_name(changes: dict[str, object]) -> None:
    name = _ok(default_out("mini" * 50, "-sensitivity", changes))
    assert name.startswith("mini") and "-sensitivity+" in name
    assert len(name.encode("utf-8")) <= NAME_BYTES + len("-sensitivity") + 1 + 40 + 1 + HASH_CHARS


def test_what_the_readable_part_cannot_show_is_told_apart_by_the_hash() -> None:
    pairs = [
        ({"description": "x" * 100 + "a"}, {"description": "x" * 100 + "b"}),  # differ after the cut
        ({"description": "a/b"}, {"description": "a_b"}),                    # made alike to be safe
        ({"unloading.grain.points": 8}, {"unloading.grain.points": "8"}),    # a number and a text
        ({"a": "1+b=2"}, {"a": 1, "b": 2}),                                  # the tag's own separators
        ({f"k{i}": i for i in range(50)}, {f"k{i}": i + (i == 49) for i in range(50)}),  # a late key
    ]
    for one, other in pairs:
        assert _ok(default_out("mini", "-sweep", one)) != _ok(default_out("mini", "-sweep", other)), (one, other)
    assert default_out("c", changes={}, hidden=[{}, {"x": 1}]) != default_out("c", changes={}, hidden=[{}, {"x": 2}])


def test_the_same_changes_in_any_order_give_the_same_folder() -> None:
    """--resume finds its folder again whatever order the --set were given in."""
    assert (default_out("mini", "-sweep", {"duration": "30d", "seed": 3})
            == default_out("mini", "-sweep", {"seed": 3, "duration": "30d"}))
    assert default_out("mini", "-sweep", {"name": "other"}) != Path("results/mini-sweep")  # named by the file


def test_long_names_sharing_a_beginning_get_their_own_folders() -> None:
    """compare-A-vs-B of long labels was cut at 80 bytes, so two comparisons differing after it collided."""
    one, other = "compare-" + "a" * 100 + "-vs-b", "compare-" + "a" * 100 + "-vs-c"
    assert _ok(default_out(one)) != _ok(default_out(other))
    assert len(default_out(one).name.encode("utf-8")) == NAME_BYTES
    assert default_out("baseline-2023", "-sweep") == Path("results/baseline-2023-sweep")  # short names as before


def test_a_name_ending_in_work_does_not_take_another_runs_work_directory(tmp_path: Path) -> None:
    """`name: a.work` wrote its results to results/a.work, where a run of scenario `a` keeps its unfinished work."""
    made = default_out("a.work")
    assert made.name.startswith("a.work-") and work_path(default_out("a")) != made
    (tmp_path / "a.yaml").write_text(TINY.replace("name: mini", "name: a"), encoding="utf-8")
    (tmp_path / "a.work.yaml").write_text(TINY.replace("name: mini", "name: a"), encoding="utf-8")
    code, err, _ = run_main(["run", "a.work.yaml", "--no-report", *FAST], tmp_path)  # its folder: by the file's name
    assert code == 0, err
    code, err, _ = run_main(["run", "a.yaml", "--no-report", *FAST], tmp_path)
    assert code == 0, err
    assert _results(tmp_path) == {"a", made.name}
