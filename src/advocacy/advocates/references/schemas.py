"""Schemas of the references API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ReferenceRequestIn(Schema):
    prospect: str = Field(..., min_length=1, max_length=200)
    industry: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    size: str = ""
    product_id: int | None = None
    use_case: str = ""
    opportunity_value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    needed_by: date


class ReferenceRequestOut(Schema):
    id: int
    requested_by_id: int
    prospect: str
    industry: str
    region: str
    size: str
    product_id: int | None
    use_case: str
    opportunity_value: Decimal
    currency: str
    needed_by: date
    status: str
    created_at: datetime


class MatchOut(Schema):
    advocate_id: int
    customer_id: int
    name: str
    fit: float
    reasons: list[str]
    excluded: list[str]
    available: bool

    @staticmethod
    def from_match(match: Any) -> "MatchOut":
        return MatchOut(
            advocate_id=match.advocate.pk,
            customer_id=match.customer.pk,
            name=str(match.customer),
            fit=match.fit,
            reasons=match.reasons,
            excluded=match.excluded,
            available=match.available,
        )


class AskOut(Schema):
    id: int
    request_id: int
    advocate_id: int
    fit: float
    status: str
    asked_at: datetime
    answered_at: datetime | None


class CallIn(Schema):
    held_on: date
    notes: str = ""
    deal_outcome: str = "open"
    deal_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class CallOut(Schema):
    id: int
    ask_id: int
    held_on: date
    notes: str
    deal_outcome: str
    deal_amount: Decimal | None
    currency: str


class CancelIn(Schema):
    reason: str = Field(..., max_length=500)
