"""Fast output of many rows, byte for byte what :func:`crossings.cli.emit` prints.

The reports list up to a few hundred thousand people on a database of a million cases
(issue 5, target 5). ``cli.emit`` measures every cell's terminal width twice, character by
character, and writes each line through its own ``click.echo``; its JSON goes through the
pure-Python encoder (``indent`` turns the C one off). Here the work is done a column at a
time: each distinct cell is measured and padded once, lines are joined by C code, written
in large chunks, and flat rows are encoded to JSON with the encoder's own C string quoting.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any, Callable, Iterable, Sequence

import click

from .cli import _cell, _width

CHUNK = 5000  # lines a write


def emit(rows: Sequence[dict[str, Any]], fmt: str | None, columns: Sequence[str]) -> None:
    """Print rows as a text table, JSON array or CSV: what ``cli.emit`` prints, faster."""
    if fmt == "json":
        return _write(json_lines(rows))
    if fmt == "csv":
        return _csv(rows, columns)
    _write(text_lines(rows, columns))


def _write(lines: Iterable[str]) -> None:
    """One ``click.echo`` per CHUNK lines (click strips ANSI codes line-blind, so the same)."""
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) == CHUNK:
            click.echo("\n".join(buffer))
            buffer = []
    if buffer:
        click.echo("\n".join(buffer))


def text_lines(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Iterable[str]:
    """The table's lines: header, then one line a row, each column padded to its width."""
    cells = [_cells(_values(rows, c)) for c in columns]
    pads = [_padding(name, column) for name, column in zip(columns, cells)]
    yield "  ".join(pad[name] for pad, name in zip(pads, columns)).rstrip()
    padded = [list(map(pad.__getitem__, column)) for pad, column in zip(pads, cells)]
    for line in map("  ".join, zip(*padded)):
        yield line.rstrip()


def _values(rows: Sequence[dict[str, Any]], column: str) -> list[Any]:
    return [row.get(column) for row in rows]


_PLAIN = {str, int, bool}


def _cells(values: list[Any]) -> list[str]:
    """``cli._cell`` of each value; strings and numbers without a call each."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if kinds <= _PLAIN:
        return list(map(str, values))
    return [_cell(v) for v in values]


def _padding(name: str, cells: list[str]) -> dict[str, str]:
    """Each distinct cell of a column (and its heading) -> the cell padded to the width."""
    widths = {text: _width(text) for text in {name, *cells}}
    width = max(widths.values())
    return {text: text + " " * (width - w) for text, w in widths.items()}


# -- JSON ----------------------------------------------------------------------------------

def _scalar(value: Any) -> str | None:
    """``json.dumps(value)`` for a str, int, bool or None; None for anything else."""
    kind = type(value)
    if kind is str:
        return str(encode_basestring(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return None


def json_lines(rows: Sequence[dict[str, Any]]) -> Iterable[str]:
    """``json.dumps(list(rows), ensure_ascii=False, indent=2)``, split into lines; rows of
    scalars are encoded here, anything else by ``json.dumps`` itself."""
    rows = list(rows)
    encoded = _flat_rows(rows)
    if encoded is None:
        yield json.dumps(rows, ensure_ascii=False, indent=2)
        return
    if not rows:
        yield "[]"
        return
    yield "["
    last = len(encoded) - 1
    for i, body in enumerate(encoded):
        yield "  {\n" + body + ("\n  }," if i < last else "\n  }")
    yield "]"


def _flat_rows(rows: list[dict[str, Any]]) -> list[str] | None:
    """Each row's members, one per line, or None if some value is not a scalar."""
    keys: dict[tuple[str, ...], Callable[[Iterable[str]], str] | None] = {}
    out = []
    for row in rows:
        names = tuple(row)
        joiner = keys.get(names)
        if names not in keys:
            keys[names] = _joiner(names)
        joiner = keys[names]
        values = [_scalar(v) for v in row.values()]
        if joiner is None or None in values:
            return None
        out.append(joiner(values))  # type: ignore[arg-type]
    return out


def _joiner(names: tuple[str, ...]) -> Callable[[Iterable[str]], str] | None:
    if not names:
        return None  # json.dumps writes {} for an empty object
    # A NUL marks each value's place: a key's own NUL is quoted as \u0000 by the encoder.
    template = ",\n".join(f"    {encode_basestring(k)}: \0" for k in names)
    template = template.replace("%", "%%").replace("\0", "%s")
    return lambda values: template % tuple(values)


# -- CSV -----------------------------------------------------------------------------------

def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*(_cells(_values(rows, c)) for c in columns)))
    click.echo(buffer.getvalue(), nl=False)
