"""Adding features changes nothing for scenarios that do not use them.

The goldens in tests/validation/goldens/ were captured before issue 10 (the corridor: bans, loading
rate, shares, rejections, several crossings, a start from a given state). For a single-crossing
scenario without the new keys the model must take the same steps: every column the goldens have
(new columns such as `crossing` may be added) must hold the same values, and the number of SimPy
events — a deterministic stand-in for the work done — must be the same.

Counts and labels are compared exactly. Real numbers are compared with a stated tolerance, because
the last bits of a float sum depend on the CPU's instruction set and the numpy build (an AMD CPU
without AVX-512 gave 9.877672735103586 where the capture machine gave 9.87767273510359): any change
of the model's steps moves a value by far more than `RELATIVE`, so the test stays sharp. Same-machine
determinism is checked exactly elsewhere (tests/experiments/test_determinism.py).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from sim.model.crossing import CrossingModel
from sim.scenario.loader import load_scenario
from tests.validation.goldens.capture import CASES, FRAMES, HERE, ROOT, frames

#: relative tolerance of a real-valued golden: far above rounding (~1e-15 per operation, a few
#: thousand operations per sum), far below any change of the model's steps
RELATIVE = 1e-9
#: absolute tolerance for values that should be zero but come out of a subtraction (hours, wagons)
ABSOLUTE = 1e-9
#: timestamps derived from float hours (the events' start and end): within a microsecond
TIMESTAMP_TOLERANCE = pd.Timedelta(microseconds=1)


def mismatches(old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Cells where `new` differs from `old`: exactly for counts and text, within tolerance for reals."""
    problems: list[str] = []
    if len(old) != len(new):
        return [f"{len(old)} rows expected, {len(new)} found"]
    for column in old.columns:
        expected, found = old[column].reset_index(drop=True), new[column].reset_index(drop=True)
        if column in ("start", "end"):  # timestamps of events
            exp_t = pd.to_datetime(expected, format="mixed")
            got_t = pd.to_datetime(found, format="mixed")
            bad = ~(((exp_t - got_t).abs() <= TIMESTAMP_TOLERANCE) | (exp_t.isna() & got_t.isna()))
        elif pd.api.types.is_numeric_dtype(expected) and pd.api.types.is_numeric_dtype(found):
            exp_v, got_v = expected.to_numpy(float), found.to_numpy(float)
            integral = np.all(np.isnan(exp_v) | (exp_v == np.round(exp_v)))
            if integral and np.all(np.isnan(got_v) | (got_v == np.round(got_v))):
                bad = ~((exp_v == got_v) | (np.isnan(exp_v) & np.isnan(got_v)))  # counts: exact
            else:
                bad = ~np.isclose(got_v, exp_v, rtol=RELATIVE, atol=ABSOLUTE, equal_nan=True)
            bad = pd.Series(bad)
        else:
            bad = ~((expected.astype(str) == found.astype(str)) | (expected.isna() & found.isna()))
        for row in np.flatnonzero(np.asarray(bad))[:3]:
            problems.append(f"row {row} {column}: expected {expected[row]!r}, found {found[row]!r}")
    return problems


def golden(case: str, name: str) -> pd.DataFrame:
    text = (HERE / f"{case}.{name}.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def through_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads back from CSV: the goldens were stored that way."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("case", list(CASES))
def test_old_columns_are_unchanged_within_tolerance(case: str) -> None:
    new = frames(case)
    for name in FRAMES:
        old = golden(case, name)
        missing = [c for c in old.columns if c not in new[name].columns]
        assert not missing, f"{case} {name}: columns gone: {missing}"
        problems = mismatches(old, through_csv(new[name][list(old.columns)]))
        assert not problems, f"{case} {name}.csv changed: " + "; ".join(problems[:10])


def test_comparison_tolerates_rounding_and_catches_a_real_change() -> None:
    """The comparison passes the last-digit difference seen across CPUs and fails a changed golden."""
    old = golden("baseline_2023", "kpis")
    real = next(c for c in old.columns if c == "backlog_wagons_mean")
    count = "wagons_delivered"
    rounded = old.copy()
    rounded[real] = rounded[real] * (1 + 4e-16)  # the last bits of a sum, as on another CPU
    assert mismatches(old, rounded) == []
    perturbed = old.copy()
    perturbed.loc[0, real] = perturbed.loc[0, real] * (1 + 10 * RELATIVE)
    assert mismatches(old, perturbed), "a real value moved by 10x the tolerance must fail"
    recounted = old.copy()
    recounted.loc[0, count] = recounted.loc[0, count] + 1
    assert mismatches(old, recounted), "a count off by one must fail"
    events = golden("baseline_2023", "events")
    shifted = events.copy()
    shifted.loc[0, "start"] = str(pd.Timestamp(shifted.loc[0, "start"]) + pd.Timedelta(seconds=1))
    assert mismatches(events, shifted), "an event moved by a second must fail"


@pytest.mark.parametrize("path", list(json.loads((HERE / "simpy_events.json").read_text(encoding="utf-8"))))
def test_simpy_event_count_is_unchanged(path: str) -> None:
    expected = json.loads((HERE / "simpy_events.json").read_text(encoding="utf-8"))[path]
    assert CrossingModel(load_scenario(ROOT / path), 0).run().diagnostics["simpy_events"] == expected
