"""The Python example of docs/howto/consignment.md runs as printed (fewer replications, one process)."""

from __future__ import annotations

import math
import re

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "howto" / "consignment.md"


def test_the_order_example_runs_and_gives_days() -> None:
    (block,) = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    code = re.sub(r"^  ", "", block, flags=re.M)
    smaller, count = re.subn(r"replications=\d+\)", 'replications=2, executor="serial")', code)
    assert count == 1, "the example still calls order_outcomes with replications=…"
    names: dict[str, object] = {}
    exec(compile(smaller, str(PAGE), "exec"), names)  # our own documentation's example
    days = names["days"]
    assert isinstance(days, list) and len(days) == 2
    assert all(math.isfinite(d) and 10 < d < 60 for d in days), days  # in the January hold's backlog
