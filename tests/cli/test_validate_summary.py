"""`dostyk validate` says what a file describes, including what a first `--set` changes: each check's
working hours, quota, trains at once and cargo, and the wagons in place at the start. Before, removing
the phytosanitary check's hours (`--set checks.phytosanitary.hours=~`) or starting with 400 wagons en
route printed the same summary as the file alone."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.conftest import SCENARIOS


def _validate(*args: str) -> str:
    from sim.cli import cli

    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_check_says_its_hours_quota_and_cargo_and_a_set_shows() -> None:
    base = _validate(str(SCENARIOS / "baseline_2023.yaml"))
    assert "  check phytosanitary: works 08:00-20:00 only, 2 trains at once, grain only\n" in base
    assert "  check handover: works around the clock, at most 12 trains a day\n" in base
    assert "  check customs: works around the clock, 3 trains at once\n" in base
    changed = _validate(str(SCENARIOS / "baseline_2023.yaml"), "--set", "checks.phytosanitary.hours=~")
    assert "  check phytosanitary: works around the clock, 2 trains at once, grain only\n" in changed
    assert "2 disruptions," in base
    whole_day = _validate(str(SCENARIOS / "baseline_2023.yaml"), "--set", "checks.handover.hours=00:00-24:00",
                          "--set", "checks.customs.hours=20:00-08:00")
    assert "  check handover: works around the clock, at most 12 trains a day\n" in whole_day
    assert "  check customs: works 20:00-08:00 only, 3 trains at once\n" in whole_day


def test_the_starting_state_is_said(tmp_path: Path) -> None:
    path = tmp_path / "ban.yaml"
    path.write_text(f"extends: {SCENARIOS / 'corridor' / 'dostyk.yaml'}\nname: exporter\nstart: 2026-12-07\n"
                    "duration: 60d\ninitial_state:\n  grain: {en_route_wagons: 400, arriving_within: 2d}\n",
                    encoding="utf-8")
    out = _validate(str(path))
    assert "  at the start, grain: 0 wagons in the yard, 0 held at the border, 400 en route\n" in out
    assert "1 disruption," in out  # the corridor's wind
    assert "at the start" not in _validate(str(SCENARIOS / "baseline_2023.yaml"))


def test_a_file_of_many_checks_keeps_a_short_summary(tmp_path: Path) -> None:
    checks = "".join(f"  - {{name: c{i}, time: 1h}}\n" for i in range(30))
    path = tmp_path / "many.yaml"
    path.write_text("name: many\nstart: 2024-01-01\nduration: 10d\ncargo: {grain: {payload_t: 68, wagons_per_train: 55}}\n"
                    "demand: {grain: {trains_per_day: 2}}\nline: {transit_time: 10h}\nchecks:\n" + checks
                    + "unloading: {grain: {points: 4, wagon_time: 1h}}\n", encoding="utf-8")
    out = _validate(str(path))
    assert sum(line.startswith("  check ") for line in out.splitlines()) == 12
    assert "… and 18 more checks (--resolved prints them all)" in out


def test_a_loading_ban_says_what_it_does() -> None:
    """A ban on `demand.grain` read 'during it: closed', and with `capacity: 0.5` 'during it: ' (nothing)."""
    replay = str(SCENARIOS / "history" / "feb2025_altynkol_ban.yaml")
    assert "    during it: no grain trains loaded; those requested are deferred\n" in _validate(replay)
    half = _validate(replay, "--set", "disruptions.grain-ban.capacity=0.5", "--set", "disruptions.grain-ban.on_halt=lose")
    assert "    during it: 0.5 of the grain trains requested are loaded; the others are lost\n" in half


def test_capacities_and_routing_shares_are_said_as_the_levers_see_them() -> None:
    """A planner setting `routing.grain.shares.altynkol=20` on the corridor (96 : 4) meant 20 %; shares are
    weights, so it is 17 %, and validate said nothing of routing. An exporter changing the grain points
    could not see they were 6 (only `--resolved` printed it)."""
    corridor = _validate(str(SCENARIOS / "corridor" / "corridor.yaml"), "--set", "routing.grain.shares.altynkol=20")
    assert "  routing grain: dostyk 83 %, altynkol 17 % of the trains (weights 96 : 20)\n" in corridor
    assert ("  dostyk line, yard and unloading: line 15 trains a day, yard 1,200 wagons, unloading\n"
            "    grain 6 points, containers 6 points\n") in corridor  # wrapped to the terminal's 100 columns
    assert ("altynkol line, yard and unloading: line 14 trains a day, yard 1,500 wagons, unloading grain 4 points"
            in " ".join(corridor.split()))
    base = " ".join(_validate(str(SCENARIOS / "baseline_2023.yaml"), "--set", "unloading.grain.points=8").split())
    assert "line, yard and unloading: line 15 trains a day, yard 1,200 wagons, unloading grain 8 points" in base
    assert "routing" not in base


def test_dated_share_changes_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "track.yaml"
    path.write_text(f"extends: {SCENARIOS / 'corridor' / 'corridor.yaml'}\nname: track\nrouting:\n  grain:\n"
                    "    shares: {dostyk: 3, altynkol: 1}\n    changes:\n"
                    "      - {from: 2023-07-01, shares: {dostyk: 1, altynkol: 1}}\n", encoding="utf-8")
    out = _validate(str(path))
    assert "  routing grain: dostyk 75 %, altynkol 25 % of the trains (weights 3 : 1)\n" in out
    assert "    from 2023-07-01 00:00: dostyk 50 %, altynkol 50 % of the trains (weights 1 : 1)\n" in out
