"""API for exchange rates: read by the money readers, entered by admins."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import ADMINS, IMPACT_READERS
from advocacy.insights.models import ExchangeRate
from advocacy.insights.money import queries, services

router = Router(tags=["insights"])


class RateIn(Schema):
    currency: str
    to_currency: str
    rate: Decimal
    valid_on: date


class RateOut(Schema):
    id: int
    currency: str
    to_currency: str
    rate: Decimal
    valid_on: date
    created_at: datetime


@router.get(
    "/insights/exchange-rates", response=list[RateOut], auth=api_auth(*IMPACT_READERS), summary="Exchange rates"
)
@paginate(Page)
def list_rates(request: HttpRequest) -> QuerySet[ExchangeRate]:
    return queries.exchange_rates()


@router.post(
    "/insights/exchange-rates",
    response={201: RateOut},
    auth=api_auth(*ADMINS),
    summary="Enter a dated rate (1 currency = rate to_currency from valid_on)",
)
def create_rate(request: HttpRequest, payload: RateIn) -> Status[ExchangeRate]:
    return Status(201, services.exchange_rate_add(by=actor(request), **payload.dict()))
