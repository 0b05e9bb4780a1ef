"""`dostyk history`: run every history replay and compare it with what its file declares.

Exit status 3 when a held-out figure (a prediction) disagrees with the model — the 95 % CI of the
model's mean lies entirely outside the figure's band: the model failed a test it was not fitted to.
Exit status 4 when none disagrees but some held-out figure is undecided (the CI straddles an edge of
the band): more replications (`-n`) decide. Fitted figures and checks are reported, never decisive.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.cli.folders import choose_out, default_out, identify, naming
from sim.cli.options import WORKERS, check_executor, echo
from sim.cli.outputs import claim_output
from sim.decision.files import write_tables
from sim.decision.history import (
    MAX_REPLICATIONS,
    check_history_runs,
    declarations,
    episode_summary,
    load_episodes,
    run_history,
    verdict,
)
from sim.reporting.history_tables import history_html, history_markdown, history_text

PREDICTION_FAILED_EXIT = 3
UNDECIDED_EXIT = 4
DEFAULT_DIRECTORY = "scenarios/history"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False), default=DEFAULT_DIRECTORY)
@click.option("--replications", "-n", type=click.IntRange(min=2, max=MAX_REPLICATIONS),
              help="Replications per replay (default: each file's own).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/history, with another DIRECTORY or -n: results/history+…-HASH).")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (docs/validation.md, History replays), not as columns.")
@click.option("--declared", is_flag=True, help="Print only what the replays declare, as Markdown; run nothing.")
@click.option("--executor", type=click.Choice(["process", "serial"]), default="process", show_default=True)
@click.option("--workers", type=WORKERS, help="Processes (default: all cores).")
@click.option("--force", is_flag=True, help="Replace an existing output directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
def history(directory: str, replications: int | None, out: str | None, markdown: bool, declared: bool,
            executor: str, workers: int | None, force: bool, quiet: bool) -> None:
    """Run every replay in DIRECTORY (default scenarios/history) against its declared figures.

    Each replay's evidence/NAME.yaml declares its observed figures, their tolerances (fixed before
    the run) and whether each was fitted, is held out (predicted) or holds by construction. Writes
    history.csv, history.json and history.html to OUT. A figure agrees when the 95 % CI of the
    model's mean lies inside its band, disagrees when it lies entirely outside, and is undecided
    otherwise. Exits 3 when a held-out figure disagrees, 4 when one is undecided (run more
    replications) and none disagrees.
    """
    episodes = load_episodes(directory)
    if declared:
        click.echo(history_markdown(declarations(episodes)), nl=False)  # raw: Markdown, a row to a line
        return
    check_history_runs(episodes, replications)  # before any output
    check_executor(executor)
    named, options = naming({}, "directory")
    if Path(options.get("directory", DEFAULT_DIRECTORY)) == Path(DEFAULT_DIRECTORY):  # the same replays
        options.pop("directory", None)
    identity = identify("history", directory, changes=named, options=options)  # its input: the replays' folder
    out_dir = choose_out(out, default_out("history", changes=named, options=options), Path("results") / "history",
                         identity)
    with claim_output(out_dir, force, False, identity) as claim:
        table = run_history(episodes, replications, executor, workers, progress=not quiet)
        said = verdict(table)
        meta = {"kind": "history", "directory": directory, "episodes": len(episodes),
                "replications": replications or "each file's own", "figures": len(table), "verdict": said,
                "replays": episode_summary(episodes), "rows": json.loads(table.to_json(orient="records"))}
        claim.mark(meta)  # whose folder this is (choose_out)
        def page(directory: Path) -> None:
            (directory / "history.html").write_text(history_html(table, meta), encoding="utf-8")

        write_tables(out_dir, force, {"history.csv": table}, meta, "history.json", extra=page)
        claim.finish(0)
    if markdown:
        click.echo(history_markdown(table), nl=False)  # raw: Markdown, a row to a line
    elif not quiet:
        echo(history_text(table), nl=False)
    echo(f"History written to {out_dir}")
    if not said["passed"]:
        echo(said["text"], err=True)
        raise SystemExit(PREDICTION_FAILED_EXIT if said["failed"] else UNDECIDED_EXIT)
    echo(said["text"])
