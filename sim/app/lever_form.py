"""The form of a scenario's levers: one number field per lever, grouped by section of the scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn

from sim.app.levers import LeverField

#: a lever's field and the lever it edits, by the lever's key path
Fields = dict[str, tuple[LeverField, Any]]


def lever_form(levers: list[LeverField], changed: Callable[[], object]) -> tuple[Fields, pn.Accordion]:
    """The fields of `levers` (each calling `changed()` when its value changes) and the form showing them."""
    fields: Fields = {}
    sections: dict[str, list[Any]] = {}
    for lever in levers:
        kind = pn.widgets.IntInput if lever.integer else pn.widgets.FloatInput
        # no start/end: the browser would clamp a typed -5 to the bound, or keep the old value while
        # showing -5; the schema's own message says what is wrong instead (the page's check)
        widget = kind(label=f"{lever.label} ({lever.unit})" if lever.unit else lever.label,
                      value=int(lever.value) if lever.integer else lever.value,
                      description=f"{lever.help} ({lever.expected})" if lever.help else lever.expected,
                      css_classes=["lever", "lever-" + lever.key.replace(".", "-").replace("[", "-").replace("]", "")])
        widget.param.watch(lambda _: changed(), "value")
        fields[lever.key] = (lever, widget)
        sections.setdefault(lever.section, []).append(widget)
    return fields, pn.Accordion(*[(name, pn.Column(*ws)) for name, ws in sections.items()],
                                active=list(range(len(sections))), sizing_mode="stretch_width")
