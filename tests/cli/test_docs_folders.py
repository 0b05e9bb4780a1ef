"""The results folders the docs promise are the ones the commands choose (sim.cli.folders).

compare-levers.md said `compare … -n 20` writes results/compare-baseline_2023-vs-whatif_more_unloading_points/
and calibrate-optimise.md left `+replications=5` out of its calibration's folder: -n other than the scenario's own
is in the name. Each command below is run as the page writes it, in this process, and stopped where it claims
its folder (nothing is simulated); `…` and HASH in the page's folder stand for any text.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from sim.cli import decision, experiments, run
from tests.cli.helpers import run_main
from tests.conftest import ROOT

#: (page, the command as the page writes it, the folder the page says it writes)
PROMISED = [
    ("docs/howto/compare-levers.md",
     ("dostyk sweep scenarios/baseline_2023.yaml --vary unloading.grain.points=4,6,8,10 \\\n"
      "    --vary 'checks[1].trains_at_once=1,2,3' -n 10"), "results/baseline_2023-sweep+vary=…-HASH/"),
    ("docs/howto/compare-levers.md",
     "dostyk compare scenarios/baseline_2023.yaml scenarios/whatif_more_unloading_points.yaml -n 20",
     "results/compare-baseline_2023-vs-whatif_more_unloading_points+replications=20-HASH/"),
    ("docs/howto/calibrate-optimise.md",
     ("dostyk calibrate scenarios/jan2024_admin_hold.yaml --targets scenarios/targets/jan2024.yaml \\\n"
      "    -N 60 -n 5 --profile 9"),
     "results/jan2024_admin_hold-calibration+replications=5+targets=…+candidates=60+profile=9-HASH/"),
    ("docs/howto/run-a-scenario.md", "dostyk run scenarios/baseline_2023.yaml", "results/baseline_2023/"),
    ("docs/howto/january-2024-backlog.md", "dostyk run scenarios/jan2024_admin_hold.yaml",
     "results/jan2024_admin_hold/"),
    ("README.md", ("dostyk compare scenarios/baseline_2023.yaml scenarios/whatif_more_unloading_points.yaml -n 10 \\\n"
                   "    --name 2:eight-points --kpi backlog_wagons_mean --kpi dwell_h_mean"),
     "results/compare-baseline_2023-vs-eight-points"),
]


class _ClaimedError(Exception):
    """Raised where the command claims its folder: nothing further runs."""


@pytest.mark.parametrize(("page", "command", "folder"), PROMISED, ids=[f"{p}:{c.split()[1]}" for p, c, _ in PROMISED])
def test_the_folder_a_page_promises_is_the_one_chosen(page: str, command: str, folder: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    assert command in text and folder in text, f"{page} no longer shows {command!r} and {folder!r}"
    claimed: list[Path] = []

    def stop(out_dir: Path, *args: Any) -> Any:
        claimed.append(out_dir)
        raise _ClaimedError

    for module in (run, experiments, decision):
        monkeypatch.setattr(module, "claim_output", stop)
    args = shlex.split(command.replace("\\\n", " "))[1:]
    code, err, _ = run_main(args, ROOT)
    assert len(claimed) == 1, (code, err)
    pattern = re.escape(folder.rstrip("/")).replace("…", ".+").replace("HASH", "[0-9a-f]{8}")
    assert re.fullmatch(pattern, claimed[0].as_posix()), (page, claimed[0])
