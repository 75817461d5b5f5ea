"""Every row of docs/policy.md's trigger table: its allowed path, and each way its guard or
role check can refuse, through the CLI and through the Python API.

A refusal is one line ``Error: ...`` on stderr naming the clauses docs/policy.md's "Which
clause a refusal cites" gives, nothing on stdout, exit 1, the case unchanged, and exactly
one ``refused`` row per case appended. A trigger fired from a state where it does not
apply is rejected naming the state and the triggers that apply, and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers.casework import (
    BY_ROLE,
    HANDOVER,
    VALID_PARAMS,
    Builder,
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
    restored,
)

from workflow import GuardRefused, RoleRefused
from workflow.policies import JILIN_1961_2 as POLICY

OPEN = {"name": "Choe Myong-ok", "native_name": "최명옥", "crossed_on": "1961-03-20",
        "place": "Badaogou"}
CITIZEN = {"citizenship": "dprk", "purpose": "other", "spouse": "none"}
FIX = {"field": "place", "value": "Shiqidaogou", "reason": "misread in the register"}


@dataclass(frozen=True)
class Allowed:
    id: str
    trigger: str
    build: Builder
    target: str
    actor: str = "Zhao"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    id: str
    trigger: str
    build: Builder
    guards: tuple[str, ...]  # the guards that fail, or ("role",)
    clauses: frozenset[str]
    says: str  # words of the reason, as the user reads them
    actor: str = "Zhao"
    params: dict[str, Any] = field(default_factory=dict)


def c(*clauses: str) -> frozenset[str]:
    return frozenset(clauses)


def none(d: Driver) -> tuple[int, ...]:
    return ()


def _with_request(d: Driver) -> tuple[int, ...]:
    case = opened(d)
    d.ok(Step("request_guidance", (case,), "Kim", {"question": "Which clause applies?"}))
    return (case,)


def _parent_and_minor(d: Driver, parent_outcome: str) -> tuple[int, ...]:
    parent = persuading(d, parent_outcome)
    minor = persuading(d, name="Ri Chol", accompanies=parent)
    return parent, minor


def _minor_alone(d: Driver) -> tuple[int, ...]:
    return (_parent_and_minor(d, "agreed")[1],)


def _after(outcomes: tuple[str, ...], last: str) -> Builder:
    def build(d: Driver) -> tuple[int, ...]:
        case = persuading(d, *outcomes, spouse="chinese-korean")
        persuade(d, case, last)
        return (case,)
    return build


ALLOWED = [
    Allowed("open", "open", none, "detained", params=OPEN),
    Allowed("investigate-dprk", "investigate", lambda d: (opened(d),), "investigated",
            params=CITIZEN),
    Allowed("investigate-other", "investigate", lambda d: (opened(d),), "investigated",
            params={"citizenship": "other"}),
    Allowed("restore-citizenship", "restore_citizenship",
            lambda d: (investigated(d, "prc-korean-minority"),), "restored"),
    Allowed("begin-persuasion", "begin_persuasion", lambda d: (investigated(d),), "persuading"),
    Allowed("persuade-refused", "persuade", lambda d: (persuading(d),), "persuading",
            params={"outcome": "refused", "method": "talk with family present"}),
    Allowed("persuade-agreed", "persuade", lambda d: (persuading(d),), "persuading",
            params={"outcome": "agreed"}),
    Allowed("provide-persuading", "provide", lambda d: (persuading(d, "refused"),),
            "persuading", params={"items": ["food", "clothing"]}),
    Allowed("provide-referred", "provide", lambda d: (referred(d),), "referred",
            params={"items": ["clothing"]}),
    Allowed("hand-over-agreed", "hand_over", lambda d: (persuading(d, "refused", "agreed"),),
            "returned", "Kim", HANDOVER),
    Allowed("hand-over-visitor-refused", "hand_over",
            lambda d: (persuading(d, "refused", purpose="visiting-relatives"),),
            "returned", "Kim", HANDOVER),
    Allowed("hand-over-visitor-agreed", "hand_over",
            lambda d: (persuading(d, "agreed", purpose="visiting-relatives"),),
            "returned", "Kim", HANDOVER),
    Allowed("hand-over-minor-with-parent", "hand_over",
            lambda d: _parent_and_minor(d, "agreed"), "returned", "Kim", HANDOVER),
    Allowed("refer", "refer", _after(("refused", "refused"), "refused"), "referred"),
    Allowed("refer-after-an-agreed", "refer", _after(("refused", "agreed", "refused"), "refused"),
            "referred"),
    Allowed("consulate-reply-agreed", "consulate_reply", lambda d: (referred(d),), "referred",
            "Liu", {"reply": "agreed"}),
    Allowed("consulate-reply-declined", "consulate_reply", lambda d: (referred(d),),
            "referred", "Liu", {"reply": "declined"}),
    Allowed("grant-residency", "grant_residency", lambda d: (referred(d, "agreed"),),
            "resident", "Liu"),
    Allowed("resume-persuasion", "resume_persuasion", lambda d: (referred(d, "declined"),),
            "persuading", "Liu"),
    Allowed("approve-transfer", "approve_transfer",
            lambda d: (persuading(d, "refused", crossed_on="1960-06-01"),), "persuading", "Wang"),
    Allowed("transfer-by-public-security", "transfer", lambda d: (approved(d),), "transferred",
            "Sun"),
    Allowed("transfer-by-foreign-affairs", "transfer", lambda d: (approved(d),), "transferred",
            "Liu"),
    Allowed("prosecute-investigated", "prosecute",
            lambda d: (investigated(d, crime="theft of grain"),), "prosecuted", "Sun"),
    Allowed("prosecute-persuading", "prosecute",
            lambda d: (amended(d, persuading(d), "crime", "theft of grain"),), "prosecuted", "Sun"),
    Allowed("prosecute-referred", "prosecute",
            lambda d: (amended(d, referred(d), "crime", "theft of grain"),), "prosecuted", "Sun"),
    *[
        Allowed(f"request-guidance-by-{role}", "request_guidance", lambda d: (opened(d),),
                "detained", name, {"question": "Which clause applies?"})
        for role, name in BY_ROLE.items()
    ],
    Allowed("record-guidance", "record_guidance", _with_request, "detained", "Liu",
            {"answer": "Handle under P1."}),
    Allowed("amend", "amend", lambda d: (opened(d),), "detained", params=FIX),
    Allowed("amend-persuading", "amend", lambda d: (persuading(d),), "persuading", params=FIX),
]

REFUSALS = [
    # open: the name and crossing date are required options (blank or missing is rejected
    # as malformed input, see test_bad_input.py), so only the role check can refuse.
    Refusal("open-role", "open", none, ("role",), c("W2", "P1"), "only by county-officer",
            "Kim", OPEN),
    Refusal("investigate-no-citizenship", "investigate", lambda d: (opened(d),),
            ("citizenship_determined",), c("P1"), "citizenship is not determined",
            params={"purpose": "other"}),
    Refusal("investigate-role", "investigate", lambda d: (opened(d),), ("role",), c("P1"),
            "only by county-officer", "Sun", CITIZEN),
    Refusal("restore-dprk", "restore_citizenship", lambda d: (investigated(d),),
            ("is_korean_minority",), c("P4"), "citizenship is dprk"),
    Refusal("restore-other", "restore_citizenship", lambda d: (investigated(d, "other"),),
            ("is_korean_minority",), c("P4", "G"), "no clause of the cable applies"),
    Refusal("restore-role", "restore_citizenship",
            lambda d: (investigated(d, "prc-korean-minority"),), ("role",), c("P4"),
            "only by county-officer", "Liu"),
    Refusal("begin-minority", "begin_persuasion",
            lambda d: (investigated(d, "prc-korean-minority"),), ("is_dprk_citizen",), c("P1"),
            "citizenship is prc-korean-minority"),
    Refusal("begin-other", "begin_persuasion", lambda d: (investigated(d, "other"),),
            ("is_dprk_citizen",), c("P1", "G"), "no clause of the cable applies"),
    Refusal("begin-crime", "begin_persuasion", lambda d: (investigated(d, crime="theft"),),
            ("no_crime_recorded",), c("P5"), "a crime is recorded (theft)"),
    Refusal("begin-minority-and-crime", "begin_persuasion",
            lambda d: (investigated(d, "prc-korean-minority", crime="theft"),),
            ("is_dprk_citizen", "no_crime_recorded"), c("P1", "P5"), "only prosecution applies"),
    Refusal("begin-role", "begin_persuasion", lambda d: (investigated(d),), ("role",),
            c("P1", "W2"), "only by county-officer", "Kim"),
    Refusal("persuade-no-outcome", "persuade", lambda d: (persuading(d),), ("outcome_given",),
            c("P1", "W2"), "a session not held is not an attempt", params={"method": "planned"}),
    Refusal("persuade-role", "persuade", lambda d: (persuading(d),), ("role",),
            c("P1", "W2", "P3"), "only by county-officer", "Kim", {"outcome": "agreed"}),
    Refusal("provide-no-items", "provide", lambda d: (persuading(d, "refused"),),
            ("items_given",), c("W3"), "no items given"),
    Refusal("provide-empty-items", "provide", lambda d: (persuading(d, "refused"),),
            ("items_given",), c("W3"), "no items given", params={"items": ""}),
    Refusal("provide-role", "provide", lambda d: (persuading(d, "refused"),), ("role",),
            c("W3"), "only by county-officer", "Wang", {"items": ["food"]}),
    Refusal("hand-over-no-attempt", "hand_over", lambda d: (persuading(d),),
            ("ready_for_return",), c("P1", "P2"), "no persuasion attempt is recorded", "Kim",
            HANDOVER),
    Refusal("hand-over-latest-refused", "hand_over",
            lambda d: (persuading(d, "agreed", "refused"),), ("ready_for_return",),
            c("P1", "P2"), "the latest attempt was refused", "Kim", HANDOVER),
    Refusal("hand-over-visitor-not-admonished", "hand_over",
            lambda d: (persuading(d, purpose="visiting-relatives"),), ("ready_for_return",),
            c("P1", "P2"), "a visitor with no admonition recorded", "Kim", HANDOVER),
    Refusal("hand-over-minor-without-parent", "hand_over", _minor_alone,
            ("ready_for_return",), c("P1", "P2"), "is not in this group", "Kim", HANDOVER),
    Refusal("hand-over-minor-parent-not-ready", "hand_over",
            lambda d: _parent_and_minor(d, "refused"), ("ready_for_return",), c("P1", "P2"),
            "does not qualify", "Kim", HANDOVER),
    Refusal("hand-over-crime", "hand_over",
            lambda d: (amended(d, persuading(d, "agreed"), "crime", "theft"),),
            ("no_crime_recorded",), c("P5"), "a crime is recorded", "Kim", HANDOVER),
    Refusal("hand-over-minority", "hand_over",
            lambda d: (amended(d, persuading(d, "agreed"), "citizenship", "prc-korean-minority"),),
            ("is_dprk_citizen",), c("P1"), "applies to DPRK citizens", "Kim", HANDOVER),
    Refusal("hand-over-other", "hand_over",
            lambda d: (amended(d, persuading(d, "agreed"), "citizenship", "other"),),
            ("is_dprk_citizen",), c("P1", "G"), "no clause of the cable applies", "Kim", HANDOVER),
    Refusal("hand-over-role", "hand_over", lambda d: (persuading(d, "agreed"),), ("role",),
            c("P1", "P2"), "only by border-defence", "Zhao", HANDOVER),
    Refusal("refer-two-refusals", "refer", _after(("refused",), "refused"),
            ("three_refusals",), c("P3"), "needs 3 refused attempts; 2 are recorded"),
    Refusal("refer-latest-agreed", "refer", _after(("refused", "refused", "refused"), "agreed"),
            ("three_refusals",), c("P3"), "the latest attempt was agreed"),
    Refusal("refer-unmarried", "refer",
            lambda d: (persuading(d, "refused", "refused", "refused"),),
            ("married_to_chinese_korean",), c("P3"), "not married to a Chinese citizen"),
    Refusal("refer-married-to-han", "refer",
            lambda d: (persuading(d, "refused", "refused", "refused", spouse="other"),),
            ("married_to_chinese_korean",), c("P3"), "not of Korean nationality"),
    Refusal("refer-minority", "refer",
            lambda d: (amended(d, _after(("refused",) * 2, "refused")(d)[0], "citizenship",
                               "prc-korean-minority"),),
            ("is_dprk_citizen",), c("P3"), "applies to DPRK citizens"),
    Refusal("refer-other", "refer",
            lambda d: (amended(d, _after(("refused",) * 2, "refused")(d)[0], "citizenship",
                               "other"),),
            ("is_dprk_citizen",), c("P3", "G"), "no clause of the cable applies"),
    Refusal("refer-crime", "refer",
            lambda d: (amended(d, _after(("refused",) * 2, "refused")(d)[0], "crime", "theft"),),
            ("no_crime_recorded",), c("P5"), "a crime is recorded"),
    Refusal("refer-role", "refer", _after(("refused",) * 2, "refused"), ("role",), c("P3"),
            "only by county-officer", "Liu"),
    Refusal("consulate-reply-none", "consulate_reply", lambda d: (referred(d),),
            ("reply_given",), c("P3"), "no reply given", "Liu"),
    Refusal("consulate-reply-role", "consulate_reply", lambda d: (referred(d),), ("role",),
            c("P3"), "only by foreign-affairs", "Zhao", {"reply": "agreed"}),
    Refusal("grant-no-reply", "grant_residency", lambda d: (referred(d),),
            ("consulate_agreed",), c("P3"), "reply is not recorded", "Liu"),
    Refusal("grant-declined", "grant_residency", lambda d: (referred(d, "declined"),),
            ("consulate_agreed",), c("P3"), "reply is declined, not agreed", "Liu"),
    Refusal("grant-crime", "grant_residency",
            lambda d: (amended(d, referred(d, "agreed"), "crime", "theft"),),
            ("no_crime_recorded",), c("P5"), "a crime is recorded", "Liu"),
    Refusal("grant-other", "grant_residency",
            lambda d: (amended(d, referred(d, "agreed"), "citizenship", "other"),),
            ("is_dprk_citizen",), c("P3", "G"), "no clause of the cable applies", "Liu"),
    Refusal("grant-role", "grant_residency", lambda d: (referred(d, "agreed"),), ("role",),
            c("P3", "P5"), "only by foreign-affairs", "Zhao"),
    Refusal("resume-no-reply", "resume_persuasion", lambda d: (referred(d),),
            ("consulate_declined",), c("P3", "G"), "reply is not recorded", "Liu"),
    Refusal("resume-agreed", "resume_persuasion", lambda d: (referred(d, "agreed"),),
            ("consulate_declined",), c("P3", "G"), "reply is agreed, not declined", "Liu"),
    Refusal("resume-role", "resume_persuasion", lambda d: (referred(d, "declined"),),
            ("role",), c("P3", "G"), "only by foreign-affairs", "Sun"),
    Refusal("approve-crossed-1961", "approve_transfer",
            lambda d: (persuading(d, "refused", crossed_on="1961-01-01"),),
            ("crossed_by_cutoff",), c("T"), "crossed 1961-01-01, which may be after 1960-12-31",
            "Wang"),
    Refusal("approve-crossed-range", "approve_transfer",
            lambda d: (persuading(d, "refused", crossed_on="1960-12/1961-01"),),
            ("crossed_by_cutoff",), c("T"), "which may be after 1960-12-31", "Wang"),
    Refusal("approve-no-refusal", "approve_transfer",
            lambda d: (persuading(d, crossed_on="1960"),), ("determined_not_to_return",),
            c("T"), "no refused attempt is recorded", "Wang"),
    Refusal("approve-latest-agreed", "approve_transfer",
            lambda d: (persuading(d, "refused", "agreed", crossed_on="1960"),),
            ("determined_not_to_return",), c("T"), "the latest attempt was agreed", "Wang"),
    Refusal("approve-crime", "approve_transfer",
            lambda d: (amended(d, persuading(d, "refused", crossed_on="1960"), "crime", "theft"),),
            ("no_crime_recorded",), c("P5"), "a crime is recorded", "Wang"),
    Refusal("approve-other", "approve_transfer",
            lambda d: (amended(d, persuading(d, "refused", crossed_on="1960"), "citizenship",
                               "other"),),
            ("is_dprk_citizen",), c("T", "G"), "no clause of the cable applies", "Wang"),
    Refusal("approve-role", "approve_transfer",
            lambda d: (persuading(d, "refused", crossed_on="1960"),), ("role",), c("T"),
            "only by provincial-committee", "Liu"),
    Refusal("transfer-no-permission", "transfer",
            lambda d: (persuading(d, "refused", crossed_on="1960"),), ("permission_recorded",),
            c("T"), "permission is not recorded", "Sun"),
    Refusal("transfer-crossed-1961", "transfer",
            lambda d: (persuading(d, "refused", crossed_on="1961-01"),),
            ("crossed_by_cutoff", "permission_recorded"), c("T"), "which may be after", "Sun"),
    Refusal("transfer-latest-agreed", "transfer", lambda d: (approved(d, "agreed"),),
            ("determined_not_to_return",), c("T"), "the latest attempt was agreed", "Sun"),
    Refusal("transfer-crime", "transfer",
            lambda d: (amended(d, approved(d), "crime", "theft"),), ("no_crime_recorded",),
            c("P5"), "a crime is recorded", "Sun"),
    Refusal("transfer-other", "transfer",
            lambda d: (amended(d, approved(d), "citizenship", "other"),), ("is_dprk_citizen",),
            c("T", "G"), "no clause of the cable applies", "Sun"),
    Refusal("transfer-role", "transfer", lambda d: (approved(d),), ("role",), c("T"),
            "only by public-security or foreign-affairs", "Wang"),
    Refusal("prosecute-no-crime", "prosecute", lambda d: (investigated(d),),
            ("crime_recorded",), c("P5"), "no crime is recorded", "Sun"),
    Refusal("prosecute-minority", "prosecute",
            lambda d: (investigated(d, "prc-korean-minority", crime="theft"),),
            ("is_dprk_citizen",), c("P5"), "applies to DPRK citizens", "Sun"),
    Refusal("prosecute-other", "prosecute", lambda d: (investigated(d, "other", crime="theft"),),
            ("is_dprk_citizen",), c("P5", "G"), "no clause of the cable applies", "Sun"),
    Refusal("prosecute-role", "prosecute", lambda d: (investigated(d, crime="theft"),),
            ("role",), c("P5"), "only by public-security", "Zhao"),
    # request_guidance is allowed to every role: no role refusal exists for it.
    Refusal("request-guidance-no-question", "request_guidance", lambda d: (opened(d),),
            ("question_given",), c("G"), "no question given", "Kim"),
    Refusal("record-guidance-none-open", "record_guidance", lambda d: (opened(d),),
            ("guidance_requested",), c("G"), "no guidance request is open", "Liu",
            {"answer": "Handle under P1."}),
    Refusal("record-guidance-no-answer", "record_guidance", _with_request, ("answer_given",),
            c("G"), "no answer given", "Liu"),
    Refusal("record-guidance-role", "record_guidance", _with_request, ("role",), c("G"),
            "only by foreign-affairs", "Zhao", {"answer": "Handle under P1."}),
    Refusal("amend-no-reason", "amend", lambda d: (opened(d),), ("correction_given",),
            c("P1"), "needs --field and --reason", params={"field": "place", "value": "X"}),
    Refusal("amend-no-field", "amend", lambda d: (opened(d),), ("correction_given",),
            c("P1"), "needs --field and --reason", params={"value": "X", "reason": "why"}),
    Refusal("amend-role", "amend", lambda d: (opened(d),), ("role",), c("P1"),
            "only by county-officer", "Liu", FIX),
]

# Guards no well-formed request can fail: `open` and `investigate` need a name, but a
# blank name is malformed input, rejected before any guard runs (test_bad_input.py).
UNREACHABLE = {("open", "name_recorded"), ("investigate", "name_recorded")}


def test_every_trigger_has_an_allowed_path_and_every_refusal_is_tabled() -> None:
    allowed = {row.trigger for row in ALLOWED}
    covered = {(row.trigger, g) for row in REFUSALS for g in row.guards}
    for trigger in POLICY.triggers:
        assert trigger.name in allowed, trigger.name
        wanted = {(trigger.name, spec.guard) for spec in trigger.guards} - UNREACHABLE
        if set(trigger.roles) != set(POLICY.roles):
            wanted.add((trigger.name, "role"))
        assert wanted <= covered, sorted(wanted - covered)


@pytest.mark.parametrize("row", ALLOWED, ids=lambda r: r.id)
def test_allowed_path_applies_and_records_one_applied_row_per_case(driver: Driver,
                                                                 row: Allowed) -> None:
    cases = row.build(driver)
    before: dict[int, tuple[str | None, int]] = {c: driver.snapshot(c) for c in cases}
    seq = driver.head()
    out = driver.do(Step(row.trigger, cases, row.actor, row.params))
    assert out.exit_code == 0, out.stderr
    if row.trigger == "open":
        cases, before = (out.case_id,), {out.case_id: (None, 0)}
        assert driver.name == "api" or out.stdout == f"{out.case_id}\n"
    else:
        assert out.stdout == ""
    rows = driver.rows_after(seq)
    assert [(r["case_id"], r["trigger"], r["outcome"]) for r in rows] == [
        (case, row.trigger, "applied") for case in cases]
    trigger = POLICY.trigger(row.trigger)
    for case, record in zip(cases, rows, strict=True):
        source, version = before[case]
        assert driver.snapshot(case) == (row.target, version + 1)
        assert (record["from_state"], record["to_state"]) == (source, row.target)
        assert record["clauses"] == list(trigger.clauses)
        assert all(g["passed"] for g in record["guards"])


@pytest.mark.parametrize("row", REFUSALS, ids=lambda r: r.id)
def test_refusal_is_one_error_line_citing_its_clauses_and_changes_nothing(
        driver: Driver, row: Refusal) -> None:
    cases = row.build(driver)
    before = {case: driver.snapshot(case) for case in cases}
    seq = driver.head()
    out = driver.do(Step(row.trigger, cases, row.actor, row.params))
    assert (out.exit_code, out.stdout) == (1, "")
    line = one_error_line(out.stderr)
    assert row.says in line
    assert row.clauses <= cited(line)
    assert {case: driver.snapshot(case) for case in cases} == before
    rows = driver.rows_after(seq)
    assert [(r["case_id"], r["trigger"], r["outcome"]) for r in rows] == [
        (case, row.trigger, "refused") for case in cases or (None,)]
    for record in rows:
        _assert_refused_row(record, row)
    assert any(row.says in record["reason"] for record in rows)
    if out.error is not None:
        assert isinstance(out.error, RoleRefused if row.guards == ("role",) else GuardRefused)
        assert set(out.error.clauses) == row.clauses


def _assert_refused_row(record: dict[str, Any], row: Refusal) -> None:
    assert set(record["clauses"]) == row.clauses
    assert record["changes"] == {}
    assert record["actor"] == row.actor
    failed = tuple(g["guard"] for g in record["guards"] if not g["passed"])
    if row.guards == ("role",):
        roles = " or ".join(POLICY.trigger(row.trigger).roles)
        assert record["guards"] == []
        assert f"may be fired only by {roles}" in record["reason"]
    else:
        assert failed == row.guards


# -- rejected, nothing recorded: a trigger fired from a state where it does not apply ----

CASE_TRIGGERS = [t.name for t in POLICY.triggers if t.name != "open"]


@pytest.mark.parametrize("trigger", CASE_TRIGGERS)
def test_trigger_from_a_state_where_it_does_not_apply_is_rejected_and_records_nothing(
        driver: Driver, trigger: str) -> None:
    spec = POLICY.trigger(trigger)
    if "detained" in POLICY.sources(spec):
        case, state = restored(driver), "restored"
    else:
        case, state = opened(driver), "detained"
    before, seq = driver.snapshot(case), driver.head()
    step = Step(trigger, (case,), BY_ROLE[spec.roles[0]], VALID_PARAMS.get(trigger, {}))
    out = driver.do(step)
    assert (out.exit_code, out.stdout) == (1, "")
    line = one_error_line(out.stderr)
    applicable = ", ".join(POLICY.applicable(state)) or "none (the state is terminal)"
    assert line == (f"Error: can't {trigger} when case {case} is {state}; "
                    f"triggers that apply in {state}: {applicable}")
    assert driver.snapshot(case) == before
    assert driver.head() == seq


def test_wrong_role_in_a_wrong_state_is_rejected_not_recorded(driver: Driver) -> None:
    case = opened(driver)
    seq = driver.head()
    out = driver.do(Step("hand_over", (case,), "Zhao", HANDOVER))
    assert out.exit_code == 1
    assert "can't hand_over when case" in one_error_line(out.stderr)
    assert driver.head() == seq


def test_group_with_one_case_in_a_wrong_state_is_rejected_whole(driver: Driver) -> None:
    ready = persuading(driver, "agreed")
    detained = opened(driver)
    seq = driver.head()
    out = driver.do(Step("hand_over", (ready, detained), "Kim", HANDOVER))
    assert out.exit_code == 1
    assert f"case {detained} is detained" in one_error_line(out.stderr)
    assert driver.head() == seq
    assert driver.snapshot(ready)[0] == "persuading"
