"""Units and constants shared by every layer: simulated time is in hours."""

from __future__ import annotations

import math

HOUR = 1.0
DAY = 24.0 * HOUR
INF = math.inf


def safe_name(text: str, limit: int = 80, keep: str = "-_.") -> str:
    """`text` as one safe file or directory name: ASCII letters, digits and the characters in `keep`
    only, no leading or trailing dot or underscore (so never `..`), at most `limit` characters;
    never empty."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in keep) else "_" for ch in text)
    safe = safe.strip("._")[:limit].strip("._")
    return safe or "scenario"
