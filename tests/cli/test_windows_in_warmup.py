"""A --window that begins in the warm-up is said (run, compare, kpis): its KPIs come from the daily series,
warm-up days included, so they show the model settling from its starting state, which the run's own KPIs
leave out; `compare --window` over a variant's longer warm-up said nothing at all."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_bad_inputs import run_main
from tests.cli.test_default_folders import TINY

SCENARIO = TINY.replace("duration: 2d", "duration: 6d\nwarmup: 2d")  # warm-up until 2024-01-03 00:00
FAST = ["--executor", "serial", "--quiet", "--no-report"]
SAID = "begins in the warm-up"


def test_compare_says_which_scenarios_warm_up_a_window_begins_in(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(SCENARIO, encoding="utf-8")
    code, err, _ = run_main(["compare", "w.yaml", "w.yaml", "--set", "2:warmup=4d", "--name", "2:long", "--window",
                             "2024-01-02:2024-01-03", "--window", "2024-01-04:2024-01-05", "--window",
                             "2024-01-06:2024-01-06", "--out", "c", *FAST], tmp_path)
    assert code == 0, err
    notes = [" ".join(note.split()) for note in re.split(r"\n(?=\S)", err) if SAID in note]  # each note whole
    assert notes == [
        ("Note: --window 2024-01-02:2024-01-03 begins in the warm-up (w: until 2024-01-03 00:00; long: until "
        "2024-01-05 00:00), which the run's KPIs leave out: those days show the model settling from its starting "
        "state (empty, or its initial:), not the corridor as it runs."),
        ("Note: --window 2024-01-04:2024-01-05 begins in the warm-up (long: until 2024-01-05 00:00), which the run's "
        "KPIs leave out: those days show the model settling from its starting state (empty, or its initial:), not "
        "the corridor as it runs.")], err


def test_run_and_kpis_say_it_and_a_window_after_the_warm_up_is_not_noted(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(SCENARIO, encoding="utf-8")
    code, err, _ = run_main(["run", "w.yaml", "--window", "2024-01-01:2024-01-04", "--out", "r", *FAST], tmp_path)
    assert code == 0 and "--window 2024-01-01:2024-01-04 begins in the warm-up (until 2024-01-03 00:00)" in \
        " ".join(err.split()), err
    code, err, _ = run_main(["kpis", "r", "--window", "2024-01-02:2024-01-02"], tmp_path)
    assert code == 0 and "--window 2024-01-02:2024-01-02 begins in the warm-up" in err, err
    code, err, _ = run_main(["kpis", "r", "--window", "2024-01-03:2024-01-04"], tmp_path)
    assert code == 0 and SAID not in err, err


def test_a_date_whose_end_is_in_the_warm_up_is_said_too(tmp_path: Path) -> None:
    """`kpis --at` (and `run --at`) in the warm-up read the settling model without a word, where a window had the note.
    A date's value is at the end of its day: 2024-01-02's is at the warm-up's end, the first state the run counts."""
    (tmp_path / "w.yaml").write_text(SCENARIO, encoding="utf-8")
    code, err, _ = run_main(["run", "w.yaml", "--at", "2024-01-01", "--out", "r", *FAST], tmp_path)
    assert code == 0 and "Note: --at 2024-01-01 is in the warm-up (until 2024-01-03 00:00)" in " ".join(err.split()), err
    code, err, _ = run_main(["kpis", "r", "--at", "2024-01-01", "--at", "2024-01-02", "--at", "2024-01-04"], tmp_path)
    notes = " ".join(err.split()).split("Note: ")[1:]  # each note whole, as wrapped to 100 columns
    assert code == 0 and len(notes) == 1 and notes[0].startswith("--at 2024-01-01 is in the warm-up"), err
