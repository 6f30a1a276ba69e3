"""API schemas: one In/Out pair per operation where they differ."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class AccountOut(Schema):
    id: int
    external_id: str | None
    name: str
    kind: str
    industry: str
    region: str
    size: str
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


class AccountIn(Schema):
    external_id: str | None = Field(None, max_length=100)
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "business"
    industry: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    size: str = ""
    owner_id: int | None = None


class AccountPatch(Schema):
    external_id: str | None = Field(None, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    industry: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    size: str | None = None
    owner_id: int | None = None


class ContactWindowOut(Schema):
    weekday: int
    starts: time
    ends: time


class CustomerOut(Schema):
    id: int
    external_id: str | None
    email: str
    first_name: str
    last_name: str
    phone: str
    time_zone: str
    locale: str
    account_id: int | None
    primary_advocate_id: int | None
    status: str
    customer_since: date | None
    churned_on: date | None
    contact_windows: list[ContactWindowOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contact_windows(obj: object) -> list[object]:
        return list(obj.contact_windows.all())  # type: ignore[attr-defined]


class CustomerIn(Schema):
    external_id: str | None = Field(None, max_length=100)
    email: str = Field(..., max_length=254)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    time_zone: str = "UTC"
    locale: str = Field("en", max_length=16)
    account_id: int | None = None
    primary_advocate_id: int | None = None
    status: str = "active"
    customer_since: date | None = None
    churned_on: date | None = None
    contact_hours: str | None = Field(
        None, description="Weekly windows in the customer's zone, e.g. 'Mon-Fri 09:00-12:00; Sat 10:00-12:00'"
    )


class CustomerPatch(Schema):
    external_id: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    time_zone: str | None = None
    locale: str | None = Field(None, max_length=16)
    account_id: int | None = None
    primary_advocate_id: int | None = None
    status: str | None = None
    customer_since: date | None = None
    churned_on: date | None = None
    contact_hours: str | None = None


class ProductOut(Schema):
    id: int
    external_id: str
    name: str
    competitor: str
    is_own: bool
    category: str
    price: Decimal
    currency: str
    margin_pct: Decimal | None
    capability_tags: list[str]
    active: bool


class ProductIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=100)
    name: str = Field(..., min_length=1, max_length=200)
    competitor: str = Field("", max_length=100)
    category: str = Field("", max_length=100)
    price: Decimal
    currency: str = "USD"
    margin_pct: Decimal | None = None
    capability_tags: list[str] = []
    active: bool = True


class ProductPatch(Schema):
    external_id: str | None = Field(None, min_length=1, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=200)
    competitor: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=100)
    price: Decimal | None = None
    currency: str | None = None
    margin_pct: Decimal | None = None
    capability_tags: list[str] | None = None
    active: bool | None = None


class OrderOut(Schema):
    id: int
    external_id: str | None
    customer_id: int
    product_id: int
    amount: Decimal
    currency: str
    kind: str
    ordered_on: date


class OrderIn(Schema):
    external_id: str | None = Field(None, max_length=100)
    customer_id: int
    product_id: int
    amount: Decimal
    currency: str
    kind: str = "new"
    ordered_on: date


class OrderPatch(Schema):
    external_id: str | None = Field(None, max_length=100)
    product_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    kind: str | None = None
    ordered_on: date | None = None


class EventOut(Schema):
    id: int
    customer_id: int
    kind: str
    occurred_at: datetime
    value: Decimal | None
    detail: str
    external_id: str | None


class EventIn(Schema):
    customer_id: int
    kind: str
    occurred_at: datetime
    value: Decimal | None = None
    detail: str = Field(
        "", max_length=100, description='What it was about: for "feature_use", the feature (a capability tag).'
    )
    external_id: str | None = Field(None, max_length=100)


class ProductInUseOut(Schema):
    product_id: int
    product_name: str = Field(alias="product.name")
    competitor: str = Field(alias="product.competitor")
    since: date | None


class ProductInUseIn(Schema):
    product_id: int
    since: date | None = Field(None, description="When they started using it, where known.")


class ConsentOut(Schema):
    id: int
    customer_id: int
    purpose: str
    granted: bool
    source: str
    recorded_at: datetime
    recorded_by_id: int | None
    note: str


class ConsentIn(Schema):
    customer_id: int
    purpose: str
    granted: bool
    source: str = Field(..., min_length=1, max_length=100)
    note: str = ""
    recorded_at: datetime | None = None
