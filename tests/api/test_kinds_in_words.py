"""A refusal aimed at a Python caller says what was passed in words ('the number 2.5', 'a table (a pandas
DataFrame)'), as a file's refusals do (sim.scenario.quoting), never Python's type names ('float', 'PosixPath',
'NoneType', 'DataFrame' alone): sim.sweep's `vary`, counts, list arguments and the plots said them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim.analysis.window import daily_of
from sim.experiments.arguments import ArgumentError
from sim.reporting import plots
from sim.scenario.quoting import argument_in_words, kind_in_words

#: a type name standing alone after "got" (or in brackets after a value): what the refusals said
TYPE_NAME = re.compile(r"got (NoneType|int|float|str|list|dict|tuple|bool|PosixPath|DataFrame|Scenario|Results|"
                       r"WarmupSuggestion|function)\b|\((int|float|str|bool|NoneType)\)")


def _calls(short: sim.Scenario, results: sim.Results) -> dict[str, tuple[Callable[[], Any], str]]:
    return {
        "sweep-vary-list": (lambda: sim.sweep(short, [("unloading.grain.points", [4, 5])], replications=1,  # type: ignore[arg-type]
                                              executor="serial"), "got a list of 1 item"),
        "sweep-vary-key": (lambda: sim.sweep(short, {3: [4, 5]}, replications=1, executor="serial"),  # type: ignore[dict-item]
                           "got the number 3"),
        "sweep-vary-none": (lambda: sim.sweep(short, None, replications=1, executor="serial"),  # type: ignore[arg-type]
                            "got None (no value)"),
        "run-seed": (lambda: sim.run(short, replications=1, seed=1.5, executor="serial"), "got the number 1.5"),  # type: ignore[arg-type]
        "run-replications-text": (lambda: sim.run(short, replications="2", executor="serial"),  # type: ignore[arg-type]
                                  "got the text '2'"),
        "run-replications-yes": (lambda: sim.run(short, replications=True, executor="serial"),
                                 "got a yes/no value (True)"),
        "run-a-path": (lambda: sim.run(Path("scenarios/baseline_2023.yaml"), replications=1),  # type: ignore[arg-type]
                       "got the path 'scenarios/baseline_2023.yaml'"),
        "run-a-table": (lambda: sim.run(results.kpis, replications=1), "got a table (a pandas DataFrame)"),  # type: ignore[arg-type]
        "optimize-objectives": (lambda: sim.optimize(short, ["unloading.grain.points=4:6"], 3, executor="serial"),  # type: ignore[arg-type]
                                "got the number 3"),
        "report-swapped": (lambda: sim.write_report(Path("out"), results), "got the path 'out' first"),  # type: ignore[arg-type]
        "warmup-plot": (lambda: plots.warmup(results), "got the results of one run (sim.Results)"),  # type: ignore[arg-type]
        "comparison-plot": (lambda: plots.kpi_comparison({"a": short}), "got a scenario (sim.Scenario)"),
        "daily-plot": (lambda: plots.backlog(None), "got None (no value)"),  # type: ignore[arg-type]
        "daily-series": (lambda: daily_of(short), "got a scenario (sim.Scenario)"),
        "load-none": (lambda: sim.load_scenario(None), "got None (no value)"),  # type: ignore[arg-type]
        "load-a-function": (lambda: sim.load_scenario(print), "got a function (not what it returns)"),  # type: ignore[arg-type]
    }


CALLS = ["sweep-vary-list", "sweep-vary-key", "sweep-vary-none", "run-seed", "run-replications-text",
         "run-replications-yes", "run-a-path", "run-a-table", "optimize-objectives", "report-swapped", "warmup-plot",
         "comparison-plot", "daily-plot", "daily-series", "load-none", "load-a-function"]


@pytest.mark.parametrize("call", CALLS)
def test_a_wrong_kind_of_argument_is_said_in_words(call: str, short: sim.Scenario, results: sim.Results,
                                                   tmp_path: Path) -> None:
    make, said = _calls(short, results)[call]
    with pytest.raises(sim.SimError) as refused:
        make()
    text = str(refused.value)
    assert said in text, text
    assert not TYPE_NAME.search(text), text
    assert isinstance(refused.value, (ArgumentError, sim.ScenarioError)) or "Error" in type(refused.value).__name__


@pytest.mark.parametrize(("value", "said"), [
    (pd.DataFrame(), "a table (a pandas DataFrame)"), (pd.Series(dtype=float), "a column of values (a pandas Series)"),
    (Path("a/b.yaml"), "the path 'a/b.yaml'"), (int, "a class (not an instance of it)"), (len, "a function"),
    (object(), "a value of another kind"),
])
def test_objects_no_file_holds_are_said_in_words(value: Any, said: str) -> None:
    assert said in kind_in_words(value) and said in argument_in_words(value)
