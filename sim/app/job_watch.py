"""A background job (sim.app.jobs) as the page follows it: its button waits, Cancel stops it, a progress
bar moves on a timer, and at its end one message says how it went.

Run (sim.app.page) and the Order tab (sim.app.order_tab) follow their jobs the same way; only what their
job computes, how they re-check their inputs and how they show an answer differ, and those they pass in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import panel as pn

from sim.app.jobs import Job

POLL_MS = 400
J = TypeVar("J", bound=Job)


class JobWatch(Generic[J]):
    """One job at a time behind `button`, cancelled by `cancel`, with its `progress`; `say(text, kind)` puts
    the message, `settle()` re-checks the inputs (the button again, or what is wrong), `show(job)` shows a
    finished job's answer and returns the message that says it is done."""

    def __init__(self, button: pn.widgets.Button, cancel: pn.widgets.Button, progress: pn.indicators.Progress,
                 say: Callable[[str, Any], None], settle: Callable[[], object], show: Callable[[J], str]) -> None:
        self.button, self.cancel, self.progress = button, cancel, progress
        self._say, self._settle, self._show = say, settle, show
        self.job: J | None = None
        self._poll: Any = None
        cancel.on_click(lambda _: self.job.cancel() if self.job else None)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    @property
    def polling(self) -> bool:
        return self._poll is not None

    def start(self, job: J, running: str) -> J:
        """Start `job` (the caller made sure none is running) and poll it; `running` says it runs."""
        self.job = job.start()
        self.button.disabled, self.cancel.disabled = True, False
        self.progress.value, self.progress.visible = 0, True
        self._say(running, "info")
        self._poll = pn.state.add_periodic_callback(self.tick, period=POLL_MS)
        return job

    def tick(self) -> None:
        """The timer's call: the progress; at the job's end, polling stops and its message is said once."""
        job = self.job
        if job is None:
            return
        self.progress.value = int(100 * job.progress)
        if job.running:
            return
        self._stop_polling()
        self.cancel.disabled, self.progress.visible = True, False
        self._settle()  # the button again, unless the inputs went wrong meanwhile (their message is replaced below)
        warned = [f"warning: {text}" for text in job.warnings]
        if job.cancelled:
            said, kind = f"{job.kind} cancelled; nothing was kept", "warning"
        elif job.error:
            said, kind = job.error, "danger"
        else:
            said, kind = self._show(job), "warning" if warned else "success"
        self._say("\n\n".join([said, *warned]), kind)

    def close(self) -> None:
        """Stop polling and cancel a job still running (the session is over)."""
        self._stop_polling()
        if self.job is not None:
            self.job.cancel()

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
