"""A hint to quote a value is shown with the value as the user wrote it: `name: 0x1F` was told to write
`name: "31"`, which is not what they meant (sim.scenario.spelling.spelled_in)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.scenario.spelling as spelling
from sim.app.uploads import read_upload
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.spelling import number_spellings, plain_spellings
from tests.conftest import SCENARIOS

SMALL = """\
name: {name}
duration: 1d
cargo: {{grain: {{payload_t: 68, wagons_per_train: 55}}}}
demand: {{grain: {{tonnes_per_year: 1000}}}}
checks:
  - {{name: customs, time: 2h}}
  - {{name: {check}, time: 1h}}
unloading: {{grain: {{points: 1, wagon_time: 1h}}}}
"""


@pytest.mark.parametrize("written", ["0x1F", "0o17", "+5", "1.50", ".5", "1e3", "-.inf"])
def test_a_number_given_for_text_is_quoted_as_written(tmp_path: Path, written: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name=written, check=written), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    said = dict(refused.value.problems)
    assert said["name"].endswith(f'e.g. name: "{written}"')
    assert said["checks[1].name"].endswith(f'e.g. name: "{written}"')
    with pytest.raises(ScenarioError) as uploaded:
        read_upload("mine.yaml", path.read_bytes())
    assert uploaded.value.problems == refused.value.problems


def test_a_value_set_elsewhere_is_quoted_as_the_number_reads(tmp_path: Path) -> None:
    """`--set name=0x1F` over a file whose name is text, or a name from an extended file: the file's text
    at that key is not how the value was written, so the number is quoted as it reads."""
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="mine", check="ok"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r'e\.g\. name: "31"'):
        load_scenario(path, {"name": 31})
    (tmp_path / "base.yaml").write_text(SMALL.format(name="0x1F", check="ok"), encoding="utf-8")
    (tmp_path / "top.yaml").write_text("extends: base.yaml\nduration: 2d\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r'e\.g\. name: "31"'):
        load_scenario(tmp_path / "top.yaml")


def test_a_valid_file_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spellings are found only when a refusal asks: loading a valid file composes it once."""
    def never(text: str, at: str = "") -> dict[str, str]:
        raise AssertionError("a valid file was composed again")

    monkeypatch.setattr(spelling, "plain_spellings", never)
    assert load_scenario(SCENARIOS / "baseline_2023.yaml").name


def test_spellings_of_hostile_text() -> None:
    assert number_spellings("a: [0x1F, {b: 1e3}]\nc: text\n'd': 010\n") == {"a[0]": "0x1F", "a[1].b": "1e3",
                                                                          "d": "010"}
    assert number_spellings("a: [\n") == {} and number_spellings("") == {}
    assert number_spellings("\ufeff\ufeffname: 0x1F\n") == {"name": "0x1F"}  # read as parse_yaml reads it
    assert number_spellings("[" * 5_000 + "]" * 5_000) == {}  # too deep: no spellings, no crash
    assert number_spellings("a: &x 1\nb: *x\n") == {}  # aliases are refused as the loader refuses them


def test_a_value_changed_over_the_file_is_not_quoted_as_the_file_wrote_it(tmp_path: Path) -> None:
    """`--set name=31` over a file saying `name: 0x1F` (both the number 31) was told to write name: "0x1F": what
    the file wrote, not what was given. A changed value, or one inside a changed list, is quoted as the number
    reads; a value the change leaves alone is still quoted as written."""
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="0x1F", check="0x1F"), encoding="utf-8")
    for changes in ({"name": 31}, {"checks[1].name": 31}, {"checks": [
            {"name": "customs", "time": "2h"}, {"name": 31, "time": "1h"}]}):
        with pytest.raises(ScenarioError) as refused:
            load_scenario(path, changes)
        said = dict(refused.value.problems)
        changed = next(iter(changes)).split(".")[0].split("[")[0]
        for key in ("name", "checks[1].name"):
            expected = "31" if key.startswith(changed) else "0x1F"
            assert said[key].endswith(f'e.g. name: "{expected}"'), (changes, key, said[key])


# -- yes/no and no value are quoted as written too; so are --set values and targets files (h-readers) ------

@pytest.mark.parametrize("written", ["on", "Off", "YES", "no", "true"])
def test_a_yes_no_given_for_text_is_quoted_as_written(tmp_path: Path, written: str) -> None:
    """`name: on` was told to write name: 'yes' (the value YAML read, not what was written)."""
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name=written, check=written), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    said = dict(refused.value.problems)
    assert said["name"].endswith(f'put text in quotes as written (name: "{written}")'), said["name"]
    assert said["checks[1].name"].endswith(f'(name: "{written}")'), said["checks[1].name"]


@pytest.mark.parametrize("written", ["~", "null", "Null"])
def test_no_value_given_for_text_is_quoted_as_written(tmp_path: Path, written: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name=written, check="ok"), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert dict(refused.value.problems)["name"] == (
        f'expected text, got no value (YAML reads an unquoted ~ or null as none) — put it in quotes to keep it as '
        f'text, e.g. name: "{written}"')


def test_an_empty_value_is_not_told_to_quote_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="", check="ok"), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    said = dict(refused.value.problems)["name"]
    assert "quotes" not in said and "got no value" in said and "None" not in said, said


@pytest.mark.parametrize("written", ["0x1F", "1E3", "012", "0o17", "on", "~", "+5"])
def test_a_set_value_is_quoted_as_typed(tmp_path: Path, written: str) -> None:
    """`--set name=0x1F` was told to write name: "31" (the number, as it reads), `--set name=on` name: 'yes'."""
    from sim.cli.options import parse_sets

    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="mine", check="ok"), encoding="utf-8")
    with pytest.raises((ScenarioError, Exception)) as refused:
        load_scenario(path, parse_sets((f"name={written}", f"checks[1].name={written}")))
    text = str(refused.value)
    assert f'name: "{written}"' in text or f"'{written}'" in text, text  # 012: refused as YAML 1.1 octal
    assert '"31"' not in text and '"1000.0"' not in text and '"yes"' not in text and '"null"' not in text, text


def test_a_set_value_inside_a_mapping_is_quoted_as_typed(tmp_path: Path) -> None:
    from sim.cli.options import parse_sets

    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="mine", check="ok"), encoding="utf-8")
    changes = parse_sets(("checks.ok={name: ok, time: 1h, cargo: [grain, 0x1F]}",))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path, changes)
    assert dict(refused.value.problems)["checks.ok.cargo[1]"].endswith('e.g. cargo: "0x1F"')
    merged = parse_sets(("name=ok",)).merged(changes)
    assert merged.texts == {"name": "ok", "checks.ok": "{name: ok, time: 1h, cargo: [grain, 0x1F]}"}


def test_plain_spellings_say_how_each_value_reads() -> None:
    assert plain_spellings("a: on\nb: [~, 0x1F, 'on', \"~\", text]\nc:\n") == {
        "a": ("on", True), "b[0]": ("~", None), "b[1]": ("0x1F", 31), "c": ("", None)}
    assert plain_spellings("0x1F", "name") == {"name": ("0x1F", 31)}


@pytest.mark.parametrize(("cell", "said"), [("on", '(name: "on")'), ("0x1F", 'e.g. name: "0x1F"')])
def test_a_workbook_cell_is_quoted_as_typed(tmp_path: Path, cell: str, said: str) -> None:
    """A lever workbook's cell `on` for the name was told to write name: "yes" (the cell's text is kept)."""
    from sim.scenario.workbook import apply_workbook
    from tests.scenario.test_workbook import book

    path = tmp_path / "mine.yaml"
    path.write_text(SMALL.format(name="mine", check="ok"), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        apply_workbook(load_scenario(path), book(tmp_path / "b.xlsx", [["name", cell, None]]))
    assert "cell B2" in str(refused.value) and said in str(refused.value), str(refused.value)
