"""Schemas of the stories API."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class StoryOut(Schema):
    id: int
    advocate_id: int
    title: str
    body: str
    quote: str
    consent_scope: str
    named: bool
    consent_expires_on: date | None
    consent_recorded_at: datetime
    incentivised: bool
    status: str
    published_scope: str
    published_at: datetime | None


class StoryFilters(Schema):
    status: str = ""


class PublishIn(Schema):
    scope: str


class WithdrawIn(Schema):
    reason: str = Field("", max_length=300)


class ExportFilters(Schema):
    scope: str = "website"
