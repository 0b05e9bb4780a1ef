"""The rule of a 100-column terminal, shared by the tests of what commands print (tests/cli/test_terminal_width.py)
and of their refusals (tests/cli/test_bad_inputs.py): no line wider than WIDTH once the words that cannot be
wrapped without changing them are taken out — a path or a URL (a word with a '/'), and in a document made for
another program (`schema`'s JSON, a Markdown table) its strings and its table rows."""

from __future__ import annotations

import re

WIDTH = 100
UNBREAKABLE = re.compile(r"\S*[/\\]\S*")  # a path or a URL
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
MARKDOWN_ROW = re.compile(r"^\|.*\|$")


def too_wide(text: str, kind: str | None = None) -> list[str]:
    """The lines of `text` (split at carriage returns too: progress bars) wider than WIDTH once their unbreakable
    words are taken out; `kind` "json" or "markdown" for a document of that kind."""
    wide = []
    for line in re.split(r"[\r\n]", text):
        rest = JSON_STRING.sub('""', line) if kind == "json" else line  # (first: a string's \u2026 is not a path)
        rest = UNBREAKABLE.sub("", rest)
        if kind == "markdown" and MARKDOWN_ROW.match(rest.strip()):
            continue
        if len(rest.rstrip()) > WIDTH:
            wide.append(f"{len(line)}: {line}")
    return wide
