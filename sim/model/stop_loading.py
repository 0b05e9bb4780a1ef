"""The stop-loading dispatcher: every `check_every` it reviews each watched crossing's border backlog
of the policy's cargo, halts loading for that crossing above `above_wagons` and resumes it below
`resume_below`.

While no cargo of the policy is halted at any watched crossing, a review can only halt, and a halt
needs a backlog above `above_wagons`, which only a train's arrival at the border can bring about
(unloading, refusals and re-routing lower it). The dispatcher then sleeps through the reviews that
could not decide anything — at one an hour, 8,760 a year and a quarter of a baseline run's SimPy
events — and the arrival that takes a watched backlog above the limit wakes it for the next review
on its clock. The reviews that do run are at the very times of reviewing every `check_every` from 0
(the same float sums), so the dispatcher decides what it decided when it reviewed at every one.

A review comes after every other event due at its instant (priority LAST), so it sees the backlog
as the instant leaves it. Ordered as SimPy orders the events of one instant, by when each was
scheduled, a review woken by an arrival would come after the events scheduled since the previous
review on its clock, which a review scheduled at that previous review precedes: a train arriving or
formed at a review's very time (fixed times, timetables, another policy's clock) would meet
another decision. The re-routing and diversion reviews due at its instant thus act on the
decision before it (as they did after a review woken from sleep); every shipped scenario runs as
before.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Generator, Sequence
from typing import Any, Protocol

import simpy
from simpy.events import EventPriority

from sim.model.origin import Origin
from sim.model.recorder import Recorder
from sim.model.reviews import StopLoadingDecision
from sim.model.scheduled import schedule_call
from sim.scenario.corridor import StopLoading

#: a review's priority: after every event of SimPy's own (URGENT 0, NORMAL 1) due at its instant
LAST = EventPriority(2)


class Watched(Protocol):
    """A crossing as the dispatcher sees it (sim.model.journey.Crossing)."""

    @property
    def name(self) -> str: ...
    def border_backlog(self, ci: int) -> int: ...
    def track_border(self, on_arrival: Callable[[int], None] | None = None) -> None: ...


class StopLoadingReview:
    """The dispatcher of one stop-loading policy over its watched crossings (indices into `origins`'
    `halted_at`); its decisions go to `logs` by crossing name and the halts to the recorder."""

    def __init__(self, env: simpy.Environment, policy: StopLoading, crossings: Sequence[Watched],
                 watched: Sequence[int], origins: Sequence[Origin], cis: Sequence[int],
                 logs: dict[str, list[StopLoadingDecision]], recorder: Recorder) -> None:
        self.env = env
        self.policy = policy
        self.crossings = crossings
        self.watched = list(watched)
        self.origins = origins
        self.cis = list(cis)
        self._halting = [ci in self.cis for ci in range(len(origins))]  # cargo whose arrivals may wake it
        self.logs = logs
        self.recorder = recorder
        self._asleep = False
        self._last = 0.0  # the time of the last review
        for x in self.watched:
            crossings[x].track_border(functools.partial(self._arrived, x))

    def start(self) -> None:
        self.env.process(self._first())

    def _first(self) -> Generator[simpy.Event, Any, None]:
        """The first review, at 0, at the place in time 0's order where the dispatcher always started."""
        self._review(None)
        return
        yield  # (a generator, so that SimPy starts it as the process it was)

    def _review(self, _event: simpy.Event | None) -> None:
        env = self.env
        sl = self.policy
        now = self._last = env.now
        halted = False
        for x in self.watched:
            crossing = self.crossings[x]
            log = self.logs[crossing.name]
            backlog = self._backlog(crossing)
            for ci in self.cis:
                origin = self.origins[ci]
                if not origin.halted_at[x] and backlog > sl.above_wagons:
                    origin.set_halted(x, True)
                    origin.halted_since[x] = now
                    log.append(StopLoadingDecision(origin.cargo, "halt", now, backlog))
                elif origin.halted_at[x] and backlog < sl.resume_below:
                    origin.set_halted(x, False)
                    log.append(StopLoadingDecision(origin.cargo, "resume", now, backlog))
                    self.recorder.halt(origin.cargo, origin.halted_since[x], now, x)
                    origin.release()
                halted = halted or origin.halted_at[x]
        if halted:  # the next review may resume
            self._review_in(sl.check_every)
        else:
            self._asleep = True

    def _arrived(self, x: int, ci: int) -> None:
        """Wagons of cargo `ci` arrived at watched crossing `x`: wake for the next review if they take
        its backlog above the limit."""
        if not self._asleep or not self._halting[ci]:
            return
        if self._backlog(self.crossings[x]) <= self.policy.above_wagons:
            return
        self._asleep = False
        env = self.env
        now = env.now
        at = self._last + self.policy.check_every
        while at < now:  # the reviews slept through, summed as the clock summed them
            at += self.policy.check_every
        delay = at - now
        while now + delay < at:  # (SimPy schedules at now + delay: land on `at` itself)
            delay = math.nextafter(delay, math.inf)
        while now + delay > at:
            delay = math.nextafter(delay, -math.inf)
        self._review_in(delay)

    def _backlog(self, crossing: Watched) -> int:
        """The policy's cargo at `crossing`'s border and not yet unloaded, together (what it halts on)."""
        return sum(crossing.border_backlog(ci) for ci in self.cis)

    def _review_in(self, delay: float) -> None:
        """A review `delay` hours from now, after everything else due then."""
        schedule_call(self.env, self._review, LAST, delay)
