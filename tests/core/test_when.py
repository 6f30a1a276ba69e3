"""One date and time format on every page, always in a named zone (issue 12, item 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone

from advocacy.core.templatetags.when import day, month, when


def test_a_moment_is_written_in_the_viewers_zone_and_names_it():
    moment = datetime(2026, 1, 14, 13, 0, tzinfo=UTC)

    with timezone.override("Europe/Berlin"):
        assert when(moment) == "Wed 14 Jan 2026, 14:00 CET"
        assert day(datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == "15 Jan 2026"  # already the 15th in Berlin
    assert when(moment, "America/New_York") == "Wed 14 Jan 2026, 08:00 EST"
    assert when(moment, "Asia/Dubai") == "Wed 14 Jan 2026, 17:00 Asia/Dubai"  # "+04" names no zone


def test_dates_and_months_read_the_same_everywhere_and_nothing_is_blank():
    assert day(date(2026, 3, 5)) == "5 Mar 2026"
    assert month(date(2026, 3, 5)) == "Mar 2026"
    assert when(None) == day(None) == month("not a date") == ""
