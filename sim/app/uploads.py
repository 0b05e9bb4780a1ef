"""A scenario file uploaded in the browser, read as the loader reads a file (sim.scenario.loader.scenario_mapping:
size limit, UTF-8, safe YAML, a mapping, in the same words), with what only an upload lacks: the files
`extends:` would name beside it."""

from __future__ import annotations

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import uses_extends
from sim.scenario.loader import scenario_mapping
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import spelled_in


def read_upload(name: str, content: bytes) -> Scenario:
    """The scenario in an uploaded file called `name`; a ScenarioError naming the file otherwise."""
    data = scenario_mapping(content, name)
    if uses_extends(data):  # the loader would read the files it names beside it: there are none here
        raise ScenarioError(name, [("extends", ("an uploaded file cannot build on other files (the browser "
                                    "sends this one alone); upload a complete scenario, such as the "
                                    "one *Save variant (YAML)* writes, or run it with `dostyk run`"))])
    return Scenario.from_data(data, name, spelled=spelled_in(lambda: content.decode("utf-8")))
