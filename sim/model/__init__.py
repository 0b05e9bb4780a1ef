"""The crossing as a SimPy model (no files, no printing, no plotting).

- `crossing`: CrossingModel — one replication; a train's journey, one generator per stage
- `origin`: trains, the demand's rate, where trains wait to be loaded (stop-loading, fleet)
- `gates`: admission to a stage (priority queue, slots, daily quota, hours, disruptions)
- `unloading`: the closed-form FIFO schedule of a train's wagons over the unloading points
- `availability`: working hours and closed windows, and work that pauses between them
- `disruptions`: disruption windows laid out before the run, and each target's schedule
- `rng`: named random streams keyed by (seed, replication, element)
- `recorder`, `levels`: observations folded day by day into Observations
"""
