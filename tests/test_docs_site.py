"""The documentation site builds (`mkdocs build --strict`, as CI and `make docs` do), the README stays a
short front page whose links all lead to files in the repository, and the key table made from the
schema reaches the built scenario-format page (and the public names, from their docstrings, the API page)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_is_a_short_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 200, f"README.md has {len(lines)} lines; the reference belongs under docs/"
    text = "\n".join(lines)
    for command in ("make run", "make test"):
        assert command in text


def test_readme_links_stay_inside_the_repository() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert targets, "README.md links into the documentation"
    for target in targets:
        assert "://" not in target and not target.startswith("/"), f"README links outside the repository: {target}"
        path = (ROOT / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), f"README links to a missing file: {target}"


def test_every_docs_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages, "docs/ has pages"
    assert {p for p in pages if p not in nav} == set()


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
                    reason="mkdocs and mkdocs-material are not installed (the `docs` extra, also in `dev`)")
def test_site_builds_strict_with_the_generated_tables(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (tmp_path / "site" / "scenario-format" / "index.html").read_text(encoding="utf-8")
    assert "scenario-keys" not in page, "the key table's marker was not replaced"
    # keys from deep in the schema, with the descriptions `dostyk schema` gives them
    assert "policies.stop_loading.resume_below" in page and "resume once it is below this (wagons)" in page
    assert "demand.NAME.tonnes_per_year" in page
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "api-summary" not in api, "the API table's marker was not replaced"
    import sim

    for name in sim.__all__:  # every public name, with the first line of its docstring
        assert f"sim.{name}" in api, name
    assert "Run a scenario&#39;s replications and collect them into Results" in api or \
        "Run a scenario's replications and collect them into Results" in api
    observed = (tmp_path / "site" / "observed" / "index.html").read_text(encoding="utf-8")
    assert "Sources of the reference corridor" in observed  # scenarios/corridor/SOURCES.md, included
