"""What a file holds at its top level, said in the user's words, for every reader of user YAML files
(sim.scenario.top_level): `dostyk validate` of an empty file said "got NoneType", of a list "got list"."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.decision.errors import InputError
from sim.decision.targets import load_targets
from sim.experiments.named import ExperimentFileError, read_experiment
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.quoting import kind_in_words
from sim.scenario.top_level import holds_nothing
from tests.conftest import SCENARIOS

EMPTY = "the file is empty (nothing but blank lines or comments); expected "
PYTHON_WORDS = ("NoneType", "got list", "got int", "got str", "got bool", "got float", "got dict")

# (what the file holds, what the refusal must say it holds)
FILES = [
    ("", EMPTY),
    ("\n\n   \n", EMPTY),
    (" \n\t\n", EMPTY),  # PyYAML alone refused a tab on a blank line as bad YAML
    ("# only a comment\n# and another\n", EMPTY),
    ("---\n", EMPTY),
    ("--- \n...\n", EMPTY),
    ("...\n", EMPTY),
    ("%YAML 1.2\n---\n", EMPTY),  # PyYAML alone refused it: "expected the node content, but found '<document end>'"
    ("\ufeff", EMPTY),
    ("\ufeff# a BOM and a comment\n", EMPTY),
    ("\ufeff\ufeff# a file saved twice with a BOM\n", EMPTY),
    ("~\n", "the file holds no value (null: YAML reads ~, null and an empty value as none)"),
    ("null\n", "the file holds no value"),
    ("---\n~\n", "the file holds no value"),
    ("''\n", "the file holds blank text ('')"),
    ("- a\n- b\n", "the file holds a list of 2 items"),
    ("[]\n", "the file holds an empty list"),
    ("- only\n", "the file holds a list of 1 item"),
    ("42\n", "the file holds the number 42"),
    ("0x1F\n", "the file holds the number 31"),
    ("1e3\n", "the file holds the number 1000.0"),
    ("yes\n", "the file holds a yes/no value"),
    ("hello world\n", "the file holds the text 'hello world'"),
    ("2024-01-01\n", "the file holds the text '2024-01-01'"),
    ("!!set {a, b}\n", "the file holds a set (!!set)"),
    ("!!binary aGVsbG8=\n", "the file holds binary data (!!binary)"),
]


@pytest.mark.parametrize(("text", "said"), FILES, ids=[f"file{i}" for i in range(len(FILES))])
def test_a_scenario_file_without_a_mapping_is_said_to_hold_what_it_holds(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    message = str(refused.value)
    assert said in message and "expected a mapping of keys such as name, duration, cargo, demand" in message
    assert refused.value.problems[0][0] == "" and message.startswith(f"{path}: invalid scenario")
    assert not any(word in message for word in PYTHON_WORDS), message


def test_a_targets_file_and_an_experiment_file_say_the_same(tmp_path: Path) -> None:
    """The readers of other user files use the same function, with what each file must hold."""
    (tmp_path / "t.yaml").write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(InputError, match=EMPTY.replace("(", r"\(").replace(")", r"\)") + "a mapping with `targets:`"):
        load_targets(tmp_path / "t.yaml")
    (tmp_path / "t.yaml").write_text("- {kpi: tonnes_delivered}\n", encoding="utf-8")
    with pytest.raises(InputError, match="the file holds a list of 1 item; expected a mapping with `targets:`"):
        load_targets(tmp_path / "t.yaml")
    (tmp_path / "e.yaml").write_text("", encoding="utf-8")
    with pytest.raises(ExperimentFileError, match=r"the file is empty .*; expected a mapping of keys: baseline"):
        read_experiment(tmp_path / "e.yaml")
    (tmp_path / "e.yaml").write_text("7\n", encoding="utf-8")
    with pytest.raises(ExperimentFileError, match="the file holds the number 7; expected a mapping of keys: baseline"):
        read_experiment(tmp_path / "e.yaml")


def test_a_base_file_that_is_empty_is_named(tmp_path: Path) -> None:
    """An empty file named by `extends:` is refused under its own name (the reader of every file of a chain)."""
    (tmp_path / "base.yaml").write_text("# to be written\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("extends: base.yaml\nname: mine\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(tmp_path / "mine.yaml")
    assert refused.value.source == str(tmp_path / "base.yaml") and EMPTY in str(refused.value)


def test_a_file_of_half_a_megabyte_of_comments_is_said_to_be_empty_quickly(tmp_path: Path) -> None:
    path = tmp_path / "comments.yaml"
    path.write_text("# a long comment of the kind an editor leaves\n" * 10_000, encoding="utf-8")  # 470 kB
    started = time.process_time()
    with pytest.raises(ScenarioError, match="the file is empty"):
        load_scenario(path)
    assert time.process_time() - started < 10


def test_kinds_of_values_in_words() -> None:
    assert kind_in_words({"a": 1}) == "a mapping of keys"
    assert kind_in_words([1, 2, 3]) == "a list of 3 items"
    assert kind_in_words(10**50) == "the number about 10^50"
    assert kind_in_words("   ") == "blank text ('   ')"
    assert kind_in_words(object()) == "a value of another kind"
    assert holds_nothing("# x\n---\n") and not holds_nothing("''") and not holds_nothing("~")
    assert not holds_nothing("a: [\n")  # bad YAML is not empty: the parser says where it is bad
    assert not holds_nothing("[[[]]]") and not holds_nothing("{}") and not holds_nothing("? \n")


def test_a_file_saved_twice_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Two byte order marks: the second began the first key ('\\ufeffname: unknown key', shown invisibly)."""
    path = tmp_path / "mine.yaml"
    path.write_text("\ufeff\ufeff" + (SCENARIOS / "baseline_2023.yaml").read_text(encoding="utf-8").replace(
        "extends: ", f"extends: {SCENARIOS}/", 1), encoding="utf-8")
    assert load_scenario(path).name


def test_a_key_with_a_character_one_cannot_see_says_so(tmp_path: Path) -> None:
    """A zero-width or no-break space pasted into a key: it said 'name: unknown key' of a key that reads
    as name."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline_2023.yaml'}\nna\u200bme: x\nseed\u00a0: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    said = dict(refused.value.problems)
    assert said["na\u200bme"] == ("unknown key: 'na\\u200bme' holds U+200B (zero width space), which one cannot "
                                  "see; type the key again")
    assert "holds U+00A0 (no-break space)" in said["seed\u00a0"]
