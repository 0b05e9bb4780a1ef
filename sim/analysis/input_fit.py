"""Input analysis: which scenario distribution describes observed durations, and with what parameters.

Analysts have measured times (a customs step, an unloading per wagon) and must choose a `dist` for the
scenario file. Each candidate the scenario format knows is fitted by maximum likelihood (scipy.stats),
ranked by AIC, and checked with a goodness-of-fit test whose p-value accounts for the parameters
being estimated from the same data (a parametric bootstrap of the Kolmogorov–Smirnov statistic:
the textbook KS table would be far too lenient here). Parameters are reported in the scenario's own
terms (mean and sd, mean and cv, min/mode/max) with percentile-bootstrap 95 % intervals, so a fitted
value can be pasted into a file and its uncertainty read beside it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from sim.errors import SimError

#: fewer observations than this cannot tell the candidates apart
MIN_OBSERVATIONS = 10
#: resamples for the parameter intervals and for the goodness-of-fit p-value
BOOTSTRAP = 199


class FitError(SimError):
    """Observed durations that cannot be fitted (too few, not positive, all equal)."""

    prefix = "error: "
    exit_code = 2


@dataclass(frozen=True)
class Candidate:
    """One scenario distribution: how scipy fits it and how its fit reads in scenario terms."""

    name: str
    #: the scenario's parameter names, in the order `to_params` returns them
    params: tuple[str, ...]
    fit: Callable[[np.ndarray], stats.rv_continuous]
    to_params: Callable[[stats.rv_continuous], tuple[float, ...]]
    #: parameters scipy estimated (the AIC's k)
    k: int
    #: only for strictly positive data (a log or a zero location)
    positive_only: bool
    #: parameters that are an end of the range: a bootstrap interval of a sample extreme is not valid
    #: (the resampled minimum can never be below the observed one), so none is given
    ends: tuple[str, ...] = ()


def _exponential(x: np.ndarray) -> stats.rv_continuous:
    return stats.expon(loc=0, scale=float(np.mean(x)))


def _lognormal(x: np.ndarray) -> stats.rv_continuous:
    logs = np.log(x)
    return stats.lognorm(s=float(np.std(logs)), loc=0, scale=float(np.exp(np.mean(logs))))


def _gamma(x: np.ndarray) -> stats.rv_continuous:
    shape, _, scale = stats.gamma.fit(x, floc=0)
    return stats.gamma(shape, loc=0, scale=scale)


def _triangular(x: np.ndarray) -> stats.rv_continuous:
    """Ends just beyond the observed range (by a range/n step), then the mode by 1-D likelihood.

    scipy's generic three-parameter fit takes ~0.1 s a call, too slow to bootstrap; the ends of a
    bounded distribution are estimated well by the sample's extremes widened by one spacing. The low
    end stops at zero: a duration is never negative, and the scenario refuses a negative `min`.
    """
    low, high = float(np.min(x)), float(np.max(x))
    step = (high - low) / len(x)
    loc = max(low - step, 0.0)
    scale = high + step - loc

    def negative_loglik(c: float) -> float:
        return -float(np.sum(stats.triang.logpdf(x, c, loc=loc, scale=scale)))

    c = float(optimize.minimize_scalar(negative_loglik, bounds=(0.0, 1.0), method="bounded").x)
    return stats.triang(c, loc=loc, scale=scale)


def _uniform(x: np.ndarray) -> stats.rv_continuous:
    low, high = float(np.min(x)), float(np.max(x))
    return stats.uniform(loc=low, scale=high - low)


def _mean_sd(d: stats.rv_continuous) -> tuple[float, float]:
    return float(d.mean()), float(d.std())


def _triangle(d: stats.rv_continuous) -> tuple[float, float, float]:
    c, loc, scale = d.args[0], d.kwds.get("loc", 0.0), d.kwds.get("scale", 1.0)
    return float(loc), float(loc + c * scale), float(loc + scale)


CANDIDATES: tuple[Candidate, ...] = (
    Candidate("exponential", ("mean",), _exponential, lambda d: (float(d.mean()),), 1, True),
    Candidate("lognormal", ("mean", "sd"), _lognormal, _mean_sd, 2, True),
    Candidate("gamma", ("mean", "cv"), _gamma, lambda d: (float(d.mean()), float(d.std() / d.mean())), 2, True),
    Candidate("triangular", ("min", "mode", "max"), _triangular, _triangle, 3, False, ("min", "max")),
    Candidate("uniform", ("min", "max"), _uniform, lambda d: (float(d.support()[0]), float(d.support()[1])), 2, False,
              ("min", "max")),
)


@dataclass(frozen=True)
class Fit:
    """One candidate fitted to the observations, in scenario terms."""

    dist: str
    params: dict[str, float]
    #: percentile-bootstrap 95 % interval of each parameter (none for an end of the range)
    intervals: dict[str, tuple[float, float] | None]
    log_likelihood: float
    aic: float
    ks_statistic: float
    #: parametric-bootstrap p-value of the KS statistic (parameters re-estimated on each resample)
    p_value: float
    frozen: stats.rv_continuous

    @property
    def rejected(self) -> bool:
        """The data are unlikely under this fit at the 5 % level."""
        return self.p_value < 0.05

    def snippet(self, unit: str = "h") -> str:
        """The scenario-file text of this fit, durations with the unit the data were given in."""
        def duration(v: float) -> str:
            return f"{_round(v)}{unit}"

        parts = [f"dist: {self.dist}"]
        for name, value in self.params.items():
            parts.append(f"{name}: {_round(value) if name == 'cv' else duration(value)}")
        return "{" + ", ".join(parts) + "}"


def _round(value: float) -> str:
    """Four significant digits: more than the data can support, few enough to read."""
    return f"{value:.4g}"


def _log_likelihood(d: stats.rv_continuous, x: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        total = float(np.sum(d.logpdf(x)))
    return total if math.isfinite(total) else -math.inf


def _ks(d: stats.rv_continuous, x: np.ndarray) -> float:
    return float(stats.kstest(x, d.cdf).statistic)


def check_observations(values: Sequence[float], source: str) -> np.ndarray:
    """The observations as a float array, or a FitError that says what is wrong with them."""
    x = np.asarray(values, dtype=float)
    if len(x) < MIN_OBSERVATIONS:
        raise FitError(f"{source}: {len(x)} observations; at least {MIN_OBSERVATIONS} are needed to compare fits")
    if not np.all(np.isfinite(x)):
        raise FitError(f"{source}: observations must be finite numbers")
    if np.any(x < 0):
        raise FitError(f"{source}: {int(np.sum(x < 0))} negative durations; a duration is ≥ 0")
    if np.ptp(x) == 0:
        raise FitError(f"{source}: every observation is {x[0]:g}: use a fixed time, nothing to fit")
    return x


def fit_candidate(candidate: Candidate, x: np.ndarray, rng: np.random.Generator,
                  bootstrap: int = BOOTSTRAP) -> Fit:
    """Fit one candidate; intervals and p-value from `bootstrap` resamples drawn from `rng`."""
    frozen = candidate.fit(x)
    values = candidate.to_params(frozen)
    loglik = _log_likelihood(frozen, x)
    ks = _ks(frozen, x)
    n = len(x)
    resampled = np.empty((bootstrap, len(values)))
    exceed = 0
    for b in range(bootstrap):
        resampled[b] = candidate.to_params(candidate.fit(rng.choice(x, n)))
        # KS p-value: how often data drawn from the fit, refitted, are as far from their own fit
        simulated = np.asarray(frozen.rvs(size=n, random_state=rng), dtype=float)
        if candidate.positive_only:
            simulated = np.maximum(simulated, np.finfo(float).tiny)
        exceed += _ks(candidate.fit(simulated), simulated) >= ks
    low, high = np.percentile(resampled, [2.5, 97.5], axis=0)
    return Fit(
        dist=candidate.name,
        params=dict(zip(candidate.params, values)),
        intervals={p: None if p in candidate.ends else (float(lo), float(hi))
                   for p, lo, hi in zip(candidate.params, low, high)},
        log_likelihood=loglik,
        aic=2 * candidate.k - 2 * loglik,
        ks_statistic=ks,
        p_value=(exceed + 1) / (bootstrap + 1),
        frozen=frozen,
    )


def fit_durations(values: Sequence[float], source: str, seed: int = 0,
                  bootstrap: int = BOOTSTRAP) -> list[Fit]:
    """Every candidate that applies to the data and can be fitted, best (smallest AIC) first."""
    return fit_all(values, source, seed, bootstrap)[0]


def fit_all(values: Sequence[float], source: str, seed: int = 0,
            bootstrap: int = BOOTSTRAP) -> tuple[list[Fit], dict[str, str]]:
    """The fits, best first, and the candidates that could not be fitted, with why.

    Data spanning many orders of magnitude (1e-9 h beside 1e5 h) defeat some estimators (gamma's
    shape equation has no finite root); such a candidate is left out and said, not a crash.
    """
    x = check_observations(values, source)
    candidates = [c for c in CANDIDATES if not (c.positive_only and np.any(x <= 0))]
    streams = np.random.SeedSequence(seed).spawn(len(CANDIDATES))
    fits: list[Fit] = []
    unfitted: dict[str, str] = {}
    for c in candidates:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                fit = fit_candidate(c, x, np.random.default_rng(streams[CANDIDATES.index(c)]), bootstrap)
        except (ArithmeticError, ValueError, RuntimeError) as exc:
            unfitted[c.name] = f"the estimate failed: {exc}"
            continue
        numbers = [*fit.params.values(), *(v for i in fit.intervals.values() if i for v in i)]
        if not all(math.isfinite(v) for v in numbers):
            unfitted[c.name] = "its parameters are not finite"
            continue
        fits.append(fit)
    if not fits:
        why = "; ".join(f"{name}: {reason}" for name, reason in unfitted.items())
        raise FitError(f"{source}: no candidate distribution could be fitted ({why}); check the values and "
                       f"their unit")
    return sorted(fits, key=lambda f: (f.aic if math.isfinite(f.aic) else math.inf, f.dist)), unfitted
