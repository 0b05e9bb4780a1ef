"""A season compared, paired (docs/howto/compare-levers.md, "Over a season"): `compare` with
`--set warmup=… --set duration=…` counts exactly the days that `run --window` reads from the
daily series, replication by replication, so the paired differences are the season's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tests.cli.helpers import said as sentences
from tests.decision.conftest import SMALL

# SMALL starts on 1 January 2024: 31 days of warm-up, and 59 days end with 28 February
SEASON = ("2024-02-01", "2024-02-28")


def test_a_comparison_over_a_season_counts_the_days_run_window_reads(tmp_path: Path) -> None:
    from sim.cli import cli

    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    season = ["--set", "warmup=31d", "--set", "duration=59d"]
    compared = CliRunner().invoke(cli, ["compare", str(path), str(path), "--set", "2:unloading.grain.points=12",
                                        *season, "-n", "3", "--executor", "serial",
                                        "--out", str(tmp_path / "c")])
    assert compared.exit_code == 0, compared.output
    # the table says which days its KPIs cover (it said only the replications and the seed)
    assert "(all; 3 paired replications, seed 7; KPIs over 1–28 Feb 2024, after the warm-up)" in sentences(compared.output)
    assert "(all cargo; KPIs over 1–28 Feb 2024, after the warm-up)" in (tmp_path / "c" / "report.html").read_text(
        encoding="utf-8")
    ran = CliRunner().invoke(cli, ["run", str(path), "--set", "duration=59d", "-n", "3", "--executor", "serial",
                                   "--no-report", "--quiet", "--window", ":".join(SEASON), "--out", str(tmp_path / "r")])
    assert ran.exit_code == 0, ran.output
    kpis = pd.read_csv(tmp_path / "c" / "kpis.csv")
    base = kpis[(kpis["scenario"] == kpis["scenario"].iloc[0]) & (kpis["cargo"] == "grain")].set_index("replication")
    window = pd.read_csv(tmp_path / "r" / "windows.csv")
    window = window[(window["from"] == SEASON[0]) & (window["cargo"] == "grain")].set_index("replication")
    assert list(base.index) == list(window.index) == [0, 1, 2]
    assert (base["wagons_delivered"] == window["wagons_delivered"]).all()  # counts: exactly
    # the backlog held during the hold and after it: a real season, not an empty one
    assert (window["backlog_wagons_mean"] > 50).all()
    assert base["backlog_wagons_mean"].tolist() == pytest.approx(window["backlog_wagons_mean"].tolist(), rel=1e-9)


def test_a_comparison_without_warm_up_keeps_its_title(tmp_path: Path) -> None:
    from sim.cli import cli

    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    compared = CliRunner().invoke(cli, ["compare", str(path), str(path), "--set", "2:unloading.grain.points=12",
                                        "--set", "duration=20d", "-n", "2", "--executor", "serial", "--no-report",
                                        "--out", str(tmp_path / "c")])
    assert compared.exit_code == 0, compared.output
    assert "(all; 2 paired replications, seed 7)\n" in compared.output and "KPIs over" not in compared.output


def test_a_removed_key_is_labelled_as_typed() -> None:
    """`--set 2:checks.phytosanitary.hours=~` labelled the variant `(checks.phytosanitary.hours=None)`."""
    from sim.cli.experiments import variant_name

    assert variant_name("baseline_2023", {"checks.phytosanitary.hours": None}) == \
        "baseline_2023 (checks.phytosanitary.hours=~)"
    assert variant_name("b", {"routing.grain.share_unused": False}) == "b (routing.grain.share_unused=false)"
    assert variant_name("b", {"unloading.grain.points": 8}) == "b (unloading.grain.points=8)"


def test_compare_shows_the_recovery_after_each_disruption(tmp_path: Path) -> None:
    """`run` shows recovery per disruption because the pooled recovery_days mixes a long hold with short
    closures; compare's default table showed only the pooled line. It now adds one per disruption."""
    import re

    from sim.cli import cli

    path = tmp_path / "small.yaml"
    path.write_text(SMALL.replace("costs:", "  - {name: stop, from: 2024-02-15, to: 2024-02-16, target: unloading.grain,"
                                  " capacity: 0}\ncosts:"), encoding="utf-8")
    compared = CliRunner().invoke(cli, ["compare", str(path), str(path), "--set", "2:unloading.grain.points=12",
                                        "-n", "3", "--executor", "serial", "--no-report", "--out", str(tmp_path / "c")])
    assert compared.exit_code == 0, compared.output
    rows = {line.split()[0] for line in compared.output.splitlines() if line.startswith("recovery_days")}
    assert rows == {"recovery_days", "recovery_days.hold", "recovery_days.stop"}
    diff = pd.read_csv(tmp_path / "c" / "differences.csv").query("cargo == 'all' and kpi == 'recovery_days.hold'")
    line = next(ln for ln in compared.output.splitlines() if ln.startswith("recovery_days.hold "))  # the means' part
    shown = float(re.split(r"\s{2,}", line.strip())[2].replace(",", "").split()[0])
    assert shown == pytest.approx(float(diff["mean_baseline"].iloc[0]), rel=0.05)


def test_scenarios_counting_other_days_are_each_said(tmp_path: Path) -> None:
    """A baseline with a warm-up against a variant without one: the title said the baseline's days for both (the
    variant's totals covered 10 days more under that title); each scenario's days are said, in the terminal and
    in report.html, and the other way round too (a baseline without a warm-up said nothing)."""
    from sim.cli import cli

    (tmp_path / "warm.yaml").write_text(SMALL + "warmup: 10d\n", encoding="utf-8")
    (tmp_path / "cold.yaml").write_text(SMALL, encoding="utf-8")
    said = {"warm": "KPIs over 11–20 Jan 2024 for warm, 1–20 Jan 2024 for cold: not the same days",
            "cold": "KPIs over 1–20 Jan 2024 for cold, 11–20 Jan 2024 for warm: not the same days"}
    for first, second in (("warm", "cold"), ("cold", "warm")):
        out = tmp_path / f"c-{first}"
        compared = CliRunner().invoke(cli, ["compare", str(tmp_path / f"{first}.yaml"), str(tmp_path / f"{second}.yaml"),
                                            "--set", "duration=20d", "-n", "2", "--executor", "serial",
                                            "--out", str(out)])
        assert compared.exit_code == 0, compared.output
        assert f"(all; 2 paired replications, seed 7; {said[first]})" in sentences(compared.output), compared.output
        assert f"(all cargo; {said[first]})" in (out / "report.html").read_text(encoding="utf-8")


def test_recovery_rows_only_with_windows_to_recover_from(tmp_path: Path) -> None:
    """Without any disruption window the pooled recovery row read '– (n = 0 of 2 pairs recovered)', as if windows
    had never recovered; and report.html showed the pooled row only, not the recovery after each disruption that
    the terminal shows."""
    import re

    from sim.cli import cli

    stop = "  - {name: stop, from: 2024-01-10, to: 2024-01-11, target: unloading.grain, capacity: 0}\n"
    calm = SMALL[:SMALL.index("disruptions:")] + SMALL[SMALL.index("costs:"):]
    for name, text, rows in (("calm", calm, set()), ("stop", calm.replace("costs:", "disruptions:\n" + stop + "costs:"),
                                                           {"recovery_days", "recovery_days.stop"})):
        path, out = tmp_path / f"{name}.yaml", tmp_path / f"c-{name}"
        path.write_text(text, encoding="utf-8")
        compared = CliRunner().invoke(cli, ["compare", str(path), str(path), "--set", "2:unloading.grain.points=12",
                                            "--set", "duration=20d", "-n", "2", "--executor", "serial", "--out",
                                            str(out)])
        assert compared.exit_code == 0, compared.output
        assert {ln.split()[0] for ln in compared.output.splitlines() if ln.startswith("recovery_days")} == rows
        report = (out / "report.html").read_text(encoding="utf-8")
        assert set(re.findall(r"<td class=\"kpi\">(recovery_days[.\w-]*)</td>", report)) == rows, name
