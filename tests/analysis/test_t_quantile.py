"""Student's t quantile from scipy.special: scipy.stats.t.ppf's own values, without importing scipy.stats
(~0.8 s more, paid by every command that prints a CI and at the end of every search)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.stats import t_halfwidth, t_quantile

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("df", [1, 2, 4, 9, 29, 499, 3.7, 17.25])
@pytest.mark.parametrize("p", [0.75, 0.95, 0.975, 0.995, 0.9995])
def test_the_same_values_as_scipy_stats(df: float, p: float) -> None:
    from scipy import stats

    assert t_quantile(p, df) == float(stats.t.ppf(p, df))
    assert isinstance(t_quantile(p, df), float)


def test_arrays_give_arrays_of_the_same_values() -> None:
    from scipy import stats

    df = np.arange(1, 200)
    np.testing.assert_array_equal(t_quantile(0.975, df), stats.t.ppf(0.975, df))
    assert t_halfwidth(2.0, 5) == float(stats.t.ppf(0.975, 4) * 2.0 / np.sqrt(5))


def test_a_summary_with_its_cis_does_not_import_scipy_stats() -> None:
    code = ("import sys, pandas as pd\nfrom sim.analysis.stats import summarise\n"
            "summarise(pd.DataFrame({'replication': [0, 1, 2], 'cargo': 'grain', 'x': [1.0, 2.0, 4.0]}))\n"
            "print('scipy.stats' in sys.modules, 'scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert out.stdout.split() == ["False", "True"], out.stdout + out.stderr
