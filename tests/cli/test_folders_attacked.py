"""Default results folders attacked (sim.cli.folders): what gave one piece of work two folders, or two
pieces of work one folder.

- `--set seed=1` of a seed-1 file wrote results/mini+seed=1-… where `--seed 1` and no option wrote
  results/mini: the same replications in two folders (and --resume did not find the other's work);
- two files of one name (a/mini.yaml and b/mini.yaml, mini.yml, `mini:.yaml`, a name with a byte that is
  not UTF-8) share results/mini: the second was told "already exists; use --force to replace it", and
  --force replaced the first file's results with the second's.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import said
from tests.cli.test_bad_inputs import run_main
from tests.cli.test_default_folders import TINY

FAST = ["--executor", "serial", "--quiet", "--no-report"]


def _results(root: Path) -> set[str]:
    return {p.name for p in (root / "results").iterdir() if p.is_dir()} if (root / "results").is_dir() else set()


def test_set_seed_or_replications_equal_to_the_files_own_keep_its_folder(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")  # seed 1, 2 replications
    code, err, _ = run_main(["run", "mini.yaml", *FAST], tmp_path)
    assert code == 0, err
    for given in (["--set", "seed=1"], ["--set", "replications=2", "--set", "seed=1"], ["--seed", "1", "-n", "2"]):
        code, err, _ = run_main(["run", "mini.yaml", *given, *FAST], tmp_path)
        assert code == 2 and "results/mini already exists" in err, (given, err)
    assert _results(tmp_path) == {"mini"}
    # another value is another folder, the same whichever way it is given
    code, err, _ = run_main(["run", "mini.yaml", "--set", "seed=3", *FAST], tmp_path)
    assert code == 0, err
    code, err, _ = run_main(["run", "mini.yaml", "--seed", "3", *FAST], tmp_path)
    assert code == 2 and "already exists" in err, err
    assert len(_results(tmp_path)) == 2


def test_a_sweeps_set_seed_equal_to_the_files_own_keeps_its_folder(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    sweep = ["sweep", "mini.yaml", "--vary", "unloading.grain.points=4,6", "-n", "1", "--no-plots",
             "--executor", "serial", "--quiet"]
    code, err, _ = run_main(sweep, tmp_path)
    assert code == 0, err
    code, err, _ = run_main([*sweep, "--set", "seed=1"], tmp_path)
    assert code == 2 and "already exists" in err, err


def test_another_file_of_the_same_name_does_not_take_the_folder_even_with_force(tmp_path: Path) -> None:
    for folder, points in (("a", 6), ("b", 9)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mini.yaml").write_text(TINY.replace("points: 6, wagon_time: {dist: gamma",
                                                                  f"points: {points}, wagon_time: {{dist: gamma"),
                                                     encoding="utf-8")
    code, err, _ = run_main(["run", "a/mini.yaml", *FAST], tmp_path)
    assert code == 0, err
    kept = (tmp_path / "results" / "mini" / "kpis.csv").read_bytes()
    assert json.loads((tmp_path / "results" / "mini" / "metadata.json").read_text())["file"] == "a/mini.yaml"
    for force in ([], ["--force"]):
        code, err, _ = run_main(["run", "b/mini.yaml", *force, *FAST], tmp_path)
        assert code == 2, err
        assert "results/mini holds the results of a/mini.yaml, another file than b/mini.yaml" in err, err
        assert "--out results/mini --force" in err, err
    assert (tmp_path / "results" / "mini" / "kpis.csv").read_bytes() == kept
    # the same file, however its path is written, replaces its own results with --force
    code, err, _ = run_main(["run", "./a/../a/mini.yaml", "--force", *FAST], tmp_path)
    assert code == 0, err
    # a recorded file that is gone (the project moved, the file renamed) is not held against anyone
    (tmp_path / "a" / "mini.yaml").rename(tmp_path / "a" / "gone.yaml")
    code, err, _ = run_main(["run", "b/mini.yaml", "--force", *FAST], tmp_path)
    assert code == 0, err
    assert (tmp_path / "results" / "mini" / "kpis.csv").read_bytes() != kept


def test_a_search_records_its_file_too(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    code, err, _ = run_main(["sensitivity", "mini.yaml", "--lever", "unloading.containers.points=4:6", "--lever",
                             "unloading.grain.points=4:6", "--trajectories", "2", "-n", "1", "--executor", "serial",
                             "--quiet"], tmp_path)
    assert code == 0, err
    (made,) = _results(tmp_path)
    assert json.loads((tmp_path / "results" / made / "sensitivity.json").read_text())["file"] == "mini.yaml"


def test_a_comparison_of_other_files_of_the_same_names_does_not_take_the_folder(tmp_path: Path) -> None:
    for folder in ("a", "b", "c", "d"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mini.yaml").write_text(TINY, encoding="utf-8")
    compare = ["compare", "--no-report", "--executor", "serial", "--quiet"]
    code, err, _ = run_main([*compare, "a/mini.yaml", "b/mini.yaml"], tmp_path)
    assert code == 0, err
    code, err, _ = run_main([*compare, "c/mini.yaml", "d/mini.yaml", "--force"], tmp_path)
    assert code == 2, err
    assert ("results/compare-mini-vs-mini-2 holds the results of a/mini.yaml, b/mini.yaml, other files than "
            "c/mini.yaml, d/mini.yaml") in said(err), err
    code, err, _ = run_main([*compare, "a/mini.yaml", "./b/mini.yaml", "--force"], tmp_path)
    assert code == 0, err


def test_a_vary_typed_with_spaces_is_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY, encoding="utf-8")
    sweep = ["sweep", "mini.yaml", "-n", "1", "--no-plots", "--executor", "serial", "--quiet"]
    code, err, _ = run_main([*sweep, "--vary", "unloading.grain.points=4,6"], tmp_path)
    assert code == 0, err
    (made,) = _results(tmp_path)
    for spelled in ("unloading.grain.points = 4, 6", " unloading.grain.points=4 ,6 "):
        code, err, _ = run_main([*sweep, "--vary", spelled], tmp_path)
        assert code == 2 and f"results/{made} already exists" in err, (spelled, err)
