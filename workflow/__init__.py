"""crossings' domain layer: the policy table, the case model, engine rules, errors.

This package imports no SQL and no click; ``store`` and ``crossings`` build on it.
"""

from .case import Actor, Case
from .clauses import CLAUSES, Clause
from .engine import APPLIED, REFUSED, Decision, Engine, GuardResult
from .errors import (
    Conflict,
    GuardRefused,
    IntegrityError,
    InvalidDefinition,
    InvalidInput,
    InvalidTransition,
    NotFound,
    Refused,
    RoleRefused,
    StoreError,
    WorkflowError,
)
from .policy import JILIN_1961, ROLES, Policy, Trigger, validate

__all__ = [
    "APPLIED",
    "CLAUSES",
    "JILIN_1961",
    "REFUSED",
    "ROLES",
    "Actor",
    "Case",
    "Clause",
    "Conflict",
    "Decision",
    "Engine",
    "GuardRefused",
    "GuardResult",
    "IntegrityError",
    "InvalidDefinition",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "Policy",
    "Refused",
    "RoleRefused",
    "StoreError",
    "Trigger",
    "WorkflowError",
    "validate",
]
