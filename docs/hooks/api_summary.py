"""mkdocs hook: the public API's names (`sim.__all__`), each with its signature and the first line of
its docstring, made when the site is built, so the list cannot fall behind the code.

A page holding the marker `<!-- api-summary -->` gets the table in its place.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

MARKER = "<!-- api-summary -->"


def _first_line(obj: object) -> str:
    """The first paragraph of the object's own docstring (a class without one: its module's), one line."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else inspect.getdoc(obj)
    if not doc and inspect.isclass(obj):
        doc = inspect.getdoc(importlib.import_module(obj.__module__))
    doc = inspect.cleandoc(doc or "")
    return " ".join(doc.split("\n\n", 1)[0].split())


def _signature(obj: object) -> str:
    if not callable(obj) or inspect.ismodule(obj):
        return ""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return ""
    bare = [p.replace(annotation=p.empty) for p in signature.parameters.values()]  # names and defaults
    return str(signature.replace(parameters=bare, return_annotation=signature.empty))


def table() -> str:
    sim = importlib.import_module("sim")
    lines = ["| name | what it is |", "|---|---|"]
    for name in sim.__all__:
        obj = getattr(sim, name)
        kind = "class" if inspect.isclass(obj) else "module" if inspect.ismodule(obj) else "function"
        shown = f"sim.{name}{_signature(obj) if kind == 'function' else ''}"
        lines.append(f"| `{shown.replace('|', chr(92) + '|')}` ({kind}) | {_first_line(obj).replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return markdown.replace(MARKER, table()) if MARKER in markdown else markdown
