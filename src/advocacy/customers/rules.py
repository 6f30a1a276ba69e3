"""Field rules shared by every way in (services, imports, API), each giving a specific reason."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from advocacy.customers.models import WEEKDAYS


class RuleError(ValueError):
    """A value broke a rule; the message says which and why, for a person to read."""


def clean_email(value: str) -> str:
    email = value.strip().lower()
    if not email:
        raise RuleError("email is empty")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise RuleError(f"{value.strip()!r} is not a valid email address") from exc
    return email


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_time_zone(value: str) -> str:
    zone = value.strip()
    if zone not in known_time_zones():
        raise RuleError(f"unknown time zone {zone!r}; use an IANA name such as 'Europe/Berlin'")
    return zone


def clean_event_detail(value: str) -> str:
    """An event's detail (the feature used) as stored: trimmed and lower-case, so one feature is one value."""
    return value.strip().lower()


CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def clean_currency(value: str) -> str:
    code = value.strip().upper()
    if not CURRENCY_CODE.fullmatch(code):
        raise RuleError(f"currency {value.strip()!r} is not a three-letter ISO 4217 code")
    return code


def clean_money(value: str | Decimal | int, *, field: str = "amount") -> Decimal:
    text = str(value).strip().replace(",", "") if not isinstance(value, Decimal) else value
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise RuleError(f"{field} {value!r} is not a number") from exc
    if not amount.is_finite():
        raise RuleError(f"{field} {value!r} is not a number")
    if amount < 0:
        raise RuleError(f"{field} {value} is negative")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RuleError(f"{field} {value} has more than two decimal places")
    return amount.quantize(Decimal("0.01"))


def clean_choice(value: str, choices: list[str], *, field: str) -> str:
    normalised = value.strip().lower().replace("-", "_").replace(" ", "_")
    if normalised not in choices:
        raise RuleError(f"{field} {value.strip()!r} is not one of: {', '.join(choices)}")
    return normalised


_DAY_NAMES = {name.lower(): i for i, name in enumerate(WEEKDAYS)}
_DAY_NAMES.update(
    {full: i for i, full in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
)
_WINDOW = re.compile(r"^\s*([A-Za-z]+)(?:\s*-\s*([A-Za-z]+))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def _day(name: str) -> int:
    try:
        return _DAY_NAMES[name.lower()]
    except KeyError as exc:
        raise RuleError(f"unknown weekday {name!r}") from exc


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(23, 59, 59)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise RuleError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def parse_contact_windows(text: str) -> list[tuple[int, time, time]]:
    """'Mon-Fri 09:00-12:00; Sat 10:00-13:00' → (weekday, start, end) triples, Monday = 0."""
    windows: list[tuple[int, time, time]] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]", text))):
        match = _WINDOW.match(part)
        if not match:
            raise RuleError(f"contact hours {part!r} should look like 'Mon-Fri 09:00-17:00'")
        first, last, start_text, end_text = match.groups()
        start, end = _clock(start_text), _clock(end_text)
        if end <= start:
            raise RuleError(f"contact hours {part!r} end before they start")
        days = range(_day(first), _day(last or first) + 1)
        if not days:
            raise RuleError(f"contact hours {part!r} run backwards through the week")
        windows.extend((day, start, end) for day in days)
    return windows


def format_contact_windows(windows: list[tuple[int, time, time]]) -> str:
    return "; ".join(f"{WEEKDAYS[d]} {s:%H:%M}-{e:%H:%M}" for d, s, e in windows)


# Dates and times. ISO is always accepted; day/month orders only where the value cannot be read
# both ways, because a silently swapped day and month corrupts data without anyone noticing.

_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_NAMED_MONTH_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _named_month_date(text: str) -> date | None:
    for pattern in _NAMED_MONTH_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _day_month_date(text: str, first: int, second: int, year: int) -> date:
    """dd/mm/yyyy (EU) or mm/dd/yyyy (US): only one reading may be a real date, or both equal."""
    readings = set()
    for day, month in ((first, second), (second, first)):
        try:
            readings.add(date(year, month, day))
        except ValueError:
            continue
    if not readings:
        raise RuleError(f"date {text!r} is not a real date")
    if len(readings) > 1:
        eu, us = date(year, second, first), date(year, first, second)
        raise RuleError(
            f"date {text!r} is ambiguous (day/month or month/day); write it as {eu.isoformat()} or {us.isoformat()}"
        )
    return readings.pop()


def clean_date(value: str, *, field: str = "date") -> date:
    text = value.strip()
    if not text:
        raise RuleError(f"{field} is empty")
    # A date-time in a date column (CRM exports often add 00:00:00) keeps its date part.
    head = re.split(r"[T ]", text, maxsplit=1)[0] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    found = _iso_date(head) or _named_month_date(text)
    if found:
        return found
    match = _NUMERIC_DATE.match(head)
    if not match:
        raise RuleError(f"{field} {text!r} is not a date; write it as YYYY-MM-DD")
    first, second, year_text = match.groups()
    if len(year_text) == 2:
        raise RuleError(f"{field} {text!r} has a two-digit year; write it as YYYY-MM-DD")
    return _day_month_date(text, int(first), int(second), int(year_text))


def clean_datetime(value: str, *, zone: tzinfo, field: str = "time") -> datetime:
    """An aware UTC datetime. A time without an offset is read in ``zone``; a bare date is midnight."""
    text = value.strip()
    if not text:
        raise RuleError(f"{field} is empty")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _datetime_from_parts(text, field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _datetime_from_parts(text: str, *, field: str) -> datetime:
    day_text, _, clock_text = text.partition(" ")
    day = clean_date(day_text, field=field)
    if not clock_text.strip():
        return datetime.combine(day, time())
    try:
        clock = time.fromisoformat(clock_text.strip())
    except ValueError as exc:
        raise RuleError(f"{field} {text!r} has no readable time of day; use YYYY-MM-DD HH:MM") from exc
    return datetime.combine(day, clock)


_YES = {"yes", "y", "true", "t", "1", "x", "granted", "opted in", "opt in", "opt-in", "subscribed"}
_NO = {"no", "n", "false", "f", "0", "withdrawn", "opted out", "opt out", "opt-out", "unsubscribed"}


def clean_yes_no(value: str, *, field: str) -> bool:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RuleError(f"{field} {value.strip()!r} should be yes or no")


def clean_decimal(value: str, *, field: str, places: int = 2) -> Decimal:
    """A number that may be negative (unlike money), with at most ``places`` decimals."""
    text = value.strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise RuleError(f"{field} {value.strip()!r} is not a number") from exc
    if not number.is_finite():
        raise RuleError(f"{field} {value.strip()!r} is not a number")
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise RuleError(f"{field} {value.strip()} has more than {places} decimal places")
    return number.quantize(Decimal(1).scaleb(-places))
