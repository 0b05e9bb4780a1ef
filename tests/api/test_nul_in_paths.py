"""A path holding a NUL character, from a Python caller or a file's `extends:`, is refused in words.

No file system holds such a name; os.stat's ValueError ("embedded null byte") escaped every check as an
internal error: sim.load_scenario("mi\\0ni.yaml"), Results.write("o\\0ut"), `extends: "mi\\0ni.yaml"`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from tests.cli.test_default_folders import TINY

SAID = "a path holding a NUL character (U+0000), which no file name can hold"


@pytest.mark.parametrize("path", ["mi\0ni.yaml", Path("mi\0ni.yaml")], ids=["text", "Path"])
def test_load_scenario_refuses_a_nul_in_the_path(path: str | Path) -> None:
    with pytest.raises(sim.SimError, match=r"path: expected the path of a scenario file \(\.yaml\); got a path holding"):
        sim.load_scenario(path)


def test_load_targets_refuses_a_nul_in_the_path() -> None:
    with pytest.raises(sim.SimError) as caught:
        sim.load_targets("t\0.yaml")
    assert "path: expected the path of a targets file (.yaml); got " + SAID in str(caught.value)


def test_an_extends_holding_a_nul_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "ext.yaml").write_text('extends: "mi\\0ni.yaml"\nname: e\n', encoding="utf-8")
    with pytest.raises(sim.SimError) as caught:
        sim.load_scenario(tmp_path / "ext.yaml")
    assert "ext.yaml" in str(caught.value) and "extends" in str(caught.value) and SAID in str(caught.value)


def test_writing_results_to_a_path_holding_a_nul_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TINY.replace("duration: 2d", "duration: 1d"), encoding="utf-8")
    results = sim.run(sim.load_scenario(tmp_path / "mini.yaml"), replications=1, executor="serial")
    with pytest.raises(sim.SimError, match="expected the path of the results directory to write; got a path holding"):
        results.write(str(tmp_path / "o\0ut"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.yaml"]
