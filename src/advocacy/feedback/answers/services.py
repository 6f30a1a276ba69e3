"""Every write of an answer: a one-click score, a comment, a web answer, an answer gathered elsewhere.

An answer is the customer's: it is stored first, and the loop (advocacy/loop.py) is told after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any, NoReturn

from django.conf import settings
from django.db import NotSupportedError, connection, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from advocacy.core.errors import InvalidInput, LinkRefused
from advocacy.core.jobs.services import READ_WAKE_UP, wake_up_params
from advocacy.core.prepared import prepared_cursor
from advocacy.core.run_reads import forget_run_reads, reads_once_per_run
from advocacy.customers.models import Customer
from advocacy.feedback.learned.queries import comment_sentiment
from advocacy.feedback.links import invitation_from_token, invitation_id_from_token, survey_from_link
from advocacy.feedback.models import SCALES, Channel, Invitation, Response, Survey
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

    publish_recorded(response)
    transaction.on_commit(lambda: loop.response_recorded(response.pk))
    return response


def publish_recorded(response: Response, *, key: str | None = None) -> None:
    """The ``answer.recorded`` webhook; the same key is one event."""
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
        key=key,
    )


def after_commit_commented(response: Response) -> None:
    """Tell the loop once the comment is stored (it may add it to the case the answer opened)."""
    from advocacy import loop

    transaction.on_commit(lambda: loop.comment_added(response.pk))


def answer_record(*, token: str, score: int, channel: str = Channel.EMAIL) -> int:
    """Record a one-click answer the person confirmed (the POST of the score page's button; a GET never
    writes); returns the response's id. A second click within the answer window changes it; never a
    second response.

    The request does the least that keeps the guarantee: the token's signature is checked without a query,
    the answer is written by one statement (``answer_upsert``), and when the loop is due to act on it (a
    first answer is settled by its confirmation) the worker's follow-up run (``follow_up_answers``) is
    woken in the same transaction: one read when a run is queued already, as it is through a burst. On
    PostgreSQL that common case is a single statement in a transaction of its own
    (``answer_while_run_queued``); only a click that finds no run queued takes the longer way. A
    change waits: the loop acts on it once the answer has stood unchanged for ANSWER_SETTLE_SECONDS, by
    ``answers_settle``, which is also the safety net of a follow-up run that was lost or failed.
    """
    from advocacy.feedback.answers.tasks import wake_follow_up

    invitation_id = invitation_id_from_token(token)
    now = timezone.now()
    run_queued, stored = answer_while_run_queued(invitation_id=invitation_id, score=score, channel=channel, now=now)
    if not run_queued:
        with transaction.atomic():
            stored = answer_upsert(invitation_id=invitation_id, score=score, channel=channel, now=now)
            if stored is not None and stored[1]:
                wake_follow_up(invitation_id)
    if stored is None:  # after the transaction: on SQLite its reads need not hold the write lock
        refuse_answer(token=token, score=score)
    return stored[0]


def refuse_answer(*, token: str, score: int) -> NoReturn:
    """Say why the one statement stored nothing: the invitation is gone or its link expired, the score is
    off the scale, or the time to change the answer has passed. Only refused clicks pay for these reads."""
    invitation = invitation_from_token(token)
    check_score(invitation.survey, score)
    raise LinkRefused("You answered this survey already, and the time to change the answer has passed.", "answered")


# One statement stores an answer, whichever click it is (a first one, a change, the same score again,
# two racing clicks): the unique invitation decides between insert and update. It stores nothing (no row
# comes back) for an invitation that is gone, a link past its survey's link_valid_days, a score off the
# survey's scale, or a change after its answer_window_days.
#
# A first answer is written due at once (settles_at = now, acted_score NULL): the row itself says the
# loop owes it a follow-up until the loop records the score it acted on (answer_acted). A change to an
# answer the loop has not acted on yet stays due; a change to an acted one waits for the settle window,
# or is settled at once when it returns to the acted score; the same score again changes nothing.
UPSERT_ANSWER = """
INSERT INTO feedback_response
    (survey_id, kind, wave_id, invitation_id, customer_id, channel, score, comment, answered_at, updated_at,
     settles_at, duplicate)
SELECT i.survey_id, s.kind, i.wave_id, i.id, i.customer_id, %(channel)s, %(score)s, '', %(now)s, %(now)s,
       %(now)s, %(false)s
FROM feedback_invitation i JOIN feedback_survey s ON s.id = i.survey_id
WHERE i.id = %(invitation)s
  AND %(score)s BETWEEN {low} AND {high}
  AND COALESCE(i.sent_at, i.created_at) >= {link_valid_from}{only_if}
ON CONFLICT (invitation_id) DO UPDATE SET
    score = excluded.score,
    updated_at = CASE WHEN feedback_response.score = excluded.score THEN feedback_response.updated_at
                      ELSE excluded.updated_at END,
    acted_score = CASE WHEN feedback_response.score = excluded.score OR {not_acted_yet}
                       THEN feedback_response.acted_score
                       ELSE COALESCE(feedback_response.acted_score, feedback_response.score) END,
    settles_at = CASE WHEN feedback_response.score = excluded.score OR {not_acted_yet}
                      THEN feedback_response.settles_at
                      WHEN excluded.score = COALESCE(feedback_response.acted_score, feedback_response.score)
                      THEN NULL
                      ELSE %(settles)s END
WHERE feedback_response.answered_at >= {window_from}
RETURNING id, (settles_at IS NOT NULL AND settles_at <= %(now)s) AS due
"""

# PostgreSQL, while the answer's follow-up run is queued (through a burst, nearly always): the wake-up read
# under its shared lock (core_wakeup_queued, as wake_in_transaction reads it) and the upsert, only if the
# run is queued, in one statement and so one transaction of its own: one round trip instead of four
# (BEGIN, the upsert, the read, COMMIT). The upsert's condition needs the read, so the read (and its lock,
# held to the commit, which a run's clear waits for) comes first; a run not queued stores nothing, and the
# click takes the longer way, which queues the run with the answer. One row back: queued, then the answer's
# id and whether it is due (NULL when nothing was stored).
ANSWER_WHILE_RUN_QUEUED = """
WITH woken AS MATERIALIZED ({read_wake_up} AS queued),
stored AS ({upsert})
SELECT woken.queued, stored.id, stored.due FROM woken LEFT JOIN stored ON true
"""
RUN_QUEUED = "(SELECT queued FROM woken)"

# A row the loop has not acted on: written due and never acted on. Rows from before settling, and the
# demo's, have neither and were acted on at their stored score.
NOT_ACTED_YET = "(feedback_response.acted_score IS NULL AND feedback_response.settles_at IS NOT NULL)"

# ``now`` less a number of days, per database.
DAYS_BEFORE_NOW = {
    "sqlite": "datetime(%(now)s, '-' || ({days}) || ' days')",
    "postgresql": "%(now)s - make_interval(days => ({days}))",
}


def scale_bound(index: int) -> str:
    """The low (0) or high (1) end of the survey's scale, from SCALES, as SQL over ``s.kind``."""
    cases = " ".join(f"WHEN '{kind}' THEN {bounds[index]}" for kind, bounds in SCALES.items())
    return f"CASE s.kind {cases} END"


@cache
def upsert_answer_sql(vendor: str, *, only_if: str = "") -> str:
    if vendor not in DAYS_BEFORE_NOW:
        raise NotSupportedError(f"one-click answers are written for SQLite and PostgreSQL, not {vendor}")
    days_before = DAYS_BEFORE_NOW[vendor]
    window = "SELECT answer_window_days FROM feedback_survey WHERE id = feedback_response.survey_id"
    sql = UPSERT_ANSWER.format(
        low=scale_bound(0),
        high=scale_bound(1),
        link_valid_from=days_before.format(days="s.link_valid_days"),
        window_from=days_before.format(days=window),
        not_acted_yet=NOT_ACTED_YET,
        only_if=f"\n  AND {only_if}" if only_if else "",
    )
    # Written with the tables' names as the models give them; checked here so that a renamed table
    # fails loudly at the first click instead of writing somewhere else.
    tables = {Response._meta.db_table, Invitation._meta.db_table, Survey._meta.db_table}
    if tables != {"feedback_response", "feedback_invitation", "feedback_survey"}:
        raise NotSupportedError(f"the one-click answer statement names other tables than {sorted(tables)}")
    return sql


def upsert_params(invitation_id: int, score: int, channel: str, now: datetime) -> dict[str, Any]:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "invitation": invitation_id,
        "score": score,
        "channel": channel,
        "now": adapt(now),
        "settles": adapt(now + timedelta(seconds=settings.ANSWER_SETTLE_SECONDS)),
        "false": False,
    }


def answer_upsert(*, invitation_id: int, score: int, channel: str, now: datetime) -> tuple[int, bool] | None:
    """Store a click in one statement (see UPSERT_ANSWER): the response's id and whether the loop is due
    to act on it now, or None when nothing could be stored."""
    with prepared_cursor() as cursor:
        cursor.execute(upsert_answer_sql(connection.vendor), upsert_params(invitation_id, score, channel, now))
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), bool(row[1]))


@cache
def answer_while_run_queued_sql() -> str:
    """ANSWER_WHILE_RUN_QUEUED, built once: the wake-up read as every write reads it on PostgreSQL."""
    upsert = upsert_answer_sql("postgresql", only_if=RUN_QUEUED)
    return ANSWER_WHILE_RUN_QUEUED.format(read_wake_up=READ_WAKE_UP["postgresql"], upsert=upsert)


def answer_while_run_queued(
    *, invitation_id: int, score: int, channel: str, now: datetime
) -> tuple[bool, tuple[int, bool] | None]:
    """On PostgreSQL, store the click in one statement if its follow-up run is queued (see
    ANSWER_WHILE_RUN_QUEUED): whether the run was queued, and then what ``answer_upsert`` returns. Not
    queued, nothing was stored; on SQLite, where a click's statements are no round trips, it is not tried."""
    from advocacy.feedback.answers.tasks import follow_up_run_of

    if connection.vendor != "postgresql":
        return False, None
    params = {**upsert_params(invitation_id, score, channel, now), **wake_up_params(follow_up_run_of(invitation_id))}
    with prepared_cursor() as cursor:
        cursor.execute(answer_while_run_queued_sql(), params)
        queued, response_id, due = cursor.fetchone()
    if not queued:
        return False, None
    return True, (None if response_id is None else (int(response_id), bool(due)))


def answer_follow_up(*, response_id: int) -> None:
    """Let the loop act on a settled answer (a case for a detractor, a hub invitation for a promoter), once.

    The response row is locked while the loop acts, so two runs (the task and the settle sweep, or one
    task run twice) take turns, and the second finds the score acted on already and does nothing. The
    first time the loop acts on a one-click answer, the ``answer.recorded`` webhook is published (keyed
    by the response, so it is one event however often this runs).
    """
    from advocacy import loop

    with transaction.atomic():
        # Locks the answer's row only; the loop reads its customer and survey from this one statement.
        locked = Response.objects.select_for_update(of=("self",)).select_related("customer", "survey")
        response = locked.filter(pk=response_id).first()
        if response is None:
            return
        if response.acted_score is None and response.settles_at is not None:
            publish_recorded(response, key=f"answer.recorded:{response.pk}")
        loop.response_settled(response)


def answer_acted(*, response_id: int, score: int) -> None:
    """The loop acted on this score: remember it, and the answer is settled unless it changed meanwhile."""
    unchanged = Q(score=score)
    Response.objects.filter(pk=response_id).update(
        acted_score=score, settles_at=Case(When(unchanged, then=None), default=F("settles_at"))
    )


def answers_settle(*, now: datetime | None = None, limit: int = 1000, share: tuple[int, int] | None = None) -> int:
    """Hand the loop each answer that is due, the longest due first: a first answer the loop has not
    acted on yet (the clicks' follow-up run, ``follow_up_answers``, and its retry every minute), and a
    changed answer that has stood unchanged for ANSWER_SETTLE_SECONDS.

    Safe to run twice, and by two workers at once: ``answer_follow_up`` locks the answer while the loop
    compares the score it acted on with the score now and acts only on the difference, then marks the
    answer settled; an answer changed again meanwhile waits for its new time. With ``share`` (k, n), only
    the answers whose invitation's id is k modulo n.
    """
    now = now or timezone.now()
    # A first answer is due from the moment it is written, by its row (NOT_ACTED_YET), not by comparing
    # its settle time, stamped by the web server's clock, with this worker's clock: they may differ.
    not_acted_yet = Q(acted_score__isnull=True, settles_at__isnull=False)
    due_now = Response.objects.filter(not_acted_yet | Q(settles_at__lte=now)).order_by("settles_at")
    if share is not None:
        due_now = due_now.alias(share_of=F("invitation_id") % share[1]).filter(share_of=share[0])
    due = list(due_now.values_list("pk", flat=True)[:limit])

    def settle(response_id: int) -> None:
        try:
            answer_follow_up(response_id=response_id)
        except Exception:  # one answer's failure must not hold back the others; it is retried next run
            logger.exception("answer %s: the loop could not act on its change", response_id)
            forget_run_reads()

    # The loop's settings (its rules' switches, the case and contact policies) are read once for the run.
    with reads_once_per_run():
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
