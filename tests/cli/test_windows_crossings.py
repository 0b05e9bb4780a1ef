"""`--window`, `--at` and `dostyk kpis` per crossing: one block per crossing and one for the corridor by
default, `--crossing NAME` for one; every printed figure is the one in windows.csv and daily.csv."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from tests.model.test_routing import corridor

WINDOW = ("2023-01-05", "2023-01-10")
AT = "2023-01-12"
HEADS = ["Crossing dostyk", "Crossing altynkol", "Whole corridor (every crossing)"]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from sim.cli import cli

    tmp = tmp_path_factory.mktemp("two")
    s = corridor(duration="20d", loading={"x": {"wagons_per_day": 100}})
    (tmp / "two.yaml").write_text(yaml.safe_dump(s.to_dict(), sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp / "two.yaml"), "-n", "2", "--executor", "serial", "--no-report",
                                      "--out", str(tmp / "r"), "--window", ":".join(WINDOW), "--at", AT])
    assert result.exit_code == 0, result.output
    return tmp / "r", result.output


def _blocks(text: str) -> dict[str, str]:
    """Text of each 'Crossing …' / 'Whole corridor' block of the window output."""
    found = {}
    pattern = re.compile(r"^(Crossing \w+|Whole corridor \(every crossing\))\nWindow ", re.M)
    starts = [(m.group(1), m.start()) for m in pattern.finditer(text)]
    for i, (head, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        found[head] = text[start:end]
    return found


def _value(block: str, kpi: str) -> float:
    """The `all` column of a KPI's row, in the first table of the block that has it ('1,234 ± 0')."""
    line = next(ln for ln in block.splitlines() if ln.startswith(kpi + " "))
    return float(line.split()[-3].replace(",", ""))


def test_run_prints_one_block_per_crossing_then_the_corridor(ran: tuple[Path, str]) -> None:
    out_dir, text = ran
    blocks = _blocks(text)
    assert list(blocks) == HEADS
    w = pd.read_csv(out_dir / "windows.csv").query("cargo == 'all'")
    daily = pd.read_csv(out_dir / "daily.csv").query("cargo == 'all'")
    for head, block in blocks.items():
        name = "all" if head.startswith("Whole") else head.split()[1]
        mine = w[w["crossing"] == name]
        span = mine[(mine["from"] == WINDOW[0]) & (mine["to"] == WINDOW[1])]
        assert _value(block, "tonnes_delivered") == pytest.approx(span["tonnes_delivered"].mean(), rel=1e-3)
        days = daily[(daily["crossing"] == name) & (daily["date"] >= WINDOW[0]) & (daily["date"] <= WINDOW[1])]
        assert _value(block, "tonnes_delivered") == pytest.approx(
            days.groupby("replication")["tonnes_delivered"].sum().mean(), rel=1e-3)
        end = daily[(daily["crossing"] == name) & (daily["date"] == AT)]
        assert _value(block, "backlog_wagons_end") == pytest.approx(end["backlog_end"].mean(), abs=0.5)
    # the crossings differ, and add up to the corridor
    t = {h: _value(b, "tonnes_delivered") for h, b in blocks.items()}
    assert t[HEADS[0]] != t[HEADS[1]] and t[HEADS[0]] + t[HEADS[1]] == pytest.approx(t[HEADS[2]], rel=1e-3)


def test_kpis_with_one_crossing_prints_its_block_only_and_writes_its_rows(ran: tuple[Path, str], tmp_path: Path) -> None:
    from sim.cli import cli

    out_dir, text = ran
    csv = tmp_path / "w.csv"
    result = CliRunner().invoke(cli, ["kpis", str(out_dir), "--window", ":".join(WINDOW), "--at", AT,
                                      "--crossing", "altynkol", "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert list(_blocks(result.output)) == ["Crossing altynkol"]
    assert result.output.split("\nValues per replication")[0].strip() == _blocks(text)["Crossing altynkol"].strip()
    assert set(pd.read_csv(csv)["crossing"]) == {"altynkol"}
    # by default, `kpis` prints what `run` printed: every crossing, then the corridor
    again = CliRunner().invoke(cli, ["kpis", str(out_dir), "--window", ":".join(WINDOW), "--at", AT])
    assert list(_blocks(again.output)) == HEADS


def test_unknown_crossing_and_crossing_without_a_window_are_refused(ran: tuple[Path, str]) -> None:
    from sim.cli import cli

    out_dir, _ = ran
    result = CliRunner().invoke(cli, ["kpis", str(out_dir), "--at", AT, "--crossing", "khorgos"])
    assert result.exit_code == 2
    assert "unknown crossing 'khorgos'; expected one of: dostyk, altynkol, all" in result.output
    scenario = out_dir / "scenario.yaml"
    result = CliRunner().invoke(cli, ["run", str(scenario), "--crossing", "dostyk", "--quiet", "--out", "x"])
    assert result.exit_code == 2 and "--crossing" in result.output and "goes with --window or --at" in result.output


def test_crossing_on_results_written_before_crossings_existed_is_refused_with_the_reason() -> None:
    import click

    from sim.cli.windows import check_crossing, crossing_names

    old = pd.DataFrame({"date": ["2024-01-01"], "replication": [0], "cargo": ["all"], "backlog_end": [1.0]})
    assert crossing_names(old) == []
    with pytest.raises(click.BadParameter, match="no crossing column"):
        check_crossing("dostyk", crossing_names(old))
    check_crossing(None, [])   # nothing asked, nothing refused
