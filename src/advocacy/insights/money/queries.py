"""Reads of exchange rates and conversion of per-currency totals into one reporting currency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from advocacy.insights.models import ExchangeRate

CENT = Decimal("0.01")


def exchange_rates() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("currency", "to_currency", "-valid_on")


def rate_on(currency: str, to_currency: str, on: dt.date) -> Decimal | None:
    """The latest rate in force on that day (entered for that day or before), else None."""
    if currency == to_currency:
        return Decimal(1)
    row = (
        ExchangeRate.objects.filter(currency=currency, to_currency=to_currency, valid_on__lte=on)
        .order_by("-valid_on")
        .values_list("rate", flat=True)
        .first()
    )
    return row


@dataclass
class Converted:
    """A total in one currency, and whether anything in it was converted (then the page says so)."""

    currency: str
    amount: Decimal = Decimal(0)
    converted_from: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def label(self) -> str:
        if self.missing:
            return f"no rate from {', '.join(self.missing)} to {self.currency}: those amounts are not in this total"
        if self.converted_from:
            return f"converted from {', '.join(self.converted_from)} at the admin's rates"
        return ""


def convert(per_currency: dict[str, Decimal], *, to: str, on: dt.date) -> Converted:
    """The sum in ``to``; each other currency converted at its rate on ``on`` and named, or named as missing."""
    out = Converted(currency=to)
    for currency, amount in sorted(per_currency.items()):
        rate = rate_on(currency, to, on)
        if rate is None:
            out.missing.append(currency)
            continue
        if currency != to:
            out.converted_from.append(currency)
        out.amount += amount * rate
    out.amount = out.amount.quantize(CENT)
    return out
