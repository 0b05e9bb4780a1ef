"""Work directories: what a resume reuses, and what removing one keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.experiments.code_stamp import code_stamp
from sim.experiments.workdir import CODE, WorkDir, WorkExistsError


def test_a_resume_refuses_parts_another_version_of_the_code_computed(tmp_path: Path) -> None:
    """A part's key names its scenario, replication and seed, not the model that computed it: the stamp
    in manifest.json does, and a resume of another code's parts is refused, not mixed or redone."""
    work = WorkDir.open(tmp_path / "w", manifest={"kind": "run"})
    assert work.manifest()[CODE] == code_stamp()
    work.save("r00000-abc", {"x": 1})
    WorkDir.open(tmp_path / "w", resume=True, manifest={"kind": "run"})  # this code's parts: resumed
    info = json.loads((work.path / "manifest.json").read_text(encoding="utf-8"))
    for held in ("0123456789abcdef", None):
        if held is None:
            info.pop(CODE)
        else:
            info[CODE] = held
        (work.path / "manifest.json").write_text(json.dumps(info), encoding="utf-8")
        before = (work.path / "manifest.json").read_bytes()
        with pytest.raises(WorkExistsError) as refused:
            WorkDir.open(tmp_path / "w", resume=True, manifest={"kind": "run"})
        message = str(refused.value)
        assert "1 finished task(s)" in message and "without resume=True after deleting" in message
        assert (f"code {held}" if held else f"has no `{CODE}`") in message
        assert (work.path / "manifest.json").read_bytes() == before and work.count() == 1  # left as it was
    WorkDir.open(tmp_path / "w", force=True, manifest={"kind": "run"})  # --force discards them
    assert work.count() == 0


def test_removing_a_work_directory_keeps_a_users_file_in_it(tmp_path: Path) -> None:
    """Once the results are written (or --force discards the work), only dostyk's files go."""
    work = WorkDir.open(tmp_path / "out.work", manifest={"kind": "run"})
    work.save("r0", {"x": 1})
    (work.path / "failed").mkdir()
    (work.path / "notes.txt").write_text("mine", encoding="utf-8")
    work.remove()
    assert sorted(p.name for p in work.path.iterdir()) == ["notes.txt"]
    WorkDir(tmp_path / "other.work").remove()  # nothing there: nothing to do
    empty = WorkDir.open(tmp_path / "empty.work", manifest={"kind": "run"})
    empty.remove()
    assert not empty.path.exists()
