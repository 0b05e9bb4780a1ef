"""Output directories of calibrate, optimize and sensitivity.

Directories are written atomically (sim.experiments.atomic): a reader sees the old directory or the
new complete one; an existing one is replaced only with force.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.atomic import atomic_directory, write_scenario_yaml
from sim.experiments.results import package_version
from sim.scenario.schema import Scenario


def write_tables(out: str | os.PathLike[str], force: bool, tables: dict[str, pd.DataFrame], metadata: dict[str, Any],
                 meta_name: str, scenario: tuple[str, Scenario] | None = None,
                 extra: Callable[[Path], None] | None = None) -> Path:
    """One results directory: CSV tables, a JSON of metadata, an optional scenario YAML, and whatever
    `extra(directory)` adds before the directory is moved into place (the CLI's plots/)."""
    with atomic_directory(out, force) as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / name, index=False)
        meta = {**metadata, "version": package_version(),
                "created": metadata.get("created", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))}
        (tmp / meta_name).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
        if scenario is not None:
            write_scenario_yaml(tmp / scenario[0], scenario[1])
        if extra is not None:
            extra(tmp)
    return Path(out)
