"""`dostyk history`'s verdict with the model's own uncertainty (sim.decision.agreement) and one-sided
figures (`at_least:` / `at_most:`), through the command: the same verdict in its text, history.csv,
history.json and history.html, and the exit status (3 disagrees, 4 undecided)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.decision.history import load_episodes
from sim.reporting.history_tables import history_rows
from tests.cli.test_bad_inputs import run_main
from tests.conftest import SCENARIOS

HISTORY = SCENARIOS / "history"
BAN = HISTORY / "feb2025_altynkol_ban.yaml"   # 45 days, one cargo: about 0.4 s a replication
CHANGES = yaml.safe_dump({"changes": yaml.safe_load((HISTORY / "evidence" / BAN.name).read_text())["changes"]})
#: a figure with spread between replications (the ban's delivered wagons are the same in each)
DWELL = "{name: dwell, kpi: dwell_h_mean, cargo: grain, role: held_out, source: \"SOURCES.md B4\", derivation: a test, "


def history(tmp_path: Path, figure: str, n: int = 3) -> tuple[int, str, str, pd.DataFrame]:
    directory = tmp_path / "history"
    (directory / "evidence").mkdir(parents=True, exist_ok=True)
    (directory / "ban.yaml").write_text(f"extends: {BAN}\nname: ban\n", encoding="utf-8")
    (directory / "evidence" / "ban.yaml").write_text(CHANGES + f"targets:\n  - {DWELL}{figure}}}\n", encoding="utf-8")
    out = tmp_path / "h"
    code, err, text = run_main(["history", str(directory), "-n", str(n), "--executor", "serial", "--out", str(out),
                                "--force", "--markdown"], tmp_path)
    err = " ".join(err.split())  # its sentences as said, not as wrapped to the terminal
    table = pd.read_csv(out / "history.csv") if (out / "history.csv").is_file() else pd.DataFrame()
    if not table.empty:
        said_everywhere(out, text, err, table)
    return code, err, text, table


def said_everywhere(results: Path, out: str, err: str, table: pd.DataFrame) -> None:
    """One verdict: the CLI's text and Markdown rows (--markdown), history.json's rows and verdict, and the page agree."""
    meta = json.loads((results / "history.json").read_text(encoding="utf-8"))
    assert [r["agreement"] for r in meta["rows"]] == table["agreement"].tolist()
    assert meta["verdict"]["text"] in " ".join((out + err).split())  # (a line wrapped to the terminal, read whole)
    page = (results / "history.html").read_text(encoding="utf-8")
    assert html.escape(meta["verdict"]["text"]) in page
    for row in history_rows(table):
        assert "| " + " | ".join(row) + " |" in out
        assert html.escape(row[5].replace("**", "")) in page


def test_the_verdict_reads_the_models_ci_not_its_mean(tmp_path: Path) -> None:
    """A band whose edge cuts the CI is undecided (exit 4, it says how many replications would decide),
    though the old rule called the mean inside it a pass; one clear of the CI agrees; one beyond it
    disagrees (exit 3)."""
    code, err, _, table = history(tmp_path, "value: 360, tolerance: 1000, tolerance_derivation: ASSUMPTION")
    assert code == 0, err
    row = table.iloc[0]
    mean, low, high = row["model_mean"], row["model_ci95_low"], row["model_ci95_high"]
    half = (high - low) / 2
    assert half > 0 and row["agreement"] == "agrees" and row["n"] == 3
    # the mean inside the band, the CI across its upper edge
    code, err, out, table = history(tmp_path, f"value: {mean - half / 2:.6f}, tolerance: {half:.6f}, "
                                              "tolerance_derivation: ASSUMPTION")
    assert table.iloc[0]["tolerance_low"] <= mean <= table.iloc[0]["tolerance_high"]
    assert code == 4, err
    assert table.iloc[0]["agreement"] == "undecided — more replications"
    assert table.iloc[0]["replications_to_decide"] > 3
    assert "1 held-out figure(s) undecided — more replications" in err and "ban: dwell" in err
    assert "**undecided — more replications (about " in out
    meta = json.loads((tmp_path / "h" / "history.json").read_text(encoding="utf-8"))
    assert meta["verdict"]["undecided"] == ["ban: dwell"] and not meta["verdict"]["passed"]
    assert meta["verdict"]["failed"] == []
    assert '<tr class="open">' in (tmp_path / "h" / "history.html").read_text(encoding="utf-8")
    code, err, _, table = history(tmp_path, f"value: {mean + 3 * half:.6f}, tolerance: {half / 2:.6f}, "
                                            "tolerance_derivation: ASSUMPTION")
    assert code == 3 and table.iloc[0]["agreement"] == "disagrees", err
    assert '<tr class="fail">' in (tmp_path / "h" / "history.html").read_text(encoding="utf-8")


def test_a_one_sided_figure_is_judged_on_its_side(tmp_path: Path) -> None:
    code, err, _, table = history(tmp_path, "at_least: 100")
    assert code == 0, err
    row = table.iloc[0]
    assert row["sided"] == "at least" and row["observed"] == 100 and row["tolerance_low"] == 100
    assert pd.isna(row["tolerance_high"]) and row["agreement"] == "agrees"
    code, err, out, table = history(tmp_path, "at_most: 100")
    assert code == 3 and table.iloc[0]["agreement"] == "disagrees", err
    assert "| at most 100 | ≤ 100 |" in out


def test_mixing_a_bound_with_a_value_or_tolerance_is_refused(tmp_path: Path) -> None:
    for figure, first, second in (("value: 360, tolerance: 10, at_least: 360", "at_least", "value"),
                                  ("at_least: 360, tolerance: 10", "at_least", "tolerance"),
                                  ("at_most: 360, tolerance_derivation: ASSUMPTION", "at_most", "tolerance_derivation")):
        code, err, _, table = history(tmp_path, figure)
        assert code == 2 and table.empty, err
        assert "evidence/ban.yaml" in err and "targets[0]" in err, err
        assert f"`{first}` (a one-sided bound) cannot be given with `{second}`" in err, err
    code, err, _, _ = history(tmp_path, "at_least: 360, at_most: 400")
    assert code == 2 and "give `at_least` or `at_most`, not both" in err
    code, err, _, _ = history(tmp_path, "tolerance: 10, tolerance_derivation: ASSUMPTION")
    assert code == 2 and "targets[0]" in err and "missing `value`" in err


def test_the_shipped_one_sided_figure_is_b3s_bound() -> None:
    """B3 says "more than 360 wagons returned": it was 540 ± 180 (an upper 720 the source never gave)."""
    sept = next(e for e in load_episodes(HISTORY) if e.name == "sept2024_bonded_returns")
    returned = next(t for t in sept.spec.targets if t.kpi == "wagons_rejected")
    assert returned.one_sided == "at_least" and returned.observed == 360 and returned.band[0] == 360
    assert returned.value is None and returned.tolerance is None and not returned.derivation


# -- what would decide an undecided figure (h-hostile) ---------------------------------------------------

def test_the_hint_to_run_more_asks_only_for_what_decides() -> None:
    """It said 'run about 50,000 replications, -n 50000' (which -n refuses: at most 10,000) as if that
    decided every undecided figure, a mean on an edge too, and spoke of the CI of a run of one replication."""
    from sim.decision.agreement import UNDECIDED
    from sim.decision.history import MAX_REPLICATIONS, ROLES, verdict

    def row(figure: str, need: float, n: int) -> dict[str, object]:
        return {"episode": "e", "figure": figure, "role": ROLES["held_out"], "agreement": UNDECIDED,
                "replications_to_decide": need, "n": n}

    text = verdict(pd.DataFrame([row("far", 50_000.0, 10), row("edge", float("inf"), 10), row("one", float("inf"), 1),
                                 row("near", 40.0, 10)]))["text"]
    assert "-n 50000" not in text and "Run about 40 replications, -n 40." in text
    assert f"Not decided within {MAX_REPLICATIONS:,} replications, the most -n takes" in text
    assert "the band): e: far; e: edge (of 4" in text
    assert "Fewer than 2 replications give no CI, run -n 2 or more (e: one)" in text
    only_far = verdict(pd.DataFrame([row("far", 50_000.0, 10)]))["text"]
    assert "Run about" not in only_far and "Not decided within 10,000" in only_far


def test_a_replay_of_one_replication_is_undecided_and_says_to_run_two(tmp_path: Path) -> None:
    directory = tmp_path / "history"
    (directory / "evidence").mkdir(parents=True)
    (directory / "ban.yaml").write_text(f"extends: {BAN}\nname: ban\nreplications: 1\n", encoding="utf-8")
    (directory / "evidence" / "ban.yaml").write_text(
        CHANGES + f"targets:\n  - {DWELL}value: 360, tolerance: 1000, tolerance_derivation: ASSUMPTION}}\n", encoding="utf-8")
    out = tmp_path / "h"
    code, err, text = run_main(["history", str(directory), "--executor", "serial", "--out", str(out), "--markdown"],
                               tmp_path)
    err = " ".join(err.split())
    table = pd.read_csv(out / "history.csv")
    said_everywhere(out, text, err, table)
    assert code == 4 and table.iloc[0]["n"] == 1 and pd.isna(table.iloc[0]["model_ci95_low"])
    assert "Fewer than 2 replications give no CI, run -n 2 or more (ban: dwell)" in err
    # no number of replications can be told: history.csv wrote `inf`, history.json `null` (as for a decided
    # figure); both leave it empty and say why beside it
    (row,) = json.loads((out / "history.json").read_text(encoding="utf-8"))["rows"]
    assert pd.isna(table.iloc[0]["replications_to_decide"]) and row["replications_to_decide"] is None
    assert table.iloc[0]["replications_to_decide_note"] == row["replications_to_decide_note"] == (
        "none can be told: fewer than 2 replications give no CI (run -n 2 or more)")
    assert "inf" not in (out / "history.csv").read_text(encoding="utf-8").split("\n")[1].split(",")


def test_a_figure_the_model_gives_without_spread_is_decided_at_the_edge(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The ban's grain backlog peak is the same in every replication (a CI of width 0): a bound equal to
    it agrees on either side, one a hair beyond it disagrees, and nothing is undecided or divides by 0."""
    import tests.validation.test_history_verdict as here

    monkeypatch.setattr(here, "DWELL", DWELL.replace("kpi: dwell_h_mean", "kpi: backlog_wagons_max"))
    code, err, _, table = history(tmp_path, "at_least: 0")
    peak = table.iloc[0]["model_mean"]
    assert code == 0 and table.iloc[0]["model_ci95_low"] == peak == table.iloc[0]["model_ci95_high"], err
    for figure, said in ((f"at_least: {peak}", "agrees"), (f"at_most: {peak}", "agrees"),
                         (f"at_most: {peak - 1e-6}", "disagrees"), (f"at_least: {-peak}", "agrees"),
                         (f"value: {peak}, tolerance: 1e-9, tolerance_derivation: ASSUMPTION", "agrees")):
        code, err, _, table = history(tmp_path, figure)
        assert table.iloc[0]["agreement"] == said and code == (3 if said == "disagrees" else 0), (figure, err)
        assert pd.isna(table.iloc[0]["replications_to_decide"])


def test_why_no_number_of_replications_is_told() -> None:
    """An undecided figure whose mean lies on an edge of its band: no number of replications is told, and
    the note beside the empty cell says so; a told number, or a decided figure, needs no note."""
    import math

    from sim.decision.agreement import replications_needed
    from sim.decision.ranking import decide_note

    need = replications_needed(10, 0.0, 10.0, 10.0, 1.0)
    assert math.isinf(need)
    assert decide_note(True, need, 10) == ("none can be told: not decided within 100,000 replications (the "
                                           "model's mean is at or very near an edge of the band)")
    assert decide_note(True, 40.0, 10) == "" and decide_note(False, math.nan, 10) == ""
