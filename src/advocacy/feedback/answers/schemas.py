"""Schemas of the answers API."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ResponseOut(Schema):
    id: int
    survey_id: int
    kind: str
    wave_id: int | None
    customer_id: int | None
    channel: str
    score: int
    comment: str
    sentiment: float | None
    theme_id: int | None
    external_id: str | None
    answered_at: datetime


class ResponseIn(Schema):
    survey_id: int
    customer_id: int | None = None
    score: int
    comment: str = Field("", max_length=5000)
    answered_at: datetime | None = None
    external_id: str | None = Field(None, max_length=100)
