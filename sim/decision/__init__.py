"""Decision support: calibrate to observed figures, optimise levers, rank what matters.

Map of the sub-package (data flows top to bottom):
- targets.py     observed figures with tolerances (targets files), validated with the file and key path
- levers.py      numeric key paths with bounds (free parameters, levers) and their costs
- inputs.py      what the commands check against the scenario before anything runs (KPIs it can
                 produce, costs of a cost objective, sampler)
- evaluate.py    batches of candidates as executor tasks, common random numbers, resumable work
- search.py      seeded optuna samplers and fixed-size ask/tell batches
- proposals.py   distinct points for a search (a grid that fits is tried whole; repeats reuse results)
- ranking.py     candidates against today (paired), constraint verdicts and margins, the possible best
- calibrate.py   `calibrate`: fit parameters to targets; not-ruled-out ranges (history matching)
- optimize.py    `optimize`: objectives and constraints with confidence; Pareto fronts
- sensitivity.py `sensitivity`: Morris screening or Sobol indices (SALib)
- precision.py   `replicate_until_precise`: add replications until CIs are narrow enough
- errors.py      InputError (a bad targets file or option) and DecisionError (a search that cannot go on)
- files.py       the output directories, written atomically
Figures and tables are in sim.reporting (decision_plots, decision_tables); commands in sim.cli.decision.
KPIs over dated windows come from sim.analysis.window (daily series, day resolution).
"""
