"""Numbers read as a person means them: every numeric and date key, in files and in `--set`, reads a
plain value as YAML 1.2 does, or refuses it with the key named; never as YAML 1.1 differently.

The keys are not listed by hand: they are every number or date in the shipped scenarios (as the
schema writes them back), and a test checks that every property the JSON schema types as a number or
a date is among them. Each spelling carries its YAML 1.2 reading, written here from the YAML 1.2 core
schema (not from the code under test); YAML 1.1's reading is PyYAML's own.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.options import parse_sets
from sim.scenario.errors import ScenarioError
from sim.scenario.keypaths import by_name, set_path
from sim.scenario.loader import load_scenario, validate_scenario
from sim.scenario.schema import Scenario
from tests.cli.helpers import dostyk_here, said

ROOT = Path(__file__).resolve().parents[2]
# whole scenarios only: not the corridor's parts, the replays' evidence files or the targets
SHIPPED = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml")
                 if not {"targets", "parts", "evidence"} & set(p.relative_to(ROOT).parts))
#: keys no shipped scenario uses (an empirical distribution, a loading rate's burst, a lever's cost)
EXTRAS = {"checks[0].time": {"dist": "empirical", "values": [1.5, 2.0, 4.0]},
          "loading": {"grain": {"wagons_per_day": 600, "burst_wagons": 110}},
          "costs.levers": {"unloading.grain.points": {"usd_per_unit": 1000.0}}}


Parts = tuple[str | int, ...]


def _leaves(data: Any, parts: Parts = ()) -> list[tuple[Parts, Any]]:
    """(key parts, value) of every value, mappings included (a lever's cost is keyed by a dotted path)."""
    out: list[tuple[Parts, Any]] = [(parts, data)]
    if isinstance(data, dict):
        out += [leaf for k, v in data.items() for leaf in _leaves(v, (*parts, str(k)))]
    elif isinstance(data, list):
        out += [leaf for i, v in enumerate(data) for leaf in _leaves(v, (*parts, i))]
    return out


def _path(parts: Parts) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _put(data: Any, parts: Parts, value: Any) -> None:
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d(T[\d:]+)?", value):
        return "date"
    return None


#: keys only a corridor of several crossings holds (a re-routing rule's detour)
CORRIDOR_EXTRAS = {"routing.grain.reroute": [{"from": "dostyk", "to": "altynkol", "extra_time": 30.0,
                                              "usd_per_wagon": 100.0}],
                   "routing.grain.divert": [{"from": "dostyk", "to": "altynkol", "above_wagons": 2000,
                                             "resume_below": 1000, "starts": "2023-03-01", "ends": "2023-06-01"}]}


def _bases() -> list[dict[str, Any]]:
    datas = [load_scenario(p).to_dict() for p in SHIPPED]
    extra = copy.deepcopy(datas[0])
    for path, value in EXTRAS.items():
        set_path(extra, path, value)
    validate_scenario(copy.deepcopy(extra), "extras")
    corridor = load_scenario(ROOT / "scenarios" / "corridor" / "corridor.yaml").to_dict()
    for path, value in CORRIDOR_EXTRAS.items():
        set_path(corridor, path, value)
    validate_scenario(copy.deepcopy(corridor), "corridor extras")
    return [*datas, extra, corridor]


BASES = _bases()
#: (base index, key parts, "number" | "date") for every number and date in every base
KEYS = [(i, parts, kind) for i, data in enumerate(BASES) for parts, value in _leaves(data)
        if (kind := _kind(value)) is not None]
#: keys whose value may be a bare duration in place of a distribution (its numbers are KEYS too)
BARE_KEYS = ("time", "transit_time", "wagon_time", "return_time", "mttr", "every", "lasts")
BARE = [(i, parts) for i, data in enumerate(BASES) for parts, value in _leaves(data)
        if parts and parts[-1] in BARE_KEYS and isinstance(value, dict)]


def _schema_keys() -> set[str]:
    """Property names the JSON schema types as a number, integer or date (directly or in a list)."""
    schema = Scenario.model_json_schema()
    defs = schema.get("$defs", {})

    def typed(node: Any, seen: tuple[str, ...] = ()) -> bool:
        if not isinstance(node, dict):
            return False
        if "$ref" in node:
            ref = node["$ref"].rsplit("/", 1)[-1]
            return ref not in seen and typed(defs[ref], (*seen, ref))
        if node.get("type") in ("number", "integer") or node.get("format") in ("date", "date-time"):
            return True
        if node.get("type") == "array" and typed(node.get("items"), seen):
            return True
        return any(typed(sub, seen) for key in ("anyOf", "oneOf", "allOf") for sub in node.get(key, []))

    return {name for d in [schema, *defs.values()] for name, prop in d.get("properties", {}).items()
            if typed(prop) and prop.get("type") != "object"}


def test_every_numeric_and_date_key_of_the_schema_is_covered() -> None:
    assert {"points", "start", "from", "to", "mean", "usd_per_unit", "values"} <= _schema_keys()
    covered = {next(p for p in reversed(parts) if isinstance(p, str)) for _, parts, _ in KEYS}
    covered |= {parts[-1] for _, parts in BARE}
    missing = _schema_keys() - covered
    assert not missing, f"numeric or date keys no base scenario holds: {sorted(missing)}"


# -- spellings and their YAML 1.2 readings (core schema, https://yaml.org/spec/1.2.2/#1032-tag-resolution)

def _int_forms(n: int) -> list[tuple[str, Any]]:
    return [(str(n), n), (f"+{n}", n), (f"-{n}", -n), (f"0{n}", n), (f"00{n}", n), (f"0o{n:o}", n),
            (f"0x{n:x}", n), (f"-0x{n:x}", f"-0x{n:x}"), (f"0b{n:b}", f"0b{n:b}"),
            (f"{n}_000", f"{n}_000"), (f"1_{n:03d}", f"1_{n:03d}")]


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, Any]:
    """(plain scalar text, what YAML 1.2 reads it as)."""
    n = draw(st.integers(0, 3000))
    h, m, s = draw(st.integers(0, 99)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    d, k = draw(st.integers(0, 99)), draw(st.integers(0, 12))
    day = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 400)))
    stamp = f"{day.isoformat()}T{h % 24:02d}:{m:02d}:{s:02d}"
    forms = [
        *_int_forms(n),
        (f"{h}:{m:02d}", f"{h}:{m:02d}"), (f"{h}:{m:02d}:{s:02d}", f"{h}:{m:02d}:{s:02d}"),
        (f"{h}:{m:02d}.5", f"{h}:{m:02d}.5"),
        (f"{n}.{d}", float(f"{n}.{d}")), (f".{d}", float(f".{d}")), (f"+.{d}", float(f".{d}")),
        (f"{n}e{k}", float(f"{n}e{k}")), (f"{n}E{k}", float(f"{n}E{k}")), (f"{n}e+{k}", float(f"{n}e{k}")),
        (f"{n}.{d}e-{k}", float(f"{n}.{d}e-{k}")), (f"{n}.", float(n)), (f"{n}.5_0", f"{n}.5_0"),
        (".inf", math.inf), ("-.inf", -math.inf), (".nan", math.nan),
        (day.isoformat(), day.isoformat()), (stamp, stamp), (stamp.replace("T", " "), stamp.replace("T", " ")),
        (f"{stamp}Z", f"{stamp}Z"), (f"{stamp}+06:00", f"{stamp}+06:00"), (f"{stamp} -05:00", f"{stamp} -05:00"),
        (f"{day.isoformat()}T{h % 24:02d}:{m:02d}Z", f"{day.isoformat()}T{h % 24:02d}:{m:02d}Z"),
    ]
    return draw(st.sampled_from(forms))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _yaml11_differs(text: str, yaml12: Any) -> bool:
    """YAML 1.1 (PyYAML) reads a number, and not the one YAML 1.2 reads."""
    yaml11 = yaml.safe_load(f"v: {text}")["v"]
    return isinstance(yaml11, (int, float)) and not isinstance(yaml11, bool) and not _same(yaml11, yaml12)


def _outcome(load: Any) -> Scenario | ScenarioError:
    try:
        return load()
    except ScenarioError as exc:  # anything else (an internal error) fails the test
        return exc


def _check(got: Scenario | ScenarioError, want: Scenario | ScenarioError, path: str, text: str, yaml12: Any) -> None:
    if _yaml11_differs(text, yaml12):
        assert isinstance(got, ScenarioError), f"{path}: {text} was read silently although YAML 1.1 differs"
        assert any(p == path and "YAML 1.1" in msg and "YAML 1.2" in msg for p, msg in got.problems), got
    elif isinstance(want, ScenarioError):
        assert isinstance(got, ScenarioError), f"{path}: {text} was read although its YAML 1.2 reading is refused"
        assert got.problems == want.problems
    else:
        assert not isinstance(got, ScenarioError), f"{path}: {text} refused: {got}"
        assert got.to_dict() == want.to_dict(), f"{path}: {text} not read as YAML 1.2 reads it"
    if isinstance(yaml12, str) and re.search(r"\d:\d\d(:\d\d)?(Z| ?[+-]\d\d:\d\d)$", yaml12) and not isinstance(
            got, Scenario):
        assert any(p == path for p, _ in got.problems), f"a date with a time zone must be refused at {path}"


def _want(base: int, parts: Parts, yaml12: Any) -> Scenario | ScenarioError:
    data = copy.deepcopy(BASES[base])
    _put(data, parts, yaml12)
    return _outcome(lambda: validate_scenario(data, "the same value as YAML 1.2 reads it"))


PLACEHOLDER = "SPELLING-GOES-HERE"


def _file_with(base: int, parts: Parts, text: str, directory: Path) -> Path:
    data = copy.deepcopy(BASES[base])
    _put(data, parts, PLACEHOLDER)
    out = directory / "spelled.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).replace(PLACEHOLDER, text),
                   encoding="utf-8")
    return out


SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(key=st.sampled_from(KEYS), spelled=spellings())
def test_a_file_reads_each_spelling_as_yaml_1_2_or_refuses_it(tmp_path: Path, key: tuple[int, Parts, str],
                                                              spelled: tuple[str, Any]) -> None:
    base, parts, _ = key
    text, yaml12 = spelled
    got = _outcome(lambda: load_scenario(_file_with(base, parts, text, tmp_path)))
    _check(got, _want(base, parts, yaml12), by_name(_path(parts), BASES[base]), text, yaml12)


@SETTINGS
@given(key=st.sampled_from([k for k in KEYS if not any("." in str(p) for p in k[1])]), spelled=spellings())
def test_set_reads_each_spelling_as_yaml_1_2_or_refuses_it(key: tuple[int, Parts, str], spelled: tuple[str, Any]) -> None:
    base, parts, _ = key
    path = _path(parts)
    text, yaml12 = spelled
    if _yaml11_differs(text, yaml12):  # the CLI refuses the value itself, naming the key
        with pytest.raises(click.BadParameter, match=r"YAML 1\.1") as caught:
            parse_sets((f"{path}={text}",))
        assert path in str(caught.value)
        return
    changes = parse_sets((f"{path}={text}",))
    got = _outcome(lambda: validate_scenario(copy.deepcopy(BASES[base]), "--set", changes))
    _check(got, _want(base, parts, yaml12), by_name(path, BASES[base]), text, yaml12)  # refusals name items


# -- every key at once: each one named --------------------------------------------------------

def _all_spelled(base: int, keys: list[Parts], text: str, directory: Path) -> ScenarioError:
    data = copy.deepcopy(BASES[base])
    for parts in keys:
        _put(data, parts, PLACEHOLDER)
    f = directory / "all.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False).replace(PLACEHOLDER, text), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(f)
    return caught.value


@pytest.mark.parametrize("text", ["010", "20:00", "1_000", "0b11", "-0x1F", "1:30.5"])
def test_every_numeric_key_refuses_a_spelling_yaml_1_1_reads_otherwise(tmp_path: Path, text: str) -> None:
    for base in range(len(BASES)):
        for keys in ([parts for i, parts, kind in KEYS if i == base and kind == "number"],
                     [parts for i, parts in BARE if i == base]):  # a bare duration in place of a distribution
            error = _all_spelled(base, keys, text, tmp_path)
            named = {p for p, msg in error.problems if f"{text} is read differently" in msg}
            expected = {by_name(_path(k), BASES[base]) for k in keys}  # a named list item is said by its name
        assert named == expected, sorted(expected - named)


@pytest.mark.parametrize("zone", ["Z", "+06:00", "-0500"])
def test_every_date_key_refuses_a_time_zone(tmp_path: Path, zone: str) -> None:
    for base in range(len(BASES)):
        keys = [parts for i, parts, kind in KEYS if i == base and kind == "date"]
        error = _all_spelled(base, keys, f"2024-01-10T00:00:00{zone}", tmp_path)
        named = {p for p, msg in error.problems if "has a time zone" in msg}
        expected = {by_name(_path(k), BASES[base]) for k in keys}  # a named list item is said by its name
        assert named == expected, sorted(expected - named)


def test_a_time_of_day_on_start_is_refused_not_dropped() -> None:
    data = copy.deepcopy(BASES[0])
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, "x", {"start": "2023-01-01T06:00"})
    assert [p for p, _ in caught.value.problems] == ["start"] and "time of day" in str(caught.value)
    ok = validate_scenario(copy.deepcopy(BASES[0]), "x", {"start": "2023-01-01T00:00"})
    assert ok.start == dt.date(2023, 1, 1)


def test_what_the_tool_writes_reads_back_the_same() -> None:
    """A name YAML 1.2 would read as a number (`1e3`) is quoted in scenario.yaml, so it stays text."""
    from sim.scenario.yamltext import dump_yaml, parse_yaml

    data = copy.deepcopy(BASES[0]) | {"name": "1e3", "description": "0o10"}
    assert parse_yaml(dump_yaml(data), "written") == json.loads(json.dumps(data))
    assert yaml.safe_load(dump_yaml(data)) == json.loads(json.dumps(data))


# -- the command line (its entry point, in this process) ---------------------------------------

def test_the_command_line_reads_yaml_1_2_and_names_the_key() -> None:
    base = str(SHIPPED[0])
    ok = dostyk_here("validate", base, "--set", "replications=0o7", "--set", "seed=1e3")
    assert ok.returncode == 0, ok.stderr
    assert "7 replications, seed 1000" in said(ok.stdout)
    bad = dostyk_here("validate", base, "--set", "line.max_trains_per_day=010")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "line.max_trains_per_day" in bad.stderr and "YAML 1.1" in bad.stderr and "the number 8" in bad.stderr


# -- the other readers: targets files, --window and --at ----------------------------------------

def test_a_targets_file_refuses_zones_and_yaml_1_1_numbers(tmp_path: Path) -> None:
    from sim.decision.errors import InputError
    from sim.decision.targets import load_targets

    good = (ROOT / "scenarios" / "targets" / "jan2024.yaml").read_text(encoding="utf-8")
    assert load_targets(ROOT / "scenarios" / "targets" / "jan2024.yaml").targets
    for old, new, key, told in [
        ("window: {from: 2023-11-01,", "window: {from: 2023-11-01T00:00:00Z,", "targets[0].window.from", "time zone (Z)"),
        ("value: 483167", "value: 483_167", "targets[0].value", "YAML 1.1"),
        ("value: 3500", "value: 1:30", "targets[1].value", "(base 60)"),
    ]:
        assert old in good
        f = tmp_path / "targets.yaml"
        f.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_targets(f)
        assert any(p == key and told in msg for p, msg in caught.value.problems), caught.value


@pytest.mark.parametrize("args", [["--at", "2024-01-10T00:00:00Z"], ["--window", "2024-01-01T00:00+06:00..2024-01-31"]])
def test_window_and_at_refuse_a_time_zone_before_running(tmp_path: Path, args: list[str]) -> None:
    from tests.cli.test_bad_inputs import MINI, run_main

    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    code, err, _ = run_main(["run", "mini.yaml", *args, "--quiet", "--out", "out"], tmp_path)
    assert code == 2 and args[0] in err and "is not an ISO date" in said(err) and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "path"), [
    ("a: !!int 010", "a"), ("a: !!float 1:30", "a"), ("010: x", "010"), ("a: !!set {010}", "a[0]"),
    ("a: !!omap [b: 1_0]", "a[0][1]"), ("<<: {b: 0b1}", "b"), ("a: [1, {b: -0x1}]", "a[1].b"),
])
def test_tags_keys_sets_and_merges_cannot_hide_a_yaml_1_1_number(text: str, path: str) -> None:
    from sim.scenario.yamltext import parse_yaml

    with pytest.raises(ScenarioError) as caught:
        parse_yaml(text, "hostile")
    assert [p for p, _ in caught.value.problems] == [path] and "YAML 1.1" in str(caught.value)


@pytest.mark.parametrize(("text", "value"), [
    ("a: !!int 0o10", 8), ("a: !!str 010", "010"), ("a: '20:00'", "20:00"), ("a: 08:00-20:00", "08:00-20:00"),
    ("a: 1.", 1.0), ("a: =", "="), ("a: 0o", "0o"), ("a: 1e3", 1000.0), ("a: 2024-01-10", "2024-01-10"),
])
def test_what_both_versions_agree_on_or_only_yaml_1_2_reads_as_a_number_is_read(text: str, value: Any) -> None:
    from sim.scenario.yamltext import parse_yaml

    got = parse_yaml(text, "fine")["a"]
    assert type(got) is type(value) and got == value
