"""Hostile uploads: whatever a browser sends is refused with the file's name and what was expected,
never a traceback, never a hang (the loader's limits hold for bytes that never were a file)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.app.uploads import browser_size, read_upload
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.yamltext import readable_size

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"

CASES = [
    ("binary.yaml", bytes(range(256)) * 40, "file is not UTF-8 text (expected YAML saved as UTF-8)"),
    ("utf16.yaml", "name: x\n".encode("utf-16"), "file is not UTF-8 text (expected YAML saved as UTF-8)"),
    ("huge.yaml", b"#" * 30_000_000, "file is larger than 1 MB; refusing to read it"),
    ("just-over.yaml", b"#" * 1_000_001, "file is larger than 1 MB"),
    ("at-limit.yaml", b"#" * 1_000_000, "the file is empty"),  # the limit itself is read
    ("text.yaml", "#" * 1_000_001, "file is larger than 1 MB"),  # a text/* file arrives as text
    ("notes.txt", b"name: x\n", "expected a scenario file ending in .yaml or .yml (YAML)"),
    ("picture.png", bytes(range(256)), "expected a scenario file ending in .yaml or .yml (YAML)"),
    ("yaml", b"name: x\n", "expected a scenario file ending in .yaml or .yml (YAML)"),
    ("laughs.yaml", BILLION_LAUGHS.encode(), "YAML aliases (*name) are not allowed in scenario files"),
    ("deep.yaml", b"[" * 50_000 + b"]" * 50_000, "YAML nesting is too deep"),
    ("deep-map.yaml", b"name: x\ndescription: " + b"{a: " * 900 + b"1" + b"}" * 900, "YAML nesting is too deep"),
    ("code.yaml", b"!!python/object/apply:os.system ['echo owned']\n", "could not determine a constructor"),
    ("list.yaml", b"- 1\n- 2\n", "the file holds a list of 2 items; expected a mapping of keys such as name"),
    ("empty.yaml", b"", "the file is empty (nothing but blank lines or comments); expected a mapping of keys"),
    ("nul.yaml", b"name: x\x00\n", "unacceptable character #x0000"),
    ("twice.yaml", b"name: a\nname: b\n", "duplicate key 'name' (first given on line 1)"),
]


@pytest.mark.parametrize(("name", "content", "said"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_upload_is_refused_with_what_was_expected(name: str, content: bytes, said: str) -> None:
    started = time.process_time()
    with pytest.raises(ScenarioError) as refused:
        read_upload(name, content)
    assert str(refused.value).startswith(f"{name}: invalid scenario") and said in str(refused.value)
    assert time.process_time() - started < 5  # CPU, not wall: a busy machine must not fail a hang guard


def test_a_yaml_name_in_capitals_and_a_file_as_text_are_read(baseline_text: str) -> None:
    assert read_upload("MINE.YML", baseline_text).name == read_upload("mine.yaml", baseline_text.encode()).name


@pytest.mark.parametrize(("size", "said"), [(1_000_000, "1 MB"), (500_000, "0.5 MB"), (1_250_000, "1.25 MB"),
                                            (20_000_000, "20 MB")])
def test_sizes_are_said_in_megabytes(size: int, said: str) -> None:
    assert readable_size(size) == said


@pytest.mark.parametrize(("size", "limit"), [(1_000_000, "1MB"), (20_000_000, "20MB"), (750_500, "750KB"),
                                             (1_500_000, "1500KB")])
def test_the_browser_limit_is_never_above_the_servers(size: int, limit: str) -> None:
    assert browser_size(size) == limit


#: bytes a file on disk and an upload may both hold: they were refused in two wordings ("got NoneType"
#: by `dostyk validate`, "got an empty file" on the page; "file is not UTF-8 text" and "not a text file")
SAME_WORDS = [b"", b"# a comment only\n\n", b"---\n", b"\xef\xbb\xbf", b" \n\t\n", b"~\n", b"- 1\n- 2\n", b"42\n",
              b"hello\n", b"''\n", bytes(range(256)), b"#" * 1_000_001, b"name: [\n"]


@pytest.mark.parametrize("content", SAME_WORDS, ids=[f"case{i}" for i in range(len(SAME_WORDS))])
def test_an_upload_is_refused_in_the_words_of_the_loader(content: bytes, tmp_path: Path) -> None:
    """The page and `dostyk validate` read a scenario file with one function (sim.scenario.loader.scenario_mapping)."""
    path = tmp_path / "mine.yaml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as by_loader:
        load_scenario(path)
    with pytest.raises(ScenarioError) as by_upload:
        read_upload("mine.yaml", content)
    assert by_upload.value.problems == by_loader.value.problems
    assert not any(word in str(by_loader.value) for word in ("NoneType", "got list", "got int", "got str"))
