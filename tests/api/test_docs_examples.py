"""Every Python example of docs/api.md runs as printed, one block after the other as in a notebook, so an
example cannot drift from the API: a name the example never defines (`base`), a crossing the scenario
lacks, a heat map of a one-lever sweep or targets outside the scenario's dates fail here, as they did for
a reader. Only the amount of work is cut: fewer replications and candidates, shorter runs, one process."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

import sim
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "api.md"

# (pattern in the page, replacement): each must match, so a reworded example is not run at full size.
SMALLER = [
    (r"replications=\d+", "replications=2"),
    (r"candidates=\d+", "candidates=2"),
    (r"trajectories=\d+", "trajectories=2"),
    (r'replicate_until_precise\((\w+), "5%", ', r'replicate_until_precise(\1, "5%", initial=2, max_replications=3, kpis='),
]
# the run lengths the examples need: a month of the baseline (MSER-5 needs 20 days), the hold up to the targets' last date (31 Jan 2024)
DURATIONS = {"baseline_2023.yaml": "30d", "jan2024_admin_hold.yaml": "124d"}
RUNNERS = ("run", "sweep", "compare", "suggest_warmup", "calibrate", "optimize", "sensitivity",
           "replicate_until_precise")


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.slow
def test_the_api_page_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks()
    assert len(blocks) >= 2, "docs/api.md has its two Python examples"
    code = "\n".join(blocks)
    for pattern, replacement in SMALLER:
        code, n = re.subn(pattern, replacement, code)
        assert n, f"docs/api.md no longer has {pattern!r}: update SMALLER"
    load = sim.load_scenario

    def shorter(path: str) -> sim.Scenario:
        return load(path).with_changes({"duration": DURATIONS[Path(path).name]})

    monkeypatch.setattr(sim, "load_scenario", shorter)
    for name in RUNNERS:
        monkeypatch.setattr(sim, name, functools.partial(getattr(sim, name), executor="serial"))
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # the examples' paths are the repository's
    monkeypatch.chdir(tmp_path)  # and they write results/more-points and backlog.png
    namespace: dict[str, object] = {"__name__": "docs_api_example"}
    exec(compile(code, str(PAGE), "exec"), namespace)  # the page's own examples
    assert (tmp_path / "results" / "more-points" / "report.html").is_file()
    assert (tmp_path / "backlog.png").is_file()
    window = namespace["sim"].window_kpis(namespace["results"].daily, "2024-01-01", "2024-01-31")  # type: ignore[attr-defined]
    assert len(window) > 0
