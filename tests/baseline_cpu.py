"""Print the NPY_DISABLE_CPU_FEATURES value that runs numpy at its baseline instruction set.

`make test` runs the numeric tests a second time with it, so that a result that depends on the CPU
(SIMD width changes the order of a float sum) is caught on the developer's machine, not first on a
user's. Only dispatched features that this machine has are named: numpy refuses to disable one it
was not built to dispatch.
"""

from __future__ import annotations

from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__


def disabled_features() -> str:
    return " ".join(name for name in __cpu_dispatch__ if __cpu_features__.get(name))


if __name__ == "__main__":
    print(disabled_features())  # noqa: T201 - the Makefile reads it
