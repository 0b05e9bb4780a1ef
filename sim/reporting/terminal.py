"""Text for a terminal of WIDTH columns: the one table printer of the command line, and prose wrapped to fit.

A table wider than the terminal is fitted the way good command-line tools do it, without losing a figure:
its headers wrap onto two lines, then its word columns (a verdict, a unit) wrap inside their cells, down to
MIN_WRAPPED columns; a table still too wide is split into several tables of fewer columns, each repeating the
key columns (the KPI and its unit, a grid point's levers) so that every row still says what it is. Number
cells are never wrapped. A table that fits is printed as it always was. WIDTH is fixed, not the terminal's
own: the same command prints the same text everywhere (the documentation quotes it, tests compare it), and
the results' files hold every figure whatever the terminal.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The columns a printed line may take
WIDTH = 100
GAP = "  "
#: Where a cell's text prefers to break: after a comma or semicolon (between a list's items), else at a space
_ITEMS = re.compile(r"(?<=[,;]) ")
#: Spaces never broken at: around ±, before %, and between a number and the word beside it ("6 points", "seed
#: 1"), held as a character textwrap does not break at
_KEEP, _HELD = re.compile(r"(?<=±) | (?=[±%])|(?<=\d) (?=[^\W\d])|(?<=[^\W\d]) (?=\d)"), "\x00"


#: A header wraps onto at most this many lines
HEADER_LINES = 2
#: A word column (a verdict, a list) is not wrapped narrower than this, unless its table cannot fit otherwise
MIN_WRAPPED = 20


@dataclass(frozen=True)
class _Column:
    header: str
    cells: list[str]
    right: bool  # a number column: right-aligned, its cells never wrapped
    key: bool    # says what a row is: repeated in every part of a split table, wrapped only as a last resort

    def widest(self) -> int:
        return max([len(self.header), *map(len, self.cells)])

    def header_wrapped(self) -> int:
        """Its width with the header wrapped onto at most HEADER_LINES lines, the cells whole."""
        return max([_narrowest_header(self.header), *map(len, self.cells), 1])

    def narrowest(self) -> int:
        """Its width with its header and (a word column's) cells wrapped: a word is never cut."""
        if self.right:
            return self.header_wrapped()
        return max([_narrowest_header(self.header), *map(_longest_word, self.cells), 1])


def _longest_word(text: str) -> int:
    """The longest part of `text` that _wrap never breaks."""
    return max(map(len, _KEEP.sub(_HELD, text).split()), default=0)


def _narrowest_header(text: str) -> int:
    """The narrowest width that wraps `text` onto at most HEADER_LINES lines, a word whole."""
    width = _longest_word(text)
    while len(_wrap(text, width)) > HEADER_LINES:
        width += 1
    return width


def _wrap(text: str, width: int) -> list[str]:
    """`text` on lines of `width`, broken between list items when each fits on a line, else at spaces; a word is
    never cut, nor a number parted from its ±, its % or the word beside it (`± 95 %`, `6 points`)."""
    if len(text) <= width:
        return [text]
    held = _KEEP.sub(_HELD, text)
    items = _ITEMS.split(held)
    if max(map(len, items)) > width:  # an item longer than a line: the text wrapped as one
        items = [held]
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 1 + len(item) <= width:
            lines[-1] += " " + item
        else:
            lines += textwrap.wrap(item, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [line.replace(_HELD, " ") for line in lines] or [""]


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def _widths(columns: Sequence[_Column], width: int, wrap_keys: bool = False) -> list[int]:
    """Each column's width for a table of at most `width`: as wide as its cells with its header wrapped, then
    the widest word columns wrapped, not below MIN_WRAPPED (with `wrap_keys`, the key columns too, down to their
    longest word). Wider than `width` when even that does not fit."""
    widths = [c.header_wrapped() for c in columns]

    def floor(c: _Column) -> int:
        return c.narrowest() if wrap_keys else max(c.narrowest(), min(MIN_WRAPPED, c.header_wrapped()))

    while _total(widths) > width:
        wrappable = [i for i, c in enumerate(columns) if not c.right and (wrap_keys or not c.key)
                     and widths[i] > floor(c)]
        if not wrappable:
            break
        i = max(wrappable, key=lambda j: widths[j])
        widths[i] = max(floor(columns[i]), widths[i] - (_total(widths) - width))
    return widths


def _render(columns: Sequence[_Column], widths: Sequence[int]) -> list[str]:
    def lines(cells: Sequence[list[str]], bottom: bool) -> list[str]:
        height = max(map(len, cells))
        padded = [([""] * (height - len(c)) + c) if bottom else (c + [""] * (height - len(c))) for c in cells]
        return [GAP.join(text.rjust(w) if col.right else text.ljust(w)
                         for text, w, col in zip(row, widths, columns)).rstrip()
                for row in zip(*padded)]

    out = lines([_wrap(c.header, w) for c, w in zip(columns, widths)], bottom=True)
    out.append(GAP.join("-" * w for w in widths))
    for r in range(len(columns[0].cells)):
        out += lines([[c.cells[r]] if c.right else _wrap(c.cells[r], w) for c, w in zip(columns, widths)], bottom=False)
    return out


def _block(columns: Sequence[_Column], width: int) -> str:
    """One table: as it is when it fits, else with its headers and word columns wrapped (its key columns too,
    as a last resort)."""
    widths = [c.widest() for c in columns]
    for wrap_keys in (False, True):
        if _total(widths) <= width:
            break
        widths = _widths(columns, width, wrap_keys)
    return "\n".join(_render(columns, widths))


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], right_from: int = 1, left_from: int | None = None,
          keep: int | None = None, breaks: Sequence[int] = (), width: int = WIDTH, split: bool = True) -> str:
    """Columns under a header and a rule; columns from `right_from` on (the numbers) right-aligned, up to
    `left_from` (words again, such as a verdict) when given. Wider than `width`, it is fitted (see the module's
    docstring): its first `keep` columns (default: those before `right_from`, at least one) say what a row is
    and are repeated in each part of a split table. A part ends before a column of `breaks` when what follows
    up to the next break then fits in a part of its own (a difference with its verdict, apart from the two
    means), else where the next column would run past `width`. Not `split` (columns read side by side, such as
    the quantiles of one answer), it stays one table: its key columns wrap too, as a last resort."""
    key = max(1, right_from if keep is None else keep)
    stop = len(header) if left_from is None else left_from
    columns = [_Column(str(h), [str(r[i]) for r in rows], right_from <= i < stop, i < key) for i, h in enumerate(header)]
    if not split or _total(_widths(columns, width)) <= width or len(columns) <= key + 1:
        return _block(columns, width)
    keys = columns[:key]

    def fits(part: Sequence[_Column]) -> bool:
        return _total(_widths([*keys, *part], width)) <= width

    parts: list[list[_Column]] = [[]]
    edges = sorted({key, *(b for b in breaks if key < b < len(columns)), len(columns)})
    for first, last in itertools.pairwise(edges):
        segment = columns[first:last]
        if parts[-1] and not fits([*parts[-1], *segment]) and fits(segment):
            parts.append([])  # the segment whole in a part of its own, rather than cut
        for column in segment:
            if parts[-1] and not fits([*parts[-1], column]):
                parts.append([])
            parts[-1].append(column)
    return "\n\n".join(_block([*keys, *part], width) for part in parts)


#: A short quoted value ('   ', "a b"): its spaces are part of it, never a break nor a table's gap (a long
#: one, a quoted sentence, wraps as prose)
_QUOTED = re.compile(r"(?<!\w)'[^'\n]{0,40}'(?!\w)|\"[^\"\n]{0,40}\"")


def fit_text(text: str, width: int = WIDTH) -> str:
    """`text` with each line wider than `width` wrapped at its spaces (not beside a number: see _KEEP, nor
    inside a quoted value), its continuation lines indented two spaces more than it. A line with columns (two
    spaces between words after its indent, outside quotes: a table's, fitted by `table`) is left as it is, and
    so is a word longer than a line (a path, a URL)."""
    out = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip(" "))]
        held = _QUOTED.sub(lambda m: m[0].replace(" ", _HELD), line.strip())
        if len(line) <= width or GAP in held:
            out.append(line)
            continue
        out += [part.replace(_HELD, " ") for part in textwrap.wrap(
            _KEEP.sub(_HELD, held), width, initial_indent=indent, subsequent_indent=indent + "  ",
            break_long_words=False, break_on_hyphens=False)]
    return "\n".join(out)
