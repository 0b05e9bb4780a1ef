"""Pure functions from observations to numbers: no simulation, no files.

- `metrics`: KPIs, daily series, events and dwell quantiles of one replication
- `stats`: means, standard deviations and Student-t confidence intervals across replications
- `warmup`: MSER-5 on a daily series
- `selection`: subset selection of the possible best among systems (common random numbers)
- `input_fit`: scenario distributions fitted to observed durations (input analysis)
"""
