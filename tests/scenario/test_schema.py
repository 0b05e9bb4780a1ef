"""Scenario parsing: durations, distributions, dotted-path changes, and the documented example
(docs/scenario-format.md)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
import yaml

import sim
from sim.scenario.distributions import Sampler
from sim.scenario.durations import parse_duration
from sim.scenario.keypaths import KeyPathError, set_path
from sim.scenario.loader import read_scenario_data
from sim.scenario.schema import Scenario
from tests.conftest import ROOT, SCENARIOS


@pytest.mark.parametrize(
    ("text", "hours"),
    [(2, 2.0), (1.5, 1.5), ("30min", 0.5), ("6h", 6.0), ("2d", 48.0), ("1w", 168.0), (" 90 min ", 1.5), ("3", 3.0),
     # units in words, as `days` was read and these refused: `6 hours` was 'unknown time unit 'hours''
     ("6 hours", 6.0), ("1 hour", 1.0), ("6hrs", 6.0), ("90 mins", 1.5), ("90 minutes", 1.5), ("2 weeks", 336.0),
     ("1 Week", 168.0), ("3600 seconds", 1.0), ("2 wks", 336.0)],
)
def test_durations_convert_to_hours(text: object, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("bad", ["3 parsecs", "h", "", True, None, [1], "nan h", "6 m", "6 ms", "6 hourz", "2 months"])
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match=r"duration|unit|expected|ambiguous|fixed length"):
        parse_duration(bad)


DISTS = [
    ({"dist": "fixed", "value": "2h"}, 2.0, 0.0),
    ({"dist": "exponential", "mean": "3h"}, 3.0, 3.0),
    ({"dist": "lognormal", "mean": 10, "sd": 6}, 10.0, 6.0),
    ({"dist": "gamma", "mean": 1.5, "cv": 0.3}, 1.5, 0.45),
    ({"dist": "triangular", "min": 1, "mode": 2, "max": 6}, 3.0, np.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18)),
    ({"dist": "uniform", "min": "6h", "max": "36h"}, 21.0, 30 / np.sqrt(12)),
    ({"dist": "empirical", "values": [1, 2, 3, 10]}, 4.0, np.std([1, 2, 3, 10])),
    ("15min", 0.25, 0.0),
]


@pytest.mark.parametrize(("spec", "mean", "sd"), DISTS, ids=[str(d[0]) for d in DISTS])
def test_distribution_sample_mean_matches_its_definition(spec: object, mean: float, sd: float) -> None:
    data = {"transit_time": spec}
    line = Scenario.model_fields["line"].annotation.model_validate(data)  # type: ignore[union-attr]
    dist = line.transit_time
    assert dist.mean == pytest.approx(mean)
    draws = np.array(Sampler(dist, np.random.default_rng(7)).draw(40_000))
    # 99.9 % band for a sample mean of 40,000 draws
    assert abs(draws.mean() - mean) <= 3.3 * sd / np.sqrt(len(draws)) + 1e-12
    assert draws.min() >= dist.minimum - 1e-12


def test_sampler_sequence_does_not_depend_on_block_boundaries() -> None:
    dist = Scenario.model_fields["line"].annotation.model_validate(  # type: ignore[union-attr]
        {"transit_time": {"dist": "exponential", "mean": 1}}
    ).transit_time
    one = Sampler(dist, np.random.default_rng(3), block=7)
    two = Sampler(dist, np.random.default_rng(3), block=7)
    singles = [one() for _ in range(30)]
    batched = two.draw(4) + two.draw(13) + [two()] + two.draw(12)
    assert singles == batched


@pytest.mark.parametrize("spec", [{"dist": "exponential", "mean": 1}, "15min"], ids=["exponential", "fixed"])
def test_draw_array_hands_out_the_same_values_as_a_list_and_as_an_array(spec: object) -> None:
    """draw_array takes the stream's next values like draw (within a block and across its end)."""
    dist = Scenario.model_fields["line"].annotation.model_validate({"transit_time": spec}).transit_time  # type: ignore[union-attr]
    one = Sampler(dist, np.random.default_rng(3), block=7)
    two = Sampler(dist, np.random.default_rng(3), block=7)
    singles = [one() for _ in range(30)]
    parts = [two.draw_array(3), two.draw_array(6), (two.draw(2), None), two.draw_array(12), two.draw_array(7)]
    batched = [v for values, _ in parts for v in values]
    assert singles == batched
    for values, array in parts:
        if array is not None:
            assert array.dtype == float and array.tolist() == values


def test_a_fixed_time_hands_out_one_read_only_answer_per_train_length() -> None:
    """A fixed wagon time's draw is the same for every train of a length: handed out again, not rebuilt
    (a numpy array per train was ~1 % of a run), and read-only, so a caller that changed it would fail at
    once instead of changing every later train's times."""
    dist = Scenario.model_fields["line"].annotation.model_validate({"transit_time": "15min"}).transit_time  # type: ignore[union-attr]
    sampler = Sampler(dist, np.random.default_rng(3))
    first = sampler.draw_array(55)
    assert sampler.draw_array(55) is first
    other = sampler.draw_array(54)
    assert other[0] == [0.25] * 54 and other[1].tolist() == [0.25] * 54
    assert sampler.draw_array(55)[1].tolist() == [0.25] * 55
    with pytest.raises(ValueError, match="read-only"):
        first[1][0] = 1.0


def test_with_changes_returns_a_new_validated_scenario() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    changed = base.with_changes({"unloading.grain.points": 10, "checks.customs.time": "2h", "checks[2].trains_per_day": 9})
    assert changed.unloading.groups["grain"].points == 10
    assert changed.checks[0].time.mean == 2.0
    assert changed.checks[2].trains_per_day == 9
    assert base.unloading.groups["grain"].points == 6  # the original is untouched (immutable)
    with pytest.raises(sim.ScenarioError, match=r"unloading\.grain\.points: .*greater than or equal to 1"):
        base.with_changes({"unloading.grain.points": 0})
    with pytest.raises(sim.ScenarioError, match=r"unloading\.wheat\.points: no such key"):
        base.with_changes({"unloading.wheat.points": 3})


def test_set_path_refuses_paths_that_do_not_exist() -> None:
    data = {"unloading": {"grain": {"points": 3}}, "checks": [{"name": "customs"}]}
    with pytest.raises(KeyPathError, match="wheat"):
        set_path(data, "unloading.wheat.points", 3)
    with pytest.raises(KeyPathError, match="border"):
        set_path(data, "checks.border.time", 3)
    with pytest.raises(KeyPathError):
        set_path(data, "unloading.grain.points.extra", 3)


def test_resolved_scenario_round_trips() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    again = Scenario.model_validate(yaml.safe_load(yaml.safe_dump(base.to_dict())))
    assert again == base


def test_documented_example_is_a_valid_scenario() -> None:
    page = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, flags=re.S)
    assert blocks, "docs/scenario-format.md has a YAML example"
    scenario = Scenario.model_validate(yaml.safe_load(blocks[0]))
    assert {"grain", "containers"} <= set(scenario.cargo)
    # the corridor example: the first one with its stage keys moved under `crossings` (its `after_check:
    # customs` named a check its crossing did not have), dated in 2025 where its disruptions are
    corridor = {k: v for k, v in yaml.safe_load(blocks[0]).items() if k not in ("line", "yard", "checks", "unloading",
                                                                               "empties")}
    corridor.update(yaml.safe_load(blocks[1]), start="2025-01-01")
    two = Scenario.model_validate(corridor)
    assert set(two.crossings) == {"dostyk", "altynkol"} and two.crossings["dostyk"].initial_state


# -- `dostyk schema`: the JSON Schema describes the files people write -----------------------------

@functools.cache
def _schema_text_from_cli() -> str:
    """`dostyk schema`'s output, from one subprocess for the tests that read it."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("dostyk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]
    return subprocess.run([*cmd, "schema"], capture_output=True, text=True, timeout=120, check=True).stdout


def _schema_from_cli() -> dict[str, object]:
    """The schema exactly as users get it: `dostyk schema` in a subprocess (a fresh copy for each caller)."""
    import json

    return json.loads(_schema_text_from_cli())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def json_validator():  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema_from_cli()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _as_json(data: object) -> object:
    """YAML as a JSON Schema validator sees it: unquoted dates are text (as in YAML 1.2 and editors)."""
    import json

    return json.loads(json.dumps(data, default=str))


SHIPPED = [*sorted(SCENARIOS.glob("*.yaml")), ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml"]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_schema_validates_every_shipped_scenario(json_validator, path) -> None:  # type: ignore[no-untyped-def]
    # a file that extends others (issue 16) is checked as the loader sees it: with its bases merged
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in json_validator.iter_errors(_as_json(
        read_scenario_data(path)))]
    assert errors == []


def test_schema_validates_the_documented_example_and_resolved_scenarios(json_validator) -> None:  # type: ignore[no-untyped-def]
    page = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", page, flags=re.S)[0])
    assert list(json_validator.iter_errors(_as_json(example))) == []
    resolved = sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml").to_dict()  # scenario.yaml of a run
    assert list(json_validator.iter_errors(_as_json(resolved))) == []


@pytest.mark.parametrize(("key", "value"), [
    ("duration", "6m"),                          # minutes or months?
    ("duration", "2 fortnights"),
    ("warmup", -1),
    ("unloading", {"groups": {"grain": {"points": 6, "wagon_time": "1h"}}}),  # the model's name, not the file's
    ("unloading", {"grain": {"points": 6, "wagon_time": "1h", "extra": 1}}),
    ("checks", [{"name": "customs", "time": "2h", "hours": "8-20"}]),
    ("line", {"transit_time": {"dist": "lognormal", "mean": "20h"}}),  # sd missing
    ("colour", "red"),
])
def test_schema_refuses_what_the_loader_refuses(json_validator, baseline_path, key, value) -> None:  # type: ignore[no-untyped-def]
    data = read_scenario_data(baseline_path)
    data[key] = value
    assert list(json_validator.iter_errors(_as_json(data))), f"the schema accepts {key}: {value!r}"
    with pytest.raises(sim.ScenarioError):
        Scenario.from_data(data, "test")


def test_schema_gives_units_and_says_to_is_excluded() -> None:
    schema = _schema_from_cli()
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    props = schema["properties"]
    assert isinstance(props, dict)
    assert props["duration"]["description"] == "length of the run"
    number, text = props["duration"]["anyOf"]
    assert number["description"] == "hours" and "min, h, d" in text["description"]
    assert "'m' is refused" in defs["Lognormal"]["properties"]["sd"]["description"]
    assert "(t)" in defs["Cargo"]["properties"]["payload_t"]["description"]
    assert "EXCLUDED" in defs["Disruption"]["properties"]["to"]["description"]
    assert "wagons" in defs["StopLoading"]["properties"]["above_wagons"]["description"]
    unloading = defs["Unloading"]
    assert "groups" not in unloading["properties"] and unloading["additionalProperties"] == {"$ref": "#/$defs/UnloadingGroup"}


@pytest.mark.parametrize(("text", "hint"), [("6m", "'6min'"), ("6M", "'183d'"), ("2mo", "'61d'"), ("1y", "'365d'"),
                                            ("3 months", "days")])
def test_minutes_or_months_is_refused_with_a_hint(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(hint)):
        parse_duration(text)


def test_to_is_excluded_and_validate_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`from: 2024-01-02, to: 2024-01-21` is 2–20 January; `dostyk validate` spells it out."""
    import subprocess
    import sys
    from pathlib import Path

    from sim.model.disruptions import lay_out_windows
    from sim.model.rng import Streams

    jan = sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml")
    (hold,) = [w for w in lay_out_windows(jan, Streams(1, 0), jan.duration) if w.name == "admin-hold"]
    assert (hold.end - hold.start) / 24 == 19  # 2..20 January, 21 January excluded
    exe = Path(sys.executable).with_name("dostyk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]
    proc = subprocess.run([*cmd, "validate", str(SCENARIOS / "jan2024_admin_hold.yaml")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    told = " ".join(proc.stdout.split())  # its sentences, whatever the wrapping to 100 columns
    assert "admin-hold on checks.handover: 2024-01-02 00:00 to 2024-01-21 00:00 (`to` excluded: 2–20 Jan 2024, 19 days)" in told
    assert "spring-festival" in told and "10–17 Feb 2024, 8 days" in told
    with pytest.raises(sim.ScenarioError, match=r"for the whole day 2024-01-02 write to: 2024-01-03"):
        jan.with_changes({"disruptions.admin-hold.to": "2024-01-02", "disruptions.admin-hold.from": "2024-01-02"})


@pytest.mark.parametrize(("changes", "path", "says"), [
    ({"checks[0].time": "2h", "checks.customs.time": "3h"}, "checks.customs.time", "names the same value as checks[0].time"),
    ({"unloading.grain": {"points": 3, "wagon_time": "1h"}, "unloading.grain.points": 4}, "unloading.grain.points",
     "lies inside unloading.grain"),
    ({"checks.handover.trains_per_day": 3, "checks": []}, "checks", "holds checks.handover.trains_per_day"),
])
def test_one_value_changed_twice_is_refused(changes: dict, path: str, says: str) -> None:
    """A dict applies its changes in order, so the later one silently won (or was overwritten)."""
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        base.with_changes(changes)
    (problem,) = info.value.problems
    assert problem[0] == path and says in problem[1]


def test_different_values_of_one_item_are_not_overlaps() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    s = base.with_changes({"checks.customs.time": "2h", "checks[0].trains_at_once": 2, "checks[1].time": "3h"})
    assert (s.checks[0].time.mean, s.checks[0].trains_at_once, s.checks[1].time.mean) == (2.0, 2, 3.0)


@pytest.mark.parametrize(("hours", "says"), [
    ("24:00-00:00", "open at 24:00, the 00:00 at which they close, so the check would never work"),
    ((24.0, 0.0), "open at 24:00, the 00:00 at which they close"),
    ((30.0, -5.0), "expected times between 0 and 24 hours of the day"),
    ((float("nan"), 6.0), "expected times between 0 and 24 hours of the day"),
    ((8.0, 8.0), "open and close at the same time"),
])
def test_working_hours_that_never_open_are_refused(hours: object, says: str) -> None:
    """Hours that are never open were valid: `24:00-00:00` opens at the next day's 00:00, when it closes, and a
    pair of numbers given in Python ((30, -5)) was not checked at all; the check never worked, nothing passed it."""
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    with pytest.raises(sim.ScenarioError, match=re.escape(says)):
        base.with_changes({"checks.phytosanitary.hours": hours})
    for fine in ("24:00-06:00", "22:00-06:00", "00:00-24:00", (8, 20.5)):  # what opened before still does
        assert base.with_changes({"checks.phytosanitary.hours": fine}).checks[1].hours is not None
