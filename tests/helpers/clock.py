"""The suite's fixed clock: commands are recorded at this instant, 'today' is this date."""

import datetime as dt

TODAY = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)


def fixed_clock() -> dt.datetime:
    return TODAY
