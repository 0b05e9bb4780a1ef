"""Every command's output reads in a 100-column terminal: no printed line is wider than 100 columns.

Each command of `dostyk --help` runs here once, in this process, on the small scenarios the other CLI tests
use (a few days, 2 replications), with its tables and notes shown (not --quiet); its --help too. A line on
stdout or stderr (progress bars split at their carriage returns) may be wider only when what makes it wider
cannot be wrapped without changing it: a path or a URL (a word with a '/'), or a line of a document made for
another program that the command was asked to print — `schema`'s JSON and the Markdown table of `history
--markdown` / `--declared` (a Markdown table row must stay on one line). The rule: with such words taken out,
the line fits. A command added to `dostyk --help` without a case here fails `test_every_command_is_covered`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli.app import COMMANDS
from tests.cli.test_bad_inputs import MINI, run_main
from tests.cli.width import WIDTH, too_wide
from tests.conftest import ROOT, SCENARIOS
from tests.decision.conftest import SMALL
from tests.model.test_orders import STORY
from tests.validation.test_history_command import replay

TINY = MINI.replace("duration: 365d", "duration: 20d").replace("replications: 10", "replications: 2")
SHORT_SMALL = SMALL.replace("duration: 60d", "duration: 40d").replace("replications: 3", "replications: 2")
TARGETS = {"targets": [{"kpi": "tonnes_delivered", "value": 20000, "tolerance": "50%"},
                       {"kpi": "backlog_wagons_max", "window": {"from": "2024-01-15", "to": "2024-02-04"},
                        "value": 1500, "tolerance": "40%"}],
           "parameters": [{"path": "disruptions.hold.capacity", "low": 0.03, "high": 0.3}]}
EXPERIMENT = """\
baseline: mini.yaml
replications: 2
kpis: [backlog_wagons_mean, dwell_h_mean, tonnes_delivered@grain]
select: {kpi: backlog_wagons_mean, goal: min}
variants:
  eight-points: {unloading.grain.points: 8}
  fast-customs: {checks.customs.time.mean: 2h}
"""
FAST = ["--executor", "serial", "-n", "2"]
CORRIDOR = str(SCENARIOS / "corridor" / "corridor.yaml")

#: Each command's invocations (the first word is the command); `run` first: `report` and `kpis` read its results
CASES: list[list[str]] = [
    ["run", "mini.yaml", *FAST, "--out", "r", "--window", "2024-01-03:2024-01-10", "--at", "2024-01-12"],
    ["run", CORRIDOR, *FAST, "--set", "duration=15d", "--set", "warmup=0d", "--out", "rc", "--no-report"],
    ["validate", "mini.yaml"],
    ["validate", CORRIDOR],
    ["validate", "mini.yaml", "--resolved"],
    ["report", "r"],
    ["kpis", "r", "--window", "2024-01-03:2024-01-10", "--at", "2024-01-12"],
    ["schema"],
    ["sweep", "mini.yaml", *FAST, "--vary", "unloading.grain.points=4,6", "--vary", "checks.customs.trains_at_once=1,2",
     "--no-plots", "--out", "sw", "--set", "costs={wagon_day_usd: 25}"],
    ["sweep", CORRIDOR, *FAST, "--set", "duration=15d", "--set", "warmup=0d", "--no-plots", "--out", "swr",
     "--vary", "routing.grain.shares.altynkol=4,20"],
    ["compare", "mini.yaml", "mini.yaml", "--set", "2:unloading.grain.points=8", *FAST, "--out", "c",
     "--window", "2024-01-03:2024-01-10"],
    ["experiment", "exp.yaml", "--executor", "serial", "--out", "e"],
    ["warmup", "mini.yaml", *FAST, "--set", "duration=30d"],
    ["calibrate", "small.yaml", "--targets", "targets.yaml", "-N", "4", "--batch", "2", "--profile", "2", *FAST,
     "--out", "cal"],
    ["optimize", "small.yaml", "--lever", "unloading.grain.points=8:14", "--lever", "disruptions.hold.capacity=0.05:0.2",
     "--objective", "min:dwell_h_mean", "--constraint", "backlog_wagons_max<=3000",
     "--constraint", "dwell_h_mean<=200", "-N", "4", "--batch", "2", *FAST, "--out", "opt"],
    ["optimize", "small.yaml", "--lever", "unloading.grain.points=8:14", "--objective", "min:total_cost_usd",
     "--objective", "min:backlog_wagons_mean", "-N", "3", *FAST, "--out", "pareto"],
    ["sensitivity", "small.yaml", "--lever", "unloading.grain.points=8:14", "--lever", "costs.wagon_day_usd=10:40",
     "--kpi", "idle_cost_usd", "--trajectories", "2", *FAST, "--out", "sens"],
    ["history", "history", *FAST, "--out", "h"],
    ["history", "history", "--declared"],
    ["consignment", "story.yaml", "--wagons", "5", "--on", "2023-01-01T13:00", "--by", "2023-01-03", *FAST],
    ["consignment", "story.yaml", "--wagons", "5", "--on", "2023-01-01T13:00", *FAST, "--versus",
     "unloading.grain.points=2"],
    ["fit", "times.csv", "--column", "minutes", "--unit", "min", "--bootstrap", "19"],
    ["app", "--port", "0"],
]
#: Outputs that are documents for another program, asked for by name (see the module's docstring)
DOCUMENTS = {("schema",): "json", ("history", "--declared"): "markdown", ("history", "--markdown"): "markdown"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("width")
    (root / "mini.yaml").write_text(TINY, encoding="utf-8")
    (root / "small.yaml").write_text(SHORT_SMALL, encoding="utf-8")
    (root / "targets.yaml").write_text(yaml.safe_dump(TARGETS), encoding="utf-8")
    (root / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    (root / "story.yaml").write_text(yaml.safe_dump(STORY), encoding="utf-8")
    minutes = [95, 120, 143, 180, 176, 210, 160, 133, 250, 188, 171, 199, 142, 167, 230, 151, 205, 138, 184, 192]
    (root / "times.csv").write_text("minutes\n" + "\n".join(map(str, minutes)) + "\n", encoding="utf-8")
    replay(root, 160, 24)  # root/history: the smallest shipped replay, with a held-out and a fitted figure
    return root


def document_kind(args: list[str]) -> str | None:
    return next((kind for words in DOCUMENTS.items() for kind in [words[1]]
                 if all(w in args for w in words[0])), None)


def _serve_nothing(port: int, address: str, show: bool, ready) -> None:  # type: ignore[no-untyped-def]
    ready(f"http://{address}:{port or 5006}/")


def _case(i: int, args: list[str]) -> object:
    return pytest.param(args, id=" ".join(args[:2]) + f"-{i}")


@pytest.mark.parametrize("args", [_case(i, a) for i, a in enumerate(CASES)])
def test_no_printed_line_is_wider_than_the_terminal(args: list[str], workspace: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if args[0] == "app":
        pytest.importorskip("panel")
        monkeypatch.setattr("sim.app.server.serve", _serve_nothing)  # what it prints, without a server
    if args[0] in ("report", "kpis") and not (workspace / "r").is_dir():
        assert run_main(CASES[0], workspace)[0] == 0
    code, err, out = run_main([*args, "--force"] if "--out" in args else args, workspace)
    assert code in (0, 3, 4), err  # history exits 3 or 4 when a held-out figure does not agree
    assert out.strip(), "the command printed nothing"
    kind = document_kind(args)
    wide = too_wide(out, kind) + too_wide(err, kind)
    assert not wide, f"dostyk {' '.join(args)}: lines wider than {WIDTH} columns:\n" + "\n".join(wide)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_no_wider_than_the_terminal(command: str, workspace: Path) -> None:
    code, err, out = run_main([command, "--help"] if command else ["--help"], workspace)
    assert code == 0, err
    assert not too_wide(out, None), "\n".join(too_wide(out, None))


def test_every_command_is_covered() -> None:
    assert {args[0] for args in CASES} == set(COMMANDS)


def test_commands_print_through_the_fitting_echo() -> None:
    """Every line a command prints goes through sim.cli.options.echo, which wraps what runs past the terminal;
    `click.echo` is left for what is printed for another program to read, each such line marked `# raw:`."""
    raw = [f"{path.name}:{n}: {line.strip()}" for path in sorted((ROOT / "sim" / "cli").glob("*.py"))
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if "click.echo(" in line and "# raw:" not in line and not line.lstrip().startswith("#")]
    assert raw == [], "print with sim.cli.options.echo (or mark the line # raw: and say why):\n" + "\n".join(raw)
