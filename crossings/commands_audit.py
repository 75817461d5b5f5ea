"""Commands for replaying recorded cases and verifying the audit trail (issue 3)."""

from __future__ import annotations
