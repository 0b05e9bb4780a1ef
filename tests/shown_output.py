"""What a documentation page shows a command printing, against what it prints today: the words, columns and
order exactly, the numbers within a stated relative tolerance (a number printed to its CI's precision can
move by one unit in its last shown digit when a float sum's last bits do). Spacing is not compared: the
columns widen with their values. A shown line `…` ends the comparison (the page shows the first lines)."""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d[\d,]*(?:\.\d+)?(?![\w])")


def _words(line: str) -> str:
    return " ".join(re.sub(r"-{3,}", "---", NUMBER.sub("#", line)).split())


def _numbers(line: str) -> list[float]:
    return [float(n.replace(",", "").replace("−", "-")) for n in NUMBER.findall(line)]


def assert_prints_as_shown(shown: str, printed: str, rel: float = 0.02) -> None:
    """Every shown line is the printed line at the same place, up to spacing and `rel` on each number."""
    got = [line for line in printed.strip("\n").splitlines() if line.strip()]
    want = [line for line in shown.strip("\n").splitlines() if line.strip()]
    for i, line in enumerate(want):
        if line.strip() == "…":
            return
        assert i < len(got), f"the page shows more lines than the command prints:\n{line}"
        assert _words(line) == _words(got[i]), f"line {i + 1} differs:\n  page:    {line}\n  printed: {got[i]}"
        for a, b in zip(_numbers(line), _numbers(got[i])):
            assert math.isclose(a, b, rel_tol=rel), f"line {i + 1}: the page shows {a}, the command prints {b}:\n{got[i]}"
    assert len(got) == len(want), "the command prints lines the page does not show (end the shown block with …):\n" + \
        "\n".join(got[len(want):])
