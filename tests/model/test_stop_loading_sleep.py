"""The stop-loading dispatcher sleeps through reviews that cannot decide anything, and changes nothing else.

While nothing is halted, only an arrival at the border can take a watched backlog above the limit,
so sim.model.stop_loading skips the reviews in between and an arrival wakes it for the next review
on its clock. The claim is checkable: a dispatcher that reviews at every `check_every`, as it did
before, must give every train's stage-by-stage trace, every decision (at the same float times)
and every diagnostic the same; only the SimPy event count drops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim import load_scenario
from sim.model import crossing
from sim.model.crossing import CrossingModel
from sim.model.stop_loading import StopLoadingReview

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
#: both crossings watched, each on its own; backlogs that cross the limits often
TWO_CROSSINGS = {"policies.stop_loading": {"cargo": ["grain"], "above_wagons": 700, "resume_below": 300,
                                           "check_every": "2h"},
                 "crossings.dostyk.unloading.grain.points": 3}
#: container trains formed every hour on the hour, an hour's fixed transit: every arrival is due at
#: a review's instant, which a woken review must order as a review on the clock would
ON_THE_HOUR = {"demand.containers.trains_per_day": 24, "loading": {"grain": {"wagons_per_day": 625.0}},
               "line.transit_time": {"dist": "fixed", "value": 1.0}, "line.max_trains_per_day": None,
               "policies.stop_loading": {"cargo": ["containers"], "above_wagons": 300, "resume_below": 100,
                                         "check_every": "1h"}}
#: the 2020 jam with a stop-loading policy on grain, and grain held at Dostyk re-routed to Altynkol while
#: loading for Dostyk is halted, both reviewed every hour
REROUTING = {"policies.stop_loading": {"cargo": ["grain"], "above_wagons": 1500, "resume_below": 800,
                                       "check_every": "1h"},
             "routing.grain.reroute": [{"from": "dostyk", "to": "altynkol", "extra_time": "30h", "check_every": "1h"}]}
STARTS_OVER = {"crossings.dostyk.unloading.grain.points": 3,
               "crossings.dostyk.initial_state": {"grain": {"in_yard_wagons": 900, "held_wagons": 300},
                                                  "containers": {"en_route_wagons": 300}},
               "policies.stop_loading": {"cargo": ["grain", "containers"], "crossings": ["dostyk"],
                                         "above_wagons": 1000, "resume_below": 400, "check_every": "20min"}}
CASES = {
    "baseline, never halts": (BASELINE, {"duration": "120d"}),
    "admin hold, halts": (ROOT / "scenarios" / "jan2024_admin_hold.yaml", {"duration": "120d"}),
    # halts and resumes all year, reviewed on a clock whose times are not whole (20 min = 1/3 h)
    "congested, 20 min": (BASELINE, {"duration": "120d", "unloading.grain.points": 4,
                                     "checks.phytosanitary.time.mean": 12, "policies.stop_loading.above_wagons": 400,
                                     "policies.stop_loading.resume_below": 150,
                                     "policies.stop_loading.check_every": "20min"}),
    "two crossings": (ROOT / "scenarios" / "corridor" / "corridor.yaml", {"duration": "120d", **TWO_CROSSINGS}),
    # trains formed on the hour reach the border on the hour, at the very times of reviews (a tie)
    "arrivals at review times": (BASELINE, {"duration": "30d", **ON_THE_HOUR}),
    # over the limit from the start (trains in the yard and held), one of two crossings watched, two cargo
    "starts over the limit": (ROOT / "scenarios" / "corridor" / "corridor.yaml", {"duration": "60d", **STARTS_OVER}),
    # re-routing reviewed on the same hourly clock: each halt meets the re-routing review of its hour
    "re-routing on the same clock": (ROOT / "scenarios" / "history" / "2020_dostyk_jam_altynkol.yaml",
                                     {"duration": "90d", **REROUTING}),
}


class _ReviewsAlways(StopLoadingReview):
    """The dispatcher as it was: a review at every check_every, whatever the state (each, as the
    sleeping one's, after everything else due at its instant)."""

    def _review(self, event: Any) -> None:
        super()._review(event)
        if self._asleep:
            self._asleep = False
            self._review_in(self.policy.check_every)


def _run(scenario: Any, always: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as m:
        if always:
            m.setattr(crossing, "StopLoadingReview", _ReviewsAlways)
        return dict(CrossingModel(scenario, 2, trace=True).run().diagnostics)


@pytest.mark.parametrize("case", list(CASES))
def test_sleeping_dispatcher_decides_and_runs_as_one_reviewing_always(case: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path, changes = CASES[case]
    scenario = load_scenario(path).with_changes({**changes, "warmup": 0})
    sleeping, always = _run(scenario, False, monkeypatch), _run(scenario, True, monkeypatch)
    fewer, more = sleeping.pop("simpy_events"), always.pop("simpy_events")
    assert sleeping["trace"] == always["trace"]  # same rows in the same order
    assert len(sleeping["trace"]) > 1000
    assert sleeping["stop_loading_log"] == always["stop_loading_log"]  # same decisions at the same times
    assert sleeping == always
    reviews = scenario.duration / scenario.policies.stop_loading.check_every
    if case == "baseline, never halts":
        assert not always["stop_loading_log"]
        assert more - fewer >= 0.95 * reviews, "asleep all run: (almost) every review skipped"
    else:
        assert len(always["stop_loading_log"]) >= 4, "the case must exercise halts and resumes"
        assert fewer < more


def test_a_halt_meets_the_re_routing_review_of_the_next_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    """A review comes after everything else due at its instant: the re-routing review of the halt's
    own hour has looked already (loading was open then), and held trains go at the next, an hour on."""
    path, changes = CASES["re-routing on the same clock"]
    diagnostics = _run(load_scenario(path).with_changes({**changes, "warmup": 0}), False, monkeypatch)
    halts = [d.time for d in diagnostics["stop_loading_log"] if d.action == "halt"]
    rerouted = sorted({row[4] for row in diagnostics["trace"] if row[2].endswith(".reroute")})
    assert halts and rerouted
    for halt in halts:
        first = next(t for t in rerouted if t >= halt)
        assert first == pytest.approx(halt + 1.0, abs=1e-6)
