"""A run behind the page: replications in worker processes, progress to poll, and cancel. (An
order's question, `OrderJob`, runs the same way: only what it computes and keeps differs.)

The page must stay responsive while replications run, so a run happens on a thread that drives the
usual process executor; the page polls `progress` on a timer. Cancel stops the executor the way
Ctrl-C does on the command line: its workers are terminated (a run of one replication too: it runs in
a worker, not on the thread, which nothing could stop) and nothing half-done is kept. What the run warns
of on its thread is kept in `warnings` for the page to say (sim.app.thread_warnings), not written to the
server's console, where the user never sees it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sim.analysis.consignment import Outcome
from sim.app.thread_warnings import kept_warnings
from sim.experiments.consignment import order_outcomes, warmup_warning
from sim.experiments.executors import Executor, ProcessExecutor, make_executor
from sim.experiments.results import Results
from sim.experiments.runner import Interrupted
from sim.experiments.runner import run as run_experiment
from sim.model.orders import Order
from sim.scenario.schema import Scenario

J = TypeVar("J", bound="Job")


@dataclass(eq=False)  # a run is itself, not equal to another with the same fields (and weakly referenced)
class Job:
    """One run of `scenario`: its progress, then its results or the message of what went wrong, and what
    it warned of (each text once)."""

    scenario: Scenario
    replications: int
    executor: str = "process"
    workers: int | None = None
    done: int = 0
    results: Results | None = None
    error: str | None = None
    cancelled: bool = False
    warnings: list[str] = field(default_factory=list)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _executor: Executor | None = None
    kind = "run"  # (a class attribute: the thread's name begins with it)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def progress(self) -> float:
        return self.done / self.replications if self.replications else 1.0

    def start(self: J) -> J:
        # made here, not on the thread: a Cancel right after Run must find the executor to stop
        self._executor = (ProcessExecutor(self.workers, stoppable=True) if self.executor == "process"
                          else make_executor(self.executor, self.workers))
        if self._cancel.is_set():  # cancelled before it started: its executor starts no workers
            self.cancel()
        self._thread = threading.Thread(target=self._run, name=f"{self.kind} {self.scenario.name}", daemon=True)
        self._thread.start()
        _STARTED.add(self)
        return self

    def cancel(self) -> None:
        """Stop now: the workers are ended, not waited for (a replication of a long run takes minutes)."""
        self._cancel.set()
        stop = getattr(self._executor, "stop", None)
        if stop is not None:
            stop()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _count(self, stream: Iterator[Any], total: int) -> Iterator[Any]:
        for item in stream:
            if self._cancel.is_set():
                raise KeyboardInterrupt  # the runner stops its workers and raises Interrupted
            self.done += 1
            yield item
            if self._cancel.is_set():
                raise KeyboardInterrupt

    def _run(self) -> None:
        from sim.errors import SimError

        assert self._executor is not None, "start() makes the executor"
        try:
            with kept_warnings() as kept:
                try:
                    computed = self._compute(self._executor)
                finally:  # (a run that fails or is cancelled may have warned of why)
                    said = self._said_by_page()
                    self.warnings = [text for text in kept if text not in said]
            if self._cancel.is_set():  # cancelled after the last replication: the user asked for nothing
                raise Interrupted(self.done, self.replications, None)
            self._keep(computed)
        except Interrupted:
            self.cancelled = True
        except Exception as exc:
            if self._cancel.is_set():  # the ended workers broke the map: that is the cancel, not an error
                self.cancelled = True
            elif isinstance(exc, SimError):
                self.error = str(exc)
            else:  # the page shows it instead of a dead thread
                self.error = f"internal error: {type(exc).__name__}: {exc}"

    def _compute(self, executor: Executor) -> Any:
        return run_experiment(self.scenario, replications=self.replications, executor=executor,
                              workers=self.workers, progress=self._count)

    def _keep(self, computed: Any) -> None:
        self.results = computed

    def _said_by_page(self) -> set[str]:
        """Warnings the page says in its own words: not kept, so not said twice."""
        return set()


@dataclass(eq=False)
class OrderJob(Job):
    """An order's outcome in each replication of `scenario` (sim.experiments.consignment.order_outcomes)."""

    order: Order | None = None  # (a default only because Job's fields have them: start() needs one)
    outcomes: list[Outcome] | None = None
    kind = "order"

    def _compute(self, executor: Executor) -> Any:
        assert self.order is not None, "an OrderJob answers an order"
        return order_outcomes(self.scenario, self.order, self.replications, executor=executor, workers=self.workers,
                              progress=self._count)

    def _keep(self, computed: Any) -> None:
        self.outcomes = computed

    def _said_by_page(self) -> set[str]:
        """An order in the warm-up: the tab says so before and in its answer, with the --set that mends it
        (the command line's words, sim.reporting.consignment), as `dostyk consignment` does."""
        assert self.order is not None
        early = warmup_warning(self.scenario, self.order)
        return {early} if early else set()


_STARTED: weakref.WeakSet[Job] = weakref.WeakSet()


def cancel_all() -> None:
    """Cancel every run still going: the server is stopping, and Python's exit would otherwise wait for
    the replications in flight (the pool's threads are joined at exit), however long they take."""
    for job in list(_STARTED):
        if job.running:
            job.cancel()
