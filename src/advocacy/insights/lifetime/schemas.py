"""Lifetime value API schemas."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class LifetimeIn(Schema):
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="Default: the currency with most customers"
    )
    buckets: int = Field(12, ge=2, le=50, description="Bands of the value distribution")


class BucketOut(Schema):
    low: Decimal
    high: Decimal
    customers: int


class FitOut(Schema):
    version: int
    currency: str
    method: str
    fitted_at: datetime
    as_of: date
    holdout_days: int
    horizon_days: int
    parameters: dict
    customers: int
    calibration_customers: int
    calibration_mae: float | None = Field(
        description="Mean absolute error of predicted vs actual purchase days in the holdout"
    )
    calibration_predicted_mean: float | None
    calibration_actual_mean: float | None
    calibration_by_frequency: list[dict] = Field(
        description="Per calibration frequency: customers, mean predicted and actual"
    )
    note: str


class LifetimeOut(Schema):
    fit: FitOut
    customers: int
    historical_total: Decimal
    predicted_total: Decimal
    predicted_mean: Decimal | None
    predicted_median: Decimal | None
    predicted_p90: Decimal | None
    distribution: list[BucketOut]


class CustomerValueOut(Schema):
    currency: str = Field(alias="fit.currency")
    fit_version: int = Field(alias="fit.version")
    method: str = Field(alias="fit.method")
    horizon_days: int = Field(alias="fit.horizon_days")
    purchase_days: int
    historical_value: Decimal
    expected_purchases: float
    p_alive: float
    expected_order_value: Decimal
    predicted_value: Decimal


class RefitOut(Schema):
    job_id: int
