"""Every input file a user names is looked at the same way before it is opened (sim.scenario.input_file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.scenario.input_file import unreadable


def test_a_regular_file_is_readable_and_everything_else_says_why(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "big.yaml").write_bytes(b"#" * 2_000)
    (tmp_path / "dir").mkdir()
    assert unreadable(tmp_path / "s.yaml") is None
    assert unreadable(tmp_path / "none.yaml") == "no such file"
    assert unreadable(tmp_path / "dir", "a scenario file (.yaml)") == "is a directory; expected a scenario file (.yaml)"
    assert unreadable(tmp_path / "big.yaml", max_bytes=1_000) == "file is larger than 1 kB; refusing to read it"
    assert unreadable(tmp_path / "big.yaml", max_bytes=None) is None
    assert unreadable(Path(os.devnull)).startswith("not a regular file")  # type: ignore[union-attr]
    assert unreadable(tmp_path / "s.yaml" / "below").startswith("cannot be read")  # type: ignore[union-attr]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    """Opening a pipe for reading waits for a writer forever: `dostyk fit PIPE` hung."""
    pipe = tmp_path / "times.csv"
    os.mkfifo(pipe)
    assert unreadable(pipe, "a CSV file of durations") == (
        "not a regular file (a device, pipe or socket would never end or never answer); expected a CSV file of durations")
