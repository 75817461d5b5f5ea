"""The policy table is validated when it loads: a broken copy raises InvalidDefinition
naming the offending state, trigger, clause, role or guard."""

from __future__ import annotations

from typing import Any

import pytest

from workflow import InvalidDefinition, Policy, validate
from workflow.policies import JILIN_1961_2 as POLICY
from workflow.policy import Guard, GuardSpec, State, Trigger
from workflow.queries import Entries, Late, Section, Where
from workflow.record import replace


def with_states(*states: State, drop: str | None = None) -> Policy:
    kept = tuple(s for s in POLICY.states if s.name != drop)
    return replace(POLICY, states=kept + states)


def with_triggers(*triggers: Trigger, drop: str | None = None) -> Policy:
    kept = tuple(t for t in POLICY.triggers if t.name != drop)
    return replace(POLICY, triggers=kept + triggers)


def changed(name: str, **changes: Any) -> Policy:
    trigger = replace(POLICY.trigger(name), **changes)
    return with_triggers(trigger, drop=name)


def edge(name: str, source: str, dest: str | None) -> Trigger:
    return Trigger(name, (source,), dest, ("county-officer",), (), ("G",), "test edge",
                   asked="a test edge")


BROKEN = {
    "two initial states": (
        lambda: with_states(replace(POLICY.state("investigated"), initial=True),
                            drop="investigated"),
        "needs exactly one initial state, has ['detained', 'investigated']"),
    "no initial state": (
        lambda: with_states(replace(POLICY.state("detained"), initial=False),
                            drop="detained"),
        "needs exactly one initial state, has no initial state"),
    "exit from a terminal state": (
        lambda: with_triggers(edge("reopen", "returned", "detained")),
        "trigger reopen leaves terminal state returned"),
    "unreachable state": (
        lambda: with_triggers(drop="transfer"),
        "state transferred is unreachable from the initial state"),
    "trap state": (
        lambda: replace(with_triggers(edge("lose", "detained", "limbo")),
                                    states=POLICY.states + (State("limbo", "x", ("G",)),)),
        "state limbo is a trap"),
    "unknown clause id": (
        lambda: changed("refer", clauses=("P3", "P9")),
        "trigger refer cites unknown clause P9"),
    "unknown clause id in a guard": (
        lambda: changed("refer", guards=(GuardSpec("three_refusals", ("P33",)),)),
        "trigger refer cites unknown clause P33"),
    "unknown role": (
        lambda: changed("transfer", roles=("public-security", "mayor")),
        "trigger transfer allows unknown role mayor"),
    "unknown guard": (
        lambda: changed("refer", guards=(GuardSpec("looks_sincere", ("P3",)),)),
        "trigger refer uses unknown guard looks_sincere"),
    "unknown effect": (
        lambda: changed("persuade", effect="record_everything"),
        "trigger persuade uses unknown effect record_everything"),
    "unknown destination": (
        lambda: changed("grant_residency", dest="naturalised"),
        "trigger grant_residency enters unknown state naturalised"),
    "trigger citing no clause": (
        lambda: changed("provide", clauses=()),
        "trigger provide cites no clause"),
    "trigger declared twice": (
        lambda: with_triggers(POLICY.trigger("refer")),
        "trigger refer is declared twice"),
    "no trigger opens a case": (
        lambda: changed("open", opens=False, sources=("detained",)),
        "needs exactly one trigger that opens a case, has no such trigger"),
    "a trigger with no words for its refusal": (
        lambda: changed("refer", asked=""),
        "trigger refer has no words for what a refusal of it asked for"),
    "a guard with no words": (
        lambda: replace(POLICY, guards={
            **POLICY.guards, "three_refusals": Guard(POLICY.guards["three_refusals"].check, "")}),
        "guard three_refusals has no words"),
    "a report section reading an unknown fact": (
        lambda: replace(POLICY, sections=(
            Section("lost", "overdue", "P2", "x", Late("left_on", "short_period_days", Where())),)),
        "report section lost reads unknown fact left_on"),
    "a report section counting days of an unknown setting": (
        lambda: replace(POLICY, sections=(
            Section("late", "overdue", "P2", "x", Late("investigated_on", "forever", Where())),)),
        "report section late counts days of unknown setting forever"),
    "a report section citing an unknown clause": (
        lambda: replace(POLICY, sections=(
            Section("noted", "compliance", "W9", "x", Entries("complaints", "text")),)),
        "report section noted cites unknown clause W9"),
    "the name list's trigger unknown": (
        lambda: replace(POLICY, name_list=replace(
            POLICY.name_list, trigger="enlist")),
        "the name list's trigger enlist is unknown"),
    "a summary by an unknown fact": (
        lambda: replace(POLICY, summaries=("height",)),
        "summary by unknown fact height"),
}


def test_the_shipped_policy_is_valid() -> None:
    assert validate(POLICY) is POLICY


@pytest.mark.parametrize("what", BROKEN)
def test_broken_policy_is_refused_naming_the_offender(what: str) -> None:
    build, message = BROKEN[what]
    with pytest.raises(InvalidDefinition) as caught:
        validate(build())
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"policy {POLICY.id}: ")


def test_every_problem_is_named_at_once() -> None:
    broken = changed("transfer", roles=("mayor",), clauses=("P9",))
    with pytest.raises(InvalidDefinition) as caught:
        validate(broken)
    assert "unknown role mayor" in str(caught.value)
    assert "unknown clause P9" in str(caught.value)


def test_a_modified_copy_leaves_the_shipped_policy_alone() -> None:
    copy = changed("refer", roles=("foreign-affairs",))
    assert copy.trigger("refer").roles == ("foreign-affairs",)
    assert POLICY.trigger("refer").roles == ("county-officer",)
