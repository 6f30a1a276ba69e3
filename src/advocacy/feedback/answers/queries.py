"""Reads of answers: the answer behind a link, and the filtered list the API and exports page through."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from advocacy.core.errors import LinkRefused
from advocacy.feedback.links import invitation_from_token
from advocacy.feedback.models import Response


def response_for_token(token: str) -> Response:
    invitation = invitation_from_token(token)
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        raise LinkRefused("Choose a score first: use one of the numbers in the mail.", "unanswered")
    return response


EXPORT_FIELDS = (
    "id",
    "survey_id",
    "kind",
    "wave_id",
    "customer_id",
    "channel",
    "score",
    "comment",
    "sentiment",
    "answered_at",
)


def responses_matching(
    *,
    survey_id: int | None = None,
    customer_id: int | None = None,
    wave_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Response]:
    responses = Response.objects.order_by("-answered_at", "-id")
    for field, value in (("survey_id", survey_id), ("customer_id", customer_id), ("wave_id", wave_id)):
        if value is not None:
            responses = responses.filter(**{field: value})
    if since:
        responses = responses.filter(answered_at__gte=since)
    if until:
        responses = responses.filter(answered_at__lt=until)
    return responses
