"""A comparison of one replication is refused with what to pass (it said 'pass replications=', cut short)."""

from __future__ import annotations

import pytest

import sim
from tests.cli.test_bad_inputs import MINI


def test_a_python_caller_is_told_what_to_pass(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "one.yaml").write_text(MINI.replace("replications: 10", "replications: 1"), encoding="utf-8")
    one = sim.load_scenario(tmp_path / "one.yaml")
    with pytest.raises(sim.SimError, match=r"needs at least 2 replications; mini has 1: pass replications=2 or more$"):
        sim.compare([one, one.with_changes({"unloading.grain.points": 8})], executor="serial")
