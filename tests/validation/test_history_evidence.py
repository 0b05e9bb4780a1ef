"""The evidence behind `dostyk history`, checked without running the model (sim.decision.history,
sim.decision.episode_changes): each replay is the one corridor plus dated changes it declares."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
import yaml

from sim.decision.episode_changes import corridor_of, differences
from sim.decision.history import CALIBRATION, evidence_path, load_episodes
from sim.decision.joint import FITTED_BEFORE, _use
from sim.decision.sources import (
    SOURCES,
    cited,
    numbers,
    period_problem,
    read_rows,
    unit_problem,
    value_problem,
)
from sim.decision.targets import Target, load_targets, targets_from_data
from tests.cli.helpers import said
from tests.cli.test_bad_inputs import run_main
from tests.conftest import SCENARIOS

HISTORY = SCENARIOS / "history"
TARGETS = sorted((SCENARIOS / "targets").glob("*.yaml"))
DOSTYK = SCENARIOS / "corridor" / "dostyk.yaml"
CHECK = """targets:
  - {name: delivered, kpi: tonnes_delivered, cargo: grain, value: 2230000, tolerance: 10%, role: check,
     source: "SOURCES.md V1", tolerance_derivation: "ASSUMPTION: a test"}
"""


def episode(tmp_path: Path, scenario: str, evidence: str) -> Path:
    directory = tmp_path / "history"
    (directory / "evidence").mkdir(parents=True, exist_ok=True)
    (directory / "ep.yaml").write_text(f"extends: {DOSTYK}\nname: ep\n{scenario}", encoding="utf-8")
    (directory / "evidence" / "ep.yaml").write_text(evidence, encoding="utf-8")
    return directory


def declared(tmp_path: Path, directory: Path) -> tuple[int, str]:
    """The exit status and what stderr says, its sentences whole (the terminal's 100 columns wrap them)."""
    code, err, _ = run_main(["history", str(directory), "--declared"], tmp_path)
    return code, said(err)


def test_every_shipped_replay_is_the_corridor_plus_what_it_declares() -> None:
    episodes = load_episodes(HISTORY)   # refuses an undeclared or stale change
    for e in episodes:
        corridor = corridor_of(e.path)
        assert corridor is not None and corridor.parent.name == "corridor", e.name
        found = differences(e.path, corridor)
        assert all(any(f == k or f.startswith(k + ".") for k in e.changes) for f in found), e.name
    # January 2024's stop-loading rule is not the corridor's (3,000/1,500 on both cargos against 2,500/1,200
    # on grain): it was an undeclared second value of the same rule; now it says why
    jan = next(e for e in episodes if e.name == "jan2024_hold_loading_rate")
    assert "policies.stop_loading" in jan.changes and "fitted" in jan.changes["policies.stop_loading"]


def test_a_corridor_value_restated_differently_is_refused_with_its_key(tmp_path: Path) -> None:
    directory = episode(tmp_path, "checks:\n  - {name: customs, time: {dist: lognormal, mean: 5h, sd: 1.5h}}\n",
                        CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2
    assert "changes checks.customs.time.mean of dostyk.yaml ('4.25h' -> '5h') without a dated window" in err


def test_a_declared_change_needs_a_why_and_must_be_made(tmp_path: Path) -> None:
    scenario = "checks:\n  - {name: customs, time: {dist: lognormal, mean: 5h, sd: 1.5h}}\n"
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time.mean: \"ASSUMPTION: slower\"\n" + CHECK)
    assert declared(tmp_path, directory)[0] == 0
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time.mean: slower\n" + CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2 and "changes.checks.customs.time.mean: say why" in err
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time: \"C3\"\n  yard: \"ASSUMPTION\"\n" + CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2 and "changes.yard: ep.yaml does not change this key of dostyk.yaml" in err
    assert "checks.customs.time:" not in err   # a declared key covers what is under it


def test_a_dated_window_is_a_change_by_its_nature(tmp_path: Path) -> None:
    scenario = ("disruptions:\n  - {name: hold, from: 2023-03-01, to: 2023-03-05, target: checks.handover, "
                "capacity: 0.5}\n")
    assert declared(tmp_path, episode(tmp_path, scenario, CHECK))[0] == 0
    undated = "disruptions:\n  - {name: hold, every: 30d, lasts: 1d, target: checks.handover, capacity: 0.5}\n"
    code, err = declared(tmp_path, episode(tmp_path, undated, CHECK))
    assert code == 2 and "disruptions.hold.capacity" in err


def test_a_replay_built_on_a_shipped_replay_inherits_its_declared_changes(tmp_path: Path) -> None:
    """A user's replay that extends a shipped one need not declare again what that one declares (it was
    refused, listing every change of the shipped replay); a change of its own must still be declared."""
    ban = HISTORY / "feb2025_altynkol_ban.yaml"
    directory = tmp_path / "mine"
    (directory / "evidence").mkdir(parents=True)
    evidence = ("targets:\n  - {name: delivered, kpi: wagons_delivered, cargo: grain, value: 160, tolerance: 200, "
                "role: check, source: \"SOURCES.md B4\", tolerance_derivation: ASSUMPTION}\n")
    (directory / "evidence" / "ban.yaml").write_text(evidence, encoding="utf-8")
    (directory / "ban.yaml").write_text(f"extends: {ban}\nname: ban\nduration: 10d\n", encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 0, err
    (directory / "ban.yaml").write_text(f"extends: {ban}\nname: ban\nduration: 10d\n"
                                        "crossings:\n  altynkol:\n    yard: {capacity_wagons: 999}\n", encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "changes crossings.altynkol.yard.capacity_wagons" in err and "cargo.grain" not in err


def test_a_replay_not_built_on_the_corridor_is_refused(tmp_path: Path) -> None:
    directory = episode(tmp_path, "", CHECK)
    resolved = run_main(["validate", str(SCENARIOS / "baseline_2023.yaml"), "--resolved"], tmp_path)[2]
    assert "\nextends:" not in resolved   # the baseline with its corridor copied in: a copy, not an episode
    (directory / "ep.yaml").write_text(resolved, encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "not built on the reference corridor" in err


def figure(t: Target) -> tuple[object, ...]:
    """What a figure is, whatever a file calls it: the KPI, where and when, and the value."""
    return (t.kpi, t.cargo, t.crossing, t.window, t.at, t.value)


def test_no_figure_used_to_fit_anywhere_is_declared_a_prediction() -> None:
    episodes = load_episodes(HISTORY)
    fitted = {figure(t) for p in TARGETS for t in load_targets(p).targets}
    fitted |= {figure(t) for e in episodes for t in e.spec.targets if t.role == "fitted"}
    predicted = [(e.name, t.label) for e in episodes for t in e.spec.targets if t.role == "held_out"]
    assert predicted, "no replay predicts anything"
    used_twice = [(e.name, t.label) for e in episodes for t in e.spec.targets
                  if t.role == "held_out" and figure(t) in fitted]
    assert not used_twice, f"fitted elsewhere, declared held out: {used_twice}"


def test_every_calibration_is_named_by_the_replays_it_set_and_its_figures_are_fitted_there() -> None:
    """January 2024's stop-loading days were a target of scenarios/targets/jan2024.yaml, which set the hold and
    the halt threshold, and were declared held out in the replay (with their value written a second time)."""
    episodes = load_episodes(HISTORY)
    named = {}
    for e in episodes:
        raw = yaml.safe_load(evidence_path(e.path).read_text(encoding="utf-8"))
        if CALIBRATION in raw:
            named[(evidence_path(e.path).parent / raw[CALIBRATION]).resolve()] = e
    assert set(named) == {p.resolve() for p in TARGETS}
    for path, e in named.items():
        calibration = load_targets(path)
        mine = {t.label: t for t in e.spec.targets}
        for t in calibration.targets:
            assert mine[t.label].role == "fitted" and figure(mine[t.label]) == figure(t)
            assert all(p.path in mine[t.label].fitted for p in calibration.parameters)


def test_a_calibration_figure_cannot_be_declared_again(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("""targets:
  - {name: delivered, kpi: tonnes_delivered, cargo: grain, value: 2230000, tolerance: 10%, source: SOURCES.md V1,
     tolerance_derivation: ASSUMPTION}
parameters:
  - {path: checks.customs.time.mean, low: 1, high: 9}
""", encoding="utf-8")
    directory = episode(tmp_path, "", f"calibration: {tmp_path / 't.yaml'}\n")
    code, err = declared(tmp_path, directory)
    assert code == 0, err
    assert load_episodes(directory)[0].spec.targets[0].fitted == f"checks.customs.time.mean (calibration {tmp_path / 't.yaml'})"
    directory = episode(tmp_path, "", f"calibration: {tmp_path / 't.yaml'}\n" + CHECK.replace("check", "held_out"))
    code, err = declared(tmp_path, directory)
    assert code == 2 and "'delivered' is a figure of the calibration, where it was fitted" in err
    directory = episode(tmp_path, "", f"calibration: {tmp_path / 'nosuch.yaml'}\n")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "nosuch.yaml" in err


def test_a_joint_fit_does_not_call_a_figure_fitted_before_a_prediction() -> None:
    t = targets_from_data({"targets": [{"kpi": "tonnes_delivered", "value": 1, "tolerance": 1}]}).targets[0]
    assert _use(t.model_copy(update={"role": "fitted"}), held_out=True) == FITTED_BEFORE
    assert _use(t.model_copy(update={"role": "held_out"}), held_out=True) == "held out"
    assert _use(t, held_out=False) == "fitted"   # a plain targets file's figure enters the fit (it said "check")
    assert _use(t.model_copy(update={"role": "held_out"}), held_out=False) == "predicted"


OBSERVED = Path("/work/shared/data/observed.md")   # the project's data notes, outside the repository
ROWS = read_rows(SCENARIOS / "corridor" / SOURCES)
#: a YAML value followed by a comment that opens with a row id: `max_trains_per_day: 15   # C5: …`
CITING = re.compile(r"^([^#]*\d[^#]*)#\s*([VCB]\d{1,2})\b")


def test_a_row_states_its_numbers_in_its_unit() -> None:
    assert 2_230_000 in numbers(ROWS["V1"]) and 615_000 in numbers(ROWS["V2"]) and 1_200_000 in numbers(ROWS["V3"])
    assert 4.25 in numbers(ROWS["C3"]) and 3500 in numbers(ROWS["B1"]) and 160 in numbers(ROWS["B4"])
    assert cited("SOURCES.md V5 (event); size from B1") == ["V5", "B1"]


@pytest.mark.skipif(not OBSERVED.is_file(), reason="the project's data notes are not on this machine")
def test_sources_md_is_the_observed_data_row_for_row() -> None:
    observed = [ln.strip() for ln in OBSERVED.read_text(encoding="utf-8").splitlines()
                if ln.startswith("| ") and not ln.startswith(("| figure |", "| episode |"))]
    ours = [re.sub(r"^\| [VCB]\d{1,2} \| ", "| ", ln.strip())
            for ln in (SCENARIOS / "corridor" / SOURCES).read_text(encoding="utf-8").splitlines()
            if re.match(r"^\| [VCB]\d{1,2} \|", ln)]
    assert ours == observed


def test_every_number_a_scenario_cites_is_its_rows() -> None:
    """`tonnes_per_year: 1200000   # V3` must be one of V3's numbers: a figure written again with another value
    beside the row it claims is refused."""
    where: dict[tuple[str, str], set[str]] = {}
    for path in sorted(SCENARIOS.rglob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = CITING.match(line)
            if m:
                written = [float(x) for x in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)", m.group(1))]
                stated = numbers(ROWS[m.group(2)])
                assert any(math.isclose(w, s) for w in written for s in stated), f"{path.name}:{n}: {line.strip()}"
                key = re.findall(r"(\w+):\s*[\d.]+", m.group(1))[0]
                where.setdefault((key, m.group(2)), set()).add(str(path.relative_to(SCENARIOS)))
    assert len(where) >= 7
    # written once: 2023's 2.23 Mt stood in both views of the corridor (dostyk.yaml and corridor.yaml)
    assert {k: v for k, v in where.items() if len(v) > 1} == {}
    assert where[("tonnes_per_year", "V1")] == {"corridor/parts/demand_2023.yaml"}


def test_every_declared_figure_traces_to_its_rows() -> None:
    episodes = load_episodes(HISTORY)   # refuses a figure that does not
    for t in [t for e in episodes for t in e.spec.targets] + [t for p in TARGETS for t in load_targets(p).targets]:
        assert value_problem(t.observed, t.source, t.derivation, ROWS) is None, t.label


def test_a_figure_that_drifted_from_its_row_is_refused(tmp_path: Path) -> None:
    drifted = CHECK.replace("value: 2230000", "value: 2300000")
    code, err = declared(tmp_path, episode(tmp_path, "", drifted))
    assert code == 2 and "2,300,000 is not a number of row(s) V1 (2,230,000, 2023)" in err
    code, err = declared(tmp_path, episode(tmp_path, "", drifted.replace("V1", "V99")))
    assert code == 2 and "no row V99 in SOURCES.md" in err
    code, err = declared(tmp_path, episode(tmp_path, "", drifted.replace('V1"', 'observed.md"')))
    assert code == 2 and "name the SOURCES.md row(s)" in err
    derived = drifted.replace('source: "SOURCES.md V1",', 'source: "SOURCES.md V1", derivation: "V1 plus 3 %",')
    assert declared(tmp_path, episode(tmp_path, "", derived))[0] == 0


def test_a_figure_compared_in_another_unit_or_year_is_refused(tmp_path: Path) -> None:
    of_2022 = CHECK.replace("value: 2230000", "value: 615000").replace("V1", "V2")
    code, err = declared(tmp_path, episode(tmp_path, "", of_2022))   # the episode is 2023
    assert code == 2 and "row(s) V2 are of 2022; the figure is compared over 2023-01-01 to 2023-12-31" in err
    as_wagons = CHECK.replace("kpi: tonnes_delivered", "kpi: wagons_delivered")
    code, err = declared(tmp_path, episode(tmp_path, "", as_wagons))
    assert code == 2 and "row(s) V1 state no figure in the unit of wagons_delivered" in err
    assert unit_problem("backlog_wagons_max", "SOURCES.md B5", "", ROWS) is None
    assert unit_problem("stop_loading_days", "SOURCES.md V5", "", ROWS) is not None
    assert period_problem(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "SOURCES.md V5; size from B1", ROWS) is None


#: a user's own observation, in the shipped registry's format, numbered after its rows
MY_ROW = "| B6 | March 2023, my client's siding | 1,234 loaded wagons waiting | 2023 | client's log, 3 Mar 2023 |\n"
MINE = """targets:
  - {name: my backlog, kpi: backlog_wagons_max, value: 1234, tolerance: 300, role: check, source: "SOURCES.md B6",
     tolerance_derivation: "ASSUMPTION: the log's count is of one morning"}
"""


def test_a_users_own_sources_md_beside_the_replays_can_be_cited(tmp_path: Path) -> None:
    """A user's history directory could only cite the shipped SOURCES.md ("no row B6"): now its own
    SOURCES.md, same format, is part of the one registry; the shipped rows stay citable beside it."""
    directory = episode(tmp_path, "", MINE)
    code, err = declared(tmp_path, directory)
    assert code == 2 and "no row B6 in SOURCES.md" in err
    (directory / SOURCES).write_text("# My observations\n\n| row | episode | what | period | source |\n"
                                     "|---|---|---|---|---|\n" + MY_ROW, encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 0, err
    both = MINE + CHECK.replace("targets:\n", "")
    assert declared(tmp_path, episode(tmp_path, "", both))[0] == 0
    drifted = MINE.replace("value: 1234", "value: 1243")
    code, err = declared(tmp_path, episode(tmp_path, "", drifted))
    assert code == 2 and "1,243 is not a number of row(s) B6 (2023, 1,234, 2023)" in err


def test_a_users_row_that_renumbers_a_shipped_row_is_refused(tmp_path: Path) -> None:
    directory = episode(tmp_path, "", MINE)
    conflicting = MY_ROW + "| B5 | my Altynkol count | 2,000 wagons | 2025 | my notes |\n"
    (directory / SOURCES).write_text(conflicting, encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and str(directory / SOURCES) in err and "conflicting sources registry" in err
    assert f"row B5 of {directory / SOURCES} is also row B5 of" in err and "corridor/SOURCES.md" in err
    assert "number your rows after the ones SOURCES.md uses (its last: V10, C16, B5)" in err
    # a row copied word for word is the same row, not a conflict
    shipped = next(ln for ln in (SCENARIOS / "corridor" / SOURCES).read_text(encoding="utf-8").splitlines()
                   if ln.startswith("| B5 |"))
    (directory / SOURCES).write_text(MY_ROW + shipped + "\n", encoding="utf-8")
    assert declared(tmp_path, directory)[0] == 0
    (directory / SOURCES).write_text(MY_ROW + "| U1 | my count | 2,000 wagons | 2025 | my notes |\n", encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "U1: not a row id: a row is V, C or B and a number" in err
    (directory / SOURCES).write_bytes(b"\xff\xfe| B6 |")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "not UTF-8 text" in err and str(directory / SOURCES) in err


def test_every_tolerance_says_where_it_comes_from(tmp_path: Path) -> None:
    """A hand-chosen tolerance was explained, if at all, in a YAML comment; now `tolerance_derivation:` must
    name the row whose range it is or say ASSUMPTION, in the replay's figures and in its calibration's."""
    untold = CHECK.replace(', tolerance_derivation: "ASSUMPTION: a test"', "")
    code, err = declared(tmp_path, episode(tmp_path, "", untold))
    assert code == 2 and "targets[0].tolerance_derivation: say where the tolerance comes from" in err
    vague = CHECK.replace('"ASSUMPTION: a test"', '"about right"')
    code, err = declared(tmp_path, episode(tmp_path, "", vague))
    assert code == 2 and "name the SOURCES.md row whose range the tolerance is" in err
    unknown = CHECK.replace('"ASSUMPTION: a test"', '"half of C99\'s range"')
    code, err = declared(tmp_path, episode(tmp_path, "", unknown))
    assert code == 2 and "targets[0].tolerance_derivation: no row C99 in SOURCES.md" in err
    assert declared(tmp_path, episode(tmp_path, "", CHECK.replace('"ASSUMPTION: a test"', '"half of C9\'s range"')))[0] == 0
    (tmp_path / "t.yaml").write_text("""targets:
  - {name: delivered, kpi: tonnes_delivered, cargo: grain, value: 2230000, tolerance: 10%, source: SOURCES.md V1}
parameters:
  - {path: checks.customs.time.mean, low: 1, high: 9}
""", encoding="utf-8")
    code, err = declared(tmp_path, episode(tmp_path, "", f"calibration: {tmp_path / 't.yaml'}\n"))
    assert code == 2 and f"{tmp_path / 't.yaml'}: invalid calibration of ep.yaml" in err
    assert "targets[0].tolerance_derivation" in err
    # a one-sided figure has no tolerance to explain
    bound = "targets:\n  - {name: most, kpi: tonnes_delivered, cargo: grain, at_most: 2230000, role: check, source: V1}\n"
    assert declared(tmp_path, episode(tmp_path, "", bound))[0] == 0


def test_every_shipped_tolerance_names_its_row_or_says_assumption() -> None:
    for e in load_episodes(HISTORY):
        for t in e.spec.targets:
            assert t.one_sided or re.search(r"\b[VCB]\d{1,2}\b|ASSUMPTION", t.tolerance_derivation), (e.name, t.label)


# -- a hostile user's own SOURCES.md (h-hostile) --------------------------------------------------------

def test_a_users_sources_md_as_editors_and_file_systems_leave_it(tmp_path: Path) -> None:
    """A byte-order mark hid the table's first row ('no row B6'); a row id given twice with other text
    kept the later row silently; a link to nothing or a link loop was ignored as if there were no file."""
    directory = episode(tmp_path, "", MINE)
    mine = directory / SOURCES
    mine.write_bytes("\ufeff".encode() + MY_ROW.replace("\n", "\r\n").encode())
    assert declared(tmp_path, directory)[0] == 0
    mine.write_text(MY_ROW + MY_ROW.replace("1,234", "9,999"), encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and str(mine) in err and "row B6 is given twice in this file, with other text" in err
    mine.write_text(MY_ROW + MY_ROW, encoding="utf-8")  # the same row twice is one row
    assert declared(tmp_path, directory)[0] == 0
    mine.write_text(MY_ROW.replace("B6", "b6"), encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "b6: not a row id" in err and "write it B6" in err
    for target in (mine, directory / "nowhere.md"):
        mine.unlink()
        mine.symlink_to(target)
        code, err = declared(tmp_path, directory)
        assert code == 2 and f"{mine}: invalid sources registry" in err, err
        assert "Traceback" not in err


def test_a_tolerance_said_to_be_an_assumption_in_lower_case_is_told_to_use_capitals() -> None:
    from sim.decision.sources import tolerance_problem

    said = tolerance_problem("assumption: my guess", ROWS)
    assert said is not None and "say ASSUMPTION (in capitals" in said and "'assumption'" in said
    assert tolerance_problem("ASSUMPTION: my guess", ROWS) is None
    assert "say where the tolerance comes from" in (tolerance_problem(" \t\n", ROWS) or "")
