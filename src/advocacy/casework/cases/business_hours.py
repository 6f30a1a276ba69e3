"""Deadlines in business hours: working days and hours of a calendar, minus holidays, in its zone.

Arithmetic on wall-clock times is done in UTC and converted back, so a deadline that spans a
daylight-saving change lands on the right instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_AHEAD = 3 * 366  # a calendar with no working days must not loop forever


@dataclass(frozen=True)
class WorkingTime:
    zone: ZoneInfo
    workdays: frozenset[int]
    opens: time
    closes: time
    holidays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC),
            datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(UTC),
        )


def add_business_minutes(start: datetime, minutes: float, hours: WorkingTime) -> datetime:
    """The instant `minutes` of working time after `start` (UTC)."""
    cursor = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    day = cursor.astimezone(hours.zone).date()
    for _ in range(MAX_DAYS_AHEAD):
        if hours.is_working_day(day):
            opens, closes = hours.day_bounds(day)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("the calendar has no working time in the next three years")


def business_minutes_between(start: datetime, end: datetime, hours: WorkingTime) -> float:
    """Working minutes from `start` to `end` (0 when end is not after start)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.astimezone(hours.zone).date()
    last = end.astimezone(hours.zone).date()
    while day <= last:
        if hours.is_working_day(day):
            opens, closes = hours.day_bounds(day)
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 60
