"""One wording of a check's limits for `dostyk validate`, report.html's parameters and the where-trains-wait
table: they said "quota 12 trains/day" and "at most 12 trains a day" of one check, and the report called
working hours of 00:00-24:00 "works 00:00-24:00 only"."""

from __future__ import annotations

import subprocess
import sys

import sim
from sim.reporting.check_words import check_in_words, check_limits
from sim.reporting.report import parameters
from sim.reporting.stages import stage_limits
from tests.conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"


def test_every_place_says_a_check_in_the_same_words() -> None:
    s = sim.load_scenario(BASELINE).with_changes({"duration": "3d", "replications": 1, "disruptions": [],
                                                   "checks.customs.hours": "00:00-24:00"})
    customs, _, handover = s.checks
    assert check_limits(customs) == ["3 trains at once"]  # hours all day long are no limit
    assert check_in_words(customs)[0] == "works around the clock"
    assert check_limits(handover) == ["at most 12 trains a day"]
    limits = stage_limits(s)
    assert limits["checks.customs"] == "3 trains at once"
    assert limits["checks.phytosanitary"] == "works 08:00-20:00 only, 2 trains at once"
    rows = {item: value for section, item, value in parameters(sim.run(s, executor="serial")) if section == "Checks"}
    for check in s.checks:
        assert rows[check.name].endswith("; " + "; ".join(check_in_words(check))), rows[check.name]
    assert "00:00-24:00" not in rows["customs"]
    shown = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(BASELINE)], capture_output=True,
                           text=True, check=True).stdout
    for check in sim.load_scenario(BASELINE).checks:
        assert f"  check {check.name}: {', '.join(check_in_words(check))}\n" in shown
