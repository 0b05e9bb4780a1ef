"""The optuna side of a search: seeded samplers, fixed-size ask/tell batches, workdir set-up.

Batches have a fixed size and every candidate of a batch is asked before any is told, so the
sequence of candidates depends only on the seed and on the values told, never on which worker
finished first. Replaying a search with the same seed therefore proposes the same candidates, and
with a work directory their tasks are found there: that is how an interrupted search resumes.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from sim.decision.errors import DecisionError
from sim.errors import option

SAMPLERS = ("tpe", "cmaes", "random")


def make_study(sampler: str, seed: int, directions: list[str], n_startup: int = 10) -> Any:
    """A quiet in-memory optuna study with a seeded sampler (tpe, cmaes or random)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sampler == "tpe":
        # multivariate TPE models the levers jointly; it is flagged experimental, which is only a notice
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            s: Any = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup, multivariate=True,
                                                constant_liar=True)
    elif sampler == "cmaes":
        if len(directions) > 1:
            raise DecisionError("the cmaes sampler handles one objective; "
                                f"{option('use --sampler tpe', 'use sampler=' + repr('tpe'))} for several")
        try:
            import cmaes  # noqa: F401
        except ImportError:
            raise DecisionError("the cmaes sampler needs the cmaes package: pip install cmaes") from None
        s = optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=n_startup, warn_independent_sampling=False)
    elif sampler == "random":
        s = optuna.samplers.RandomSampler(seed=seed)
    else:
        raise DecisionError(f"unknown sampler {sampler!r}; expected one of: {', '.join(SAMPLERS)}")
    return optuna.create_study(sampler=s, directions=directions)  # type: ignore[arg-type]


def ask_batch(study: Any, distributions: dict[str, Any], size: int) -> list[Any]:
    """`size` trials asked before any is told (a fixed batch keeps parallel runs reproducible)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. constant_liar is experimental
        return [study.ask(distributions) for _ in range(size)]


def open_workdir(workdir: str | os.PathLike[str] | None, resume: bool, manifest: dict[str, Any]) -> Any:
    """A WorkDir for the search's tasks (None when not asked)."""
    if workdir is None:
        return None
    from sim.experiments.workdir import WorkDir

    return WorkDir.open(workdir, resume=resume, manifest=manifest)  # not Path(""): the current directory
