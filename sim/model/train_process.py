"""A train's journey driven through SimPy's events without a simpy.Process around it.

`env.process(generator)` makes the generator a Process: an event of its own, triggered when the
generator returns, so that other processes may wait for it. Nothing waits for a train's journey,
yet SimPy schedules that event at every journey's end: one event in eight of a baseline run, each
taken off the queue and processed for nothing.

`start_train` drives the generator as Process does — started by an URGENT event, as Process's
Initialize is, at the same place in its instant's order; resumed by the same callbacks with the
same values — but keeps no event for its end. Every other event is scheduled exactly as before, in
the same order (SimPy orders an instant's events by priority, then by when each was scheduled, and
dropping the end events keeps the order of the rest), so a run's results are the same; only its
count of SimPy events is lower (and lower still where a gate, with no journey's end due at its
instant, is now passed without an event: sim.model.crossing's `_admit_now`). A journey that raises
stops the run at once (a Process would stop it when its end event came up, at the same instant).
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any, NoReturn

import simpy
from simpy.events import URGENT

from sim.model.scheduled import schedule_call


class _Journey:
    """The generator, and itself the callback that resumes it: no bound method made per wait, and no
    reference from the journey to itself, so a journey that ends is freed at once (not by the cycle
    collector, which would also have to look at every finished train's frame)."""

    __slots__ = ("_generator",)

    def __init__(self, generator: Generator[simpy.Event, Any, Any]) -> None:
        self._generator = generator

    def __call__(self, event: simpy.Event) -> None:
        """Resume the journey with `event`'s value (a failed event's error is thrown into it, as
        Process does) until it waits for an event not yet processed, or ends."""
        send = self._generator.send
        while True:
            try:
                if event._ok:
                    event = send(event._value)
                else:
                    event._defused = True  # (the journey handles it, or raises it out of the run)
                    error = event._value
                    copy = type(error)(*error.args)
                    copy.__cause__ = error
                    event = self._generator.throw(copy)
            except StopIteration:
                return
            try:
                callbacks = event.callbacks
            except AttributeError:
                self._not_an_event(event)
            if callbacks is not None:  # not yet processed: resume when it is
                callbacks.append(self)
                return

    def _not_an_event(self, value: object) -> NoReturn:
        """A journey yielded something that is not an event (`yield` written for `yield from`): the
        error is raised at that yield, so its traceback names the line, as SimPy's Process names it."""
        error = RuntimeError(f"a train's journey yielded {value!r}, not a SimPy event (`yield` meant as `yield from`?)")
        with contextlib.suppress(StopIteration):
            self._generator.throw(error)
        raise error  # (the journey caught it and went on: still the same mistake)


def start_train(env: simpy.Environment, generator: Generator[simpy.Event, Any, Any]) -> None:
    """Start a train's journey now, where env.process would start it: by an event already triggered,
    scheduled URGENT, as SimPy's Initialize is (before the instant's NORMAL events; a NORMAL one would
    let trains formed at the same instant reach the line in another order)."""
    schedule_call(env, _Journey(generator), URGENT)
