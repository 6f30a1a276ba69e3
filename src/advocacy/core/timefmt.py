"""Times for people: always in a named zone, in one format ("Tue 14 Jan 14:00")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def in_zone(moment: datetime | None, zone: str) -> str:
    """'Tue 14 Jan 14:00' in the zone given; "" for no time."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone or "UTC")).strftime("%a %d %b %H:%M")


def span_in_zone(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'Mon 10 Mar 09:00–10:00 EDT': the abbreviation says which side of a DST change it is."""
    start, end = starts_at.astimezone(ZoneInfo(zone or "UTC")), ends_at.astimezone(ZoneInfo(zone or "UTC"))
    return f"{start:%a %d %b %H:%M}–{end:%H:%M} {end:%Z}"
