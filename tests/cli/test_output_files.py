"""Single output files (`--plot`, `--csv`): written whole, directories made, a refused write said plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.cli.outputs as outputs
from sim.experiments.atomic import WriteError


def test_missing_directories_above_the_file_are_made(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "p.png"
    outputs.write_output_file(target, b"data", "--plot")
    assert target.read_bytes() == b"data"
    assert sorted(p.name for p in target.parent.iterdir()) == ["p.png"], "a temporary file was left beside it"


def test_a_refused_write_is_a_write_error_and_leaves_no_directory_it_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, mode: int = 0o644) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(outputs, "write_atomically", full)
    with pytest.raises(WriteError, match=r"could not write --plot .*p\.png: No space left on device"):
        outputs.write_output_file(tmp_path / "new" / "p.png", b"data", "--plot")
    assert list(tmp_path.iterdir()) == [], "the directory made for the file was left behind"
