"""From a record's raw cells to clean values, one rule per field, every broken rule reported.

A blank cell means "not given": a new row gets the field's default, an existing row keeps its
value. So a file that carries only some columns never wipes the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from advocacy.customers import rules
from advocacy.customers.importing.mapping import REQUIRED, ColumnMap
from advocacy.customers.models import (
    AccountKind,
    AccountSize,
    CustomerStatus,
    EngagementKind,
    OrderKind,
    normalise_handle,
)
from advocacy.customers.rules import RuleError


@dataclass(frozen=True)
class RowError:
    """One reason one record was not imported: its line, the file's column header, the value."""

    line: int
    column: str
    value: str
    reason: str


@dataclass
class Row:
    """A record whose every given field passed its rule. ``values`` holds only the given fields."""

    line: int
    values: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


Cleaner = Callable[[str], Any]


def text(limit: int, label: str) -> Cleaner:
    def clean(value: str) -> str:
        if len(value) > limit:
            raise RuleError(f"{label} is {len(value)} characters long; at most {limit} fit")
        return value

    return clean


def reference(value: str) -> str:
    """A reference to another row (account, customer, product, user), resolved in bulk later."""
    return value


def choice(choices: list[str], label: str, aliases: dict[str, str] | None = None) -> Cleaner:
    def clean(value: str) -> str:
        alias = (aliases or {}).get(re.sub(r"[^a-z]", "", value.lower()))
        return alias or rules.clean_choice(value, choices, field=label)

    return clean


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")


def locale(value: str) -> str:
    if not LANGUAGE_TAG.fullmatch(value) or len(value) > 16:
        raise RuleError(f"locale {value!r} is not a language tag such as 'en' or 'de-AT'")
    return value.replace("_", "-")


def percentage(value: str) -> Decimal:
    number = rules.clean_decimal(value.rstrip("%").strip(), field="margin %")
    if not Decimal(-100) <= number <= Decimal(100):
        raise RuleError(f"margin % {value!r} is not between -100 and 100")
    return number


def tags(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for tag in re.split(r"[;,|]", value):
        if tag.strip():
            seen.setdefault(tag.strip().lower(), None)
    return list(seen)


def social_handles(value: str) -> list[str]:
    """Handles separated by commas, semicolons or spaces, each stored bare and lower-case."""
    handles = sorted({normalise_handle(part) for part in re.split(r"[,;\s]+", value) if part.strip(" @")})
    too_long = [h for h in handles if len(h) > 100]
    if too_long:
        raise RuleError(f"a handle is at most 100 characters: {too_long[0][:30]}…")
    return handles


def contact_hours(value: str) -> list[tuple[Any, ...]]:
    return sorted(rules.parse_contact_windows(value))


def occurred_at(value: str) -> Any:
    # Naive times are local office times; they are stored in UTC.
    return rules.clean_datetime(value, zone=ZoneInfo(settings.TIME_ZONE), field="occurred at")


def yes_no(label: str) -> Cleaner:
    return lambda value: rules.clean_yes_no(value, field=label)


SIZE_ALIASES = {"midmarket": "mid", "medium": "mid", "smb": "small", "large": "enterprise", "b2c": "consumer"}
ORDER_KIND_ALIASES = {"newbusiness": "new", "upgrade": "upsell", "crosssell": "cross_sell", "renew": "renewal"}

EMPLOYEE_BANDS = ((1000, AccountSize.ENTERPRISE.value), (50, AccountSize.MID.value), (1, AccountSize.SMALL.value))
size_word = choice(AccountSize.values, "size", SIZE_ALIASES)


def company_size(value: str) -> str:
    """A size word, or a head count as CRMs export it ("250", "1,200", "50-199") put in its band."""
    digits = re.fullmatch(r"\s*([\d,. ]+)(?:\s*[-–]\s*[\d,. ]+|\+)?\s*", value)
    if digits is None:
        return size_word(value)
    count = int(re.sub(r"[^\d]", "", digits.group(1)) or 0)
    for floor, band in EMPLOYEE_BANDS:
        if count >= floor:
            return band
    raise RuleError(f"size {value!r}: a head count must be at least 1")


CLEANERS: dict[str, dict[str, Cleaner]] = {
    "customers": {
        "external_id": text(100, "external id"),
        "email": rules.clean_email,
        "first_name": text(100, "first name"),
        "last_name": text(100, "last name"),
        "phone": text(40, "phone"),
        "time_zone": rules.clean_time_zone,
        "locale": locale,
        "account": reference,
        "status": choice(CustomerStatus.values, "status"),
        "customer_since": lambda v: rules.clean_date(v, field="customer since"),
        "churned_on": lambda v: rules.clean_date(v, field="churn date"),
        "contact_hours": contact_hours,
        "social_handles": social_handles,
        "primary_advocate": reference,
        "consent_surveys": yes_no("surveys consent"),
        "consent_marketing": yes_no("marketing consent"),
        "consent_testimonial": yes_no("testimonial consent"),
        "consent_reference_call": yes_no("reference call consent"),
        "consent_public_story": yes_no("public story consent"),
    },
    "accounts": {
        "external_id": text(100, "external id"),
        "name": text(200, "name"),
        "kind": choice(AccountKind.values, "kind"),
        "industry": text(100, "industry"),
        "region": text(100, "region"),
        "size": company_size,
        "owner": reference,
    },
    "products": {
        "external_id": text(100, "SKU"),
        "name": text(200, "name"),
        "competitor": text(100, "competitor"),
        "category": text(100, "category"),
        "price": lambda v: rules.clean_money(v, field="price"),
        "currency": rules.clean_currency,
        "margin_pct": percentage,
        "capability_tags": tags,
    },
    "orders": {
        "external_id": text(100, "order id"),
        "customer": reference,
        "product": reference,
        "amount": rules.clean_money,
        "currency": rules.clean_currency,
        "kind": choice(OrderKind.values, "order kind", ORDER_KIND_ALIASES),
        "ordered_on": lambda v: rules.clean_date(v, field="order date"),
    },
    "events": {
        "external_id": text(100, "event id"),
        "customer": reference,
        "kind": choice(EngagementKind.values, "event kind"),
        "occurred_at": occurred_at,
        "value": lambda v: rules.clean_decimal(v, field="value"),
        "detail": lambda v: text(100, "detail")(rules.clean_event_detail(v)),
    },
}


class RecordCleaner:
    """One file's records to clean Rows: which cell feeds which field through which rule is worked out
    once for the file, not again for every record (an import checks millions)."""

    def __init__(self, kind: str, columns: ColumnMap) -> None:
        self.columns = columns
        self.fields = [
            (name, index, CLEANERS[kind][name], name in REQUIRED[kind], columns.header_of(name))
            for name, index in columns.columns.items()
        ]
        self.row_checks = ROW_CHECKS.get(kind, _no_checks)
        self.longest = settings.IMPORT_MAX_CELL_CHARS

    def clean(self, line: int, cells: list[str]) -> tuple[Row | None, list[RowError]]:
        """The record as a Row, or None and every reason it cannot be one."""
        errors = _overflow_errors(line, cells, self.columns) if len(cells) > self.columns.width else []
        values: dict[str, Any] = {}
        given: dict[str, str] = {}
        width = len(cells)
        for name, index, cleaner, required, header in self.fields:
            value = cells[index].strip() if index < width else ""
            if not value:
                if required:
                    errors.append(RowError(line, header, "", f"{_label(name)} is empty"))
                continue
            given[name] = value
            if len(value) > self.longest:
                reason = (
                    f"the cell is {len(value):,} characters long; at most {self.longest:,} fit (IMPORT_MAX_CELL_CHARS)"
                )
                errors.append(RowError(line, header, value, reason))
                continue
            try:
                values[name] = cleaner(value)
            except RuleError as exc:
                errors.append(RowError(line, header, value, str(exc)))
        if not errors:
            errors = [
                RowError(line, self.columns.header_of(name), given.get(name, ""), reason)
                for name, reason in self.row_checks(values)
            ]
        return (None, errors) if errors else (Row(line, values, given), [])


def _label(name: str) -> str:
    return name.replace("_", " ")


def _overflow_errors(line: int, cells: list[str], columns: ColumnMap) -> list[RowError]:
    """More values than headers usually means an unquoted comma shifted the columns."""
    width = columns.width
    extra = [cell for cell in cells[width:] if cell.strip()]
    if not extra:
        return []
    return [
        RowError(
            line,
            "",
            extra[0],
            f"the record has {len(cells)} values but the header names only "
            f"{width} columns; is a comma in a value unquoted?",
        )
    ]


def _no_checks(values: dict[str, Any]) -> list[tuple[str, str]]:
    return []


def customer_checks(values: dict[str, Any]) -> list[tuple[str, str]]:
    """A churned customer has a churn date and only a churned one does (the table holds that too).

    A churn date without a status implies churned, so the status is filled in here.
    """
    if values.get("churned_on") is not None and "status" not in values:
        values["status"] = CustomerStatus.CHURNED.value
    status, churned_on = values.get("status"), values.get("churned_on")
    if status == CustomerStatus.CHURNED and churned_on is None:
        return [("status", "status is churned but no churn date is given")]
    if status == CustomerStatus.ACTIVE and churned_on is not None:
        return [("churned_on", "a churn date is given but status is active")]
    since = values.get("customer_since")
    if churned_on is not None and since is not None and churned_on < since:
        return [("churned_on", f"churn date {churned_on} is before customer since {since}")]
    return []


ROW_CHECKS: dict[str, Callable[[dict[str, Any]], list[tuple[str, str]]]] = {"customers": customer_checks}
