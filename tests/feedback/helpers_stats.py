"""Builders for the statistics tests: a survey and many responses written in one bulk insert."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from advocacy.customers.models import Customer
from advocacy.feedback.models import Response, Survey, Theme, Wave


def make_survey(kind: str = "nps", name: str = "Relationship NPS") -> Survey:
    return Survey.objects.create(
        name=name,
        kind=kind,
        question="How likely are you to recommend us?",
        follow_up_question="Why?",
        email_subject="A question",
        email_text="text",
        email_html="<p>html</p>",
    )


def add_responses(
    survey: Survey,
    scores: Iterable[int],
    *,
    at: datetime,
    customer: Customer | Any = None,  # a Customer, or what CustomerFactory() returns
    wave: Wave | None = None,
    theme: Theme | None = None,
    comment: str = "",
    channel: str = "email",
) -> list[Response]:
    """One response per score, all answered at ``at``, in one INSERT."""
    return Response.objects.bulk_create(
        Response(
            survey=survey,
            kind=survey.kind,
            customer=customer,
            wave=wave,
            theme=theme,
            score=score,
            comment=comment,
            channel=channel,
            answered_at=at,
            updated_at=at,
        )
        for score in scores
    )


def nps_scores(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [8] * passives + [3] * detractors
