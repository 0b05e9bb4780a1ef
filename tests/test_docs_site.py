"""The documentation site builds (`mkdocs build --strict`, as CI and `make docs` do), the README stays a
short front page whose links all lead to files in the repository, and the key table made from the
schema reaches the built scenario-format page (and the public names, from their docstrings, the API page)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
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


# -- the commands the pages show (README.md and docs/) --------------------------------------------------

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _shown_commands() -> list[tuple[str, list[str]]]:
    """(page, words) of every `dostyk …` line in the pages' sh/bash blocks, continuations joined."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```(?:sh|bash)\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["dostyk"]:
                    found.append((page.relative_to(ROOT).as_posix(), words[: words.index(">")] if ">" in words else words))
    return found


def test_every_shown_command_parses_with_todays_options() -> None:
    """A command a reader copies from a page has its options today, and the shipped files it names exist
    (renaming an option or a scenario breaks here, not in the reader's terminal)."""
    import click

    from sim.cli import cli

    commands = _shown_commands()
    assert len(commands) > 20, commands
    for page, words in commands:
        ctx = click.Context(cli)
        command = cli.get_command(ctx, words[1])
        assert command is not None, f"{page}: no command {words[1]!r} in {' '.join(words)}"
        try:
            command.make_context(words[1], words[2:], parent=ctx)
        except click.ClickException as exc:
            raise AssertionError(f"{page}: {' '.join(words)}: {exc.format_message()}") from exc
        for word in words:
            for path in re.findall(r"(?:^|=)(scenarios/[\w/.-]+\.yaml)", word):
                assert (ROOT / path).is_file(), f"{page}: {' '.join(words)} names {path}, which does not exist"


def test_every_option_named_in_the_prose_exists() -> None:
    """`dostyk CMD … --option` written in a sentence names an option CMD has (placeholders are not parsed)."""
    import click

    from sim.cli import cli

    for page in PAGES:
        prose = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for name, rest in re.findall(r"`dostyk ([a-z]+)([^`]*)`", prose):
            command = cli.get_command(click.Context(cli), name)
            assert command is not None, f"{page.name}: `dostyk {name}{rest}`: no such command"
            known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
            for option in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", rest):
                assert option in known, f"{page.name}: `dostyk {name}{rest}`: {name} has no option {option}"


@pytest.mark.slow
def test_readme_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    """The worked example's command, run as a reader runs it (the `dostyk` program, from a directory of
    their own), prints the table the README quotes and the README's reading of it holds."""
    from tests.shown_output import assert_prints_as_shown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("## A worked example", 1)[1]
    command = shlex.split(example.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " "))
    shown = example.split("```text\n", 1)[1].split("```", 1)[0]
    assert command[:2] == ["dostyk", "compare"]
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    exe = Path(sys.executable).with_name("dostyk")
    program = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([*program, *command[1:], "--workers", "2"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_prints_as_shown(shown, proc.stdout)
    backlog = re.search(r"^backlog_wagons_mean .* -(\S+ ± \S+) ", shown, flags=re.M)
    assert backlog and f"cut the mean border backlog by {backlog[1]} wagons" in " ".join(example.split())


def test_the_named_experiment_example_reads(tmp_path: Path) -> None:
    """The experiment file the how-to shows, saved as it says (grain-unloading.yaml, beside `scenarios/`), is
    accepted: its baseline, variants' changes and KPIs are today's."""
    from sim.experiments.named import read_experiment

    page = (ROOT / "docs" / "howto" / "named-experiments.md").read_text(encoding="utf-8")
    block = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block.startswith("# grain-unloading.yaml\n")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "grain-unloading.yaml").write_text(block, encoding="utf-8")
    experiment = read_experiment(tmp_path / "grain-unloading.yaml")
    assert experiment.names[1:] == ["eight-points", "four-points", "fast-customs"]
    assert experiment.scenarios[1].unloading.groups["grain"].points == 8 and experiment.seed == 7


def test_the_starting_state_example_reads(tmp_path: Path) -> None:
    """The exporter's scenario in run-a-scenario.md, saved as it says beside `scenarios/`, loads: 400 grain
    wagons en route at the start and the handover closed for ten days."""
    import datetime as dt

    import sim

    page = (ROOT / "docs" / "howto" / "run-a-scenario.md").read_text(encoding="utf-8")
    block = "\n".join(line[2:] for line in page.split("```yaml\n", 1)[1].split("```", 1)[0].splitlines())
    assert block.startswith("# exporter-ban.yaml, beside scenarios/\n")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "exporter-ban.yaml").write_text(block, encoding="utf-8")
    s = sim.load_scenario(tmp_path / "exporter-ban.yaml")
    assert s.initial_state is not None and s.initial_state["grain"].en_route_wagons == 400
    ban = next(d for d in s.disruptions if d.name == "grain-ban")
    assert ban.capacity == 0 and ban.to - ban.from_ == dt.timedelta(days=10) and s.duration == 150 * 24
