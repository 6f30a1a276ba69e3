from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    question: str
    follow_up_question: str
    audience: dict[str, Any]
    schedule: str
    every_n: int | None
    every_unit: str
    next_wave_on: date | None
    recontact_days: int
    answer_window_days: int
    link_valid_days: int
    active: bool


class SurveyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str
    schedule: str = "one_off"
    question: str | None = Field(None, max_length=300)
    follow_up_question: str | None = Field(None, max_length=300)
    audience: dict[str, Any] = {}
    every_n: int | None = Field(None, ge=1)
    every_unit: str = ""
    next_wave_on: date | None = None
    recontact_days: int = Field(90, ge=0)
    answer_window_days: int = Field(7, ge=0)
    link_valid_days: int = Field(30, ge=1)
    email_subject: str | None = None
    email_text: str | None = None
    email_html: str | None = None
    active: bool = True


class SurveyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    question: str | None = Field(None, max_length=300)
    follow_up_question: str | None = Field(None, max_length=300)
    audience: dict[str, Any] | None = None
    schedule: str | None = None
    every_n: int | None = Field(None, ge=1)
    every_unit: str | None = None
    next_wave_on: date | None = None
    recontact_days: int | None = Field(None, ge=0)
    answer_window_days: int | None = Field(None, ge=0)
    link_valid_days: int | None = Field(None, ge=1)
    email_subject: str | None = None
    email_text: str | None = None
    email_html: str | None = None
    active: bool | None = None


class WaveOut(Schema):
    id: int
    survey_id: int
    number: int
    opened_at: datetime
    closes_at: datetime


class WaveOpenedOut(Schema):
    wave: WaveOut
    queued: int
    held: int


class InvitationOut(Schema):
    id: int
    survey_id: int
    wave_id: int | None
    customer_id: int
    channel: str
    trigger: str
    status: str
    held_reason: str
    created_at: datetime
    sent_at: datetime | None


class InvitationIn(Schema):
    survey_id: int
    customer_id: int
    trigger: str = Field(..., min_length=1, max_length=100, description="What caused it, e.g. 'case:123'")
