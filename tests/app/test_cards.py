"""The workbench's KPI cards write a KPI's CI as the tables do, clipped at the KPI's bounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.app.cards import kpi_cards
from sim.experiments.runner import run
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "5d", "warmup": "0d"})
    with pytest.warns(UserWarning, match="changes nothing in this run"):
        return run(scenario, replications=3, executor="serial")


def _set(results, kpi: str, values: list[float]) -> None:  # type: ignore[no-untyped-def]
    """The corridor's all-cargo values of `kpi`, one per replication, as the cards read them."""
    kpis = results.kpis
    rows = (kpis["cargo"] == "all") & ((kpis["crossing"] == results.corridor) if "crossing" in kpis else True)
    kpis.loc[rows, kpi] = values
    assert results.kpi(kpi).tolist() == values


def _ci(cards: str, kpi: str) -> str:
    found = re.search(rf"data-kpi='{kpi}'>.*?<div class='ci'>(.*?)</div>", cards)
    assert found, cards
    return found.group(1)


def test_a_ci_that_would_reach_below_zero_days_is_clipped_as_in_the_tables(results) -> None:  # type: ignore[no-untyped-def]
    """Stop-loading days 0, 0 and 1 in three replications: mean 0.3, t half-width 1.4, so '± 1.4' read as
    reaching -1.1 days; the card writes the CI's ends, from 0."""
    _set(results, "stop_loading_days", [0.0, 0.0, 1.0])
    ci = _ci(kpi_cards(results), "stop_loading_days")
    assert ci.startswith("95 % CI 0 – ") and ci.endswith("days"), ci
    assert "-" not in ci.replace(" – ", ""), ci


def test_a_ci_inside_its_bounds_keeps_its_half_width(results) -> None:  # type: ignore[no-untyped-def]
    _set(results, "backlog_wagons_mean", [1000.0, 1010.0, 1020.0])
    assert _ci(kpi_cards(results), "backlog_wagons_mean") == "± 24.8 wagons"  # t(0.975, 2) x 10 / sqrt(3)
