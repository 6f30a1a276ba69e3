"""Writes of exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.insights.currency import check_currency
from advocacy.insights.models import ExchangeRate


def check_rate(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput({"rate": f"{value!r} is not a number"}) from None
    if not rate.is_finite() or rate <= 0:
        raise InvalidInput({"rate": f"a rate is a positive number; got {value}"})
    return rate


@transaction.atomic
def exchange_rate_add(
    *, currency: str, to_currency: str, rate: Any, valid_on: dt.date, by: User | None
) -> ExchangeRate:
    """1 ``currency`` = ``rate`` ``to_currency`` from ``valid_on`` until a later rate."""
    code, to_code, value = check_currency(currency), check_currency(to_currency, field="to_currency"), check_rate(rate)
    if code == to_code:
        raise InvalidInput({"to_currency": "a rate converts between two different currencies"})
    try:
        with transaction.atomic():
            return ExchangeRate.objects.create(
                currency=code, to_currency=to_code, rate=value, valid_on=valid_on, created_by=by
            )
    except IntegrityError:
        raise ServiceError(f"A rate from {code} to {to_code} on {valid_on} exists already.") from None
