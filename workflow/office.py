"""What belongs to the office, not to any one policy: the options every event takes (a
note, the source it rests on), and the office's own settings (which policy new cases are
handled under; whether an event without a date is dated today).
"""

from __future__ import annotations

from .policy import Param, Setting

NOTE = Param("note", "text", "A free note kept with the event.")
SOURCE = Param("source", "text", "The document the event rests on (archive, file, page), "
               "kept with the event: cite it.")
EVENT_OPTIONS = (NOTE, SOURCE)

REQUIRED, TODAY = "required", "today"
POLICY = Setting("policy", None, "policy",
                 "The policy a new case is handled under, id@version (default: the newest "
                 "of the registry's default).", ())
EVENT_DATE = Setting("default_event_date", REQUIRED, "choice",
                     "Whether an event given no --at is dated today (today: an office running "
                     "the procedure live) or refused (required: the events of history carry "
                     "their own dates).", (), choices=(REQUIRED, TODAY))
OFFICE_SETTINGS = (POLICY, EVENT_DATE)


def office_defaults() -> dict[str, object]:
    """The office's settings before any is set (``policy`` None: the registry's default)."""
    return {s.name: s.default for s in OFFICE_SETTINGS}
