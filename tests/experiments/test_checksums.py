"""Damage is detected wherever it is: every results file cut at several byte offsets (mid-row
included) or replaced by another valid file is refused by every reader — `Results.read`,
`dostyk report` and `dostyk kpis` — with a message naming the file and how to rebuild it.

The consistency checks (tests/experiments/test_results.py) miss a file that is complete in shape:
a `summary.csv` or `kpis.csv` of another run, or a row cut at a field boundary that still parses.
The SHA-256 and row count that metadata.json records of each file do not.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sim.experiments.results import DamagedResultsError, Results
from tests.cli.test_bad_inputs import MINI, run_main

DATA = ("scenario.yaml", "kpis.csv", "summary.csv", "daily.csv", "events.csv", "dwell.csv")
SETS = ["--set", "duration=2d", "-n", "2", "--executor", "serial", "-q", "--no-report"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One run, and another of the same shape (another seed and unloading points) to take files from."""
    d = tmp_path_factory.mktemp("runs")
    (d / "mini.yaml").write_text(MINI, encoding="utf-8")
    for out, extra in (("r", []), ("other", ["--seed", "5", "--set", "unloading.grain.points=5"])):
        code, err, _ = run_main(["run", "mini.yaml", *SETS, *extra, "--out", out], d)
        assert code == 0, err
    return d / "r", d / "other"


def _offsets(data: bytes) -> dict[str, int]:
    """Where to cut: nothing left, inside the header, in the middle of the first and of the last row,
    just before the last line break (the same rows, one byte short)."""
    lines = data.splitlines(keepends=True)
    header = len(lines[0])
    out = {"empty": 0, "mid-header": header // 2, "one-byte-short": len(data) - 1}
    if len(lines) > 2:
        out["mid-first-row"] = header + len(lines[1]) // 2
        out["mid-last-row"] = len(data) - len(lines[-1]) // 2
    return out


def _readers(directory: Path) -> dict[str, tuple[int, str]]:
    """What each reader says of `directory`: (exit status, message)."""
    out: dict[str, tuple[int, str]] = {}
    try:
        Results.read(directory)
        out["Results.read"] = (0, "")
    except DamagedResultsError as exc:
        out["Results.read"] = (2, str(exc))
    for name, args in (("report", ["report", directory.name]),
                       ("kpis", ["kpis", directory.name, "--at", "2024-01-01"])):
        code, err, _ = run_main(args, directory.parent)
        out[name] = (code, err)
    return out


def _damages(runs: tuple[Path, Path]) -> list[tuple[str, str, bytes]]:
    """(file, what was done, its damaged bytes) for every data file."""
    r, other = runs
    out = []
    for name in DATA:
        data = (r / name).read_bytes()
        out += [(name, f"cut {where} (at byte {at})", data[:at]) for where, at in _offsets(data).items()]
        out.append((name, "replaced by the other run's", (other / name).read_bytes()))
        swap = "summary.csv" if name != "summary.csv" else "kpis.csv"
        out.append((name, f"replaced by {swap}", (r / swap).read_bytes()))
    return [d for d in out if d[2] != (r / d[0]).read_bytes()]  # e.g. events.csv of both runs may be equal


def test_every_reader_refuses_every_damaged_file(runs: tuple[Path, Path], tmp_path: Path) -> None:
    r, _ = runs
    copy = Path(shutil.copytree(r, tmp_path / "r"))
    damages = _damages(runs)
    assert len(damages) >= 5 * len(DATA)
    missed = []
    for name, what, data in damages:
        original = (copy / name).read_bytes()
        (copy / name).write_bytes(data)
        try:
            for reader, (code, message) in _readers(copy).items():
                if code != 2 or f"{name} has changed since dostyk wrote it" not in message \
                        or "--replications 2 --out" not in message or "Traceback" in message:
                    missed.append(f"{reader} on {name} {what}: exit {code}: {message[:300]}")
        finally:
            (copy / name).write_bytes(original)
    assert not missed, "\n".join(missed)
    assert Results.read(copy).replications == 2  # restored: read whole again


def test_a_cut_row_is_said_as_rows_missing(runs: tuple[Path, Path], tmp_path: Path) -> None:
    copy = Path(shutil.copytree(runs[0], tmp_path / "r"))
    data = (copy / "kpis.csv").read_bytes()
    (copy / "kpis.csv").write_bytes(data[: _offsets(data)["mid-last-row"]])
    with pytest.raises(DamagedResultsError, match=r"kpis\.csv has changed since dostyk wrote it: its last row is "
                                                  r"cut off \(of 6 rows, the last ends mid-line\)") as info:
        Results.read(copy)
    (copy / "kpis.csv").write_bytes(data[: _offsets(data)["mid-first-row"]])
    with pytest.raises(DamagedResultsError, match=r"kpis\.csv has changed since dostyk wrote it: it has 1 row, "
                                                  r"6 rows written \(cut short or replaced\?\)"):
        Results.read(copy)
    assert f"dostyk run {copy / 'scenario.yaml'} --seed 1 --replications 2 --out {copy} --force" in str(info.value)


def test_a_damaged_scenario_is_not_offered_as_the_way_to_rebuild(runs: tuple[Path, Path], tmp_path: Path) -> None:
    copy = Path(shutil.copytree(runs[0], tmp_path / "r"))
    (copy / "scenario.yaml").write_bytes((runs[1] / "scenario.yaml").read_bytes())
    with pytest.raises(DamagedResultsError, match=r"scenario\.yaml here is damaged too") as info:
        Results.read(copy)
    assert "dostyk run SCENARIO.yaml --seed 1 --replications 2" in str(info.value)


def test_metadata_cut_anywhere_is_refused(runs: tuple[Path, Path], tmp_path: Path) -> None:
    """metadata.json holds the checksums, so it cannot hold its own: cut, it is no longer JSON."""
    copy = Path(shutil.copytree(runs[0], tmp_path / "r"))
    data = (copy / "metadata.json").read_bytes()
    for at in (0, 1, len(data) // 3, len(data) // 2, len(data) - 3):
        (copy / "metadata.json").write_bytes(data[:at])
        with pytest.raises(DamagedResultsError, match=r"metadata\.json cannot be read"):
            Results.read(copy)


def test_results_without_checksums_still_load_and_say_so(runs: tuple[Path, Path], tmp_path: Path) -> None:
    """A directory written before the manifest (metadata.json without `files`) reads as before."""
    copy = Path(shutil.copytree(runs[0], tmp_path / "r"))
    meta = json.loads((copy / "metadata.json").read_text(encoding="utf-8"))
    del meta["files"]
    (copy / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    assert Results.read(copy).replications == 2
    code, err, _ = run_main(["kpis", "r", "--at", "2024-01-01"], tmp_path)
    assert code == 0, err
    assert ("r was written before dostyk recorded checksums of its files; only their consistency is checked"
            in " ".join(err.split()))  # (a note wrapped to the terminal)
    # `report` draws its plots and keeps a figure of the user's; the old metadata.json is left as it was
    (copy / "plots").mkdir()
    (copy / "plots" / "mine.png").write_bytes(b"my figure")
    before = (copy / "metadata.json").read_bytes()
    code, err, _ = run_main(["report", "r"], tmp_path)
    assert code == 0, err
    assert "only their consistency is checked" in err and (copy / "report.html").is_file()
    assert (copy / "plots" / "mine.png").read_bytes() == b"my figure" and (copy / "plots" / "backlog.png").is_file()
    assert (copy / "metadata.json").read_bytes() == before
