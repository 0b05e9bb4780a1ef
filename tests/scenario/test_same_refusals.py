"""Every file a user writes is read by one reader (sim.scenario.user_file): the same hostile bytes are
refused in the same words whatever the file (a scenario, an upload, a file it extends, targets, a replay's
declarations, an experiment file; a SOURCES.md and observed durations for what a text file can be). The
page and `dostyk validate` were compared in tests/app/test_uploads.py; here every kind is.

Only what a file must hold differs ("expected a mapping of keys such as name…" for a scenario, "…with
`targets:`" for targets): it is replaced by <KEYS> before the wordings are compared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.app.uploads import read_upload
from sim.cli.fit import read_durations
from sim.decision.episode_changes import EVIDENCE_KEYS, read_evidence
from sim.decision.sources import source_lines
from sim.decision.targets import TARGETS_KEYS, load_targets
from sim.experiments.named import EXPERIMENT_KEYS, read_experiment
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.top_level import SCENARIO_KEYS
from sim.scenario.user_file import not_utf8

BILLION_LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"

#: bytes any file may hold, each a defect of the file as a whole (not of one kind's keys)
HOSTILE = {
    "empty": b"",
    "comments-only": b"# to do\n\n---\n",
    "bom-twice": "\ufeff\ufeff".encode(),
    "bom-twice-then-list": "\ufeff\ufeff- 1\n".encode(),
    "not-utf8": bytes(range(256)),
    "utf16": "name: x\n".encode("utf-16"),
    "a-list": b"- 1\n- 2\n",
    "a-number": b"42\n",
    "a-yes": b"yes\n",
    "text": b"hello\n",
    "null": b"~\n",
    "too-large": b"#" * 1_000_001,
    "tab-indent": b"a:\n\tb: 1\n",
    "duplicate-key": b"a: 1\na: 2\n",
    "bad-syntax": b"a: [\n",
    "alias-bomb": BILLION_LAUGHS,
    "deep": b"[" * 10_000 + b"]" * 10_000,
    "python-tag": b"!!python/object/apply:os.system ['echo owned']\n",
    "nul": b"a: x\x00\n",
    "two-documents": b"a: 1\n---\nb: 2\n",
}

Reader = Callable[[Path, bytes], None]


def _scenario(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    load_scenario(path)


def _upload(path: Path, content: bytes) -> None:
    read_upload(path.name, content)


def _extended(path: Path, content: bytes) -> None:
    """A scenario that builds on the hostile file (`extends:`): the base is refused with its own name."""
    path.write_bytes(content)
    top = path.parent / "top.yaml"
    top.write_text(f"extends: {path.name}\nname: top\n", encoding="utf-8")
    load_scenario(top)


def _targets(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    load_targets(path)


def _evidence(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    read_evidence(path)


def _experiment(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    read_experiment(path)


YAML_KINDS: dict[str, tuple[Reader, str]] = {
    "scenario": (_scenario, SCENARIO_KEYS), "upload": (_upload, SCENARIO_KEYS),
    "extended": (_extended, SCENARIO_KEYS), "targets": (_targets, TARGETS_KEYS),
    "evidence": (_evidence, EVIDENCE_KEYS), "experiment": (_experiment, EXPERIMENT_KEYS),
}
PYTHON_WORDS = ("NoneType", "got list", "got int", "got str", "got bool", "codec", "Traceback", "0x")


def _refusal(kind: str, content: bytes, tmp_path: Path) -> tuple[str, list[tuple[str, str]]]:
    """(the whole message, its problems with what the file must hold said as <KEYS>)."""
    read, keys = YAML_KINDS[kind]
    path = tmp_path / kind / "mine.yaml"
    path.parent.mkdir()
    with pytest.raises(ScenarioError) as refused:
        read(path, content)
    message = str(refused.value)
    assert str(path.name) in message.splitlines()[0], message  # the file is named
    assert refused.value.source.endswith("mine.yaml"), refused.value.source
    return message, [(key, why.replace(keys, "<KEYS>")) for key, why in refused.value.problems]


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_each_kind_of_yaml_file_refuses_a_defect_in_the_same_words(content: bytes, tmp_path: Path) -> None:
    said = {kind: _refusal(kind, content, tmp_path) for kind in YAML_KINDS}
    wordings = {kind: problems for kind, (_, problems) in said.items()}
    assert len({repr(w) for w in wordings.values()}) == 1, "\n".join(f"{k}: {w}" for k, w in wordings.items())
    for message, _ in said.values():
        assert not any(word in message for word in PYTHON_WORDS), message


@pytest.mark.parametrize(("content", "said"), [
    (HOSTILE["empty"], "the file is empty (nothing but blank lines or comments); expected <KEYS>"),
    (HOSTILE["bom-twice"], "the file is empty (nothing but blank lines or comments); expected <KEYS>"),
    (HOSTILE["not-utf8"], "file is not UTF-8 text (expected YAML saved as UTF-8)"),
    (HOSTILE["a-list"], "the file holds a list of 2 items; expected <KEYS>"),
    (HOSTILE["a-number"], "the file holds the number 42; expected <KEYS>"),
    (HOSTILE["too-large"], "file is larger than 1 MB; refusing to read it"),
    (HOSTILE["tab-indent"], "YAML indents with spaces only: replace the tab with spaces"),
    (HOSTILE["duplicate-key"], "duplicate key 'a' (first given on line 1); keep only one"),
], ids=["empty", "bom-twice", "not-utf8", "a-list", "a-number", "too-large", "tab", "duplicate"])
def test_the_shared_wording_names_what_was_expected(content: bytes, said: str, tmp_path: Path) -> None:
    _, problems = _refusal("targets", content, tmp_path)
    assert problems[0][0] == "" and said in problems[0][1], problems


TEXT_KINDS: dict[str, tuple[Callable[[Path], object], str]] = {
    "SOURCES.md": (source_lines, "Markdown"),
    "durations.csv": (lambda p: read_durations(p, None, "h"), "CSV"),
}


@pytest.mark.parametrize("name", TEXT_KINDS)
@pytest.mark.parametrize("content", [HOSTILE["not-utf8"], HOSTILE["utf16"]], ids=["not-utf8", "utf16"])
def test_a_text_file_that_is_not_utf8_is_said_so_as_a_yaml_file_is(name: str, content: bytes, tmp_path: Path) -> None:
    read, form = TEXT_KINDS[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(Exception) as refused:  # noqa: PT011 - a ScenarioError or `dostyk fit`'s FitError
        read(path)
    assert f"{path}: " in str(refused.value) or str(refused.value).startswith(f"{path}: ")
    assert not_utf8(form) in str(refused.value) and not_utf8(form) == not_utf8().replace("YAML", form)


def test_a_sources_file_too_large_is_refused_as_a_yaml_file_is(tmp_path: Path) -> None:
    path = tmp_path / "SOURCES.md"
    path.write_bytes(b"|" * 1_000_001)
    with pytest.raises(ScenarioError) as refused:
        source_lines(path)
    assert refused.value.problems == [("", "file is larger than 1 MB; refusing to read it")]


def test_a_bom_before_a_sources_table_hides_no_row(tmp_path: Path) -> None:
    path = tmp_path / "SOURCES.md"
    path.write_bytes("\ufeff| V1 | grain | 2 t | 2024 | mine |\n".encode())
    assert source_lines(path)[0].startswith("| V1 |")
