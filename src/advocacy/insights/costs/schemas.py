"""Schemas of the cost ledger API."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class CostIn(Schema):
    month: date = Field(..., description="Any day of the month the cost belongs to.")
    kind: str = Field(..., description="gifts, events, staff_time, software or other")
    amount: Decimal | None = Field(None, description="Not for staff time: hours × hourly_rate instead.")
    currency: str
    source: str = ""
    staff_role: str = ""
    hours: Decimal | None = None
    hourly_rate: Decimal | None = None
    note: str = ""


class CostOut(Schema):
    id: int
    month: date
    kind: str
    source: str
    amount: Decimal
    currency: str
    staff_role: str
    hours: Decimal | None
    hourly_rate: Decimal | None
    note: str
    source_key: str | None
    reverses_id: int | None
    created_at: datetime


class ReverseIn(Schema):
    note: str = ""


class SavingIn(Schema):
    month: date
    amount: Decimal
    currency: str
    description: str


class SavingOut(Schema):
    id: int
    month: date
    amount: Decimal
    currency: str
    description: str
