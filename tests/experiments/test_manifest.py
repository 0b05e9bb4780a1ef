"""The manifest of the files dostyk wrote, and `--force` on directories with and without one.

No simulation here: directories are written with `atomic_directory` directly, as every command does.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sim.experiments import atomic
from sim.experiments.atomic import ResultsExistError, atomic_directory
from sim.experiments.manifest import Ownership, foreign, rows

MARKER = {"version": "0", "created": "2024-01-01T00:00:00+00:00"}


def _write(d: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(text, encoding="utf-8")


def _results(out: Path, files: dict[str, str], force: bool = False, marker: str = "metadata.json") -> None:
    with atomic_directory(out, force=force) as tmp:
        (tmp / marker).write_text(json.dumps(MARKER), encoding="utf-8")
        _write(tmp, files)


def test_the_marker_lists_every_file_written_with_checksum_and_rows(tmp_path: Path) -> None:
    _results(tmp_path / "r", {"kpis.csv": 'a,b\n1,"x\ny"\n2,z\n', "plots/p.png": "png", "scenario.yaml": "name: x\n"})
    files = json.loads((tmp_path / "r" / "metadata.json").read_text(encoding="utf-8"))["files"]
    assert set(files) == {"kpis.csv", "plots/p.png", "scenario.yaml"}  # not the marker itself
    assert files["kpis.csv"]["rows"] == 2  # a quoted line break is inside a row
    assert files["kpis.csv"]["sha256"] == hashlib.sha256((tmp_path / "r" / "kpis.csv").read_bytes()).hexdigest()
    assert files["plots/p.png"]["bytes"] == 3 and "rows" not in files["plots/p.png"]
    assert foreign(tmp_path / "r") == []


def test_force_keeps_the_users_files_and_replaces_the_tools(tmp_path: Path) -> None:
    out = tmp_path / "r"
    _results(out, {"kpis.csv": "a\n1\n", "plots/old.png": "old"})
    _write(out, {"notes.txt": "mine", "plots/mine.png": "my figure", "sub/deep/x.txt": "x"})
    (out / "empty").mkdir()
    os.symlink("notes.txt", out / "link")
    inode = (out / "notes.txt").stat().st_ino
    _results(out, {"kpis.csv": "a\n2\n"}, force=True)
    assert (out / "kpis.csv").read_text() == "a\n2\n" and not (out / "plots" / "old.png").exists()
    assert (out / "notes.txt").read_text() == "mine" and (out / "notes.txt").stat().st_ino == inode
    assert (out / "plots" / "mine.png").read_text() == "my figure" and (out / "sub/deep/x.txt").read_text() == "x"
    assert (out / "empty").is_dir() and os.readlink(out / "link") == "notes.txt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"], "no temporary or old directory is left"


def test_a_directory_older_than_the_manifest(tmp_path: Path) -> None:
    """Only a marker: the files its format is known to write are the tool's; anything else is kept."""
    out = tmp_path / "r"
    _write(out, {"metadata.json": json.dumps(MARKER), "kpis.csv": "a\n1\n", "dwell.csv": "d\n", "report.html": "r",
                 "plots/backlog.png": "b", "plots/notes.md": "mine", "points.csv": "a sensitivity's name, mine here",
                 "scenarios/a.yaml": "a comparison's folder, mine here"})
    own = Ownership.of(out)
    assert own.owns("kpis.csv") and own.owns("plots/backlog.png") and not own.owns("plots/sub/backlog.png")
    assert foreign(out) == ["points.csv", "plots/notes.md", "scenarios/a.yaml"]
    _results(out, {"kpis.csv": "a\n2\n"}, force=True)
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == {
        "metadata.json", "kpis.csv", "points.csv", "plots/notes.md", "scenarios/a.yaml"}


def test_a_users_file_where_the_new_results_write_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "r"
    _results(out, {"kpis.csv": "a\n1\n"})
    _write(out, {"summary.csv": "my own summary", "plots": "a file named plots"})
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for clash in ({"summary.csv": "new"}, {"plots/x.png": "new"}):
        with pytest.raises(ResultsExistError, match="was not written by dostyk, and the new results have"):
            _results(out, {"kpis.csv": "a\n2\n", **clash}, force=True)
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_interrupted_swap_loses_no_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's files are linked, not moved, into the new directory: if the swap fails, they are still
    in the old one, which stays in place."""
    out = tmp_path / "r"
    _results(out, {"kpis.csv": "a\n1\n"})
    _write(out, {"notes.txt": "mine"})
    real, calls = os.replace, []

    def second_fails(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(Path(src).name)
        if Path(src).name.endswith(".partial"):  # the old directory is aside, the new one not yet in place
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", second_fails)
    with pytest.raises(KeyboardInterrupt):
        _results(out, {"kpis.csv": "a\n2\n"}, force=True)
    assert calls[-1].startswith(".r.old-"), "the old directory was put back"
    assert (out / "notes.txt").read_text() == "mine" and (out / "kpis.csv").read_text() == "a\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


@pytest.mark.parametrize(("text", "n"), [("", 0), ("a,b\n", 0), ("a\n1\n2\n", 2), ("a\n1\n2", 2), ('a\n"1\n2"\n', 1)])
def test_rows_of_a_csv(text: str, n: int, tmp_path: Path) -> None:
    """Counted from bytes or, as a stream, from the file (the manifest's way): the same number."""
    assert rows(text.encode()) == n
    (tmp_path / "f.csv").write_bytes(text.encode())
    assert rows(tmp_path / "f.csv") == n, "a file is read as a stream, with the same count"


def test_rows_of_a_csv_larger_than_a_chunk_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """A stream splits the file into chunks; a record, a quoted field or a bad byte across the
    boundary counts as in one piece."""
    text = b"a,b\n" + b"".join(b'%d,"x\ny\xff"\n' % i for i in range(200_000))
    (tmp_path / "big.csv").write_bytes(text)
    assert len(text) > 2 * (1 << 20)
    assert rows(tmp_path / "big.csv") == rows(text) == 200_000


def test_a_listed_path_outside_the_directory_is_damage(tmp_path: Path) -> None:
    from sim.experiments.manifest import damage

    (tmp_path / "outside.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "r").mkdir()
    problems = damage(tmp_path / "r", {"../outside.csv": {"sha256": "0"}}, ["../outside.csv"])
    assert problems == ["the list of files names '../outside.csv', outside the directory"]


def test_a_users_folder_that_cannot_be_listed_is_refused_not_lost(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """os.walk skips a folder it cannot list; its files would then be removed with the old directory."""
    out = tmp_path / "r"
    _results(out, {"kpis.csv": "a\n1\n"})
    _write(out, {"private/diary.txt": "mine"})
    real = os.scandir

    def scandir(path: int | str | os.PathLike[str] = ".") -> object:
        if not isinstance(path, int) and Path(path).name == "private":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(OSError, match="Permission denied"):
        _results(out, {"kpis.csv": "a\n2\n"}, force=True)
    monkeypatch.setattr(os, "scandir", real)
    assert (out / "private" / "diary.txt").read_text() == "mine" and (out / "kpis.csv").read_text() == "a\n1\n"
