"""report.html: the KPI table of summary.csv, embedded images only, and a real browser renders it."""

from __future__ import annotations

import base64
import math
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments.results import Results
from sim.reporting import report
from sim.reporting.labels import KPI_UNITS, kpi_bounds
from sim.reporting.numbers import interval

ROOT = Path(__file__).resolve().parents[2]
JAN = ROOT / "scenarios" / "jan2024_admin_hold.yaml"
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
# the shipped scenarios carry the corridor's loading rate (issue 16), so their reports show the loading figure
FIGURES = {"backlog", "held_trains", "deliveries", "dwell", "utilization", "waiting", "loading"}
CHROMIUM = "/usr/bin/chromium"


class _Page(HTMLParser):
    """Collects every URL-carrying attribute, the tags used, and the KPI table's cells."""

    URL_ATTRS: ClassVar[set[str]] = {"src", "href", "srcset", "data", "poster", "action", "formaction", "background", "xlink:href"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.kpi_rows: list[list[str]] = []
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in self.URL_ATTRS or (name == "style" and value and "url(" in value):
                self.urls.append((tag, name, value or ""))
        if tag == "table":
            self._table = dict(attrs).get("class")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._table == "kpis" and self._in_body:
            self.kpi_rows.append([])
        elif tag == "td" and self._table == "kpis" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.kpi_rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def jan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results directory of the January 2024 hold, written as `dostyk run` writes it."""
    results = sim.run(sim.load_scenario(JAN), replications=3, executor="serial")
    out = tmp_path_factory.mktemp("report") / "jan2024"
    results.write(out, extra=lambda d: report.write_report(results, d))
    return out


def test_report_holds_the_kpi_table_of_summary_csv(jan_dir: Path) -> None:
    html = (jan_dir / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(jan_dir / "summary.csv")
    cargos = list(dict.fromkeys(summary["cargo"]))
    table = {row[0]: row for row in _parse(html).kpi_rows}
    assert set(table) == set(summary["kpi"])
    for r in summary.itertuples(index=False):
        row = table[r.kpi]
        i = 2 + 2 * cargos.index(r.cargo)  # KPI, unit, then (mean, CI) per cargo
        mean_cell, ci_cell = row[i], row[i + 1]
        mean, ci, clipped = interval(r.mean, r.ci95_low, r.ci95_high, r.n, kpi_bounds(r.kpi))
        assert mean_cell.split(" (n = ")[0] == mean, (r.kpi, r.cargo)
        assert ci_cell == ci + (" *" if clipped else ""), (r.kpi, r.cargo)
        assert (f"(n = {r.n} of 3)" in mean_cell) == (0 < r.n < 3)
        assert "e+" not in mean_cell + ci_cell and "e-" not in mean_cell + ci_cell
        if ci and r.kpi in KPI_UNITS:  # nothing here can be negative: no interval is shown below 0
            low = float(ci.split(" – ")[0].replace(",", ""))
            assert low >= 0 and (low > r.ci95_low or r.ci95_low >= 0), (r.kpi, r.cargo, ci)
    # an independent look at one number: total tonnes to the precision of its interval, with separators
    tonnes = summary[(summary["cargo"] == "all") & (summary["kpi"] == "tonnes_delivered")].iloc[0]
    half = (tonnes["ci95_high"] - tonnes["ci95_low"]) / 2
    step = 10 ** (math.floor(math.log10(half)) - 1)  # the half-width's second significant figure
    assert table["tonnes_delivered"][2 + 2 * cargos.index("all")] == f"{round(tonnes['mean'] / step) * step:,.0f}"
    assert table["tonnes_delivered"][1] == "t"
    assert any(" *" in cell for row in table.values() for cell in row), "the 3-replication hold has clipped intervals"
    assert "95 % CI clipped at the KPI" in html


def test_report_embeds_its_images_and_links_nothing(jan_dir: Path) -> None:
    html = (jan_dir / "report.html").read_text(encoding="utf-8")
    page = _parse(html)
    assert not page.tags & {"link", "script", "iframe", "object", "embed", "base"}
    assert "http://" not in html and "https://" not in html and "url(" not in html
    imgs = [(tag, attr, url) for tag, attr, url in page.urls]
    assert len(imgs) == len(FIGURES)
    pngs = {p.stem: p.read_bytes() for p in (jan_dir / "plots").glob("*.png")}
    assert set(pngs) == FIGURES
    embedded = []
    for tag, attr, url in imgs:
        assert (tag, attr) == ("img", "src")
        prefix = "data:image/png;base64,"
        assert url.startswith(prefix)
        data = base64.b64decode(url[len(prefix):], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        embedded.append(data)
    assert sorted(embedded) == sorted(pngs.values())  # the report shows exactly the plots/ files


def test_report_says_what_and_how(jan_dir: Path) -> None:
    html = (jan_dir / "report.html").read_text(encoding="utf-8")
    meta = Results.read(jan_dir).metadata
    assert "<title>jan2024-admin-hold" in html
    assert "From 2 to 20 January 2024 the" in html  # the scenario's description
    for text in (f"<td>{meta['version']}</td>", f"<td>{meta['seed']}</td>", f"<td>{meta['created']}</td>",
                 "<td>3</td>", "1 Oct 2023 – 31 Mar 2024 (183 days)", "checks.handover: capacity ×0.2; 2–20 Jan 2024",
                 "6 points, wagon time gamma (mean 1, cv 0.3; hours); nominal 9,792 t/day"):
        assert text in html, text
    assert "admin-hold</strong>:" in html  # recovery after the hold is spelled out


def test_report_escapes_scenario_text(tmp_path: Path) -> None:
    scen = sim.load_scenario(BASELINE).with_changes(
        {"duration": "20d", "description": "<script>alert('x')</script> & <img src=http://evil>"})
    results = sim.run(scen, replications=2, executor="serial")
    path = report.write_report(results, tmp_path)
    html = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script" not in html and "http://evil" not in html.replace(
        "src=http://evil&gt;", "")
    assert _parse(html).tags.isdisjoint({"script"})


def test_cli_run_writes_report_and_report_rebuilds_it_atomically(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "base"
    main(["run", str(BASELINE), "-n", "2", "--executor", "serial", "--quiet", "--set", "duration=40d",
          "--out", str(out)])
    assert (out / "report.html").is_file()
    assert {p.stem for p in (out / "plots").glob("*.png")} == FIGURES
    # `dostyk report` rebuilds from the files: same KPI table, fresh plots
    (out / "report.html").write_text("stale", encoding="utf-8")
    shutil.rmtree(out / "plots")
    main(["report", str(out)])
    html = (out / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(out / "summary.csv")
    row = summary[(summary["cargo"] == "all") & (summary["kpi"] == "throughput_t_per_day")].iloc[0]
    assert interval(row["mean"], row["ci95_low"], row["ci95_high"], row["n"])[0] in html
    assert {p.stem for p in (out / "plots").glob("*.png")} == FIGURES
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    # a failure half-way leaves the previous report and plots in place and no temporary files
    before = (out / "report.html").read_bytes(), sorted((out / "plots").iterdir())

    def broken(*_args: object, **_kw: object) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(report, "render", broken)
    with pytest.raises(SystemExit) as exc:
        main(["report", str(out)])
    assert exc.value.code == 1
    assert ((out / "report.html").read_bytes(), sorted((out / "plots").iterdir())) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(SystemExit) as exc:
        main(["report", str(tmp_path / "missing")])
    assert exc.value.code == 2


# -- a real browser ------------------------------------------------------------------------------
CHECK_IMAGES = """<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute("data-images-ok", ok + "/" + imgs.length);
});
</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _images_ok(html: str, tmp: Path, name: str) -> str:
    """'ok/total' images that loaded and decoded, as counted by the browser itself."""
    page = tmp / f"{name}.html"
    page.write_text(html.replace("</body>", CHECK_IMAGES + "</body>"), encoding="utf-8")
    done = _chromium(["--dump-dom", page.as_uri()], tmp / f"profile-{name}")
    assert done.returncode == 0, done.stderr[-2000:]
    marker = 'data-images-ok="'
    assert marker in done.stdout, "the check script did not run"
    return done.stdout.split(marker, 1)[1].split('"', 1)[0]


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} not installed (Debian package 'chromium'; `make test` installs it as root)")
def test_january_report_renders_in_headless_chromium(jan_dir: Path, tmp_path: Path) -> None:
    html = (jan_dir / "report.html").read_text(encoding="utf-8")
    n = len(FIGURES)
    # every image of the report decodes in the browser ...
    assert _images_ok(html, tmp_path, "report") == f"{n}/{n}"
    # ... and the check does notice a broken one
    prefix = '<img src="data:image/png;base64,'
    broken = html.replace(prefix, prefix + "AAAA", 1)
    assert _images_ok(broken, tmp_path, "broken") == f"{n - 1}/{n}"
    # the screenshot of the report as a reader opens it shows a rendered page, not a blank one
    shot = tmp_path / "report.png"
    done = _chromium([f"--screenshot={shot}", "--window-size=1200,2400", (jan_dir / "report.html").as_uri()],
                     tmp_path / "profile-shot")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (2400, 1200)
    assert np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0).shape[0] > 50  # charts, not one colour


def test_report_says_where_trains_wait(jan_dir: Path) -> None:
    """The binding constraint, recomputed here from daily.csv alone, is what the report names."""
    html = (jan_dir / "report.html").read_text(encoding="utf-8")
    daily = pd.read_csv(jan_dir / "daily.csv")
    window = daily[(daily["cargo"] == "all") & (daily["day"] >= 30)]  # warm-up 30 days
    stages = [c.split(".", 1)[1] for c in daily.columns if c.startswith("queue_mean.")]
    assert set(stages) == {"line", "yard", "checks.customs", "checks.phytosanitary", "checks.handover"}
    assert daily.loc[daily["cargo"] != "all", "queue_mean.yard"].isna().all()  # stages are on the `all` rows
    held = {s: sum(window[f"blocked_{r}_h.{s}"].sum() for r in ("closed", "quota", "full")) / (24 * len(window))
            for s in stages}
    binding = max(held, key=held.__getitem__)
    assert held[binding] > 0.05
    assert f"Trains were held back most in front of {binding} (" in html
    assert f"could not enter {stages_percent(held[binding])} of the time" in html
    assert 'id="plot-waiting"' in html and "Where trains wait" in html


def stages_percent(share: float) -> str:
    from sim.reporting.stages import percent

    return percent(share)
