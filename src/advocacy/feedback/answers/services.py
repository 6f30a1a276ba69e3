"""Every write of an answer: a one-click score, a comment, a web answer, an answer gathered elsewhere.

An answer is the customer's: it is stored first, and the loop (advocacy/loop.py) is told after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.core.errors import InvalidInput, LinkRefused
from advocacy.customers.models import Customer
from advocacy.feedback.links import invitation_from_token, survey_from_link
from advocacy.feedback.models import SCALES, Channel, Response, Survey
from advocacy.feedback.scales import score_category
from advocacy.feedback.sentiment import comment_sentiment
from advocacy.outreach.webhooks.services import webhook_emit


def check_score(survey: Survey, score: int) -> None:
    low, high = SCALES[survey.kind]
    if not low <= score <= high:
        raise InvalidInput({"score": f"the score must be between {low} and {high}"})


def after_commit_recorded(response: Response) -> Response:
    """Tell the loop (advocacy/loop.py) once the answer is stored, and publish the ``answer.recorded``
    webhook (written now, sent after commit)."""
    from advocacy import loop

    webhook_emit(
        event_type="answer.recorded",
        payload={
            "response_id": response.pk,
            "survey_id": response.survey_id,
            "kind": response.kind,
            "customer_id": response.customer_id,
            "score": response.score,
            "category": score_category(response.kind, response.score),
            "channel": response.channel,
            "answered_at": response.answered_at,
            "updated_at": response.updated_at,
        },
    )
    transaction.on_commit(lambda: loop.response_recorded(response.pk))
    return response


def after_commit_commented(response: Response) -> None:
    """Tell the loop once the comment is stored (it may add it to the case the answer opened)."""
    from advocacy import loop

    transaction.on_commit(lambda: loop.comment_added(response.pk))


def answer_record(*, token: str, score: int, channel: str = Channel.EMAIL) -> Response:
    """Record a one-click answer. A second click within the window updates it; never a second response."""
    return after_commit_recorded(store_answer(token=token, score=score, channel=channel))


def store_answer(*, token: str, score: int, channel: str) -> Response:
    invitation = invitation_from_token(token)
    survey = invitation.survey
    check_score(survey, score)
    now = timezone.now()
    with transaction.atomic():
        existing = Response.objects.select_for_update().filter(invitation=invitation).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return Response.objects.create(
                        survey=survey,
                        kind=survey.kind,
                        wave=invitation.wave,
                        invitation=invitation,
                        customer=invitation.customer,
                        channel=channel,
                        score=score,
                        answered_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # Another click won the race; treat this one as the second click.
                existing = Response.objects.select_for_update().get(invitation=invitation)
        if now - existing.answered_at > timedelta(days=survey.answer_window_days):
            raise LinkRefused(
                "You answered this survey already, and the time to change the answer has passed.", "answered"
            )
        if existing.score != score:
            existing.score = score
            existing.updated_at = now
            existing.save(update_fields=["score", "updated_at"])
    return existing


def comment_add(*, response: Response, comment: str) -> Response:
    text = comment.strip()
    if len(text) > 5000:
        raise InvalidInput({"comment": "please keep the comment under 5,000 characters"})
    if timezone.now() - response.answered_at > timedelta(days=response.survey.answer_window_days):
        raise LinkRefused("The time to change this answer has passed.", "answered")
    response.comment = text
    response.sentiment = comment_sentiment(text)
    response.updated_at = timezone.now()
    response.save(update_fields=["comment", "sentiment", "updated_at"])
    after_commit_commented(response)
    return response


def web_response_create(
    *, survey_token: str, score: int, comment: str = "", customer: Customer | None = None, channel: str = Channel.WEB
) -> Response:
    """An answer through the shareable survey link (web or in-app); signed-in portal customers are named."""
    survey = survey_from_link(survey_token)
    check_score(survey, score)
    now = timezone.now()
    return after_commit_recorded(
        Response.objects.create(
            survey=survey,
            kind=survey.kind,
            customer=customer,
            channel=channel,
            score=score,
            comment=comment.strip(),
            sentiment=comment_sentiment(comment),
            answered_at=now,
            updated_at=now,
        )
    )


def response_import(
    *,
    survey: Survey,
    customer: Customer | None,
    score: int,
    comment: str = "",
    channel: str = Channel.API,
    answered_at: datetime | None = None,
    external_id: str | None = None,
) -> tuple[Response, bool]:
    """An answer gathered elsewhere (a call centre, another tool); the same external id is one response."""
    check_score(survey, score)
    if answered_at is not None and timezone.is_naive(answered_at):
        raise InvalidInput({"answered_at": "give a time zone with the time"})
    if external_id:
        found = Response.objects.filter(survey=survey, external_id=external_id).first()
        if found is not None:
            return found, False
    moment = answered_at or timezone.now()
    response = Response.objects.create(
        survey=survey,
        kind=survey.kind,
        customer=customer,
        channel=channel,
        score=score,
        comment=comment.strip(),
        sentiment=comment_sentiment(comment),
        answered_at=moment,
        updated_at=moment,
        external_id=external_id or None,
    )
    return after_commit_recorded(response), True
