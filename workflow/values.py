"""Validation of the values a user gives: dates, approximate dates, text, names.

Every function raises :class:`~workflow.errors.InvalidInput` naming the field and the
problem, so a bad value is rejected before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from .errors import InvalidInput, NotFound
from .record import Record

MAX_NAME = 200
MAX_TEXT = 10_000

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_RANGE = re.compile(r"\s*(?:/|\bor\b)\s*")


def _label(field: str) -> str:
    return "--" + field.replace("_", "-")


def parse_case_id(value: object, what: str = "case", option: str | None = None,
                  *, at_least_one: bool = True) -> int:
    """A case id (or the id of another record, named by ``what``): a whole number from 1.

    Not a whole number: InvalidInput. Below 1: for an id named directly, NotFound
    (``no case 0``); for an ``option``'s value, InvalidInput naming the option.
    ``at_least_one=False`` only parses (the command line, before the store is asked).
    """
    prefix = f"--{option}: " if option else ""
    try:
        number = int(str(value).strip())
    except ValueError:
        hint = "" if option else " (a whole number)"
        raise InvalidInput(f"{prefix}{value!r} is not a {what} id{hint}") from None
    if number < 1 and at_least_one:
        if option:
            raise InvalidInput(f"{prefix}{number} is not a {what} id")
        raise NotFound(f"no {what} {number}")
    return number


def parse_date(value: object, field: str = "at") -> str:
    """A full calendar date as ISO text (``1961-11-28``); ``1961-02-30`` is refused."""
    if type(value) is str:  # the common case, parsed once per text (a pure function)
        return _date_text(value, field)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _date_text(str(value), field)


@lru_cache(maxsize=4096)
def _date_text(value: str, field: str) -> str:
    text = value.strip()
    match = _DATE.match(text)
    if not match:
        raise InvalidInput(f"{_label(field)}: {text!r} is not a date (use YYYY-MM-DD)")
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        raise InvalidInput(f"{_label(field)}: {text} is not a valid date") from None


class ApproxDate(Record):
    """A date known to the day, month or year, or an uncertain range of such dates."""

    text: str
    earliest: str
    latest: str


def _bounds(part: str, field: str) -> tuple[dt.date, dt.date]:
    match = _PARTIAL.match(part)
    if not match:
        raise InvalidInput(
            f"{_label(field)}: {part!r} is not a date (use YYYY, YYYY-MM, YYYY-MM-DD, "
            "or a range such as '1960-12/1961-01')"
        )
    year, month, day = match.groups()
    try:
        if day:
            one = dt.date(int(year), int(month), int(day))
            return one, one
        if month:
            import calendar  # only for a month's last day: keeps it out of start-up

            last = calendar.monthrange(int(year), int(month))[1]
            return dt.date(int(year), int(month), 1), dt.date(int(year), int(month), last)
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    except ValueError:
        raise InvalidInput(f"{_label(field)}: {part} is not a valid date") from None


def parse_approx_date(value: object, field: str = "date") -> ApproxDate:
    """``1960``, ``1960-12``, ``1960-12-31`` or ``1960-12/1961-01`` (also ``... or ...``)."""
    if isinstance(value, (dt.date, int)):
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
    return _approx_text(str(value), field)


@lru_cache(maxsize=4096)
def _approx_text(value: str, field: str) -> ApproxDate:
    """parse_approx_date of a text, once per text (pure; ApproxDate is frozen)."""
    text = value.strip()
    parts = [p for p in _RANGE.split(text) if p] if text else []
    if not 1 <= len(parts) <= 2:
        raise InvalidInput(f"{_label(field)}: {text!r} is not a date or a range of two dates")
    low = _bounds(parts[0], field)[0]
    high = _bounds(parts[-1], field)[1]
    if low > high:
        raise InvalidInput(f"{_label(field)}: the range {text} ends before it starts")
    canonical = parts[0] if len(parts) == 1 else f"{parts[0]}/{parts[1]}"
    return ApproxDate(canonical, low.isoformat(), high.isoformat())


def clean_text(value: object, field: str, *, limit: int = MAX_TEXT, blank_ok: bool = True) -> str:
    """NFC-normalised text, kept exactly otherwise; refuses NUL, lone surrogates, excess."""
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise InvalidInput(f"{_label(field)}: expected text, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{_label(field)}: contains a lone surrogate, not valid text") from None
    if "\x00" in value:
        raise InvalidInput(f"{_label(field)}: contains a NUL byte")
    text = unicodedata.normalize("NFC", value)
    if len(text) > limit:
        raise InvalidInput(f"{_label(field)}: {len(text)} characters, at most {limit} allowed")
    if not blank_ok and not text.strip():
        raise InvalidInput(f"{_label(field)}: must not be blank")
    return text


# Characters no name may hold: controls (Cc), format characters (Cf: zero-width, bidi
# controls such as U+202E), and line or paragraph separators (Zl, Zp). They hide, reorder
# or break what a reader sees, so that two different-looking names could be one.
_HIDDEN = {"Cc": "a control character", "Cf": "an invisible format character",
           "Zl": "a line separator", "Zp": "a paragraph separator"}


def clean_name(value: object, field: str = "name") -> str:
    """A person's name in any script: not blank, at most MAX_NAME characters, with no
    control, format (zero-width, bidi) or separator character."""
    if type(value) is str:  # an actor's name comes with every command: checked once
        return _clean_name_text(value, field)
    return _clean_name_text(clean_text(value, field, limit=MAX_NAME, blank_ok=False), field)


@lru_cache(maxsize=4096)
def _clean_name_text(value: str, field: str) -> str:
    text = clean_text(value, field, limit=MAX_NAME, blank_ok=False)
    for ch in text:
        hidden = _HIDDEN.get(unicodedata.category(ch))
        if hidden is not None:
            raise InvalidInput(f"{_label(field)}: contains {hidden} (U+{ord(ch):04X}); "
                               "names may hold any script but not invisible characters")
    return text


def fold_name(name: str) -> str:
    """The form under which two names are the same name: NFKC (full-width and other
    compatibility forms folded), case folded, white space collapsed. ``Zhao``, ``zhao``,
    ``Zhao `` and ``Ｚhao`` fold alike."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
