"""The filing timeline: what happens after submission, counted in Chinese working days.

Working days follow the State Council holiday schedule (public holidays off, adjusted weekends
on) through the chinese-calendar package. For years that package does not know yet, plain
weekdays are used and the timeline says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import chinese_calendar

DEFAULTS = {
    "provider_review_working_days": 3,
    "sms_verification_hours": 24,
    "bureau_review_working_days": 20,
    "public_security_filing_days": 30,
    "change_filing_days": 30,
}

# The last year the installed chinese-calendar has the State Council's schedule for.
CALENDAR_KNOWN_UNTIL = max(day.year for day in chinese_calendar.holidays)


# A memo of a pure function of the date: shared safely by every thread and evaluation.
@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, is that taken from the official calendar)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


@lru_cache(maxsize=4096)  # pure; submissions cluster on a few dates, so a batch computes each once
def add_working_days(start: dt.date, count: int) -> tuple[dt.date, bool]:
    """The date ``count`` working days after ``start``, and whether the calendar knew every day."""
    day, known_all, left = start, True, count
    while left > 0:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        known_all = known_all and known
        if working:
            left -= 1
    return day, known_all


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Mapping[str, Any], ...]
    estimated_decision_on: dt.date | None
    calendar_complete: bool

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"steps": [dict(s) for s in self.steps]}
        if self.estimated_decision_on is not None:
            out["estimated_decision_on"] = self.estimated_decision_on.isoformat()
        out["calendar"] = "official" if self.calendar_complete else "weekdays_only"
        return out


def build(submitted_on: dt.date | None, settings: Mapping[str, int]) -> Timeline:
    return _build(submitted_on, tuple(sorted(settings.items())))


# Pure in the date and the settings, and a Timeline is immutable (its steps are read-only
# mappings): submissions cluster on a few dates and provinces, so a batch builds each once.
@lru_cache(maxsize=4096)
def _build(submitted_on: dt.date | None, settings: tuple[tuple[str, int], ...]) -> Timeline:
    values = {**DEFAULTS, **dict(settings)}
    provider, bureau = values["provider_review_working_days"], values["bureau_review_working_days"]
    steps: list[dict[str, Any]] = [
        {"id": "provider_review", "working_days": provider},
        {"id": "sms_verification", "hours": values["sms_verification_hours"]},
        {"id": "bureau_review", "working_days": bureau},
        {"id": "public_security_filing", "days_after_launch": values["public_security_filing_days"]},
        # A duty for the life of the filing, not a dated step: file a change within N days of any change.
        {"id": "change_filing", "days_after_change": values["change_filing_days"]},
    ]
    decision, complete = None, True
    if submitted_on is not None:
        try:
            provider_done, known_a = add_working_days(submitted_on, provider)
            # SMS verification must be answered within its hours of the provider passing the filing on.
            sms_by = provider_done + dt.timedelta(hours=values["sms_verification_hours"])
            decision_on, known_b = add_working_days(provider_done, bureau)
        except OverflowError:  # a submission date near 9999-12-31: the steps have no representable dates
            pass
        else:
            steps[0]["by"] = provider_done.isoformat()
            steps[1]["by"] = sms_by.isoformat()
            steps[2]["by"] = decision_on.isoformat()
            decision, complete = decision_on, known_a and known_b
    return Timeline(tuple(MappingProxyType(step) for step in steps), decision, complete)
