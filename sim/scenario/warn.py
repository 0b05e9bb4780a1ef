"""Scenario warnings shown as Python shows a warning: once per place in the caller's code.

Python's "default" filter shows a warning once per text and line, but it remembers what it showed in
the calling module's `__warningregistry__`, which is wiped whenever anything changes the filters —
and `warnings.catch_warnings()`, which pydantic, pandas and this package use, does so on exit. So a
notebook loop of 20 `sim.run` calls printed the same ScenarioWarning 20 times. Here what was shown is
remembered apart, and the filters in force still decide: "always" (the CLI's choice: each run prints
its warnings) shows every one, "ignore" and "error" act as usual. The warning points at the first
frame outside this package (as pandas' `find_stack_level`), not at `sim`'s own code.
"""

from __future__ import annotations

import os
import sys
import warnings

from sim.scenario.effects import ScenarioWarning

#: the package's directory as its modules' code names it (not resolved: co_filename is not), with a trailing
#: separator so that a user's sim_notes.py beside it is not taken for the package's own code
_PACKAGE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "")
_shown: set[tuple[str, str, int]] = set()  # (text, file or "", line or 0) of what a once-filter let through


def warn(message: str) -> None:
    """Issue `message` as a ScenarioWarning at the caller's line, once there unless the filters say otherwise."""
    frame = sys._getframe()
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    filename = frame.f_code.co_filename if frame is not None else "sys"
    lineno = frame.f_lineno if frame is not None else 0
    module = frame.f_globals.get("__name__", "<string>") if frame is not None else "sys"
    action = _action(message, module, lineno)
    if action in ("default", "module", "once"):
        key = (message, "" if action == "once" else filename, lineno if action == "default" else 0)
        if key in _shown:
            return
        _shown.add(key)
    warnings.warn(ScenarioWarning(message), stacklevel=level)


def _action(text: str, module: str, lineno: int) -> str:
    """The action of the first filter matching this warning, as warnings.warn_explicit finds it."""
    for action, msg, category, mod, line in warnings.filters:
        if ((msg is None or msg.match(text)) and issubclass(ScenarioWarning, category)
                and (mod is None or mod.match(module)) and line in (0, lineno)):
            return str(action)
    return str(getattr(warnings, "defaultaction", "default"))  # (not in typeshed)
