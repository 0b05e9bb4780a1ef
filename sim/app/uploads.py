"""A scenario file uploaded in the browser, read as the loader reads a file (size limit, safe YAML,
no aliases, the schema), with what only an upload lacks: the files `extends:` would name beside it.

The size limit is one number, MAX_UPLOAD_BYTES (the loader's own): the browser refuses a larger file
before sending a byte (`browser_size`, for the upload widget's `max_file_size`), and `read_upload`
refuses it again should one arrive all the same. A file of 80 MB sent whole closed the page's
connection without a word.
"""

from __future__ import annotations

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import uses_extends
from sim.scenario.loader import MAX_FILE_BYTES, parse_yaml
from sim.scenario.schema import Scenario

#: the largest file the page accepts, in bytes: what the loader reads (`dostyk run` refuses more too)
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: what a scenario file's name ends with (the file dialog shows every file; a drop may be anything)
SUFFIXES = (".yaml", ".yml")


def size_in_mb(size: int) -> str:
    """`size` bytes in decimal megabytes as a person reads them: "1 MB", "0.5 MB", "1.25 MB"."""
    return f"{size / 1_000_000:,.3f}".rstrip("0").rstrip(".") + " MB"


def browser_size(size: int = MAX_UPLOAD_BYTES) -> str:
    """`size` as the browser's upload widget reads a limit (FilePond: a whole number of decimal MB or
    KB, e.g. "1MB"), rounded down so that the browser never lets through what `read_upload` refuses."""
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
    if len(data_bytes) > MAX_UPLOAD_BYTES:  # before decoding; the browser should not have sent it
        raise ScenarioError(name, [("", (f"file is larger than {size_in_mb(MAX_UPLOAD_BYTES)} (the limit for a "
                                        "scenario file); refusing to read it"))])
    try:
        text = data_bytes.decode("utf-8")
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
