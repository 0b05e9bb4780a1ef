"""A scenario file uploaded in the browser, read as the loader reads a file (sim.scenario.loader.scenario_mapping:
size limit, UTF-8, safe YAML, a mapping, in the same words), with what only an upload lacks: its name's
suffix (the file dialog shows every file) and the files `extends:` would name beside it.

The size limit is one number, MAX_UPLOAD_BYTES (the loader's own): the browser refuses a larger file
before sending a byte (`browser_size`, for the upload widget's `max_file_size`), and the loader refuses
it again should one arrive all the same. A file of 80 MB sent whole closed the page's connection
without a word.
"""

from __future__ import annotations

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import uses_extends
from sim.scenario.loader import MAX_FILE_BYTES, scenario_mapping
from sim.scenario.schema import Scenario
from sim.scenario.spelling import spelled_in

#: the largest file the page accepts, in bytes: what the loader reads (`dostyk run` refuses more too)
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: what a scenario file's name ends with (the file dialog shows every file; a drop may be anything)
SUFFIXES = (".yaml", ".yml")


def browser_size(size: int = MAX_UPLOAD_BYTES) -> str:
    """`size` as the browser's upload widget reads a limit (FilePond: a whole number of decimal MB or
    KB, e.g. "1MB"), rounded down so that the browser never lets through what the loader refuses."""
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}MB"
    if size < 1000:
        raise ValueError(f"an upload limit of {size} bytes is below the browser's unit (1 KB)")
    return f"{size // 1000}KB"


def read_upload(name: str, content: bytes | str) -> Scenario:
    """The scenario in an uploaded file called `name`; a ScenarioError naming the file otherwise.
    (The upload widget hands over a text/* file as text, any other as bytes.)"""
    if not name.lower().endswith(SUFFIXES):
        raise ScenarioError(name, [("", (f"expected a scenario file ending in {' or '.join(SUFFIXES)} (YAML), "
                                        "such as the ones in scenarios/ or the one *Save variant (YAML)* writes"))])
    data_bytes = content.encode("utf-8") if isinstance(content, str) else content
    data = scenario_mapping(data_bytes, name)
    if uses_extends(data):  # the loader would read the files it names beside it: there are none here
        raise ScenarioError(name, [("extends", ("an uploaded file cannot build on other files (the browser "
                                    "sends this one alone); upload a complete scenario, such as the "
                                    "one *Save variant (YAML)* writes, or run it with `dostyk run`"))])
    return Scenario.from_data(data, name, spelled=spelled_in(lambda: data_bytes.decode("utf-8")))
