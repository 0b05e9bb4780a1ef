"""Trains' journeys run without a simpy.Process around them, and nothing else changes.

sim.model.train_process drives each journey's generator as env.process would, but schedules no
event for its end (nothing waits for a journey). The claim is checkable: with env.process put
back, every train's stage-by-stage trace, every decision and every diagnostic must be the same,
and the SimPy event count must be higher by at least the number of journeys that ended (by more
when a gate is passed without an event because no journey's end is due at the same instant:
sim.model.crossing's `_admit_now`).
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy

from sim import load_scenario
from sim.model import crossing, initial
from sim.model.crossing import CrossingModel
from sim.model.train_process import start_train

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
#: trains in the yard, held at the border and on the line at the start (each started by initial.py)
FULL_AT_START = {"initial_state": {"grain": {"in_yard_wagons": 900, "held_wagons": 600, "en_route_wagons": 400},
                                   "containers": {"in_yard_wagons": 120}}}
CASES = {
    "baseline, trains at the start": (BASELINE, {"duration": "60d", **FULL_AT_START}),
    "admin hold": (ROOT / "scenarios" / "jan2024_admin_hold.yaml", {"duration": "90d"}),
    # held trains re-routed to Altynkol: their journeys go on through the detour
    "2020 jam, re-routed": (ROOT / "scenarios" / "history" / "2020_dostyk_jam_altynkol.yaml",
                            {"duration": "90d", "policies.stop_loading": {
                                "cargo": ["grain"], "above_wagons": 1500, "resume_below": 800, "check_every": "1h"},
                             "routing.grain.reroute": [{"from": "dostyk", "to": "altynkol", "extra_time": "30h",
                                                        "check_every": "1h"}]}),
    # trains refused whole at a check end their journeys early
    "refusals": (ROOT / "scenarios" / "history" / "sept2024_bonded_returns.yaml", {}),
    # whole-hour times and regular trains: many journeys end, start and reach a gate at the same instant
    # (where a journey's end event, gone, decided whether a gate was passed without an event), with
    # empties back to a small fleet, diversion and re-routing off a slow Dostyk between two crossings, and warm-up
    "ties on the hour, two crossings": (ROOT / "scenarios" / "corridor" / "corridor.yaml", {
        "duration": "45d", "fleet.grain": 2600, "demand.grain.arrivals": "regular",
        "empties.return_time": "5d", "disruptions.wind.every": "240h", "disruptions.wind.lasts": "12h",
        **{f"crossings.{x}.{key}": value for x, quota in (("dostyk", 4), ("altynkol", 12)) for key, value in {
            "line.transit_time": "20h", "unloading.grain.wagon_time": "1h",
            "checks": [{"name": "customs", "time": "4h", "trains_at_once": 3},
                       {"name": "phytosanitary", "cargo": ["grain"], "time": "6h", "hours": "08:00-20:00"},
                       {"name": "handover", "time": "2h", "trains_per_day": quota}]}.items()},
        "crossings.altynkol.initial_state": {"grain": {"held_wagons": 550, "en_route_wagons": 330,
                                                       "arriving_within": "1d"}},
        "routing.grain.shares": {"dostyk": 60, "altynkol": 40},
        "routing.grain.divert": [{"from": "dostyk", "to": "altynkol", "above_wagons": 300, "resume_below": 100,
                                  "share": 0.5, "check_every": "1h"}],
        "routing.grain.reroute": [{"from": "dostyk", "to": "altynkol", "extra_time": "24h", "check_every": "1h"}]}),
}


def _run(scenario: Any, as_processes: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], int]:
    """The run's diagnostics, and how many journeys ended in it."""
    journeys: list[Generator[Any, Any, Any]] = []

    def started(env: simpy.Environment, generator: Generator[Any, Any, Any]) -> None:
        journeys.append(generator)
        if as_processes:
            env.process(generator)
        else:
            start_train(env, generator)

    with monkeypatch.context() as m:
        m.setattr(crossing, "start_train", started)
        m.setattr(initial, "start_train", started)
        diagnostics = dict(CrossingModel(scenario, 3, trace=True).run().diagnostics)
    return diagnostics, sum(g.gi_frame is None for g in journeys)


@pytest.mark.parametrize("case", list(CASES))
def test_journeys_run_as_processes_did_with_one_event_fewer_each(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path, changes = CASES[case]
    scenario = load_scenario(path).with_changes({**changes, "warmup": 0}) if changes else load_scenario(path)
    lean, ended = _run(scenario, False, monkeypatch)
    processes, ended_too = _run(scenario, True, monkeypatch)
    fewer, more = lean.pop("simpy_events"), processes.pop("simpy_events")
    assert lean["trace"] == processes["trace"]  # the same rows in the same order
    assert len(lean["trace"]) > 500
    assert lean == processes
    assert ended == ended_too > 100
    assert more - fewer >= ended  # each ended journey's own event (and gates passed at once)


def test_a_journey_gets_each_event_s_value_and_a_failed_event_s_error() -> None:
    """Values are sent in, a failed event's error is thrown in (and may be handled), an event already
    processed resumes the journey at once, and an error the journey does not handle stops the run."""
    env = simpy.Environment()
    seen: list[Any] = []

    def journey() -> Generator[simpy.Event, Any, None]:
        seen.append(("start", env.now))
        seen.append((yield env.timeout(2.0, value="two")))
        failing = env.event()
        failing.fail(KeyError("no room"))
        try:
            yield failing
        except KeyError as exc:
            seen.append(("handled", exc.args[0], env.now))
        done = env.event()
        done.succeed("done")
        seen.append((yield done))
        seen.append((yield done))  # processed already: no wait
        seen.append(("end", env.now))

    start_train(env, journey())
    assert seen == []  # started by its Initialize event, as env.process starts a process
    env.run()
    assert seen == [("start", 0.0), "two", ("handled", "no room", 2.0), "done", "done", ("end", 2.0)]

    def broken() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)
        raise ValueError("a bug in a journey")

    start_train(env, broken())
    with pytest.raises(ValueError, match="a bug in a journey"):
        env.run()


def test_a_journey_that_yields_no_event_is_told_where() -> None:
    """`yield` written for `yield from` (a stage's generator yielded whole): SimPy's Process said so with
    the journey's line; so does start_train, raising at that yield (not an AttributeError of its own)."""
    env = simpy.Environment()

    def stage() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)

    def journey() -> Generator[Any, Any, None]:
        yield env.timeout(1.0)
        yield stage()  # the mistake

    start_train(env, journey())
    with pytest.raises(RuntimeError, match=r"yielded <generator object .*stage.*, not a SimPy event") as raised:
        env.run()
    assert raised.traceback[-1].name == "journey"  # the traceback ends at the mistaken yield
    assert "yield stage()" in str(raised.traceback[-1].statement)


def test_a_journey_that_ends_is_freed_at_once() -> None:
    """Nothing refers to an ended journey (no cycle through its own callback), so its generator, and
    the train its frame held, go when it ends, without waiting for the cycle collector."""
    env = simpy.Environment()

    def journey() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)

    generator = journey()
    gone = weakref.ref(generator)
    start_train(env, generator)
    del generator
    gc.disable()
    try:
        env.run()
        assert gone() is None
    finally:
        gc.enable()
