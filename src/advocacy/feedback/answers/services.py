"""Every write of an answer: a one-click score, a comment, a web answer, an answer gathered elsewhere.

An answer is the customer's: it is stored first, and the loop (advocacy/loop.py) is told after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.core.errors import InvalidInput, LinkRefused
from advocacy.customers.models import Customer
from advocacy.feedback.learned.queries import comment_sentiment
from advocacy.feedback.links import invitation_from_token, survey_from_link
from advocacy.feedback.models import SCALES, Channel, Response, Survey
from advocacy.feedback.scales import score_category
from advocacy.outreach.webhooks.services import webhook_emit

logger = logging.getLogger(__name__)


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
    """Record a one-click answer the person confirmed (the POST of the score page's button; a GET never
    writes). A second click within the answer window changes it; never a second response.

    The first answer is settled by its confirmation, so the loop acts on it after commit. A change waits:
    the loop acts on it (updating or withdrawing what the earlier score caused) once the answer has stood
    unchanged for ANSWER_SETTLE_SECONDS, by ``answers_settle``.
    """
    response, settled = store_answer(token=token, score=score, channel=channel)
    return after_commit_recorded(response) if settled else response


def store_answer(*, token: str, score: int, channel: str) -> tuple[Response, bool]:
    """Store the score; say whether the answer is settled now (a first answer) or waits (a change)."""
    invitation = invitation_from_token(token)
    survey = invitation.survey
    check_score(survey, score)
    now = timezone.now()
    with transaction.atomic():
        existing = Response.objects.select_for_update().filter(invitation=invitation).first()
        if existing is None:
            try:
                with transaction.atomic():
                    created = Response.objects.create(
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
                    return created, True
            except IntegrityError:
                # Another click won the race; treat this one as the second click.
                existing = Response.objects.select_for_update().get(invitation=invitation)
        if now - existing.answered_at > timedelta(days=survey.answer_window_days):
            raise LinkRefused(
                "You answered this survey already, and the time to change the answer has passed.", "answered"
            )
        if existing.score == score:
            # The same score again: settled already, unless the loop has not acted on it yet.
            return existing, existing.acted_score is None and existing.settles_at is None
        # Rows from before settling, and the demo's, were acted on at their stored score.
        acted = existing.acted_score if existing.acted_score is not None else existing.score
        existing.acted_score = acted
        existing.score = score
        existing.updated_at = now
        # Back to the score the loop acted on: nothing to change, nothing waits.
        existing.settles_at = None if score == acted else now + timedelta(seconds=settings.ANSWER_SETTLE_SECONDS)
        existing.save(update_fields=["score", "updated_at", "acted_score", "settles_at"])
    return existing, False


def answer_acted(*, response_id: int, score: int) -> None:
    """The loop acted on this score: remember it, and the answer is settled unless it changed meanwhile."""
    with transaction.atomic():
        Response.objects.filter(pk=response_id).update(acted_score=score)
        Response.objects.filter(pk=response_id, score=score).update(settles_at=None)


def answers_settle(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Hand the loop each changed answer that has stood unchanged for ANSWER_SETTLE_SECONDS.

    Safe to run twice, and by two workers at once: the loop compares the score it acted on with the
    score now and acts only on the difference (each follow-up checks what exists), then marks the answer
    settled; an answer changed again meanwhile waits for its new time.
    """
    from advocacy import loop

    now = now or timezone.now()
    due = list(Response.objects.filter(settles_at__lte=now).order_by("settles_at").values_list("pk", flat=True)[:limit])

    def settle(response_id: int) -> None:
        try:
            loop.response_recorded(response_id)
        except Exception:  # one answer's failure must not hold back the others; it is retried next run
            logger.exception("answer %s: the loop could not act on its change", response_id)

    for response_id in due:
        # Outside a transaction on_commit runs at once; inside one (a caller's), after it commits.
        transaction.on_commit(partial(settle, response_id))
    return len(due)


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
    *,
    survey_token: str,
    score: int,
    comment: str = "",
    customer: Customer | None = None,
    channel: str = Channel.WEB,
    duplicate: bool = False,
) -> Response:
    """An answer through the shareable survey link (web or in-app); signed-in portal customers are named.
    ``duplicate`` flags an answer the page judged a likely repeat: kept and shown, left out of the scores."""
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
            duplicate=duplicate,
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
