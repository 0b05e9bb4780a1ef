"""Names made safe for the file system keep users' own scripts and stay distinct; one text is a list of one."""

from __future__ import annotations

from typing import Any

import pytest

from sim.cli.folders import default_out
from sim.units import one_or_many, safe_name


@pytest.mark.parametrize(("text", "expected"), [
    ("baseline-2023", "baseline-2023"),
    ("a b/c\\d:e", "a_b_c_d_e"),
    ("../../etc", "etc"),
    ("...", "scenario"),
    ("", "scenario"),
    ("Достык 2024", "Достык_2024"),
    ("阿拉山口", "阿拉山口"),
    ("Cafe\u0301", "Café"),  # NFC: one character, as the user's editor most likely saved it
    ("😀 jam", "jam"),
])
def test_safe_names(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_names_in_other_scripts_do_not_share_a_results_directory() -> None:
    assert default_out("Достык 2024") != default_out("Алтынколь 2024")
    assert default_out("阿拉山口", "-sweep").name == "阿拉山口-sweep"


@pytest.mark.parametrize("letter", ["ж", "口", "\U00020000"])  # 2, 3 and 4 bytes in UTF-8
def test_the_limit_counts_bytes_and_never_cuts_a_letter(letter: str) -> None:
    name = safe_name(letter * 200)
    assert len(name.encode("utf-8")) <= 80
    assert name == letter * len(name)  # whole letters only


@pytest.mark.parametrize(("value", "expected"), [
    ("dwell_h_mean", ["dwell_h_mean"]),
    ("", [""]),
    (["a", "b"], ["a", "b"]),
    (("a", "b"), ["a", "b"]),
    ((k for k in "ab"), ["a", "b"]),
])
def test_one_text_is_a_list_of_one_never_of_its_letters(value: Any, expected: list[str]) -> None:
    assert one_or_many(value) == expected
