"""`dostyk calibrate A.yaml B.yaml … --shared PATH=LOW:HIGH --hold-out NAME`: fit on some episodes,
predict the others (sim.decision.joint)."""

from __future__ import annotations

from pathlib import Path

from sim.cli.folders import choose_out, default_out, identify, naming
from sim.cli.options import check_executor, echo, fail
from sim.cli.outputs import claim_output
from sim.decision.files import write_tables
from sim.decision.history import Episode, evidence_path, load_episode
from sim.decision.joint import joint_calibrate, plan_joint
from sim.decision.levers import parse_lever_option
from sim.decision.targets import check_against, load_targets
from sim.reporting.decision_tables import fit_table, num
from sim.reporting.history_tables import band_text
from sim.reporting.terminal import table
from sim.scenario.loader import load_scenario


def _episodes(scenarios: tuple[str, ...], targets: tuple[str, ...]) -> list[Episode]:
    if targets and len(targets) != len(scenarios):
        fail(f"calibrate: {len(scenarios)} scenarios but {len(targets)} --targets files; give one per scenario, in "
             "order, or none to use each history replay's evidence/NAME.yaml", 2)
    out = []
    for i, s in enumerate(scenarios):
        if not targets:
            if not evidence_path(Path(s)).is_file():
                fail(f"calibrate: {s} has no {evidence_path(Path(s))}; give --targets for each scenario", 2)
            out.append(load_episode(s))
            continue
        scenario, spec = load_scenario(s), load_targets(targets[i])
        check_against(spec, scenario, targets[i], own_parameters=False)
        out.append(Episode(Path(s).stem, Path(s), scenario, spec))
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        fail("calibrate: two scenarios have the same file name; episodes are named by it", 2)
    return out


def joint_command(scenarios: tuple[str, ...], targets: tuple[str, ...], shared: tuple[str, ...],
                  hold_out: tuple[str, ...], candidates: int, profile: int, replications: int, batch: int,
                  seed: int | None, out: str | None, executor: str, workers: int | None, force: bool,
                  quiet: bool) -> None:
    """Run the joint fit, write candidates.csv, fit.csv, figures.csv and print the fit and predictions."""
    episodes = _episodes(scenarios, targets)
    levers = [parse_lever_option(x, "--shared") for x in shared]
    hold_out = tuple(sorted(set(hold_out)))  # which episodes are held out, not in what order (nor how often)
    plan_joint(episodes, levers, list(hold_out), candidates, replications, profile)  # refused before any output
    check_executor(executor)
    named, options = naming({}, "targets_paths", "shared", "hold_out", "candidates", "profile", "batch")
    if "hold-out" in options:
        options["hold-out"] = hold_out
    title = "joint-" + "-".join(e.name for e in episodes) + "-calibration"  # the episodes, by their files' names
    identity = identify("calibrate", scenarios, changes=named, options=options)  # the episodes' files, in order
    out_dir = choose_out(out, default_out(title, changes=named, options=options),
                         Path("results") / "joint-calibration", identity)
    with claim_output(out_dir, force, False, identity) as claim:
        result = joint_calibrate(episodes, levers, list(hold_out), candidates, replications, batch,
                                 16 if seed is None else seed, executor, workers, profile)
        claim.mark(result.metadata)  # whose folder this is (choose_out)
        write_tables(out_dir, force, {"candidates.csv": result.candidates, "fit.csv": result.fit,
                                      "figures.csv": result.figures}, result.metadata, "calibration.json")
        claim.finish(0)
    if not quiet:
        echo(f"Fitted on {len(episodes) - len(hold_out)} episode(s), {replications} replications per candidate\n"
             + fit_table(result.fit, len(result.candidates)))
        rows = [[f.episode, f.figure, f"{num(f.observed)} ({band_text(f.tolerance_low, f.tolerance_high)})",
                 f"{num(f.model_mean)} ({num(f.model_ci95_low)} to {num(f.model_ci95_high)})", f.use,
                 f.agreement] for f in result.figures.itertuples()]
        echo("\n" + table(["episode", "figure", "observed (tolerance)", "model at best (95 % CI)", "use",
                                 "verdict (CI against tolerance)"], rows))
    echo(f"Calibration written to {out_dir}")
