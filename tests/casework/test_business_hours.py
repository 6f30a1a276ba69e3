"""Deadlines count only working hours of the calendar, and land right across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from advocacy.casework.cases.business_hours import WorkingTime, add_business_minutes, business_minutes_between

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = WorkingTime(
    zone=BERLIN, workdays=frozenset(range(5)), opens=time(9), closes=time(17), holidays=frozenset({date(2026, 12, 25)})
)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_minutes_within_one_working_day():
    assert add_business_minutes(berlin(2026, 3, 10, 10, 0), 90, OFFICE) == berlin(2026, 3, 10, 11, 30)


def test_time_after_closing_carries_over_to_the_next_morning():
    assert add_business_minutes(berlin(2026, 3, 10, 16, 0), 120, OFFICE) == berlin(2026, 3, 11, 10, 0)


def test_a_request_at_night_starts_counting_at_opening():
    assert add_business_minutes(berlin(2026, 3, 10, 22, 0), 60, OFFICE) == berlin(2026, 3, 11, 10, 0)


def test_weekends_and_holidays_do_not_count():
    # Thursday 24 December 16:00 + 2 hours: Friday the 25th is a holiday, then the weekend.
    assert add_business_minutes(berlin(2026, 12, 24, 16, 0), 120, OFFICE) == berlin(2026, 12, 28, 10, 0)


def test_a_deadline_across_the_spring_daylight_saving_change_is_right_in_utc():
    # Friday 27 March 2026 16:00 CET (15:00 UTC); clocks go forward on Sunday 29 March.
    due = add_business_minutes(berlin(2026, 3, 27, 16, 0), 120, OFFICE)
    assert due == berlin(2026, 3, 30, 10, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # CEST is UTC+2


def test_a_deadline_across_the_autumn_change_is_right_in_utc():
    # Friday 23 October 2026 16:30 CEST; clocks go back on Sunday 25 October.
    due = add_business_minutes(berlin(2026, 10, 23, 16, 30), 60, OFFICE)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 09:30 CET = 08:30 UTC


def test_minutes_between_counts_only_working_time():
    assert business_minutes_between(berlin(2026, 3, 27, 16, 0), berlin(2026, 3, 30, 10, 0), OFFICE) == 120
    assert business_minutes_between(berlin(2026, 3, 30, 10, 0), berlin(2026, 3, 27, 16, 0), OFFICE) == 0
