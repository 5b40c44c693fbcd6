"""Read the ASCII tables that Xilinx tools print in their text reports.

A Vivado HLS, Vitis HLS or Vivado table is a block of lines that start with `+` (rules)
or `|` (rows), the cells separated by `|`. Rules split a table into segments: header rows,
body rows, a `Total` row, and so on. The readers here only cut text into cells; what a
cell means is the business of the report parser that asked for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RULE = re.compile(r"^\s*\+[-+]+\+\s*$")
_ROW = re.compile(r"^\s*\|.*\|\s*$")


@dataclass(frozen=True)
class Table:
    """One table: its segments (lists of rows, each a list of stripped cells), in order."""

    segments: tuple[tuple[tuple[str, ...], ...], ...]
    end_line: int  # index of the first line after the table

    @property
    def header(self) -> tuple[tuple[str, ...], ...]:
        return self.segments[0] if self.segments else ()

    def body_rows(self) -> list[tuple[str, ...]]:
        """Every row after the header segment."""
        return [row for segment in self.segments[1:] for row in segment]

    def row_named(self, name: str) -> tuple[str, ...] | None:
        """The first body row whose first cell is `name` (exactly, case-insensitive)."""
        for row in self.body_rows():
            if row and row[0].lower() == name.lower():
                return row
        return None


def split_row(line: str) -> tuple[str, ...]:
    cells = line.strip().split("|")
    return tuple(cell.strip() for cell in cells[1:-1])


def read_table(lines: list[str], start: int) -> Table | None:
    """The first table at or after line `start`, skipping only blank lines before it."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not _RULE.match(lines[i]):
        return None
    segments: list[tuple[tuple[str, ...], ...]] = []
    current: list[tuple[str, ...]] = []
    while i < len(lines) and (_RULE.match(lines[i]) or _ROW.match(lines[i])):
        if _RULE.match(lines[i]):
            if current:
                segments.append(tuple(current))
                current = []
        else:
            current.append(split_row(lines[i]))
        i += 1
    if current:
        segments.append(tuple(current))
    return Table(segments=tuple(segments), end_line=i)


def find_line(lines: list[str], pattern: str, start: int = 0, stop: int | None = None) -> int:
    """Index of the first line at or after `start` (before `stop`) matching the regex, or -1."""
    regex = re.compile(pattern)
    end = len(lines) if stop is None else min(stop, len(lines))
    for i in range(start, end):
        if regex.search(lines[i]):
            return i
    return -1


def table_after(lines: list[str], pattern: str, start: int = 0, stop: int | None = None) -> Table | None:
    """The table that follows the first line matching `pattern` (within a few lines of it)."""
    at = find_line(lines, pattern, start, stop)
    if at < 0:
        return None
    end = len(lines) if stop is None else min(stop, len(lines))
    for i in range(at + 1, min(at + 4, end)):
        table = read_table(lines, i)
        if table is not None:
            return table
    return None


def number(cell: str) -> float | None:
    """A numeric cell: `1450`, `4.357 ns`, `0.120 us`, `~0` (read as 0), `-` (0). None if '?'."""
    text = cell.strip()
    if text in ("-", "~0", ""):
        return 0.0
    match = re.match(r"^~?(-?[0-9]*\.?[0-9]+)\s*(ns|us|ms|s)?$", text)
    if not match:
        return None
    value = float(match.group(1))
    scale = {None: 1.0, "ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[match.group(2)]
    return value * scale
