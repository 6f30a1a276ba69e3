"""Schemas of the sources API."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class SourceIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str
    url: str = ""
    interval_minutes: int = Field(default=60, ge=1)


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    interval_minutes: int
    enabled: bool
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_items: int
    last_new: int
    last_error: str
    failures: int
    next_fetch_at: datetime


class SourceCreatedOut(SourceOut):
    webhook_url: str
    secret: str = Field(description="Shown once: the sender signs every message with it.")


class RowErrorOut(Schema):
    line: int
    column: str
    value: str
    reason: str


class ReviewImportOut(Schema):
    file_name: str
    rows_read: int
    stored: int = Field(description="New mentions")
    unchanged: int = Field(description="Duplicates of mentions already stored")
    failed: int
    errors: list[RowErrorOut]
    errors_total: int
    ignored_columns: list[str]
