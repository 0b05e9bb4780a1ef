"""Scripts that would start worker processes again in every worker: said before any worker starts.

The Python API example (docs/api.md), saved as a script and run without `if __name__ == "__main__":`, died
with "a worker process died": each worker re-ran the script, whose top level started workers again.
"""

from __future__ import annotations

import ast
import os
import sys

from sim.errors import SimError


class UnguardedMainError(SimError, RuntimeError):
    """Worker processes would re-run the calling script's top level, and with it this call."""


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides) and any(
        isinstance(x, ast.Constant) and x.value == "__main__" for x in sides)


def unguarded_main_line() -> tuple[str, int] | None:
    """(script, line) when the caller runs at the top level of a script that worker processes re-run.

    Workers started by a fork server or spawned re-run the main script (as multiprocessing does for
    `python script.py` and `python -m pkg.module`, not for `python -m pkg` or notebooks): a call at
    its top level outside `if __name__ == "__main__":` would start workers again in every worker,
    which multiprocessing refuses, and the pool used to die with "a worker process died".
    """
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    path = getattr(main, "__file__", None)
    if main is None or not path or (spec_name or "").endswith("__main__"):
        return None
    frame = sys._getframe(1)
    while frame is not None and not (frame.f_globals is vars(main) and frame.f_code.co_name == "<module>"
                                     and os.path.abspath(frame.f_code.co_filename) == os.path.abspath(path)):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test) and node.lineno <= line <= (node.end_lineno or 0):
            return None
    return path, line


def check_main_guard() -> None:
    """Raise UnguardedMainError when the caller is an unguarded script's top level (see above)."""
    unguarded = unguarded_main_line()
    if unguarded is not None:
        script, line = unguarded
        raise UnguardedMainError(
            f"the process executor's workers re-run the script {script} when they start, and its line {line}, "
            f"outside `if __name__ == \"__main__\":`, would start them again; put the code that runs the "
            f"simulation under that line (see docs/api.md), or pass executor=\"serial\"")
