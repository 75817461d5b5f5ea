"""`crossings report overdue|compliance|summary`: what is late, what the cable's W-clauses
and G ask to watch, and the counts an archive's report gives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from helpers.casebook import COMPLAINT, HAN, LI, NAMES, ODONG, PAK, VISITOR, casebook, copy_of, run

from workflow.policies import JILIN_1961_2 as POLICY


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _rows(db: str, *args: str) -> list[dict]:
    result = run(db, "report", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_visitor_past_the_short_period_is_overdue_p2(db: str) -> None:
    rows = _rows(db, "overdue", "--as-of", "1961-12-01")
    assert [(r["clause"], r["case_id"]) for r in rows] == [("P2", VISITOR)]
    assert (rows[0]["since"], rows[0]["due"], rows[0]["days_overdue"]) == (
        "1961-11-10", "1961-11-25", 6)


def test_within_the_short_period_nothing_is_overdue(db: str) -> None:
    assert _rows(db, "overdue", "--as-of", "1961-11-25") == []
    result = run(db, "report", "overdue", "--as-of", "1961-11-25")
    assert result.stderr == "nothing is overdue\n"
    assert result.stdout.split() == ["clause", "kind", "case_id", "name", "native_name", "state",
                                     "since", "due", "days_overdue", "as_of", "detail"]


def test_a_referral_with_no_reply_after_the_setting_is_overdue_p3(db: str) -> None:
    rows = _rows(db, "overdue", "--as-of", "1962-03-01")
    assert [(r["clause"], r["case_id"], r["due"]) for r in rows] == [
        ("P2", VISITOR, "1961-11-25"), ("P3", HAN, "1962-02-06")]


def test_overdue_follows_the_short_period_setting(db: str, tmp_path) -> None:
    changed = copy_of(db, tmp_path)
    assert run(changed, "setting", "set", "short_period_days", "30", "--as", "Admin").exit_code == 0
    assert _rows(changed, "overdue", "--as-of", "1961-12-01") == []
    assert _rows(changed, "overdue", "--as-of", "1961-12-11")[0]["kind"] == (
        "visitor not sent back within 30 days")


def test_overdue_is_judged_today_by_default(db: str) -> None:
    rows = _rows(db, "overdue")
    assert {r["as_of"] for r in rows} == {dt.date.today().isoformat()}
    assert {r["case_id"] for r in rows} == {VISITOR, HAN}


def test_overdue_rejects_an_impossible_date(db: str) -> None:
    result = run(db, "report", "overdue", "--as-of", "1961-02-30")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")


def test_compliance_finds_refusers_without_food_or_clothing_w3(db: str) -> None:
    w3 = [r for r in _rows(db, "compliance") if r["clause"] == "W3"]
    assert [r["case_id"] for r in w3] == [HAN]
    assert w3[0]["detail"] == ("3 refusal(s), the latest on 1961-12-06; no food or clothing "
                               "recorded")


def test_refusers_given_food_are_not_reported(db: str) -> None:
    cases = {r["case_id"] for r in _rows(db, "compliance") if r["clause"] == "W3"}
    assert ODONG not in cases and PAK not in cases


def test_compliance_lists_open_guidance_requests_g_and_complaints_w2(db: str) -> None:
    rows = _rows(db, "compliance")
    assert [(r["case_id"], r["state"]) for r in rows if r["clause"] == "G"] == [(LI, "investigated")]
    complaints = [r for r in rows if r["clause"] == "W2"]
    assert [(r["case_id"], r["since"], r["detail"]) for r in complaints] == [
        (HAN, "1961-12-07", COMPLAINT)]


def test_compliance_as_csv_has_one_row_per_finding(db: str) -> None:
    result = run(db, "report", "compliance", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["clause"] for r in rows] == ["W3", "G", "W2"]
    assert rows[0]["name"] == NAMES[HAN]


def test_summary_by_state_counts_every_case_once(db: str) -> None:
    rows = _rows(db, "summary")
    assert [r["state"] for r in rows] == POLICY.state_names
    assert sum(r["cases"] for r in rows) == len(NAMES)
    counts = {r["state"]: r["cases"] for r in rows}
    assert (counts["returned"], counts["resident"], counts["referred"]) == (3, 1, 1)


def test_summary_by_place_splits_cases_by_crossing_place_and_state(db: str) -> None:
    rows = {r["place"]: r for r in _rows(db, "summary", "--by", "place")}
    assert {p: r["cases"] for p, r in rows.items()} == {"Changbai": 5, "Badaogou": 4,
                                                        "Shiqidaogou": 1}
    assert rows["Badaogou"]["returned"] == 2


def test_summary_by_month_counts_entries_into_each_state_by_event_date(db: str) -> None:
    rows = {r["month"]: r for r in _rows(db, "summary", "--by", "month")}
    assert list(rows) == ["1961-11", "1961-12", "1962-02", "1962-03"]
    assert rows["1961-11"]["detained"] == len(NAMES)
    assert rows["1961-11"]["returned"] == 3
    assert rows["1961-12"]["referred"] == 2
    assert rows["1962-03"]["resident"] == 1


def test_summary_by_clause_counts_applied_and_refused_events_citing_it(db: str) -> None:
    rows = {r["clause"]: r for r in _rows(db, "summary", "--by", "clause")}
    assert list(rows) == list(POLICY.clauses)
    assert (rows["W1"]["applied"], rows["W1"]["refused"]) == (0, 0)
    assert (rows["P5"]["applied"], rows["P5"]["refused"]) == (2, 1)  # prosecute, grant_residency
    assert rows["P3"]["refused"] == 1


def test_summary_text_ends_with_a_total_row_and_csv_has_none(db: str) -> None:
    text = run(db, "report", "summary").stdout.splitlines()
    assert text[-1].split()[:2] == ["total", str(len(NAMES))]
    rows = list(csv.DictReader(io.StringIO(run(db, "report", "summary", "--csv").stdout)))
    assert [r["state"] for r in rows] == POLICY.state_names
