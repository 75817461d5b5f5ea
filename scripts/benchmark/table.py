"""The one table: each figure, its target, and whether it holds."""

from __future__ import annotations

from .common import Row

HEADERS = ("section", "figure", "value", "target", "holds")


def verdict(holds: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[holds]


def cells(row: Row) -> tuple[str, ...]:
    return (row.section, row.figure, row.value, row.target, verdict(row.holds))


def text(rows: list[Row]) -> str:
    table = [HEADERS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |" for r in rows]
    return "\n".join(lines)
