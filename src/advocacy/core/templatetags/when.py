"""One date and time format on every page, always in a named zone.

Loaded as a template builtin (settings.TEMPLATES), so every template writes ``{{ at|when }}``,
``{{ on|day }}`` or ``{{ on|month }}`` instead of its own ``date:"…"`` format.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()


def zone_label(moment: datetime) -> str:
    # An abbreviation ("CET", "EDT", "UTC") where the zone has one; some zones only have an offset
    # ("+03"), and then the zone's own name is clearer.
    abbreviation = moment.strftime("%Z")
    if abbreviation.isalpha():
        return abbreviation
    tz = moment.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else abbreviation


@register.filter
def when(value: datetime | None, zone: str = "") -> str:
    """'Tue 14 Jan 2026, 14:00 CET' in the viewer's zone (or the zone given); '' for none."""
    if not isinstance(value, datetime):
        return ""
    moment = value.astimezone(ZoneInfo(zone)) if zone else timezone.localtime(value)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} {zone_label(moment)}"


def local_date(value: date | datetime | None) -> date | None:
    """A date as given, or a moment's date in the viewer's zone; None for anything else."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date()
    return value if isinstance(value, date) else None


@register.filter
def day(value: date | datetime | None) -> str:
    """'14 Jan 2026'; a moment is read in the viewer's zone first."""
    found = local_date(value)
    return f"{found.day} {found:%b %Y}" if found else ""


@register.filter
def month(value: date | datetime | None) -> str:
    """'Jan 2026'."""
    found = local_date(value)
    return f"{found:%b %Y}" if found else ""
