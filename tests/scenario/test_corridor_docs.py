"""Every key added for the corridor is explained twice: in `dostyk schema` (a description) and in
the documentation (named in backticks in README.md or a page under docs/), so an analyst finds it
either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli.app import cli
from sim.scenario import corridor, stages
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))])

NEW_FIELDS: list[tuple[type, str]] = [
    (Scenario, "crossings"), (Scenario, "routing"), (Scenario, "loading"), (Scenario, "initial_state"),
    *[(stages.CrossingSpec, f) for f in ("line", "yard", "checks", "unloading", "empties", "initial_state")],
    (corridor.Routing, "shares"), (corridor.Routing, "divert"), (corridor.Routing, "reroute"),
    *[(corridor.Reroute, f) for f in ("from_", "to", "extra_time", "usd_per_wagon", "check_every")],
    *[(corridor.Divert, f) for f in ("from_", "to", "above_wagons", "resume_below", "share", "check_every")],
    (corridor.Loading, "wagons_per_day"), (corridor.Loading, "burst_wagons"),
    *[(stages.InitialState, f) for f in ("in_yard_wagons", "held_wagons", "en_route_wagons", "arriving_within",
                                         "after_check")],
    (stages.Check, "shares"), (stages.Check, "share_unused"), (stages.Check, "reject"),
    (stages.Line, "shares"), (stages.Line, "share_unused"),
    (stages.Yard, "shares"), (stages.Yard, "share_unused"),
    *[(stages.Reject, f) for f in ("share", "per", "cargo", "from_", "to", "return_time")],
    (corridor.Disruption, "on_halt"), (corridor.StopLoading, "crossings"),
    # dated routing (issue 16, item 2)
    (corridor.Routing, "changes"), (corridor.Divert, "starts"), (corridor.Divert, "ends"),
    (corridor.DatedShares, "from_"), (corridor.DatedShares, "shares"),
]


@pytest.mark.parametrize(("model", "field"), NEW_FIELDS, ids=[f"{m.__name__}.{f}" for m, f in NEW_FIELDS])
def test_new_key_has_a_description_and_is_in_the_docs(model: type, field: str) -> None:
    info = model.model_fields[field]  # type: ignore[attr-defined]
    assert info.description, f"{model.__name__}.{field} has no description for `dostyk schema`"
    key = info.alias or field
    assert f"`{key}" in DOCS or f"{key}:" in DOCS, f"{key} is not in README.md or docs/"


def test_dostyk_schema_shows_the_new_keys() -> None:
    out = CliRunner().invoke(cli, ["schema"])
    assert out.exit_code == 0
    schema = json.loads(out.output)
    text = json.dumps(schema)
    for key in ("crossings", "routing", "loading", "initial_state", "reject", "on_halt", "burst_wagons"):
        assert f'"{key}"' in text
    assert "the origin's loading rate" in text
