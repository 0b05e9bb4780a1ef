"""The `dostyk` command line: run, validate and describe scenarios.

Bad input ends with a message naming the file, the key and what was expected, and exit status 2;
never a traceback (set DOSTYK_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from sim.loader import ScenarioError, load_scenario, parse_yaml
from sim.results import Results, ResultsExistError

HEADLINE_KPIS = [
    "tonnes_delivered", "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max",
    "held_trains_mean", "dwell_h_mean", "dwell_h_p90", "unload_wait_h_mean", "unloading_utilization",
    "stop_loading_days", "tonnes_deferred", "tonnes_lost", "idle_cost_usd", "recovery_days",
]


def parse_sets(values: tuple[str, ...]) -> dict[str, Any]:
    """`key.path=value` pairs; values are read as YAML scalars (10, 2h, [a, b])."""
    out: dict[str, Any] = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        try:
            out[key] = parse_yaml(raw, f"--set {key}")
        except ScenarioError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
    return out


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def format_summary(summary, kpis: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """A KPI table: one row per KPI, one column per cargo, 'mean ± CI half-width'."""
    import math

    kpis = kpis or HEADLINE_KPIS
    cargos = list(dict.fromkeys(summary["cargo"]))
    rows = []
    for kpi in kpis:
        sub = summary[summary["kpi"] == kpi]
        if sub.empty:
            continue
        cells = [kpi]
        for c in cargos:
            r = sub[sub["cargo"] == c]
            if r.empty or not math.isfinite(r["mean"].iloc[0]):
                cells.append("–")
                continue
            mean, hi = r["mean"].iloc[0], r["ci95_high"].iloc[0]
            half = hi - mean if math.isfinite(hi) else float("nan")
            cells.append(f"{mean:,.4g} ± {half:,.2g}" if math.isfinite(half) else f"{mean:,.4g}")
        rows.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(["KPI (mean ± 95% CI)", *cargos], *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(["KPI (mean ± 95% CI)", *cargos], widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dostyk-sim")
def cli() -> None:
    """Simulate the Dostyk–Alashankou rail border crossing."""


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Results directory (default results/<name>).")
@click.option("--force", is_flag=True, help="Replace an existing results directory.")
@click.option("--executor", type=click.Choice(["process", "serial"]), default="process", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
def run(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], out: str | None,
        force: bool, executor: str, workers: int | None, quiet: bool) -> None:
    """Run SCENARIO's replications and write a results directory."""
    from sim.experiment import run as run_experiment

    scen = load_scenario(scenario, parse_sets(sets))
    out_dir = Path(out) if out else Path("results") / _safe_name(scen.name)
    if out_dir.exists() and not force:
        _fail(f"{out_dir} already exists; use --force to replace it, or --out DIR")
    results = run_experiment(scen, replications, seed, executor=executor, workers=workers, progress=not quiet)
    written = results.write(out_dir, force=force, extra=_report_writer(results))
    if not quiet:
        click.echo("")
        click.echo(format_summary(results.summary()))
        click.echo("")
    click.echo(f"Results written to {written}")


def _report_writer(results: Results):  # type: ignore[no-untyped-def]
    """Plots and report.html, when the report module is available."""
    try:
        from sim import report
    except ImportError:
        return None
    return lambda directory: report.write_report(results, directory)


def _safe_name(name: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip("._")
    return safe or "scenario"


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE")
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check SCENARIO and print what it describes."""
    s = load_scenario(scenario, parse_sets(sets))
    click.echo(f"{scenario}: valid scenario {s.name!r}")
    click.echo(f"  {len(s.cargo)} cargo ({', '.join(s.cargo)}), {len(s.checks)} checks, "
               f"{len(s.disruptions)} disruptions, {s.duration / 24:g} days from {s.start}, "
               f"{s.replications} replications, seed {s.seed}")


@cli.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Rebuild plots/ and report.html of RESULTS_DIR from its files (atomically)."""
    from sim.report import rebuild_report

    try:
        path = rebuild_report(results_dir)
    except FileNotFoundError as exc:
        _fail(f"{results_dir}: {exc}" if str(results_dir) not in str(exc) else str(exc))
        return
    click.echo(f"Report written to {path}")


@cli.command()
def schema() -> None:
    """Print the scenario format as JSON Schema."""
    from sim.scenario import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


def main(argv: list[str] | None = None) -> None:
    """Entry point: turn known errors into clear messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="dostyk", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("Interrupted.", 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ScenarioError as exc:
        _fail(str(exc))
    except ResultsExistError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("Interrupted; nothing was written.", 130)
    except Exception as exc:  # an internal error: say so plainly
        if os.environ.get("DOSTYK_DEBUG"):
            raise
        _fail(f"dostyk: internal error: {type(exc).__name__}: {exc} (set DOSTYK_DEBUG=1 for details)", 1)


if __name__ == "__main__":
    main()
