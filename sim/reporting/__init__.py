"""What people read: figures, the HTML report and terminal tables (nothing here runs the model).

- `plots`: the public figures (backlog, held trains, deliveries, dwell, utilisation, KPI comparison,
  sweeps, warm-up); each returns a matplotlib Figure the caller closes
- `figures`, `timeline`, `labels`: figure basics, time axes with shaded events, KPI units
- `periods`: a period of dates in words, without pandas (`dostyk validate` uses it)
- `sweep_plots`: a KPI against a lever with its CI band, two-lever heat maps
- `fit_plots`: observed durations with the fitted densities (`dostyk fit`)
- `report`: the self-contained report.html
- `tables`: plain-text KPI tables
"""
