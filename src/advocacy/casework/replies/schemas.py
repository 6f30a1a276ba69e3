"""Schemas of the reply templates API."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ReplyTemplateOut(Schema):
    id: int
    name: str
    body: str
    active: bool
    updated_at: datetime


class ReplyTemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    body: str = Field(..., min_length=1, max_length=5000, description="Placeholders: see /reply-templates docs.")
    active: bool = True


class ReplyTemplatePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    body: str | None = Field(None, min_length=1, max_length=5000)
    active: bool | None = None


class ReplyTemplateFilters(Schema):
    active: bool | None = None


class FilledReplyOut(Schema):
    template_id: int
    case_id: int
    body: str = Field(description="The template's text with the case's placeholders filled; edit before sending.")
