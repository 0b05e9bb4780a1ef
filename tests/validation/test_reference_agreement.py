"""The product agrees with an idiomatic per-wagon SimPy model of the same crossing.

benchmarks/reference_model.py runs the 300k-wagon benchmark scenario the obvious way: one SimPy
process per wagon queueing for a simpy.Resource per unloading group, a priority container for the
yard, running sums for the statistics. The product schedules each train's wagons in closed form
and folds observations daily. On independent random numbers their KPIs must agree: for every
cargo and compared KPI, the Welch confidence interval of (product − reference) contains 0.

Ten replications of each on a 60-day horizon; the level is Bonferroni-corrected over the
12 comparisons (family-wise 95 %). A negative control shows the comparison has teeth: a product
run with grain wagons 15 % slower to unload is told apart from the reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the benchmarks package lives beside sim, outside the installed package

from benchmarks import agreement  # noqa: E402
from benchmarks import reference_model as ref  # noqa: E402
from sim import load_scenario  # noqa: E402
from sim.experiments.replication import run_replication  # noqa: E402

N = 10
HORIZON = "60d"
CARGO = ("grain", "containers")
LEVEL = 1 - 0.05 / (len(CARGO) * len(agreement.COMPARED))


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml").with_changes({"duration": HORIZON})


@pytest.fixture(scope="module")
def reference(scenario) -> pd.DataFrame:
    # replications 1000+ so the reference never shares a seed key with the product's 0..N-1
    return agreement.reference_table([ref.simulate(scenario, 1000 + r) for r in range(N)])


def _product(scenario) -> pd.DataFrame:
    return agreement.product_table(pd.concat([run_replication(scenario, r).kpis for r in range(N)]))


def test_scenario_is_inside_the_reference_subset(scenario) -> None:
    assert ref.unsupported_features(scenario) == []
    baseline = load_scenario(ROOT / "scenarios" / "baseline_2023.yaml")
    with pytest.raises(ref.UnsupportedScenario, match="fleet"):
        ref.ReferenceModel(baseline)


@pytest.mark.slow
def test_product_and_reference_agree(scenario, reference: pd.DataFrame) -> None:
    diffs = agreement.compare(_product(scenario), reference, LEVEL)
    assert {(d.cargo, d.kpi) for d in diffs} == {(c, k) for c in CARGO for k in agreement.COMPARED}
    disagree = [d for d in diffs if not d.agrees]
    assert not disagree, "\n" + agreement.format_table(disagree, LEVEL)
    # the intervals are narrow enough to mean something: within ±25 % of the reference mean
    for d in diffs:
        assert (d.high - d.low) / 2 < 0.25 * abs(d.reference_mean), d
    # sanity of the scale: roughly 300,000 wagons a year, so about 50,000 in 60 days
    delivered = sum(d.reference_mean for d in diffs if d.kpi == "wagons_delivered")
    assert 40_000 < delivered < 55_000


@pytest.mark.slow
def test_comparison_detects_a_slower_unloading(scenario, reference: pd.DataFrame) -> None:
    slower = scenario.with_changes({"unloading.grain.wagon_time.mean": "69min"})  # +15 %
    diffs = {(d.cargo, d.kpi): d for d in agreement.compare(_product(slower), reference, LEVEL)}
    assert not diffs["grain", "unloading_utilization"].agrees
    assert not diffs["grain", "unload_wait_h_mean"].agrees
    assert diffs["grain", "unload_wait_h_mean"].low > 0  # the product now waits longer
