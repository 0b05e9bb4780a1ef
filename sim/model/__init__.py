"""The corridor as a SimPy model (no files, no printing, no plotting).

- `crossing`: CrossingModel — one replication of the corridor: demand, policies, the daily fold
- `journey`: one crossing's stages, and a train's journey through them, one generator per stage
- `train_process`: a journey driven through SimPy's events without a Process (no event for its end)
- `border_backlog`: a crossing's border backlog, exact at any time, for the policies that watch it
- `stop_loading`: the stop-loading dispatcher (asleep while nothing is halted and no arrival needs it)
- `scheduled`: a callback scheduled at a time and a priority among its instant's events
- `views`: the replication and a crossing as their parts see them (Protocols), so no part imports upward
- `origin`: trains, the demand's rate, where trains wait to be loaded (halts, bans, fleet, rate, routing)
- `loading`: the origin's loading rate (a token bucket in wagons)
- `routing`: smooth weighted round-robin shares, diversion and re-routing rules between crossings
- `bans`: dated loading bans (`demand.<cargo>`) as a timetable per cargo and crossing
- `gates`: admission to a stage (priority queue, slots, daily quota, hours, disruptions)
- `room`, `room_log`: what a crossing can take beyond its own share, and what routing by room reports
- `rerouting`: trains already formed re-routed to another crossing, after a detour
- `shares`: a daily quota shared between cargo by weights
- `yard_shares`: the yard's room reserved between cargo by weights
- `rejects`: refusals at a check (wagons sent back loaded)
- `initial`: a start from a reported state (trains in the yard, held, en route)
- `unloading`: the closed-form FIFO schedule of a train's wagons over the unloading points
- `availability`: working hours and closed windows, and work that pauses between them
- `disruptions`: disruption windows laid out before the run, and each target's schedule
- `rng`: named random streams keyed by (seed, replication, element)
- `recorder`, `levels`, `observations`: observations folded day by day, per lane, into Observations
"""
