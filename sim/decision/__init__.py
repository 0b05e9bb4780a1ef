"""Decision support: calibrate to observed figures, optimise levers, rank what matters.

Map of the sub-package (data flows top to bottom):
- targets.py     observed figures with tolerances (targets files), validated with the file and key path
- levers.py      numeric key paths with bounds (free parameters, levers) and their costs
- evaluate.py    batches of candidates as executor tasks, common random numbers, resumable work
- search.py      seeded optuna samplers and fixed-size ask/tell batches
- calibrate.py   `calibrate`: fit parameters to targets; not-ruled-out ranges (history matching)
- optimize.py    `optimize`: objectives and constraints with confidence; Pareto fronts
- sensitivity.py `sensitivity`: Morris screening or Sobol indices (SALib)
- precision.py   `replicate_until_precise`: add replications until CIs are narrow enough
- plots.py, report.py  figures, tables and output directories
- commands.py    the `dostyk calibrate / optimize / sensitivity` commands
KPIs over dated windows come from sim/window.py (daily series, day resolution).
"""

from sim.decision.calibrate import Calibration, calibrate
from sim.decision.levers import Lever
from sim.decision.optimize import Optimisation, optimize
from sim.decision.precision import PrecisionReport, replicate_until_precise
from sim.decision.sensitivity import Sensitivity, sensitivity
from sim.decision.targets import Target, TargetsFile, load_targets, targets_from_data

__all__ = ["Calibration", "Lever", "Optimisation", "PrecisionReport", "Sensitivity", "Target", "TargetsFile",
           "calibrate", "load_targets", "optimize", "replicate_until_precise", "sensitivity", "targets_from_data"]
