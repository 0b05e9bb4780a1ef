"""Fuzzing the scenario loader with hand-edit-like damage to the shipped scenarios.

Analysts edit scenario files by hand: they delete or duplicate lines, swap them, break the
indentation, mistype a character, paste a value of the wrong type. Whatever the damage, the loader
must either return a Scenario or raise `ScenarioError` (which the CLI turns into a clear message
and exit status 2) — any other exception would reach the user as a traceback.

The examples are derandomized, so CI runs the same ≥ 5,000 files (and 1,000 `--set` overrides)
every time.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, parse_yaml, read_scenario_data, validate_scenario
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "scenarios").glob("*.yaml"))
_INLINE_COMMENT = re.compile(r"\s+#[^\"']*$")


def _without_comments(text: str) -> str:
    """The scenario without comment lines and trailing comments (parsing cost is per character,
    and damage to a comment tests nothing); the original text if stripping would change it."""
    lines = [_INLINE_COMMENT.sub("", ln) for ln in text.split("\n") if not ln.lstrip().startswith("#")]
    stripped = "\n".join(lines)
    try:
        same = yaml.safe_load(stripped) == yaml.safe_load(text)
    except yaml.YAMLError:
        same = False
    return stripped if same else text


def _text(path: Path) -> str:
    """A shipped scenario as one file: a file that extends others (issue 16) is fuzzed resolved, since
    the files it names are not beside the scratch copy."""
    text = path.read_text(encoding="utf-8")
    if "extends" not in yaml.safe_load(text):
        return _without_comments(text)
    return yaml.safe_dump(read_scenario_data(path), sort_keys=False, allow_unicode=True)


TEXTS = [_text(p) for p in SOURCES]

# Values an analyst might paste, or a corrupted file might hold, in place of a real one.
ODD_VALUES = [
    "-1", "0", "-0", "1e400", "-1e400", "9" * 40, "1e-320", ".nan", ".inf", "-.inf", "null", "~", "",
    "[]", "{}", "[1, 2, 3]", "{a: 1}", "true", "no", "on", '""', "''", "💥", "Алашанькоу", "阿拉山口",
    "2023-13-45", "2023-02-30", "9999-12-31", "0001-01-01", "2023-01-01T25:00", "12:30:00", "1_000",
    "0x1F", "0o17", "0b101", "1.5e3d", "10000y", "3650000d", "-5h", "5 hours", "5hh", "h", "1/2",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!python/object:os.system [ls]",
    "!!float 1", "!!int x", "!!timestamp 2023-99-99", "*anchor", "&anchor 1", "%TAG", "'unterminated",
    '"unterminated', "{unclosed", "[unclosed", "|", ">-", "- a", "? complex", "@reserved", "`backtick",
    '"\\ud800"', '"\\x00"', "\t", "a: b: c", "{dist: gamma}", "{dist: normal, mean: 1}",
    "{dist: fixed, value: -1}", "{dist: uniform, min: 5, max: 1}", "{dist: empirical, values: []}",
    "{dist: triangular, min: 1, mode: 0, max: 2}", "08:00-08:00", "25:00-26:00", "[grain, grain]",
    "[nosuchcargo]", "2147483648", "-9223372036854775809", "1e308", "5e-324",
]
ODD_CHARS = [*list(":-[]{},&*!|>'\"%@`#?\t \n0123456789.eE+_"), "\xa0", "\ufeff", "é", "💥", "\x00", "\r"]


def _split_lines(text: str) -> list[str]:
    return text.split("\n")


@st.composite
def mutated_scenario(draw: st.DrawFn) -> bytes:
    """A shipped scenario's text after 1–5 random hand-edit-like mutations, as raw bytes."""
    lines = _split_lines(draw(st.sampled_from(TEXTS)))
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "char", "value", "indent", "insert", "truncate"]
        ))
        i = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            lines = [""]
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "char":
            line = lines[i]
            p = draw(st.integers(0, len(line)))
            c = draw(st.sampled_from(ODD_CHARS) | st.characters(codec="utf-8"))
            if draw(st.booleans()) and p < len(line):
                lines[i] = line[:p] + c + line[p + 1 :]  # replace
            else:
                lines[i] = line[:p] + c + line[p:]  # insert
        elif kind == "value":
            line = lines[i]
            colon = line.find(": ")
            if colon >= 0:
                value = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=12))
                lines[i] = line[: colon + 2] + value
            else:
                lines[i] = line + ": " + draw(st.sampled_from(ODD_VALUES))
        elif kind == "indent":
            shift = draw(st.integers(-4, 4))
            line = lines[i]
            lines[i] = " " * shift + line if shift >= 0 else line[min(-shift, len(line) - len(line.lstrip())):]
        elif kind == "insert":
            lines.insert(i, draw(st.text(max_size=30)))
        elif kind == "truncate":
            lines = lines[:i]
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 19)) == 0:  # now and then, damage the bytes themselves
        p = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:p] + bytes([draw(st.integers(0, 255))]) + data[p + 1 :]
    return data


@pytest.fixture(scope="module")
def scratch() -> Path:
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="fuzz-")
    os.close(fd)
    yield Path(name)
    os.unlink(name)


def test_shipped_scenarios_load() -> None:
    """The mutations start from files that load, so every failure below is the mutation's."""
    assert SOURCES, "no shipped scenarios found to mutate"
    for p in SOURCES:
        assert isinstance(load_scenario(p), Scenario)


@settings(
    max_examples=5000, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated_scenario())
def test_mutated_yaml_loads_or_raises_scenario_error(scratch: Path, data: bytes) -> None:
    scratch.write_bytes(data)
    try:
        scenario = load_scenario(scratch)
    except ScenarioError as exc:
        text = str(exc)
        assert text.startswith(f"{scratch}: "), "the message must name the file"
        assert exc.problems, "a ScenarioError must carry at least one problem"
        assert "Traceback" not in text
    else:
        assert isinstance(scenario, Scenario)


# -- `--set key.path=value` -------------------------------------------------------------------

PATH_TOKENS = [
    "name", "duration", "cargo", "grain", "containers", "payload_t", "demand", "trains_per_day",
    "monthly_profile", "unloading", "points", "wagon_time", "breakdowns", "mtbf", "checks", "customs",
    "handover", "time", "mean", "disruptions", "wind", "every", "policies", "stop_loading", "fleet",
    "nosuch", "", "0", "[0]", "[1]", "[99]", "[-1]", "[99999999999999999999]", "..", "a b", "é",
]
SET_VALUES = st.sampled_from(ODD_VALUES) | st.text(max_size=10)
SET_BASE = yaml.safe_load(TEXTS[0])  # the scenario every override is applied to


@st.composite
def set_paths(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PATH_TOKENS) | st.text(max_size=6), min_size=1, max_size=6))
    return ".".join(parts).replace(".[", "[")


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])  # a wall-clock check: a busy CI machine is no bug
@given(path=set_paths(), raw=SET_VALUES)
def test_set_overrides_apply_or_raise_scenario_error(path: str, raw: str) -> None:
    """Any `--set PATH=VALUE` (value read as YAML, like the CLI) applies or raises ScenarioError."""
    data = copy.deepcopy(SET_BASE)  # each example its own copy of the same scenario (a YAML parse took 70 %)
    try:
        value = parse_yaml(raw, f"--set {path}")
        scenario = validate_scenario(data, "baseline.yaml", {path: value})
    except ScenarioError as exc:
        assert exc.problems
    else:
        assert isinstance(scenario, Scenario)
