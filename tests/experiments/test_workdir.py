"""Work directories written before the package was split into layers still resume."""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path

import pytest

from sim.experiments.replication import ReplicationResult
from sim.experiments.workdir import MOVED_MODULES, WorkDir


def _old_style_part(result: ReplicationResult) -> bytes:
    """The bytes an old version wrote: the result's class named by its old module, sim.experiment."""
    old = types.ModuleType("sim.experiment")

    class OldResult(ReplicationResult):
        pass

    OldResult.__module__ = "sim.experiment"
    OldResult.__qualname__ = OldResult.__name__ = "ReplicationResult"
    old.ReplicationResult = OldResult  # type: ignore[attr-defined]
    sys.modules["sim.experiment"] = old
    try:
        return pickle.dumps(OldResult(**vars(result)), protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        del sys.modules["sim.experiment"]


def test_a_part_pickled_under_the_old_module_name_loads_as_today_s_class(tmp_path: Path) -> None:
    import pandas as pd

    result = ReplicationResult(3, 42, pd.DataFrame({"kpi": [1.0]}), pd.DataFrame(), pd.DataFrame(), {"x": 1})
    data = _old_style_part(result)
    assert b"sim.experiment\x94" in data or b"sim.experiment" in data
    with pytest.raises(ModuleNotFoundError):
        pickle.loads(data)  # plain pickle no longer finds the old module …
    work = WorkDir.open(tmp_path / "w")
    work.part_path("r00003-abc").write_bytes(data)
    loaded = work.load()["r00003-abc"]  # … the work directory does, instead of redoing the task
    assert type(loaded) is ReplicationResult
    assert loaded.replication == 3 and loaded.seed == 42 and loaded.diagnostics == {"x": 1}


def test_every_renamed_module_exists() -> None:
    import importlib

    for new in MOVED_MODULES.values():
        importlib.import_module(new)


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
