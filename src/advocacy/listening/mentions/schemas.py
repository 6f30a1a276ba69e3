"""Schemas of the listening API: queries, mentions, flags."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class QueryIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = "brand"
    terms: list[str] = Field(min_length=1)
    misspellings: list[str] = []
    exclusions: list[str] = []
    languages: list[str] = []


class QueryOut(Schema):
    id: int
    name: str
    kind: str
    terms: list[str]
    misspellings: list[str]
    exclusions: list[str]
    languages: list[str]
    active: bool


class MentionFilters(Schema):
    query_id: int | None = None
    source_id: int | None = None
    tone: str = ""
    customer_id: int | None = None
    flagged: str = ""
    since: date | None = None
    until: date | None = None
    text: str = ""


class MentionOut(Schema):
    id: int
    source_id: int
    canonical_url: str
    author: str
    handle: str
    title: str
    text: str
    language: str
    published_at: datetime
    rating: int | None
    sentiment: float
    sentiment_method: str
    matched_terms: list[str]
    customer_id: int | None
    matched_by: str
    duplicate_of_id: int | None


class MentionIn(Schema):
    source_id: int
    text: str = Field(min_length=1, max_length=20000)
    published_at: datetime
    url: str = ""
    author: str = ""
    handle: str = ""
    email: str = ""
    title: str = ""
    language: str = ""
    rating: int | None = Field(default=None, ge=1, le=5)


class IngestOut(Schema):
    received: int
    stored: list[int]
    duplicates: int
    unmatched: int


class FlagOut(Schema):
    id: int
    mention_id: int
    kind: str
    evidence: dict
    raised_at: datetime
    reminder_sent_at: datetime | None
