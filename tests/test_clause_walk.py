"""One case walked through each clause of the cable, and the readings of docs/policy.md.

Each walk checks the final state and the case's audit trail, refusals included: a trail
is a list of (trigger, outcome, clauses cited) in order.
"""

from __future__ import annotations

from workflow.policies import JILIN_1961_2 as POLICY

from typing import Any

import pytest
from helpers.casework import (
    HANDOVER,
    LATER,
    Driver,
    Step,
    amended,
    approved,
    cited,
    investigated,
    one_error_line,
    opened,
    persuade,
    persuading,
    referred,
)

OK = "applied"
NO = "refused"


def refused(d: Driver, step: Step, *clauses: str) -> str:
    """Fire a step that must be refused citing exactly these clauses; return its line."""
    out = d.do(step)
    assert out.exit_code == 1, out.stderr
    line = one_error_line(out.stderr)
    assert set(clauses) <= cited(line), line
    last = d.rows_after(d.head() - 1)[0]
    assert (last["outcome"], set(last["clauses"])) == (NO, set(clauses))
    return line


def trail(d: Driver, case: int) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r["trigger"], r["outcome"], tuple(r["clauses"])) for r in d.reader.log(case_id=case)]


def hand_over(d: Driver, *cases: int, at: str = "1961-11-21") -> Any:
    return d.do(Step("hand_over", cases, "Kim", HANDOVER, at=at))


# -- one walk per clause ----------------------------------------------------------------

def test_p1_mother_and_two_minors_are_handed_over_as_one_group(driver: Driver) -> None:
    d = driver
    mother = opened(d, name="Pak Sun-hui", native_name="박순희")
    son = opened(d, name="Ri Chol", native_name="리철", accompanies=mother)
    girl = opened(d, name="Ri Ok", native_name="리옥", accompanies=mother)
    for case in (mother, son, girl):
        d.ok(Step("investigate", (case,), params={"citizenship": "dprk", "purpose": "other"}))
        d.ok(Step("begin_persuasion", (case,)))
    persuade(d, mother, "refused")
    d.ok(Step("provide", (mother,), params={"items": ["food", "clothing"]}))
    out = hand_over(d, mother, son, girl, at=LATER)  # the same day as the attempts
    assert out.exit_code == 1
    line = one_error_line(out.stderr)
    assert all(f"case {c}:" in line for c in (mother, son, girl))
    persuade(d, mother, "agreed")
    assert hand_over(d, mother, son, girl).exit_code == 0

    assert [d.case(c).state for c in (mother, son, girl)] == ["returned"] * 3
    (summary,) = d.reader.groups()
    group = d.reader.store.get_group(summary["id"])
    assert group["case_ids"] == [mother, son, girl]
    assert (group["officer"], group["representative"], group["crossing_point"], group["at"]) == (
        "Kim", HANDOVER["representative"], HANDOVER["crossing_point"], "1961-11-21")
    assert {d.case(c).facts["handover_group"] for c in (mother, son, girl)} == {group["id"]}
    assert trail(d, mother) == [
        ("open", OK, ("W2", "P1")), ("investigate", OK, ("P1",)),
        ("begin_persuasion", OK, ("P1", "W2")), ("persuade", OK, ("P1", "W2", "P3")),
        ("provide", OK, ("W3",)), ("hand_over", NO, ("P1", "P2")),
        ("persuade", OK, ("P1", "W2", "P3")), ("hand_over", OK, ("P1", "P2"))]
    assert trail(d, son)[-2:] == [("hand_over", NO, ("P1", "P2")), ("hand_over", OK, ("P1", "P2"))]


def test_p2_visitor_is_admonished_then_sent_back(driver: Driver) -> None:
    d = driver
    visitor = investigated(d, purpose="visiting-relatives", name="Kim Yong-su",
                           purpose_note="his sister in Changbai")
    d.ok(Step("begin_persuasion", (visitor,)))
    assert hand_over(d, visitor, at=LATER).exit_code == 1
    persuade(d, visitor, "refused")
    assert hand_over(d, visitor).exit_code == 0
    assert d.case(visitor).state == "returned"
    assert d.case(visitor).facts["purpose_note"] == "his sister in Changbai"
    assert trail(d, visitor)[-3:] == [
        ("hand_over", NO, ("P1", "P2")), ("persuade", OK, ("P1", "W2", "P3")),
        ("hand_over", OK, ("P1", "P2"))]


def _married(d: Driver) -> int:
    case = persuading(d, "refused", "refused", spouse="chinese-korean", name="Choe Myong-ok")
    refused(d, Step("refer", (case,)), "P3")
    assert d.case(case).state == "persuading"
    persuade(d, case, "refused")
    d.ok(Step("refer", (case,)))
    return case


def test_p3_consulate_agrees_and_the_person_stays_as_a_foreign_resident(driver: Driver) -> None:
    d = driver
    case = _married(d)
    refused(d, Step("grant_residency", (case,), "Liu"), "P3")
    d.ok(Step("consulate_reply", (case,), "Liu", {"reply": "agreed"}))
    d.ok(Step("grant_residency", (case,), "Liu"))
    final = d.case(case)
    assert final.state == "resident"
    assert final.facts["referral"]["consulate"] == "Consulate General of the DPRK in Changchun"
    assert final.facts["consulate_reply"]["reply"] == "agreed"
    assert trail(d, case)[-6:] == [
        ("refer", NO, ("P3",)), ("persuade", OK, ("P1", "W2", "P3")), ("refer", OK, ("P3",)),
        ("grant_residency", NO, ("P3",)), ("consulate_reply", OK, ("P3",)),
        ("grant_residency", OK, ("P3", "P5"))]


def test_p3_consulate_declines_persuasion_resumes_and_guidance_is_requested(
        driver: Driver) -> None:
    d = driver
    case = _married(d)
    d.ok(Step("consulate_reply", (case,), "Liu", {"reply": "declined"}))
    refused(d, Step("grant_residency", (case,), "Liu"), "P3")
    d.ok(Step("resume_persuasion", (case,), "Liu"))
    resumed = d.case(case)
    assert (resumed.state, POLICY.flags_of(resumed.facts)) == ("persuading", ["guidance-requested"])
    assert resumed.facts["consulate_reply"] is None
    assert resumed.facts["referral"]["list"] == f"P3-{LATER}"
    assert len(resumed.facts['attempts']) == 3  # earlier attempts still count
    d.ok(Step("record_guidance", (case,), "Liu", {"answer": "Continue persuasion."}))
    assert POLICY.flags_of(d.case(case).facts) == []
    assert [t for t, o, _ in trail(d, case)][-4:] == [
        "consulate_reply", "grant_residency", "resume_persuasion", "record_guidance"]
    declined = [r for r in d.reader.log(case_id=case) if r["trigger"] == "consulate_reply"]
    assert declined[0]["changes"]["consulate_reply"][1]["reply"] == "declined"


def test_p4_korean_minority_member_has_citizenship_restored(driver: Driver) -> None:
    d = driver
    case = investigated(d, "prc-korean-minority", name="Jin Chun-ja")
    refused(d, Step("begin_persuasion", (case,)), "P1")
    d.ok(Step("restore_citizenship", (case,)))
    assert d.case(case).state == "restored"
    assert trail(d, case) == [
        ("open", OK, ("W2", "P1")), ("investigate", OK, ("P1",)),
        ("begin_persuasion", NO, ("P1",)), ("restore_citizenship", OK, ("P4",))]


def test_p5_crime_after_crossing_is_prosecuted(driver: Driver) -> None:
    d = driver
    case = investigated(d, crime="theft of grain, 1961-10", name="Yun Sang-ho")
    refused(d, Step("begin_persuasion", (case,)), "P5")
    refused(d, Step("prosecute", (case,), "Zhao"), "P5")
    d.ok(Step("prosecute", (case,), "Sun"))
    assert d.case(case).state == "prosecuted"
    assert trail(d, case)[-3:] == [
        ("begin_persuasion", NO, ("P5",)), ("prosecute", NO, ("P5",)),
        ("prosecute", OK, ("P5",))]


def test_t_early_crosser_is_transferred_with_the_committees_permission(driver: Driver) -> None:
    d = driver
    case = persuading(d, "refused", crossed_on="1960", name="O Dong-il")
    refused(d, Step("transfer", (case,), "Sun"), "T")
    d.ok(Step("approve_transfer", (case,), "Wang"))
    assert d.case(case).facts["permission"]["by"] == "Wang"
    d.ok(Step("transfer", (case,), "Sun"))
    assert d.case(case).state == "transferred"
    assert trail(d, case)[-3:] == [
        ("transfer", NO, ("T",)), ("approve_transfer", OK, ("T",)), ("transfer", OK, ("T",))]


def test_g_guidance_requested_flags_the_case_until_answered(driver: Driver) -> None:
    d = driver
    case = persuading(d, "refused")
    question = {"question": "Married to a Han Chinese citizen: refer?"}
    d.ok(Step("request_guidance", (case,), "Kim", question))
    assert POLICY.flags_of(d.case(case).facts) == ["guidance-requested"]
    d.ok(Step("record_guidance", (case,), "Liu", {"answer": "Handle under P1."}))
    refused(d, Step("record_guidance", (case,), "Liu", {"answer": "again"}), "G")
    final = d.case(case)
    assert (final.state, POLICY.flags_of(final.facts)) == ("persuading", [])
    assert final.facts["guidance"][0]["answer"] == "Handle under P1."
    assert trail(d, case)[-3:] == [
        ("request_guidance", OK, ("G",)), ("record_guidance", OK, ("G",)),
        ("record_guidance", NO, ("G",))]


def test_citizenship_other_waits_flagged_and_every_disposition_cites_g(driver: Driver) -> None:
    d = driver
    case = opened(d, name="Li Guiying", native_name="李桂英")
    d.ok(Step("investigate", (case,), params={"citizenship": "other"}))
    assert POLICY.flags_of(d.case(case).facts) == ["guidance-requested"]
    refused(d, Step("begin_persuasion", (case,)), "P1", "G")
    refused(d, Step("restore_citizenship", (case,)), "P4", "G")
    d.ok(Step("amend", (case,), params={"field": "crime", "value": "smuggling",
                                         "reason": "found later"}))
    refused(d, Step("prosecute", (case,), "Sun"), "P5", "G")
    d.ok(Step("record_guidance", (case,), "Liu", {"answer": "Treat as a Chinese national."}))
    final = d.case(case)
    assert (final.state, POLICY.flags_of(final.facts)) == ("investigated", [])
    assert [(t, o) for t, o, _ in trail(d, case)][-4:] == [
        ("restore_citizenship", NO), ("amend", OK), ("prosecute", NO), ("record_guidance", OK)]


# -- readings of docs/policy.md ----------------------------------------------------------------

def test_married_with_only_two_refusals_stays_persuading(driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", spouse="chinese-korean")
    line = refused(driver, Step("refer", (case,)), "P3")
    assert "needs 3 refused attempts; 2 are recorded" in line
    assert driver.case(case).state == "persuading"


@pytest.mark.parametrize("crossed_on, qualifies", [
    ("1960-12-31", True),
    ("1961-01-01", False),
    ("1960", True),
    ("1960-12", True),
    ("1959/1960", True),
    ("1960-12/1961-01", False),
    ("1960-12-31/1961-01-01", False),
    ("1961", False),
])
def test_transfer_cutoff_applies_only_when_the_whole_crossing_range_is_in_1960_or_earlier(
        driver: Driver, crossed_on: str, qualifies: bool) -> None:
    case = persuading(driver, "refused", crossed_on=crossed_on)
    step = Step("approve_transfer", (case,), "Wang")
    if qualifies:
        driver.ok(step)
        driver.ok(Step("transfer", (case,), "Sun"))
        assert driver.case(case).state == "transferred"
    else:
        assert "which may be after 1960-12-31" in refused(driver, step, "T")


def test_transfer_cutoff_is_a_setting_kept_in_the_database(driver: Driver) -> None:
    driver.reader.set_setting("transfer_cutoff", "1961-01-31", "Admin")
    case = persuading(driver, "refused", crossed_on="1961-01")
    driver.ok(Step("approve_transfer", (case,), "Wang"))


def test_crime_found_after_referral_means_prosecution_not_residency(driver: Driver) -> None:
    case = referred(driver, "agreed")
    amended(driver, case, "crime", "theft of grain")
    refused(driver, Step("grant_residency", (case,), "Liu"), "P5")
    driver.ok(Step("prosecute", (case,), "Sun"))
    assert driver.case(case).state == "prosecuted"


def test_korean_minority_member_with_a_crime_is_restored_not_prosecuted(driver: Driver) -> None:
    case = investigated(driver, "prc-korean-minority", crime="theft")
    refused(driver, Step("prosecute", (case,), "Sun"), "P5")
    driver.ok(Step("restore_citizenship", (case,)))
    final = driver.case(case)
    assert (final.state, final.facts["crime"]) == ("restored", "theft")


def test_married_to_a_han_chinese_citizen_refer_is_refused_and_guidance_can_be_asked(
        driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", "refused", spouse="other")
    line = refused(driver, Step("refer", (case,)), "P3")
    assert "not of Korean nationality" in line
    driver.ok(Step("request_guidance", (case,), params={"question": "Married to a Han: refer?"}))
    assert POLICY.flags_of(driver.case(case).facts) == ["guidance-requested"]


def test_group_handover_is_all_or_nothing_and_names_each_failing_case(driver: Driver) -> None:
    d = driver
    ready = persuading(d, "agreed")
    refuser = persuading(d, "refused")
    silent = persuading(d)
    seq = d.head()
    out = hand_over(d, ready, refuser, silent)
    assert (out.exit_code, out.stdout) == (1, "")
    line = one_error_line(out.stderr)
    assert f"case {refuser}: the latest attempt was refused (P1, P2)" in line
    assert f"case {silent}: no persuasion attempt is recorded (P1, P2)" in line
    assert f"case {ready}:" not in line
    rows = d.rows_after(seq)
    assert [(r["case_id"], r["outcome"]) for r in rows] == [
        (ready, NO), (refuser, NO), (silent, NO)]
    assert rows[0]["reason"] == (f"the group handover was refused because of case(s) "
                                 f"{refuser}, {silent} (P1: all or nothing)")
    assert {d.case(c).state for c in (ready, refuser, silent)} == {"persuading"}
    assert d.reader.groups() == []


@pytest.mark.parametrize("admonition", ["agreed", "refused"])
def test_visitor_admonished_is_handed_over_whatever_they_answered(driver: Driver,
                                                                  admonition: str) -> None:
    case = persuading(driver, admonition, purpose="visiting-relatives")
    assert hand_over(driver, case).exit_code == 0
    assert driver.case(case).state == "returned"


def test_married_early_crosser_is_offered_both_p3_and_t(driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", "refused", spouse="chinese-korean",
                      crossed_on="1960")
    ready = {entry["trigger"] for entry in driver.reader.next(case)["ready"]}
    assert {"refer", "approve_transfer"} <= ready


def test_married_visitor_is_offered_both_p2_and_p3(driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", "refused", spouse="chinese-korean",
                      purpose="visiting-relatives")
    ready = {entry["trigger"] for entry in driver.reader.next(case)["ready"]}
    assert {"refer", "hand_over"} <= ready


def test_refuser_neither_married_nor_early_stays_persuading(driver: Driver) -> None:
    case = persuading(driver, "refused", "refused", "refused", crossed_on="1961-05")
    refused(driver, Step("refer", (case,)), "P3")
    refused(driver, Step("approve_transfer", (case,), "Wang"), "T")
    refused(driver, Step("hand_over", (case,), "Kim", HANDOVER), "P1", "P2")
    assert driver.case(case).state == "persuading"


def test_transfer_needs_the_permission_recorded_by_approve_transfer(driver: Driver) -> None:
    case = approved(driver)
    driver.ok(Step("transfer", (case,), "Liu"))
    assert driver.case(case).facts["permission"]["by"] == "Wang"


def test_a_correction_is_an_audited_event_keeping_the_old_value(driver: Driver) -> None:
    case = opened(driver, place="Badaogou")
    amended(driver, case, "place", "Shiqidaogou")
    row = driver.rows_after(driver.head() - 1)[0]
    assert (row["trigger"], row["outcome"]) == ("amend", OK)
    assert row["changes"]["place"] == ["Badaogou", "Shiqidaogou"]
    assert row["given"]["reason"] == "found later"
    assert driver.case(case).facts["place"] == "Shiqidaogou"


def test_citizenship_amended_to_other_blocks_transfer_citing_g(driver: Driver) -> None:
    case = persuading(driver, "refused", crossed_on="1960")
    amended(driver, case, "citizenship", "other")
    refused(driver, Step("approve_transfer", (case,), "Wang"), "T", "G")
