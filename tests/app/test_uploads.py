"""Hostile uploads: whatever a browser sends is refused with the file's name and what was expected,
never a traceback, never a hang (the loader's limits hold for bytes that never were a file)."""

from __future__ import annotations

import time

import pytest

from sim.app.uploads import read_upload
from sim.scenario.errors import ScenarioError

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"

CASES = [
    ("binary.yaml", bytes(range(256)) * 40, "not a text file (expected YAML in UTF-8)"),
    ("utf16.yaml", "name: x\n".encode("utf-16"), "not a text file (expected YAML in UTF-8)"),
    ("huge.yaml", b"#" * 30_000_000, "file is larger than 1000 kB; refusing to read it"),
    ("laughs.yaml", BILLION_LAUGHS.encode(), "YAML aliases (*name) are not allowed in scenario files"),
    ("deep.yaml", b"[" * 50_000 + b"]" * 50_000, "YAML nesting is too deep"),
    ("deep-map.yaml", b"name: x\ndescription: " + b"{a: " * 900 + b"1" + b"}" * 900, "YAML nesting is too deep"),
    ("code.yaml", b"!!python/object/apply:os.system ['echo owned']\n", "could not determine a constructor"),
    ("list.yaml", b"- 1\n- 2\n", "expected a mapping of keys (name, duration, cargo, …), got list"),
    ("nul.yaml", b"name: x\x00\n", "unacceptable character #x0000"),
    ("twice.yaml", b"name: a\nname: b\n", "duplicate key 'name' (first given on line 1)"),
]


@pytest.mark.parametrize(("name", "content", "said"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_upload_is_refused_with_what_was_expected(name: str, content: bytes, said: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScenarioError) as refused:
        read_upload(name, content)
    assert str(refused.value).startswith(f"{name}: invalid scenario") and said in str(refused.value)
    assert time.monotonic() - started < 5
