"""Every trigger fired by every role it does not allow (issue 4, item 6), through the CLI
and the API: refused, one error line naming the roles required and the trigger's clauses,
recorded as one refused row, and nothing else changed.

A role refusal changes no case, so one database built per module serves every test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.casework import (
    ACTORS,
    BY_ROLE,
    VALID_PARAMS,
    ApiDriver,
    CliDriver,
    Driver,
    Step,
    cited,
    investigated,
    new_service,
    one_error_line,
    opened,
    persuading,
    referred,
)

from workflow import RoleRefused
from workflow.policies import JILIN_1961_2 as POLICY

STATES = ("detained", "investigated", "persuading", "referred")
FORBIDDEN = [
    (trigger.name, role)
    for trigger in POLICY.triggers
    for role in POLICY.roles
    if role not in trigger.roles
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    path = str(tmp_path_factory.mktemp("roles") / "crossings.db")
    reader = new_service(path)
    api = ApiDriver(path, reader)
    cases = {"detained": opened(api), "investigated": investigated(api),
             "persuading": persuading(api, "agreed"), "referred": referred(api, "agreed")}
    yield {"api": api, "cli": CliDriver(path, reader), "cases": cases}
    reader.close()


def test_every_role_is_forbidden_somewhere_and_the_table_is_complete() -> None:
    assert {role for _, role in FORBIDDEN} == set(ACTORS.values())
    assert len(FORBIDDEN) == sum(len(POLICY.roles) - len(t.roles)
                                 for t in POLICY.triggers)


@pytest.mark.parametrize("interface", ["cli", "api"])
@pytest.mark.parametrize("trigger, role", FORBIDDEN, ids=[f"{t}-by-{r}" for t, r in FORBIDDEN])
def test_trigger_fired_by_a_role_it_does_not_allow_is_refused_and_recorded(
        world: dict[str, object], interface: str, trigger: str, role: str) -> None:
    d = world[interface]
    assert isinstance(d, Driver)
    spec = POLICY.trigger(trigger)
    cases: dict[str, int] = world["cases"]  # type: ignore[assignment]
    state = next((s for s in STATES if s in POLICY.sources(spec)), None)
    targets = (cases[state],) if state else ()
    before = {case: d.snapshot(case) for case in targets}
    seq = d.head()
    actor = BY_ROLE[role]

    out = d.do(Step(trigger, targets, actor, VALID_PARAMS.get(trigger, {})))

    required = " or ".join(spec.roles)
    assert (out.exit_code, out.stdout) == (1, "")
    line = one_error_line(out.stderr)
    assert f"may be fired only by {required}" in line
    assert f"{actor} is {role}" in line
    assert set(spec.clauses) <= cited(line)
    (row,) = d.rows_after(seq)
    assert (row["case_id"], row["trigger"], row["outcome"]) == (
        targets[0] if targets else None, trigger, "refused")
    assert (row["actor"], row["role"]) == (actor, role)
    assert row["clauses"] == list(spec.clauses)
    assert f"may be fired only by {required}" in row["reason"]
    assert row["guards"] == [] and row["changes"] == {}
    assert {case: d.snapshot(case) for case in targets} == before
    if out.error is not None:
        assert isinstance(out.error, RoleRefused)


def test_a_role_refusal_comes_before_any_guard(tmp_path: Path) -> None:
    """refer by foreign-affairs on a case with no refusals: the role is named, not P3's count."""
    d = ApiDriver(str(tmp_path / "c.db"), new_service(str(tmp_path / "c.db")))
    case = persuading(d)
    out = d.do(Step("refer", (case,), "Liu"))
    assert isinstance(out.error, RoleRefused)
    assert "needs 3 refused attempts" not in out.stderr
    d.reader.close()
