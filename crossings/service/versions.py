"""Policies over time: what another policy would have done (whatif), moving cases to
another version (migrate), and retracting an event entered in error (void).

All three re-derive a case from its recorded requests through the engine
(``crossings.trail.rederive``). ``whatif`` and ``migrate --dry-run`` write nothing and read
one case at a time; ``migrate`` and ``void`` are acts on the record, by the actor who may
make them, signed, dated when recorded (no ``--at``), each in one transaction.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from workflow import Case, InvalidInput, NotFound, Policy, RoleRefused, policies
from workflow.audit import MIGRATE, RECORD_TRIGGERS, SETUP_TRIGGERS, VOID, record_row
from workflow.case import ADMINISTRATOR
from workflow.engine import APPLIED
from workflow.errors import RecordRefused
from workflow.values import clean_text, parse_case_id

from .base import ServiceBase

if TYPE_CHECKING:
    from ..trail.rederive import CaseRun, Rederiver


class Versions(ServiceBase):
    """whatif, migrate and void."""

    def _rederiver(self, policy: Policy) -> "Rederiver":
        from ..trail.registry import Registry
        from ..trail.rederive import Rederiver

        registry = Registry(self._defaults)
        registry.read(self.store.audit_stream(order="setup"), lambda *a: None)
        return Rederiver(self.store, policy, registry.settings_at)

    def _case_rows(self, case_ids: Iterable[Any] | None) -> Iterator[tuple[int, list[Any]]]:
        if case_ids:
            for case_id in case_ids:
                number = parse_case_id(case_id)
                rows = list(self.store.audit(case_id=number))
                if not rows:
                    raise NotFound(f"no case {number}")
                yield number, rows
            return
        for case_id, grouped in groupby(self.store.audit_stream(order="case"),
                                        key=itemgetter("case_id")):
            yield case_id, list(grouped)

    # -- what if ----------------------------------------------------------------------

    def whatif(self, policy: str, cases: Iterable[Any] | None = None) -> Iterator["CaseRun"]:
        """Every case's recorded requests re-fired under POLICY, in memory: one CaseRun a
        case, in id order. Writes nothing."""
        rederiver = self._rederiver(policies.get(policy))
        with self.store.read():
            for case_id, rows in self._case_rows(cases):
                yield rederiver.case(case_id, rows)

    # -- migrate -----------------------------------------------------------------------

    def migrate(self, to: str, actor: str | None, cases: Iterable[Any] | None = None, *,
                dry_run: bool = False) -> Iterator[dict[str, Any]]:
        """Move each case (all, when CASES is None) to policy TO where its recorded events
        replay equal under it; by an administrator. One dict a case: moved, stays (with its
        first divergence), or already there. ``dry_run`` writes nothing."""
        target = policies.get(to)
        who = self.actor(actor)
        if who.role != ADMINISTRATOR:
            raise RoleRefused(f"migrate refused: only an administrator migrates cases; "
                              f"{who.name} is {who.role}", [], [])
        key = None if dry_run else self.signer(who)
        rederiver = self._rederiver(target)
        for case_id, rows in self._case_rows(cases):
            run = rederiver.case(case_id, rows)
            current = self.store.get_case(case_id)
            found = {"case": case_id, "name": run.name, "from": current.policy if current else None,
                     "to": target.key, "state": current.state if current else None}
            if current is None or current.policy == target.key:
                yield {**found, "result": "already" if current else "no case row"}
                continue
            if not run.identical:
                yield {**found, "result": "stays", **_divergence(run)}
                continue
            if not dry_run:
                assert key is not None
                self._record_migration(current, target, who.name, key.sign)
            yield {**found, "result": "would move" if dry_run else "moved"}

    def _record_migration(self, case: Case, target: Policy, actor: str, sign: Any) -> None:
        with self.writing():
            moved = Case(case.id, case.state, case.version + 1, case.facts, case.flagged,
                         target.key)
            recorded = self._recorded_at()
            self.store.update_cases([(moved, case.version)], recorded)
            self.store.append([record_row(
                MIGRATE, case.id, moved.version, (case.state, case.state),
                {"from": case.policy, "to": target.key}, {}, recorded,
                (target.id, target.version), actor, ADMINISTRATOR)], sign)

    # -- void --------------------------------------------------------------------------

    def void(self, seq: Any, reason: str, actor: str | None) -> list[Case]:
        """Retract the event at SEQ (a whole group, for a group's event): the trail keeps
        it and gains a void row naming it; each case is re-derived without it. Refused,
        naming the event, when a later event of the case would no longer hold without it.
        By the actor who recorded the event, or an administrator."""
        number = parse_case_id(seq, "seq")
        reason = clean_text(reason, "reason", blank_ok=False)
        row = self.store.audit_row(number)
        if row is None:
            raise NotFound(f"no event {number} in the trail")
        if row["case_id"] is None or row["trigger"] in (*SETUP_TRIGGERS, *RECORD_TRIGGERS):
            raise InvalidInput(f"event {number} ({row['trigger']}) is not an event of a case's "
                               "history: only those are voided")
        who = self.actor(actor)
        key = self.signer(who)
        if who.name != row["actor"] and who.role != ADMINISTRATOR:
            raise RoleRefused(f"void refused: event {number} was recorded by {row['actor']}; "
                              f"only they or an administrator void it ({who.name} is "
                              f"{who.role})", [], [])
        with self.writing():
            targets = self._void_targets(row)
            voided = []
            for target in targets:
                voided.append(self._void_one(target, reason, who.name, who.role, key.sign))
        return voided

    def _void_targets(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        if row["group_id"] is not None and row["outcome"] == APPLIED:
            return [r for r in self.store.audit(group_id=row["group_id"])
                    if r["trigger"] == row["trigger"] and r["outcome"] == APPLIED]
        return [row]

    def _void_one(self, row: dict[str, Any], reason: str, actor: str, role: str,
                  sign: Any) -> Case:
        case = self._load(int(row["case_id"]))
        rows = list(self.store.audit(case_id=case.id))
        from ..trail.rederive import voided_seqs

        if row["seq"] in voided_seqs(rows):
            raise InvalidInput(f"event {row['seq']} was already voided")
        if row["from_state"] is None:
            raise RecordRefused(f"void refused: event {row['seq']} ({row['trigger']}, "
                                f"{row['at']}) opened case {case.id}: the opening of a case is "
                                "not voided (amend its facts instead)")
        policy = self.policy_of(case)
        run = self._rederiver(policy).case(case.id, rows, without={row["seq"]},
                                           refusals_stand=True)
        if run.later_failures:
            later = run.later_failures[0]
            raise RecordRefused(
                f"void refused: event {row['seq']} ({row['trigger']}, {row['at']}) cannot be "
                f"voided: event {later.seq} ({later.trigger}, {later.at}) rests on it and "
                f"would no longer hold ({later.candidate_reason or later.candidate})")
        if not run.candidate_state:
            raise RecordRefused(f"void refused: event {row['seq']} opened case {case.id}; "
                                "without it there is no case (void its later events first)")
        facts = run.candidate_facts
        changes = {k: [case.facts.get(k), facts.get(k)] for k in sorted(set(case.facts) | set(facts))
                   if case.facts.get(k) != facts.get(k)}
        after = Case(case.id, run.candidate_state, case.version + 1, facts,
                     bool(policy.flags_of(facts)), case.policy)
        recorded = self._recorded_at()
        self.store.update_cases([(after, case.version)], recorded)
        self.store.append([record_row(
            VOID, case.id, after.version, (case.state, after.state),
            {"seq": row["seq"], "reason": reason}, changes, recorded,
            (policy.id, policy.version), actor, role)], sign)
        return after


def _divergence(run: "CaseRun") -> dict[str, Any]:
    step = min((s for s in (run.first, run.first_changed, *run.skipped[:1]) if s is not None),
               key=lambda s: s.seq, default=None)
    return {"first_divergence": step.as_dict() if step else None}


def summary(runs: Iterable["CaseRun"]) -> Counter[tuple[str | None, str | None]]:
    return Counter((r.recorded_state, r.candidate_state) for r in runs)
