"""crossings.tables prints exactly what the plain per-row table, JSON and CSV writer prints.

``reference_emit`` is that plain version (what the CLI used before the reports needed
speed at a million cases), each cell escaped as ``render.escape`` says (issue 10, item 8):
the oracle the column-at-a-time output is held to."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Sequence

import click

import pytest

from crossings.cli.base import emit
from crossings.render import tables
from crossings.render.escape import csv_cell, json_safe, term
from crossings.render.tables import cell, width


def reference_emit(rows: Sequence[dict[str, Any]], fmt: str | None, columns: Sequence[str]) -> None:
    """One row at a time: each cell measured and each line written on its own."""
    if fmt == "json":
        click.echo(json_safe(json.dumps(list(rows), ensure_ascii=False, indent=2)))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv(row.get(k)) for k in columns})
        click.echo(buffer.getvalue(), nl=False)
        return
    table = [[term(cell(row.get(c))) for c in columns] for row in rows]
    widths = [max([len(c)] + [width(r[i]) for r in table]) for i, c in enumerate(columns)]
    click.echo(_line(list(columns), widths))
    for line in table:
        click.echo(_line(line, widths))


def _csv(value: Any) -> str:
    return cell(value) if type(value) in (int, float) else csv_cell(cell(value))


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()

COLUMNS = ["clause", "name", "native_name", "n", "flag", "note"]
ROWS: dict[str, list[dict[str, Any]]] = {
    "none": [],
    "plain": [{"clause": "P3", "name": "Choe Myong-ok", "native_name": "최명옥", "n": 12,
               "flag": True, "note": None}],
    "odd": [{"clause": "W3", "name": 'a "quoted" 100% name\\', "native_name": "李桂英 ",
             "n": -1, "flag": False, "note": "tab\there\nnewline \x00 é"},
            {"clause": "", "name": "", "native_name": None, "n": 0, "flag": None, "note": ""}],
    "nested": [{"clause": "P1", "name": "x", "native_name": None, "n": 1.5, "flag": [1, "a"],
                "note": {"at": "1961", "outcome": "refused"}}],
    "nested alike": [  # the name list's rows: the same keys, entries as lists of dicts
        {"clause": "P2", "name": "Pak", "native_name": "박", "n": 2, "flag": False,
         "note": [{"at": "1961-11-30", "outcome": "refused"}, {"at": None, "outcome": "최\u2028"}]},
        {"clause": "P2", "name": "Ri", "native_name": None, "n": 0.5, "flag": None,
         "note": []},
        {"clause": "P2", "name": "O", "native_name": "", "n": 1, "flag": True,
         "note": {"deep": [[1, {"a\nb": "c\x7f"}], {}], "n": 2.25}}],
    "entries alike": [  # a column of lists of records with the same keys, field by field
        {"clause": "P3", "note": [{"at": "1961-11-30", "100%": "re%sfused"},
                                  {"at": None, "100%": "\x1b[2J최\u2028"}]},
        {"clause": "P3", "note": []},
        {"clause": "P3", "note": [{"at": "1962-01-02", "100%": True}, {"at": 7, "100%": False}]}],
    "entries unlike": [  # records of other keys, or not scalar inside: each by itself
        {"clause": "P3", "note": [{"at": "1961-11-30"}], "flag": [{"a": [1]}]},
        {"clause": "P3", "note": [{"outcome": "refused"}], "flag": [{"a": 1.5}]},
        {"clause": "P3", "note": [{}, {}], "flag": [{1: "a"}]}],
    "entries empty": [{"clause": "P3", "note": [{}, {}]}, {"clause": "P4", "note": [{}]}],
    "ragged": [{"clause": "P1", "name": "x"}, {"name": "y", "clause": "P2", "extra": 3}],
    "percent keys": [{"%s": "a", "%d\x00": 1}],
    "keys not text": [{1: "a", None: 2}, {1: "b", None: 3}],  # json.dumps writes "1", "null"
}
_DEEP: Any = []
for _ in range(700):  # deeper than the column encoder recurses: json.dumps writes it
    _DEEP = [_DEEP]
ROWS["deep"] = [{"clause": "P1", "note": _DEEP}, {"clause": "P2", "note": [[]]}]


@pytest.mark.parametrize("fmt", [None, "json", "csv"])
@pytest.mark.parametrize("case", list(ROWS))
def test_the_fast_output_is_byte_for_byte_what_emit_prints(capsys, case, fmt):
    rows = ROWS[case]
    reference_emit(rows, fmt, COLUMNS)
    expected = capsys.readouterr().out
    emit(rows, fmt, COLUMNS)
    assert capsys.readouterr().out == expected


def test_many_rows_are_written_in_chunks_with_the_same_text(capsys, monkeypatch):
    monkeypatch.setattr(tables, "CHUNK", 3)
    rows = [{"clause": "P3", "name": f"n{i}", "native_name": "최", "n": i, "flag": i % 2 == 0,
             "note": None} for i in range(10)]
    for fmt in (None, "json", "csv"):
        reference_emit(rows, fmt, COLUMNS)
        expected = capsys.readouterr().out
        emit(rows, fmt, COLUMNS)
        assert capsys.readouterr().out == expected


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_rows_read_as_a_stream_are_written_chunk_by_chunk_with_the_same_text(capsys, monkeypatch,
                                                                             fmt):
    # the name lists stream their rows (a generator, read CHUNK at a time): chunks of
    # like rows and of ragged rows, and a chunk that ends exactly at the last row
    monkeypatch.setattr(tables, "CHUNK", 3)
    rows = [{"clause": "P3", "name": f"n{i}", "native_name": "최", "n": i, "flag": None,
             "note": [{"at": "1961-12-01", "outcome": "refused"}] * (i % 3)} for i in range(7)]
    rows[4] = {"name": "ragged", "clause": "P2"}
    rows += [{}, {"clause": "=1+2", "name": "x\x1b[2J"}]
    for upto in (0, 1, 3, 6, len(rows)):
        reference_emit(rows[:upto], fmt, COLUMNS)
        expected = capsys.readouterr().out
        emit((r for r in rows[:upto]), fmt, COLUMNS)
        assert capsys.readouterr().out == expected, upto

