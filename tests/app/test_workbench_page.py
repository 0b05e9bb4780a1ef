"""The workbench's page at the Python level, where the browser adds nothing: warnings, refusals,
runs started twice, what a download writes. (The browser tests are in test_workbench_browser.py.)"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("panel", reason="the app extra (panel) is not installed")

from sim.app.page import Workbench  # noqa: E402


def test_building_the_page_warns_nothing() -> None:
    """Panel 1.9 warns on widgets' `name` and `button_type` (its 2.0 names are `label` and `color`):
    a warning per widget would fill the console of whoever runs `dostyk app`."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Workbench().view()
