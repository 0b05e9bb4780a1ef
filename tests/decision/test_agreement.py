"""The history verdict's rule (sim.decision.agreement): the 95 % CI of the model's mean against the observed band."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.decision.agreement import AGREES, DISAGREES, UNDECIDED, agreement, replications_needed, verdict_text

INF = math.inf


def test_the_ci_inside_the_band_agrees_outside_disagrees_across_an_edge_is_undecided() -> None:
    assert agreement(2000, 4000, 2455, 195) == AGREES           # 2,260 – 2,650 inside 2,000 – 4,000
    assert agreement(2000, 4000, 2373, 780) == UNDECIDED        # 1,593 – 3,153: the mean inside, the CI across 2,000
    assert agreement(136, 184, 300, 10) == DISAGREES            # 290 – 310, all above 184
    assert agreement(136, 184, 190, 10) == UNDECIDED            # the mean outside, the CI reaching back in
    assert agreement(136, 184, 184, 0) == AGREES                # the edges count as inside
    assert agreement(136, 184, math.nan, 1) == DISAGREES        # the model gives no value
    assert agreement(136, 184, 160, math.nan) == UNDECIDED      # one replication: no CI


def test_a_one_sided_band_is_judged_on_its_side_only() -> None:
    assert agreement(360, INF, 1000, 500) == AGREES             # 500 – 1,500, all at least 360
    assert agreement(360, INF, 440, 103) == UNDECIDED           # 337 – 543: may be under 360
    assert agreement(360, INF, 200, 100) == DISAGREES
    assert agreement(-INF, 6, 4, 1) == AGREES and agreement(-INF, 6, 8, 1) == DISAGREES


def test_a_wider_ci_never_turns_a_verdict_into_agreement() -> None:
    """The reason for the rule: fewer replications (a wider CI) must not make the model look better."""
    for mean in (100.0, 150.0, 179.0, 185.0, 250.0):
        said = [agreement(136, 184, mean, half) for half in (0, 1, 5, 20, 50, 200, 1000)]
        first_open = said.index(UNDECIDED) if UNDECIDED in said else len(said)
        assert all(s == UNDECIDED for s in said[first_open:]), (mean, said)
        assert len(set(said[:first_open])) <= 1, (mean, said)


def test_the_replications_that_would_decide_use_students_t() -> None:
    """Altynkol at 3 replications: mean 2,373, half-width 780; the sd is half·√n / t(0.975, n−1), and the
    n' found is the first whose t(0.975, n'−1)·sd/√n' is below the 373 to the band's edge."""
    n, mean, half = 3, 2373.0, 780.0
    needed = replications_needed(n, 2000, 4000, mean, half)
    sd = half * math.sqrt(n) / stats.t.ppf(0.975, n - 1)
    assert stats.t.ppf(0.975, needed - 1) * sd / math.sqrt(needed) < mean - 2000
    assert stats.t.ppf(0.975, needed - 2) * sd / math.sqrt(needed - 1) >= mean - 2000
    assert needed == 6
    assert math.isnan(replications_needed(n, 2000, 4000, 2455, 195))   # decided already
    assert replications_needed(n, 2000, 4000, 2000, 50) == INF          # the mean on an edge: no n tells
    assert verdict_text(UNDECIDED, 6) == "undecided — more replications (about 6)"
    assert verdict_text(UNDECIDED, INF) == UNDECIDED and verdict_text(AGREES, math.nan) == AGREES


@pytest.mark.parametrize("half", [0.0, 3.0])
def test_a_ci_inside_the_band_is_never_undecided(half: float) -> None:
    assert agreement(136, 184, 160, half) == AGREES
