"""crossings.tables prints exactly what cli.emit prints (the reports use it for speed)."""

from __future__ import annotations

from typing import Any

import pytest

from crossings import tables
from crossings.cli import emit

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
    "ragged": [{"clause": "P1", "name": "x"}, {"name": "y", "clause": "P2", "extra": 3}],
    "percent keys": [{"%s": "a", "%d\x00": 1}],
}


@pytest.mark.parametrize("fmt", [None, "json", "csv"])
@pytest.mark.parametrize("case", list(ROWS))
def test_the_fast_output_is_byte_for_byte_what_emit_prints(capsys, case, fmt):
    rows = ROWS[case]
    emit(rows, fmt, COLUMNS)
    expected = capsys.readouterr().out
    tables.emit(rows, fmt, COLUMNS)
    assert capsys.readouterr().out == expected


def test_many_rows_are_written_in_chunks_with_the_same_text(capsys, monkeypatch):
    monkeypatch.setattr(tables, "CHUNK", 3)
    rows = [{"clause": "P3", "name": f"n{i}", "native_name": "최", "n": i, "flag": i % 2 == 0,
             "note": None} for i in range(10)]
    for fmt in (None, "json", "csv"):
        emit(rows, fmt, COLUMNS)
        expected = capsys.readouterr().out
        tables.emit(rows, fmt, COLUMNS)
        assert capsys.readouterr().out == expected
