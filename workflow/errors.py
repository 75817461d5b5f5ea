"""One error root for crossings, with structured subclasses.

Every error a user can cause is a :class:`WorkflowError`. Its ``exit_code`` is the
command line's exit status; the CLI prints ``str(error)`` as one line and nothing else.
Subclasses also inherit the builtin they resemble, so ``except LookupError`` still works.
"""

from __future__ import annotations

from typing import Any


class WorkflowError(Exception):
    """Root of every error crossings raises on purpose."""

    exit_code = 1

    def one_line(self) -> str:
        return " ".join(str(self).split()) or type(self).__name__


class InvalidInput(WorkflowError, ValueError):
    """Malformed input: rejected before anything is written."""


class UsageError(InvalidInput):
    """A command given without something it needs, as the command line would say of a
    missing option: exit 2, nothing written."""

    exit_code = 2


class NotFound(WorkflowError, LookupError):
    """An unknown case, actor, handover group or database."""


class InvalidTransition(WorkflowError):
    """A trigger fired from a state where it does not apply. Nothing is recorded."""

    def __init__(self, trigger: str, state: str, applicable: list[str], case_id: int | None = None):
        self.trigger = trigger
        self.state = state
        self.applicable = applicable
        self.case_id = case_id
        which = f"case {case_id} is" if case_id is not None else "the case is"
        offered = ", ".join(applicable) if applicable else "none (the state is terminal)"
        super().__init__(
            f"can't {trigger} when {which} {state}; triggers that apply in {state}: {offered}"
        )


class Refused(WorkflowError):
    """A well-formed request refused by the policy. The refusal is recorded as a row."""

    def __init__(self, message: str, decisions: list[Any], clauses: list[str] | None = None):
        super().__init__(message)
        self.decisions = decisions
        self._clauses = clauses  # given when the decisions are not at hand (a retry)

    @property
    def clauses(self) -> list[str]:
        if self._clauses is not None:
            return list(self._clauses)
        seen: list[str] = []
        for decision in self.decisions:
            for clause in decision.clauses:
                if clause not in seen:
                    seen.append(clause)
        return seen


class GuardRefused(Refused):
    """One or more guards of the trigger failed."""


class RoleRefused(Refused):
    """The acting actor's role may not fire the trigger."""


class Conflict(WorkflowError):
    """The case changed under us (stale version) or the database stayed busy."""


class RecordRefused(WorkflowError):
    """An act on the record (void, migrate) that would leave it inconsistent: a later
    event resting on the event voided, say. Nothing is written."""


class InvalidDefinition(WorkflowError):
    """The policy table is inconsistent; raised when it loads."""


class StoreError(WorkflowError):
    """The database cannot be used: not SQLite, read-only, full, corrupt."""


class IntegrityError(WorkflowError):
    """Verification found the audit trail or the case rows altered."""
