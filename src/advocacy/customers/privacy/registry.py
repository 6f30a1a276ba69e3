"""What each app contributes to a customer's data export and to their erasure.

The customers app owns the two operations; every app that keeps something about a customer registers
a *section* (the rows it exports) and an *eraser* (how it anonymises them) from its registration.py,
so adding a model that holds personal data means adding one function here, not editing the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from advocacy.customers.models import Customer


@dataclass(frozen=True)
class Identity:
    """What identified the customer before erasure: the strings erasers look for in free text."""

    customer_id: int
    email: str
    full_name: str
    phone: str
    external_id: str

    def needles(self) -> list[str]:
        return [value for value in (self.email, self.full_name, self.phone, self.external_id) if len(value) >= 4]

    def scrub(self, text: str) -> str:
        for needle in self.needles():
            text = text.replace(needle, ERASED)
        return text


ERASED = "[erased]"
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    name: str
    rows: Callable[[Customer], Rows]


@dataclass(frozen=True)
class Eraser:
    name: str
    erase: Callable[[Customer, Identity], int]  # returns the rows it changed or removed


SECTIONS: list[Section] = []
ERASERS: list[Eraser] = []


def register_section(name: str, rows: Callable[[Customer], Rows]) -> None:
    if any(section.name == name for section in SECTIONS):
        raise ValueError(f"export section {name!r} is registered twice")
    SECTIONS.append(Section(name, rows))


def register_eraser(name: str, erase: Callable[[Customer, Identity], int]) -> None:
    if any(eraser.name == name for eraser in ERASERS):
        raise ValueError(f"eraser {name!r} is registered twice")
    ERASERS.append(Eraser(name, erase))


def scrub_json_rows(rows: QuerySet[Any], field: str, identity: Identity) -> int:
    """Replace the customer's identifying strings inside a JSON column, on the rows that hold them."""
    as_text = rows.annotate(_as_text=Cast(field, TextField()))
    return scrubbed(naming(as_text, ["_as_text"], identity), [field], identity)


def scrub_text_rows(rows: QuerySet[Any], fields: list[str], identity: Identity) -> int:
    """Replace the customer's identifying strings inside text columns, on the rows that hold them."""
    return scrubbed(naming(rows, fields, identity), fields, identity)


def naming(rows: QuerySet[Any], columns: list[str], identity: Identity) -> QuerySet[Any]:
    """The rows with one of the customer's identifying strings in one of the columns."""
    matches = Q()
    for needle in identity.needles():
        for column in columns:
            matches |= Q(**{f"{column}__contains": needle})
    return rows.filter(matches) if matches else rows.none()


def scrubbed(rows: QuerySet[Any], fields: list[str], identity: Identity) -> int:
    changed = 0
    for row in rows:
        for field in fields:
            setattr(row, field, scrub_value(getattr(row, field), identity))
        row.save(update_fields=fields)
        changed += 1
    return changed


def scrub_value(value: Any, identity: Identity) -> Any:
    if isinstance(value, str):
        return identity.scrub(value)
    if isinstance(value, dict):
        return {identity.scrub(str(k)): scrub_value(v, identity) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(v, identity) for v in value]
    return value


def rows(values: Iterable[Mapping[str, Any]]) -> Rows:
    """A ``.values()`` query as the plain rows an export section returns."""
    return [dict(row) for row in values]
