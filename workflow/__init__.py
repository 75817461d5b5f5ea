"""crossings' engine: the types of a policy table, the case model, the engine, errors.

This package imports no SQL and no click; ``store`` and ``crossings`` build on it. It
names nothing of any one policy: each policy is a package of ``workflow.policies``.
"""

from .case import Actor, Case
from .engine import APPLIED, REFUSED, Decision, Engine, Explanation, GuardResult
from .errors import (
    Conflict,
    GuardRefused,
    IntegrityError,
    InvalidDefinition,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RecordRefused,
    Refused,
    RoleRefused,
    StoreError,
    UsageError,
    WorkflowError,
)
from .policy import Clause, Trigger
from .table import Policy
from .validation import validate

__all__ = [
    "APPLIED",
    "REFUSED",
    "Actor",
    "Case",
    "Clause",
    "Conflict",
    "Decision",
    "Engine",
    "Explanation",
    "GuardRefused",
    "GuardResult",
    "IntegrityError",
    "InvalidDefinition",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "RecordRefused",
    "Policy",
    "Refused",
    "RoleRefused",
    "StoreError",
    "Trigger",
    "UsageError",
    "WorkflowError",
    "validate",
]
