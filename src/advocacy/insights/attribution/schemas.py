"""Schemas of the attribution API: the figures under a model, the settings."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ModelOut(Schema):
    source: str
    window_days: int
    credit_rule: str
    basis: str
    first_order_only: bool
    in_words: str


class LineOut(Schema):
    source: str
    channel: str
    month: str
    currency: str
    outcome: str
    revenue: Decimal
    gross_profit: Decimal
    unknown_margin_revenue: Decimal
    credited_items: float


class ConvertedOut(Schema):
    currency: str
    amount: Decimal
    label: str


class AttributionOut(Schema):
    since: date
    until: date
    models: list[ModelOut]
    lines: list[LineOut]
    converted_total: ConvertedOut | None = None


class SettingOut(Schema):
    source: str
    window_days: int
    credit_rule: str
    basis: str
    first_order_only: bool
    updated_at: datetime | None = None
    in_words: str


class SettingIn(Schema):
    window_days: int | None = Field(None, description="Days; more than 0.")
    credit_rule: str | None = Field(None, description="first_touch, last_touch, linear or position")
    basis: str | None = Field(None, description="revenue or gross_profit")
    first_order_only: bool | None = None
