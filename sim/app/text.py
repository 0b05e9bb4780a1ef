"""Text from a file shown on the page as written, never as HTML."""

from __future__ import annotations

import html


def as_text(text: str) -> str:
    """`text` shown as written in a Markdown or Alert pane: a scenario's name `<img onerror=…>` ran as script."""
    return html.escape(text, quote=False)
