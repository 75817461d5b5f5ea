"""The store's streams verification reads (issue 3), held against every store: set-up
rows alone, a case range in (case, seq) order, one row by seq, case rows with all columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import STORES, Store
from test_store_contract import BACKENDS, KEY, RECORDED, case, row, target
from workflow.audit import setup_row


def case_row(case_id: int) -> dict[str, Any]:
    out = setup_row("open", {"name": "x"}, RECORDED, "jilin-1961-11-25", "1")
    return {**out, "case_id": case_id, "case_version": 1, "outcome": "applied"}


@pytest.fixture(params=sorted(STORES))
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend, holding set-up rows at seq 1 and 4 and cases 1-3 interleaved."""
    opened = BACKENDS[request.param].open(target(request.param, tmp_path, request), create=True)
    with opened.write():
        opened.append([row(1), case_row(2), case_row(1), row(2), case_row(3), case_row(2)],
                      KEY.sign)
        for number in (1, 2, 3):
            opened.insert_case(case(number), RECORDED)
    yield opened
    opened.close()


def test_setup_rows_stream_alone_in_seq_order(filled: Store) -> None:
    assert [r["seq"] for r in filled.audit_stream(order="setup")] == [1, 4]


def test_a_range_of_cases_streams_by_case_then_seq(filled: Store) -> None:
    every = [(r["case_id"], r["seq"]) for r in filled.audit_stream(order="case")]
    assert every == [(1, 3), (2, 2), (2, 6), (3, 5)]
    ranged = [(r["case_id"], r["seq"]) for r in filled.audit_stream(order="case", cases=(2, 3))]
    assert ranged == [(2, 2), (2, 6), (3, 5)]


def test_the_links_stream_by_seq_with_the_rows_own_values(filled: Store) -> None:
    links = list(filled.audit_links())
    whole = list(filled.audit_stream())
    assert [tuple(link) for link in links] == [
        (r["seq"], r["case_id"], r["prev_hash"], r["hash"], r["recorded_at"]) for r in whole]
    assert [link[0] for link in links] == [1, 2, 3, 4, 5, 6]
    assert links[1][2] == links[0][3]  # each row's prev_hash is the hash before it


def test_one_audit_row_is_read_by_seq(filled: Store) -> None:
    found = filled.audit_row(5)
    assert found is not None and (found["seq"], found["case_id"]) == (5, 3)
    assert filled.audit_row(7) is None


def test_case_records_carry_every_column_in_id_order(filled: Store) -> None:
    records = list(filled.case_records((2, 3)))
    assert [r["id"] for r in records] == [2, 3]
    assert records[0]["facts"] == case(2).facts
    assert (records[0]["flagged"], records[0]["updated_at"]) == (False, RECORDED)
    assert [r["id"] for r in filled.case_records()] == [1, 2, 3]
