"""Retry safety (issue 4, item 7): repeating a command with the same ``--request-id``
writes nothing new and reports the first result, applied or refused; the same key on a
different command is a clear conflict."""

from __future__ import annotations



import pytest
from helpers.casework import (
    HANDOVER,
    ApiDriver,
    Driver,
    Outcome,
    Step,
    dump,
    one_error_line,
    opened,
    persuade,
    persuading,
)

from workflow import Conflict, GuardRefused, RoleRefused


def twice(d: Driver, step: Step) -> tuple[Outcome, Outcome, str]:
    """Fire a step, then again; return both outcomes and the dump between them."""
    first = d.do(step)
    between = dump(d.path)
    second = d.do(step)
    assert dump(d.path) == between, "the repeat wrote something"
    return first, second, between


def test_repeated_applied_trigger_writes_nothing_and_reports_success(driver: Driver) -> None:
    case = persuading(driver)
    step = Step("persuade", (case,), params={"outcome": "refused"}, request_id="clerk-7-0001")
    first, second, _ = twice(driver, step)
    assert first.exit_code == second.exit_code == 0
    assert second.stderr == first.stderr
    assert len(driver.case(case).facts['attempts']) == 1
    (row,) = [r for r in driver.reader.log(case_id=case) if r["trigger"] == "persuade"]
    assert row["request_id"] == "clerk-7-0001"


def test_repeated_refused_trigger_writes_nothing_and_reports_the_refusal(
        driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", spouse="chinese-korean")
    step = Step("refer", (case,), request_id="refer-once")
    first, second, _ = twice(driver, step)
    assert first.exit_code == second.exit_code == 1
    first_line = one_error_line(first.stderr)
    second_line = one_error_line(second.stderr)
    assert "needs 3 refused attempts; 2 are recorded (P3)" in first_line
    assert second_line.startswith(first_line)
    assert "repeated request: nothing new written" in second_line
    assert len(list(driver.reader.log(case_id=case, outcome="refused"))) == 1
    if isinstance(driver, ApiDriver):
        assert isinstance(second.error, GuardRefused)


def test_a_repeat_reports_the_first_refusal_even_once_the_case_would_qualify(
        driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", spouse="chinese-korean")
    step = Step("refer", (case,), request_id="refer-once")
    assert driver.do(step).exit_code == 1
    persuade(driver, case, "refused")
    before = dump(driver.path)
    assert driver.do(step).exit_code == 1
    assert dump(driver.path) == before
    driver.ok(Step("refer", (case,), request_id="refer-twice"))
    assert driver.case(case).state == "referred"


def test_repeated_role_refusal_is_reported_as_a_role_refusal(driver: Driver) -> None:
    case = persuading(driver, "agreed")
    step = Step("hand_over", (case,), "Zhao", HANDOVER, request_id="wrong-desk")
    first, second, _ = twice(driver, step)
    assert first.exit_code == second.exit_code == 1
    assert "only by border-defence" in one_error_line(second.stderr)
    if isinstance(driver, ApiDriver):
        assert isinstance(second.error, RoleRefused)


def test_repeated_open_creates_one_case_and_reports_its_id(driver: Driver) -> None:
    step = Step("open", params={"name": "Pak Sun-hui", "crossed_on": "1961-10",
                                "place": "Badaogou"}, at="1961-11-10", request_id="intake-1")
    first, second, _ = twice(driver, step)
    assert first.case_id == second.case_id == 1
    assert [c["id"] for c in driver.reader.cases()] == [1]


def test_repeated_hand_over_hands_over_once_and_reports_the_same_group(driver: Driver) -> None:
    cases = (persuading(driver, "agreed"), persuading(driver, "agreed"))
    step = Step("hand_over", cases, "Kim", HANDOVER, request_id="bridge-1961-11-21")
    first, second, _ = twice(driver, step)
    assert first.exit_code == second.exit_code == 0
    assert second.stderr == first.stderr
    assert second.value == first.value
    assert len(driver.reader.groups()) == 1
    assert [r["case_id"] for r in driver.reader.log(trigger="hand_over")] == list(cases)


def test_repeated_refused_hand_over_writes_no_more_refused_rows(driver: Driver) -> None:
    cases = (persuading(driver, "agreed"), persuading(driver, "refused"))
    step = Step("hand_over", cases, "Kim", HANDOVER, request_id="bridge-refused")
    first, second, _ = twice(driver, step)
    assert first.exit_code == second.exit_code == 1
    assert len(list(driver.reader.log(trigger="hand_over"))) == 2
    assert driver.reader.groups() == []


@pytest.mark.parametrize("other", [
    Step("persuade", (1,), params={"outcome": "agreed"}, request_id="k"),
    Step("persuade", (2,), params={"outcome": "refused"}, request_id="k"),
    Step("provide", (1,), params={"items": ["food"]}, request_id="k"),
], ids=["other-options", "other-case", "other-trigger"])
def test_the_same_key_on_a_different_command_is_a_conflict(driver: Driver,
                                                            other: Step) -> None:
    persuading(driver)
    persuading(driver)
    driver.ok(Step("persuade", (1,), params={"outcome": "refused"}, request_id="k"))
    before = dump(driver.path)
    out = driver.do(other)
    assert (out.exit_code, out.stdout) == (1, "")
    assert "request id k was already used for another command" in one_error_line(out.stderr)
    assert dump(driver.path) == before
    if isinstance(driver, ApiDriver):
        assert isinstance(out.error, Conflict)


def test_a_rejected_first_attempt_records_nothing_so_the_retry_runs(driver: Driver) -> None:
    case = opened(driver)
    facts = {"citizenship": "dprk"}
    bad = driver.do(Step("investigate", (case,), params=facts, at="1961-02-30", request_id="r"))
    assert bad.exit_code == 1
    driver.ok(Step("investigate", (case,), params=facts, request_id="r"))
    assert driver.case(case).state == "investigated"


def test_a_late_repeat_after_the_case_moved_on_changes_nothing(driver: Driver) -> None:
    case = persuading(driver)
    step = Step("persuade", (case,), params={"outcome": "refused"}, request_id="first")
    driver.ok(step)
    persuade(driver, case, "agreed")
    before = dump(driver.path)
    driver.ok(step)
    assert dump(driver.path) == before
    assert [a["outcome"] for a in driver.case(case).facts['attempts']] == ["refused", "agreed"]


def _persuading_case(service) -> int:
    case = service.fire("open", None, "Zhao", at="1961-11-10", name="A", crossed_on="1961",
                             place="Changbai")
    service.fire("investigate", case.id, "Zhao", at="1961-11-11", citizenship="dprk")
    service.fire("begin_persuasion", case.id, "Zhao", at="1961-11-11")
    return case.id


@pytest.mark.parametrize("who, at", [("Liu", "1961-11-13"), ("Zhao", "1961-11-20")])
def test_a_key_reused_by_another_actor_or_on_another_date_is_a_conflict(service, who, at):
    case = _persuading_case(service)
    service.fire("request_guidance", case, "Zhao", at="1961-11-13", question="Q?",
                 request_id="k-1")
    rows = len(list(service.log()))
    with pytest.raises(Conflict, match="another command"):
        service.fire("request_guidance", case, who, at=at, question="Q?", request_id="k-1")
    assert len(list(service.log())) == rows


def test_a_repeated_refusal_cites_the_same_clauses_as_the_first(service):
    case = _persuading_case(service)
    with pytest.raises(GuardRefused) as first:
        service.fire("refer", case, "Zhao", at="1961-11-14", request_id="k-2")
    with pytest.raises(GuardRefused) as again:
        service.fire("refer", case, "Zhao", at="1961-11-14", request_id="k-2")
    assert again.value.clauses == first.value.clauses == ["P3"]
