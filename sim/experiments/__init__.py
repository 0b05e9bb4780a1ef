"""Experiments: replications of scenarios, where they run, and what comes back.

- `replication`: one replication → ReplicationResult (the unit every executor runs)
- `task`: Task (one replication as plain data), `execute` (what every worker runs), TaskError
- `executors`: serial, local processes, `make_executor`; `dask_executor`: Dask clusters
- `worker_warnings`: what a task warns of in a worker process, said in this one
- `runner`: run a scenario's replications (resumable), `run_tasks`, Interrupted
- `workdir`: finished tasks kept on disk until the results are written
- `identity`: whose a results folder or its unfinished work is (command, scenario, file, options)
- `results`: Results (DataFrames) and the results directory
- `sweep`, `compare`, `warmup`: grids of levers, paired comparisons, warm-up suggestions
- `atomic`: directories that appear complete or not at all
"""
