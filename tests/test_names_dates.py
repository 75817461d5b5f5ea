"""Names in any script are stored exactly, NFC-normalised; dates are real calendar dates,
not in the future, and in order (crossing, then detention, then later events)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from helpers.casework import (
    CliDriver,
    Driver,
    Step,
    dump,
    one_error_line,
    opened,
)

NAMES = [
    ("Choe Myong-ok", "최명옥"),  # Latin and Hangul
    ("최명옥", "崔明玉"),  # Hangul and Hanja
    ("Ngô Đình Thục", None),  # Latin with diacritics
    ("O'Brien-Ri", "李桂英"),
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def shown(d: Driver, case: int) -> dict[str, object]:
    """The case as a user reads it: `show --json` on the CLI, case_dict in Python."""
    if isinstance(d, CliDriver):
        result = d.invoke("show", str(case), "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)
    return d.reader.case_dict(d.case(case))


@pytest.mark.parametrize("name, native", NAMES)
def test_names_in_any_script_are_stored_exactly(driver: Driver, name: str,
                                                native: str | None) -> None:
    extra = {"native_name": native} if native else {}
    case = opened(driver, name=name, **extra)
    data = shown(driver, case)
    assert (data["name"], data["native_name"]) == (name, native)
    listed = {row["id"]: row for row in driver.reader.cases()}
    assert (listed[case]["name"], listed[case]["native_name"]) == (name, native)


DECOMPOSABLE = [n for n in NAMES if n[1] and nfd(n[0] + n[1]) != n[0] + n[1]]


@pytest.mark.parametrize("name, native", DECOMPOSABLE)
def test_decomposed_input_comes_back_composed(driver: Driver, name: str, native: str) -> None:
    case = opened(driver, name=nfd(name), native_name=nfd(native))
    data = shown(driver, case)
    assert (data["name"], data["native_name"]) == (name, native)
    given = next(driver.reader.log(case_id=case))["given"]
    assert (given["name"], given["native_name"]) == (name, native)


def test_an_amended_name_is_normalised_too(driver: Driver) -> None:
    case = opened(driver)
    driver.ok(Step("amend", (case,), params={"field": "native_name", "value": nfd("박순희"),
                                              "reason": "spelling in the register"}))
    assert shown(driver, case)["native_name"] == "박순희"


@pytest.mark.parametrize("bad", ["1961-02-30", "1961-02-29", "1961-13-01", "1961-11-31",
                                 "61-11-10", "1961/11/10", "10 November 1961", ""])
def test_an_impossible_event_date_is_rejected_and_nothing_written(driver: Driver,
                                                                  bad: str) -> None:
    case = opened(driver)
    before = dump(driver.path)
    out = driver.do(Step("investigate", (case,), params={"citizenship": "dprk"}, at=bad))
    assert (out.exit_code, out.stdout) == (1, "")
    assert one_error_line(out.stderr).startswith("Error: --at: ")
    assert dump(driver.path) == before


def test_a_leap_day_is_a_date(driver: Driver) -> None:
    case = opened(driver, crossed_on="1960-02-29")
    assert driver.case(case).facts["crossed_on"] == "1960-02-29"


@pytest.mark.parametrize("bad", ["1961-02-30", "1961-13", "1961-00", "19601", "1960-12/1960-01",
                                 "1960/1961/1962", "soon"])
def test_an_impossible_crossing_date_is_rejected(driver: Driver, bad: str) -> None:
    before = dump(driver.path)
    out = driver.do(Step("open", params={"name": "A", "crossed_on": bad, "place": "X"},
                         at="1961-11-10"))
    assert out.exit_code == 1
    assert one_error_line(out.stderr).startswith("Error: --crossed-on: ")
    assert dump(driver.path) == before


def test_a_future_event_date_is_rejected(driver: Driver) -> None:
    case = opened(driver)
    before = dump(driver.path)
    out = driver.do(Step("investigate", (case,), params={"citizenship": "dprk"},
                         at="2999-01-01"))
    assert out.exit_code == 1
    assert "is in the future" in one_error_line(out.stderr)
    assert dump(driver.path) == before


def test_tomorrow_is_the_future_and_today_is_not(driver: Driver) -> None:
    if isinstance(driver, CliDriver):
        pytest.skip("the CLI runs on the real clock; the API's clock is fixed at 2026-11-29")
    case = opened(driver)
    assert driver.do(Step("amend", (case,), params={"field": "place", "value": "Y",
                                                    "reason": "r"}, at="2026-11-30")).exit_code == 1
    driver.ok(Step("amend", (case,), params={"field": "place", "value": "Y", "reason": "r"},
                   at="2026-11-29"))


def test_an_event_without_its_date_is_a_usage_error_naming_the_option(driver: Driver) -> None:
    driver.reader.set_setting("default_event_date", "required", "Admin")
    before = dump(driver.path)
    out = driver.do(Step("open", params={"name": "A", "crossed_on": "1961", "place": "X"},
                         at=None))
    assert out.exit_code == 2
    line = one_error_line(out.stderr)
    assert "Missing option '--at'" in line and "default_event_date today" in line
    assert dump(driver.path) == before


def test_an_office_running_live_dates_an_event_without_its_date_today(driver: Driver) -> None:
    if isinstance(driver, CliDriver):
        pytest.skip("the CLI runs on the real clock; the API's clock is fixed at 2026-11-29")
    driver.reader.set_setting("default_event_date", "today", "Admin")
    out = driver.ok(Step("open", params={"name": "A", "crossed_on": "1961", "place": "X"},
                         at=None))
    assert driver.case(out.case_id).facts["opened_on"] == "2026-11-29"


@pytest.mark.parametrize("crossed_on, detained, accepted", [
    ("1961-11-10", "1961-11-10", True),
    ("1961-11-11", "1961-11-10", False),
    ("1961-11", "1961-11-10", True),  # the month may have begun before the detention
    ("1961-12", "1961-11-10", False),
    ("1962", "1961-11-10", False),
    ("1961-11-20/1961-12", "1961-11-10", False),
])
def test_crossing_date_after_the_detention_date_is_rejected(driver: Driver, crossed_on: str,
                                                            detained: str,
                                                            accepted: bool) -> None:
    before = dump(driver.path)
    out = driver.do(Step("open", params={"name": "A", "crossed_on": crossed_on, "place": "X"},
                         at=detained))
    if accepted:
        assert out.exit_code == 0, out.stderr
        return
    assert out.exit_code == 1
    assert f"is after the detention date {detained}" in one_error_line(out.stderr)
    assert dump(driver.path) == before


def test_an_amended_crossing_date_after_detention_is_rejected(driver: Driver) -> None:
    case = opened(driver)
    before = dump(driver.path)
    out = driver.do(Step("amend", (case,), params={"field": "crossed_on", "value": "1961-12-01",
                                                    "reason": "r"}))
    assert out.exit_code == 1
    assert "after the detention date" in one_error_line(out.stderr)
    assert dump(driver.path) == before


def test_an_event_dated_before_the_detention_is_rejected(driver: Driver) -> None:
    case = opened(driver)
    before = dump(driver.path)
    out = driver.do(Step("investigate", (case,), params={"citizenship": "dprk"},
                         at="1961-11-09"))
    assert out.exit_code == 1
    assert "the latest event recorded for case" in one_error_line(out.stderr)
    assert dump(driver.path) == before


def test_event_date_and_recorded_time_are_both_kept(driver: Driver) -> None:
    case = opened(driver)
    (row,) = driver.reader.log(case_id=case)
    assert row["at"] == "1961-11-10"
    assert row["recorded_at"].startswith("20")
