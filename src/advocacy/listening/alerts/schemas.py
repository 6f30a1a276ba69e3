"""Schemas of the alerts API."""

from datetime import date, datetime

from ninja import Schema


class AlertOut(Schema):
    id: int
    query_id: int
    kind: str
    day: date
    observed: float
    baseline: float
    spread: float
    score: float
    mentions_count: int
    raised_at: datetime
    mailed_at: datetime | None
