"""Units, constants and the few text helpers shared by every layer: simulated time is in hours."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from typing import Any

HOUR = 1.0
DAY = 24.0 * HOUR
INF = math.inf


def one_or_many(value: str | Iterable[Any]) -> list[Any]:
    """An argument of one text or several, as a list: one text is a list of one, never of its letters
    (`kpis="dwell_h_mean"` read as ['d', 'w', …]); anything else is the list of its items."""
    return [value] if isinstance(value, str) else list(value)


def count_text(n: int) -> str:
    """A whole number as a message shows it: with thousands separators, or, past 15 digits, as its
    order of magnitude (a number given as 10**5000 is a typo to name, not to print: Python refuses to
    print an int of over 4,300 digits, and 500 digits of nines tell a reader nothing)."""
    if abs(n) < 10**15:
        return f"{n:,}"
    return f"about {'-' if n < 0 else ''}10^{int(math.log10(abs(n)))}"


def safe_name(text: str, limit: int = 80, keep: str = "-_.") -> str:
    """`text` as one safe file or directory name: letters, digits and marks of any script (NFC) and the
    characters in `keep` only, no leading or trailing dot or underscore (so never `..`), at most `limit`
    bytes in UTF-8 (file systems count bytes); never empty.

    Letters beyond ASCII are kept: two scenarios named in Cyrillic or Chinese must not share one
    results directory (replacing them by `_` made "Достык 2024" and "Алтынколь 2024" both "2024").
    """
    text = unicodedata.normalize("NFC", text)
    safe = "".join(ch if ch in keep or unicodedata.category(ch)[0] in "LMN" else "_" for ch in text)
    safe = safe.strip("._").encode("utf-8")[:limit].decode("utf-8", "ignore").strip("._")
    return safe or "scenario"
