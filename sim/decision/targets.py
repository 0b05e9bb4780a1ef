"""Calibration targets: observed figures (a KPI, optionally over dated days) with a tolerance.

    targets:
      - {kpi: tonnes_delivered, cargo: grain, value: 2230000, tolerance: 5%}
      - {kpi: backlog_wagons_max, window: {from: 2024-01-01, to: 2024-01-31}, value: 3500, tolerance: 30%}
      - {kpi: backlog_wagons_end, at: 2024-01-20, value: 3000, tolerance: 1000}
      - {kpi: wagons_rejected, at_least: 360}      # a one-sided figure: "more than 360 wagons"
    parameters:
      - {path: unloading.grain.points, low: 4, high: 10}
      - {path: disruptions.admin-hold.capacity, low: 0.05, high: 0.6}

Without `window` or `at`, a target is a whole-run KPI (sim/metrics.py); with `window`, a KPI
over those calendar days (sim.analysis.window, day resolution); with `at`, a value at the end of that
day. Tolerance is a percentage of `value` ("5%") or an absolute amount in the KPI's unit;
`tolerance_derivation:` says where it comes from (a history replay requires it, sim.decision.history).
A source that states only a bound ("more than 360 wagons") is written as that bound, `at_least:` or
`at_most:`, instead of `value` and `tolerance`: a target gives one or the other, never both.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sim.analysis.metrics import KPI_NAMES
from sim.analysis.stats import corridor_rows
from sim.analysis.window import AT_DATE_KPIS, WINDOW_KPIS, at_date, check_window, window_kpis
from sim.decision.errors import InputError
from sim.decision.inputs import kpi_problem
from sim.decision.levers import Lever, resolve
from sim.scenario.base import Date, visible
from sim.scenario.errors import ScenarioError, describe_validation_error
from sim.scenario.file_kinds import TARGETS, wrong_kind
from sim.scenario.input_file import not_a_path
from sim.scenario.quoting import kind_in_words
from sim.scenario.schema import Scenario
from sim.scenario.spelling import Spelled, spelled_in
from sim.scenario.user_file import read_mapping, read_text

#: how a figure bounds the model, as tables say it
SIDED = {None: "two-sided", "at_least": "at least", "at_most": "at most"}


def parse_tolerance(value: Any) -> tuple[float, bool]:
    """'5%' -> (0.05, relative); 300 -> (300.0, absolute). Must be above 0."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            amount = float(value.strip()[:-1]) / 100.0
        except ValueError:
            raise ValueError(f"expected a percentage such as 5% or an amount in the KPI's unit, got {value!r}") from None
        relative = True
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount, relative = float(value), False
    else:
        raise ValueError(f"expected a percentage such as 5% or an amount in the KPI's unit, got {kind_in_words(value)}")
    if not math.isfinite(amount) or amount <= 0:
        raise ValueError(f"a tolerance must be above 0 (a simulation never meets a figure exactly), got {value!r}")
    return amount, relative


def _tolerance(value: Any) -> Any:
    return value if isinstance(value, tuple) else parse_tolerance(value)


Tolerance = Annotated[tuple[float, bool], BeforeValidator(_tolerance)]


def _not_a_truth_value(value: Any) -> Any:
    """YAML reads `yes`, `no`, `on`… as true/false, which would pass as 1 and 0."""
    if isinstance(value, bool):
        raise ValueError("expected a number in the KPI's unit, got a yes/no value (YAML reads unquoted yes/no, on/off "
                         "and true/false as one)")
    return value


#: an observed number (a value or a bound)
Figure = Annotated[float, BeforeValidator(_not_a_truth_value)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Window(_Model):
    from_: Date = Field(alias="from")
    to: Date

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.to < self.from_:
            raise ValueError(f"the window ends ({self.to}) before it starts ({self.from_})")
        return self


class Target(_Model):
    """One observed figure the model should reproduce."""

    kpi: str
    cargo: str = "all"
    value: Figure | None = None
    tolerance: Tolerance | None = None
    at_least: Figure | None = Field(None, description="a one-sided figure: the source says 'more than' this")
    at_most: Figure | None = Field(None, description="a one-sided figure: the source says 'at most' this")
    window: Window | None = None
    at: Date | None = None
    name: Annotated[str, Field(max_length=80), AfterValidator(visible)] | None = None
    source: str = Field("", max_length=500, description="where the figure comes from")
    crossing: str | None = Field(None, description="one crossing's rows (default: the whole corridor's)")
    # a history replay's figure (sim.decision.history): fitted to, held out (predicted), or a check
    # that holds by construction; its tolerance is fixed in the file before the run
    role: Literal["fitted", "held_out", "check"] | None = None
    fitted: str = Field("", max_length=300, description="what was fitted to this figure (role: fitted)")
    derivation: str = Field("", max_length=300, description=("how the value follows from the observed figures "
                                                             "`source` names, when it is none of their numbers"))
    tolerance_derivation: str = Field("", max_length=300, description=("where the tolerance comes from: the range "
                                                                       "a source row states, or an ASSUMPTION"))

    @model_validator(mode="after")
    def _sided(self) -> Target:
        two = [k for k in ("value", "tolerance") if getattr(self, k) is not None]
        two += ["tolerance_derivation"] if self.tolerance_derivation.strip() else []
        one = [k for k in ("at_least", "at_most") if getattr(self, k) is not None]
        if one and two:
            raise ValueError(f"`{one[0]}` (a one-sided bound) cannot be given with `{two[0]}` (a figure ± its "
                             "tolerance): give `value` and `tolerance` for a figure with an error band, or "
                             f"`{one[0]}` alone for a bound the source states ('more than 360 wagons')")
        if len(one) == 2:
            raise ValueError("give `at_least` or `at_most`, not both: a range the source states is `value` (its "
                             "middle) and `tolerance` (half its width), with `tolerance_derivation` saying so")
        if not one and (self.value is None or self.tolerance is None):
            missing = "value" if self.value is None else "tolerance"
            raise ValueError(f"missing `{missing}`: give `value` and `tolerance` (a figure ± its tolerance), or "
                             "`at_least` / `at_most` alone (a one-sided figure)")
        return self

    @model_validator(mode="after")
    def _known_kpi(self) -> Target:
        if self.window is not None and self.at is not None:
            raise ValueError("give either `window` (a KPI over days) or `at` (a value at the end of a day), not both")
        if self.window is not None:
            known = list(WINDOW_KPIS)
        elif self.at is not None:
            known = list(AT_DATE_KPIS)
        else:
            known = KPI_NAMES
        if self.kpi not in known and not (self.window is None and self.at is None and self.kpi.startswith("recovery_days.")):
            kind = "with a window" if self.window else "at a date" if self.at else "over the whole run"
            raise ValueError(f"unknown KPI {self.kpi!r} {kind}; expected one of: {', '.join(known)}")
        return self

    @property
    def one_sided(self) -> str | None:
        """'at_least' or 'at_most' for a one-sided figure, None for a figure ± its tolerance."""
        return "at_least" if self.at_least is not None else "at_most" if self.at_most is not None else None

    @property
    def observed(self) -> float:
        """The number the source states: the value, or the bound of a one-sided figure."""
        found = self.value if self.value is not None else self.at_least if self.at_least is not None else self.at_most
        assert found is not None  # _sided
        return found

    @property
    def tolerance_abs(self) -> float:
        """The tolerance in the KPI's unit (inf for a one-sided figure: no tolerance, a bound)."""
        if self.tolerance is None:
            return math.inf
        amount, relative = self.tolerance
        return amount * abs(self.observed) if relative else amount

    @property
    def band(self) -> tuple[float, float]:
        """Where the figure says the model should be: value ± tolerance, or [at_least, inf), (-inf, at_most]."""
        if self.at_least is not None:
            return self.at_least, math.inf
        if self.at_most is not None:
            return -math.inf, self.at_most
        return self.observed - self.tolerance_abs, self.observed + self.tolerance_abs

    def misfit(self, mean: float) -> float:
        """How far a model mean is from the figure, in the figure's own unit: (mean − value) / tolerance;
        for a one-sided figure 0 on its side and the shortfall relative to the bound beyond it (the source
        gives no tolerance; a bound of 0 counts the shortfall in the KPI's unit)."""
        if self.one_sided is None:
            return (mean - self.observed) / self.tolerance_abs
        low, high = self.band
        beyond = low - mean if mean < low else mean - high if mean > high else 0.0
        return beyond / (abs(self.observed) or 1.0)

    @property
    def label(self) -> str:
        """A short unique-ish name: `name`, or kpi[cargo] plus its window or date."""
        if self.name:
            return self.name
        text = f"{self.kpi}[{self.cargo}]"
        if self.window is not None:
            text += f" {self.window.from_}..{self.window.to}"
        elif self.at is not None:
            text += f" at {self.at}"
        return text

    def measure(self, result: Any) -> float:
        """This target's value in one replication's result (KPIs, and daily series for dated targets)."""
        if self.window is not None:
            frame = window_kpis(result.daily, self.window.from_, self.window.to, [self.kpi])
        elif self.at is not None:
            frame = at_date(result.daily, self.at, [self.kpi])
        else:
            frame = result.kpis
            if self.kpi not in frame.columns:
                return math.nan
        if self.crossing is not None and "crossing" in frame.columns:
            frame = frame[frame["crossing"] == self.crossing]
        else:
            frame = corridor_rows(frame)  # with several crossings, a target is the whole corridor's
        rows = frame.loc[frame["cargo"] == self.cargo, self.kpi]
        return float(rows.iloc[0]) if len(rows) else math.nan

    @property
    def dated(self) -> bool:
        return self.window is not None or self.at is not None


class TargetsFile(_Model):
    targets: list[Target] = Field(min_length=1)
    parameters: list[Lever] = Field(default_factory=list)


def check_against(spec: TargetsFile, scenario: Scenario, source: str, own_parameters: bool = True) -> list[Lever]:
    """Targets must name the scenario's cargo, lie inside its simulated days, have a tolerance above 0
    and name a KPI the scenario can produce; parameters must be levers (sim.decision.levers.resolve).
    Returns the resolved parameters. Everything a calibration can check before it runs.

    `own_parameters=False` for a file that need not free any parameter of its own: a history replay's
    evidence (it only declares figures) or an episode of a joint fit (the shared parameters are given
    on the command line)."""
    first = scenario.start
    last = first + dt.timedelta(days=max(1, math.ceil(scenario.duration / 24)) - 1)
    cargos = [*scenario.cargo, "all"]
    problems = []
    labels: dict[str, int] = {}
    for i, t in enumerate(spec.targets):
        if t.cargo not in cargos:
            problems.append((f"targets[{i}].cargo", f"unknown cargo {t.cargo!r}; expected one of: {', '.join(cargos)}"))
        crossings = [x for x, _ in scenario.crossing_specs()]
        if t.crossing is not None and t.crossing not in crossings:
            problems.append((f"targets[{i}].crossing", (f"unknown crossing {t.crossing!r}; expected one of: "
                                                       f"{', '.join(crossings)}")))
        if t.window is not None:
            why = check_window(t.window.from_, t.window.to, first, last)
            if why:
                problems.append((f"targets[{i}].window", why))
        if t.at is not None and not first <= t.at <= last:
            problems.append((f"targets[{i}].at", f"the date {t.at} is not inside the simulated days {first} to {last}"))
        if t.one_sided is None and t.tolerance is not None and t.tolerance_abs == 0:
            problems.append((f"targets[{i}].tolerance", (f"{t.tolerance[0] * 100:g}% of a value of 0 is 0 (a simulation "
                                                         "never meets a figure exactly); give the tolerance as an "
                                                         "amount in the KPI's unit, e.g. tolerance: 1")))
        why = None if t.dated else kpi_problem(scenario, t.kpi)
        if why is not None:
            problems.append((f"targets[{i}].kpi", why))
        if t.label in labels:
            problems.append((f"targets[{i}]", (f"the same target as targets[{labels[t.label]}] ({t.label}); "
                                              "give it a different `name` or remove one")))
        labels.setdefault(t.label, i)
    if own_parameters and not spec.parameters:
        problems.append(("parameters", "calibration needs at least one free parameter (path, low, high)"))
    if problems:
        raise InputError(source, problems, "invalid targets file")
    return resolve(scenario, spec.parameters, source, what="invalid targets file")


def load_targets(path: str | os.PathLike[str]) -> TargetsFile:
    """Read and validate a targets file (safe YAML; errors name the file and key path)."""
    why = not_a_path(path, "a targets file (.yaml)")
    if why is not None:
        raise InputError("sim.load_targets", [("path", why)], "invalid argument")
    return targets_from_data(read_targets_data(path), str(path), spelled_in(lambda: read_text(path, "")))


#: what a targets file holds, for a file that holds something else
TARGETS_KEYS = "a mapping with `targets:` (and `parameters:`)"


def read_targets_data(path: str | os.PathLike[str], what: str = "invalid targets file",
                      expected: str = TARGETS_KEYS, kind: str = "a targets file (.yaml)") -> dict[str, Any]:
    """The mapping in a targets file (or a file of figures of another `kind`), not yet validated, read as
    every file a user writes is (sim.scenario.user_file: the same refusals in the same words), under the
    heading `what`."""
    try:
        return read_mapping(path, kind, expected)
    except ScenarioError as exc:
        raise InputError(str(path), exc.problems, what) from None


def targets_from_data(data: Any, source: str = "targets", spelled: Spelled | None = None) -> TargetsFile:
    """Validate already-parsed targets (a mapping with `targets:` and optional `parameters:`); `spelled`: how
    the file wrote its values, for a hint to quote one back as written (`name: "on"`, sim.scenario.spelling)."""
    if not isinstance(data, dict):
        raise InputError(source, [("", f"expected {TARGETS_KEYS}, got {kind_in_words(data)}")],
                         "invalid targets file")
    other = wrong_kind(data, TARGETS)  # a scenario or an experiment file given as --targets
    if other is not None:
        raise InputError(source, [("", other)], "invalid targets file")
    try:
        return TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, describe_validation_error(exc, spelled), "invalid targets file") from None


def targets_table(targets: list[Target]) -> pd.DataFrame:
    """The targets as a table (for reports and files)."""
    return pd.DataFrame([{
        "target": t.label, "kpi": t.kpi, "cargo": t.cargo,
        "from": t.window.from_ if t.window else (t.at if t.at else None),
        "to": t.window.to if t.window else (t.at if t.at else None),
        "observed": t.observed, "tolerance": t.tolerance_abs if t.one_sided is None else math.nan,
        "sided": SIDED[t.one_sided], "source": t.source,
    } for t in targets])
