"""`dostyk experiment FILE` (issue 18, item 3): a baseline and named variants, run paired, one report
with the names, paired CIs, MORE plots and the possible-best subset; `compare --name N:NAME`."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.test_bad_inputs import MINI, run_main

SHORT = MINI.replace("duration: 365d", "duration: 60d").replace("replications: 10", "replications: 3")
EXPERIMENT = """\
baseline: scen/mini.yaml
replications: 3
seed: 5
kpis: [backlog_wagons_mean, dwell_h_mean, tonnes_delivered@grain]
select: {kpi: backlog_wagons_mean, goal: min}
variants:
  eight-points: {unloading.grain.points: 8}
  four-points: {unloading.grain.points: 4}
  fast-customs: {checks.customs.time.mean: 2h}
"""
NAMES = ["eight-points", "four-points", "fast-customs"]


@pytest.fixture(scope="module")
def experiment_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("experiment")
    (root / "scen").mkdir()
    (root / "scen" / "mini.yaml").write_text(SHORT, encoding="utf-8")
    (root / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    code, err, out = run_main(["experiment", "exp.yaml", "--executor", "serial", "--out", "out"], root)
    assert code == 0, err
    return root / "out", out


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"base64,[A-Za-z0-9+/=]+", "", html))


def test_report_names_every_variant_with_paired_cis(experiment_dir: tuple[Path, str]) -> None:
    out, stdout = experiment_dir
    html = (out / "report.html").read_text(encoding="utf-8")
    text = _text(html)
    for name in NAMES:
        assert name in text and name in stdout
    assert "{" not in text.split("Scenarios", 1)[1].split("How this was produced")[0], "a Python repr in a table"
    assert "difference ± 95 % CI (paired)" in text
    assert "Paired differences from mini (all)" in text and "Paired differences from mini (grain)" in text
    # each variant's paired difference equals the mean of its per-replication differences
    kpis = pd.read_csv(out / "kpis.csv")
    all_rows = kpis[kpis["cargo"] == "all"].set_index(["scenario", "replication"])["backlog_wagons_mean"]
    diff = pd.read_csv(out / "differences.csv")
    for name in NAMES:
        expected = float((all_rows.loc[name] - all_rows.loc["mini"]).mean())
        row = diff[(diff["scenario"] == name) & (diff["cargo"] == "all") & (diff["kpi"] == "backlog_wagons_mean")]
        assert row["n"].iloc[0] == 3
        assert abs(float(row["difference"].iloc[0]) - expected) <= 1e-9 * max(1.0, abs(expected))
    assert (out / "experiment.yaml").read_text(encoding="utf-8") == EXPERIMENT


def test_more_plots_exist_and_are_drawn(experiment_dir: tuple[Path, str]) -> None:
    out, _ = experiment_dir
    html = (out / "report.html").read_text(encoding="utf-8")
    for cargo in ("all", "grain"):
        png = out / "plots" / f"more_{cargo}.png"
        assert png.is_file() and png.stat().st_size > 20_000, png  # a drawn figure, not an empty canvas
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'id="plot-more_{cargo}"' in html
    assert "Measure of risk and error (MORE plots)" in html
    from PIL import Image

    with Image.open(out / "plots" / "more_all.png") as img:
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # boxes, dots, CIs and text, not one flat colour


def test_possible_best_subset_is_shown(experiment_dir: tuple[Path, str]) -> None:
    out, _ = experiment_dir
    text = _text((out / "report.html").read_text(encoding="utf-8"))
    section = text.split("Possible best and rejected: backlog_wagons_mean", 1)[1].split("Numbers are written")[0]
    assert "possible best" in section
    for name in ["mini", *NAMES]:
        assert name in section
    # the scenario with the smallest mean backlog is always kept
    kpis = pd.read_csv(out / "kpis.csv")
    means = kpis[kpis["cargo"] == "all"].groupby("scenario")["backlog_wagons_mean"].mean()
    best = str(means.idxmin())
    assert re.search(rf"{re.escape(best)}\s+[\d,.]+\s+possible best", section), section


def test_a_variant_over_another_period_is_said_not_paired(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(SHORT.replace("duration: 60d", "duration: 20d"), encoding="utf-8")
    (tmp_path / "exp.yaml").write_text("baseline: mini.yaml\nreplications: 2\nkpis: [dwell_h_mean]\n"
                                       "variants:\n  longer: {duration: 30d}\n", encoding="utf-8")
    code, err, _ = run_main(["experiment", "exp.yaml", "--executor", "serial", "--out", "out", "--quiet"], tmp_path)
    assert code == 0, err
    assert "Not paired day by day: longer has duration 30d" in err
    assert err.count("longer has duration 30d") == 1, err  # said once, not again as compare's warning
    assert "Not paired day by day: longer has duration 30d" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_compare_names_label_tables_and_files(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(SHORT.replace("duration: 60d", "duration: 20d"), encoding="utf-8")
    code, err, stdout = run_main(["compare", "mini.yaml", "mini.yaml", "--set", "2:unloading.grain.points=8",
                                  "--name", "2:eight-points", "-n", "2", "--executor", "serial", "--out", "out",
                                  "--kpi", "backlog_wagons_mean"], tmp_path)
    assert code == 0, err
    assert "eight-points − mini (all" in stdout and "unloading.grain.points=8" not in stdout
    assert sorted(p.name for p in (tmp_path / "out" / "scenarios").iterdir()) == ["eight-points.yaml", "mini.yaml"]
    assert "eight-points − mini (all cargo)" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_corridor_gets_a_section_per_crossing(tmp_path: Path) -> None:
    corridor = Path(__file__).resolve().parents[2] / "scenarios" / "corridor" / "corridor.yaml"
    (tmp_path / "cor.yaml").write_text(f"extends: {corridor}\nduration: 20d\nreplications: 2\n", encoding="utf-8")
    (tmp_path / "exp.yaml").write_text("baseline: cor.yaml\nkpis: [backlog_wagons_mean]\n"
                                       "variants:\n  more: {crossings.dostyk.unloading.grain.points: 12}\n",
                                       encoding="utf-8")
    code, err, _ = run_main(["experiment", "exp.yaml", "--executor", "serial", "--out", "out", "--quiet"], tmp_path)
    assert code == 0, err
    plots = sorted(p.name for p in (tmp_path / "out" / "plots").iterdir())
    assert plots == ["more_altynkol_all.png", "more_dostyk_all.png", "more_whole_corridor_all.png"]
    text = _text((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    for where in ("dostyk", "altynkol", "whole corridor"):
        assert f"Paired differences from cor (all, {where})" in text


@pytest.mark.parametrize(("body", "key", "expected"), [
    ("variants:\n  eight: {}\n", "variants.eight", "expected a mapping of key paths to values"),
    ("variants: [eight]\n", "variants", "expected a mapping of short names to changes"),
    ("replications: 1\nvariants:\n  eight: {unloading.grain.points: 8}\n", "replications", "from 2"),
    ("select: {kpi: dwell_h_mean, goal: lowest}\nvariants:\n  eight: {unloading.grain.points: 8}\n",
     "select.goal", "expected min or max"),
    ("variants:\n  eight points: {unloading.grain.points: 8}\n", "variants.eight points", "1-40 letters"),
    ("variants:\n  Eight: {unloading.grain.points: 8}\n  eight: {unloading.grain.points: 9}\n", "variants.eight",
     "the same name as variants.Eight"),
    ("variants:\n  eight: {replications: 5}\n", "variants.eight.replications", "not a lever"),
    ("variants:\n  eight: {unloading.grain.points: -1}\n", "unloading.grain.points", "variants.eight"),
])
def test_more_bad_experiment_files(tmp_path: Path, body: str, key: str, expected: str) -> None:
    (tmp_path / "mini.yaml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text("baseline: mini.yaml\n" + body, encoding="utf-8")
    code, err, _ = run_main(["experiment", "exp.yaml", "--out", "out"], tmp_path)
    assert code == 2, err
    assert "Traceback" not in err and "exp.yaml" in err and key in err and expected in err, err
    assert not (tmp_path / "out").exists()


def test_an_experiment_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text("- baseline\n", encoding="utf-8")
    code, err, _ = run_main(["experiment", "exp.yaml"], tmp_path)
    assert code == 2 and "exp.yaml: invalid experiment file" in err and "expected a mapping" in err, err
