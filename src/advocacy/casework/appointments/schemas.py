"""Schemas of the appointment and recommendation API: one in and one out per operation."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    customer_time: str = Field(description="In the customer's zone, e.g. 'Mon 10 Mar 09:00–10:00 EDT'.")
    staff_time: str = Field(description="In the staff member's zone.")


class SlotQuery(Schema):
    duration_minutes: int = Field(60, ge=15, le=480)
    n: int = Field(5, ge=1, le=50)
    days_ahead: int = Field(21, ge=0, le=90)


class AppointmentOut(Schema):
    id: int
    case_id: int | None
    customer_id: int
    staff_id: int
    starts_at: datetime
    ends_at: datetime
    topic: str
    status: str
    sequence: int
    reminder_sent_at: datetime | None
    created_at: datetime


class AppointmentIn(Schema):
    case_id: int | None = Field(None, description="The customer and (unless staff_id is given) the owner come from it.")
    customer_id: int | None = None
    staff_id: int | None = Field(None, description="Defaults to the case owner, else the caller.")
    starts_at: datetime = Field(description="With a zone offset, e.g. 2025-03-10T13:00:00Z.")
    duration_minutes: int = Field(60, ge=1, le=480)
    topic: str = Field(..., min_length=1, max_length=200)


class AppointmentPatch(Schema):
    starts_at: datetime = Field(description="The new start, with a zone offset; the length stays the same.")


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class AppointmentFilters(Schema):
    staff_id: int | None = None
    customer_id: int | None = None
    since: datetime | None = Field(None, description="Appointments ending at or after this moment.")
    status: str = ""
