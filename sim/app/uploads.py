"""A scenario file uploaded in the browser, read as the loader reads a file (size limit, safe YAML,
no aliases, the schema), with what only an upload lacks: the files `extends:` would name beside it."""

from __future__ import annotations

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import uses_extends
from sim.scenario.loader import MAX_FILE_BYTES, parse_yaml
from sim.scenario.schema import Scenario


def read_upload(name: str, content: bytes) -> Scenario:
    """The scenario in an uploaded file called `name`; a ScenarioError naming the file otherwise."""
    if len(content) > MAX_FILE_BYTES:  # before decoding: the loader's own limit, said as it says it
        raise ScenarioError(name, [("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refusing to read it")])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(name, [("", "not a text file (expected YAML in UTF-8)")]) from None
    data = parse_yaml(text, name)
    if not isinstance(data, dict):  # as the loader says of a file (an empty one changed nothing)
        raise ScenarioError(name, [("", "expected a mapping of keys (name, duration, cargo, …), got "
                                    + ("an empty file" if data is None else type(data).__name__))])
    if uses_extends(data):  # the loader would read the files it names beside it: there are none here
        raise ScenarioError(name, [("extends", ("an uploaded file cannot build on other files (the browser "
                                    "sends this one alone); upload a complete scenario, such as the "
                                    "one *Save variant (YAML)* writes, or run it with `dostyk run`"))])
    return Scenario.from_data(data, name)
