"""A callback scheduled as SimPy schedules its own Timeout and Initialize: an event already triggered,
put on the queue at a time and a priority, so that it takes its place in its instant's order.

SimPy has no public way to give a Timeout a priority. The stop-loading reviews need one after every
other event of their instant (sim.model.stop_loading), and a train's journey starts URGENT, where
Initialize would start a Process (sim.model.train_process): both are this one event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import EventPriority


def schedule_call(env: simpy.Environment, callback: Callable[[simpy.Event], Any], priority: EventPriority,
                  delay: float = 0.0) -> None:
    """Call `callback(event)` `delay` hours from now, at `priority` among the events of that instant."""
    event = simpy.Event(env)
    event._ok, event._value = True, None  # (triggered, as a Timeout or Initialize is)
    event.callbacks.append(callback)  # type: ignore[union-attr]
    env.schedule(event, priority, delay)
