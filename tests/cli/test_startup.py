"""The command line answers at once (issue 17, item 4): `import sim`, `import sim.cli`, `dostyk --help`
and `dostyk validate` import none of the heavy libraries; only the commands that use them do.

Each check runs in a fresh interpreter, because this test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import sim
from sim.cli.app import COMMANDS, cli, summary_only

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "pandas", "scipy", "optuna", "SALib", "openpyxl", "jinja2", "dask", "distributed",
         "tqdm", "pyarrow")

PROBE = """
import json, sys
{code}
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))
"""


def imported_by(code: str) -> set[str]:
    """Top-level packages loaded in a fresh interpreter after running `code`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True, timeout=60)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", ["import sim", "import sim.cli"])
def test_importing_the_package_and_the_cli_loads_no_heavy_library(code: str) -> None:
    loaded = imported_by(code) & {*HEAVY, "numpy", "pydantic", "simpy"}
    assert not loaded, f"`{code}` imports {sorted(loaded)}"


def test_help_and_validate_load_no_heavy_library() -> None:
    run_cli = ("from sim.cli import main\nsys.argv = ['dostyk'] + {argv!r}\n"
               "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n")
    assert not imported_by(run_cli.format(argv=["--help"])) & {*HEAVY, "numpy", "pydantic"}
    # a scenario with dated disruptions, so that the period text is written too
    validate = ["validate", "scenarios/jan2024_admin_hold.yaml"]
    loaded = imported_by(run_cli.format(argv=validate)) & set(HEAVY)
    assert not loaded, f"dostyk validate imports {sorted(loaded)}"


def test_a_command_is_loaded_when_used_and_a_heavy_one_still_works() -> None:
    loaded = imported_by("import sim\nsim.run\n")
    assert {"pandas", "simpy"} <= loaded  # the lazy attribute did import the runner


def test_every_public_name_resolves() -> None:
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    assert set(sim.__all__) <= set(dir(sim))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        sim.nonexistent  # noqa: B018 - the attribute access is what is tested


def test_help_summaries_are_the_commands_own() -> None:
    """`dostyk --help` lists commands from COMMANDS without importing them: it must say what they say."""
    ctx = click.Context(cli)
    for name, (module, _) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.callback is not None, name
        assert command.callback.__module__ == module, name
        for limit in (45, 60, 200):
            assert summary_only(name).get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_help_lists_every_command() -> None:
    text = cli.get_help(click.Context(cli, info_name="dostyk"))
    for name in COMMANDS:
        assert f"\n  {name} " in text, name
