"""Schemas of the recommendations API."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class RankedOut(Schema):
    product_id: int
    name: str
    competitor: str
    fit: float
    covered: list[str]
    missing: list[str]
    price: Decimal
    currency: str
    price_compared: bool = Field(description="False when priced in another currency than the customer's.")
    cheaper_than_current: bool
    current: bool
    reason: str
    margin_pct: Decimal | None = Field(description="Staff-only information; never used in the order.")


class RankQuery(Schema):
    needs: str = Field("", description="Extra capability tags, comma-separated, on top of the case's needs.")


class RecommendationOut(Schema):
    id: int
    case_id: int | None
    customer_id: int
    product_id: int
    reason: str
    fit: float
    cheaper_than_current: bool
    competitor: bool
    customer_first: bool
    outcome: str
    recorded_by_id: int
    recorded_at: datetime


class RecommendationIn(Schema):
    case_id: int | None = None
    customer_id: int | None = Field(None, description="Needed when no case is given.")
    product_id: int
    reason: str = Field(..., min_length=1, max_length=2000)
    needs: list[str] = Field([], description="Extra needs; fit, 'cheaper' and 'competitor' are computed.")


class OutcomePatch(Schema):
    outcome: str


class RecommendationFilters(Schema):
    customer_id: int | None = None
    case_id: int | None = None
    recorded_by_id: int | None = None
    customer_first: bool | None = None
    since: datetime | None = None
