"""Writes of surveys: the survey itself, its waves, and each invitation from held or queued to sent.

Every invitation is an ask of the customer and goes through the contact layer: consent and the one
contact budget decide (``outreach.budget``), and the survey adds its own recontact rule.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template import Template, TemplateSyntaxError
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer
from advocacy.feedback.models import (
    DEFAULT_QUESTIONS,
    EveryUnit,
    Invitation,
    InvitationStatus,
    Schedule,
    Survey,
    SurveyKind,
    Wave,
)
from advocacy.feedback.surveys.mail import DEFAULT_EMAIL_HTML, DEFAULT_EMAIL_TEXT, invitation_email
from advocacy.feedback.surveys.queries import audience, audience_filter, survey_hold_reasons
from advocacy.outreach.budget.services import ask_record
from advocacy.outreach.mail.services import SendStates, message_id, send_claimed, sends_recover
from advocacy.outreach.models import ContactAsk

SURVEY_FIELDS = {
    "name",
    "question",
    "follow_up_question",
    "audience",
    "schedule",
    "every_n",
    "every_unit",
    "next_wave_on",
    "recontact_days",
    "answer_window_days",
    "link_valid_days",
    "email_subject",
    "email_text",
    "email_html",
    "active",
}


def render_check(text: str, field: str) -> None:
    try:
        Template(text)
    except TemplateSyntaxError as exc:
        raise InvalidInput({field: f"the template does not parse: {exc}"}) from exc


def check_survey(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = "give the survey a name"
    if fields.get("schedule") == Schedule.RECURRING and not (fields.get("every_n") and fields.get("every_unit")):
        errors["every_n"] = "a recurring survey needs an interval, e.g. every 3 months"
    if fields.get("every_unit") not in (None, "", *EveryUnit.values):
        errors["every_unit"] = "days or months"
    audience = fields.get("audience")
    if audience is not None:
        try:
            audience_filter(audience)
        except InvalidInput as exc:
            errors.update(exc.errors)
    for field in ("email_subject", "email_text", "email_html", "question", "follow_up_question"):
        if field in fields:
            try:
                render_check(str(fields[field]), field)
            except InvalidInput as exc:
                errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def survey_create(*, name: str, kind: str, by: User | None, **fields: Any) -> Survey:
    if kind not in SurveyKind.values:
        raise InvalidInput({"kind": f"{kind!r} is not one of: {', '.join(SurveyKind.values)}"})
    unknown = set(fields) - SURVEY_FIELDS
    if unknown:
        raise InvalidInput({field: "not a survey field" for field in sorted(unknown)})
    question, follow_up = DEFAULT_QUESTIONS[kind]
    values: dict[str, Any] = {
        "question": question,
        "follow_up_question": follow_up,
        "email_text": DEFAULT_EMAIL_TEXT,
        "email_html": DEFAULT_EMAIL_HTML,
        "email_subject": f"A quick question from {settings.COMPANY_NAME}",
        **{k: v for k, v in fields.items() if v is not None},
    }
    check_survey({"name": name, **values})
    survey = Survey.objects.create(name=name.strip(), kind=kind, created_by=by, **values)
    events.audit(actor=by, verb="survey.created", obj=survey)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, by: User | None, **fields: Any) -> Survey:
    unknown = set(fields) - SURVEY_FIELDS
    if unknown:
        raise InvalidInput(
            {field: "not a survey field (the kind of a survey cannot change)" for field in sorted(unknown)}
        )
    check_survey({"schedule": survey.schedule, "every_n": survey.every_n, "every_unit": survey.every_unit, **fields})
    changed = [f for f, v in fields.items() if getattr(survey, f) != v]
    for field in changed:
        setattr(survey, field, fields[field])
    if changed:
        survey.save()
        events.audit(actor=by, verb="survey.updated", obj=survey, data={"fields": changed})
    return survey


def add_interval(day: date, n: int, unit: str) -> date:
    if unit == EveryUnit.DAYS:
        return day + timedelta(days=n)
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class WaveOpened:
    wave: Wave
    queued: int
    held: int


def wave_open(*, survey: Survey, by: User | None = None, now: datetime | None = None) -> WaveOpened:
    """Open the next wave: invite the audience within the fatigue budget, record who was held back and why.

    The sends happen in a task enqueued after commit, so a rolled-back wave sends nothing.
    """
    if survey.schedule == Schedule.TRANSACTIONAL:
        raise ServiceError("A transactional survey has no waves; it is sent by transactional_invite.")
    if not survey.active:
        raise ServiceError("This survey is paused; activate it before opening a wave.")
    now = now or timezone.now()
    with transaction.atomic():
        number = (survey.waves.aggregate(last=Max("number"))["last"] or 0) + 1
        wave = Wave.objects.create(
            survey=survey, number=number, opened_at=now, closes_at=now + timedelta(days=max(survey.link_valid_days, 1))
        )
        queued, held = invite_audience(survey=survey, wave=wave, now=now)
        if survey.schedule == Schedule.RECURRING and survey.every_n and survey.every_unit:
            survey.next_wave_on = add_interval(timezone.localdate(now), survey.every_n, survey.every_unit)
        elif survey.schedule == Schedule.ONE_OFF:
            survey.next_wave_on = None
        survey.save(update_fields=["next_wave_on", "updated_at"])
        events.audit(actor=by, verb="wave.opened", obj=wave, data={"queued": queued, "held": held})
        enqueue_wave_sends(wave.pk)
    return WaveOpened(wave=wave, queued=queued, held=held)


def enqueue_wave_sends(wave_id: int) -> None:
    """The job that splits the wave into chunks, recorded with the wave; it runs after commit."""
    from advocacy.feedback.surveys.tasks import send_wave

    send_wave.enqueue_once(f"wave:{wave_id}:plan", wave_id)


def wave_chunks_enqueue(*, wave_id: int, size: int | None = None) -> int:
    """One job per WAVE_CHUNK_SIZE queued invitations, so a crash costs at most one chunk's retry and
    several workers share a wave. Returns the number of chunks; a second run finds none queued."""
    from advocacy.feedback.surveys.tasks import send_wave_chunk

    size = max(1, size or settings.WAVE_CHUNK_SIZE)
    queued = Invitation.objects.filter(wave_id=wave_id, status=InvitationStatus.QUEUED).order_by("pk")
    ids = list(queued.values_list("pk", flat=True))
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    with transaction.atomic():
        for chunk in chunks:
            key = f"wave:{wave_id}:chunk:{chunk[0]}-{chunk[-1]}"
            send_wave_chunk.enqueue_once(key, wave_id, chunk[0], chunk[-1])
    return len(chunks)


def wave_chunk_send(*, wave_id: int, first_id: int, last_id: int) -> int:
    """Send the queued invitations of one chunk; what an interrupted earlier attempt left is settled first."""
    rows = Invitation.objects.filter(wave_id=wave_id, pk__gte=first_id, pk__lte=last_id)
    sends_recover(rows=rows, states=INVITATION_SENDS)
    sent = 0
    for invitation_id in rows.filter(status=InvitationStatus.QUEUED).order_by("pk").values_list("pk", flat=True):
        sent += invitation_deliver(invitation_id)
    return sent


def invite_audience(*, survey: Survey, wave: Wave, now: datetime, batch: int = 2000) -> tuple[int, int]:
    queued = held = 0
    invitations: list[Invitation] = []
    for customer_id, reason in survey_hold_reasons(audience(survey), survey=survey, now=now, batch=batch):
        status = InvitationStatus.HELD if reason else InvitationStatus.QUEUED
        invitations.append(
            Invitation(
                survey=survey, wave=wave, customer_id=customer_id, status=status, held_reason=reason, created_at=now
            )
        )
        held, queued = held + bool(reason), queued + (not reason)
        if len(invitations) >= batch:
            save_invitations(invitations, now)
            invitations = []
    save_invitations(invitations, now)
    return queued, held


def save_invitations(invitations: list[Invitation], now: datetime) -> None:
    created = Invitation.objects.bulk_create(invitations)
    # bulk_create returns primary keys on PostgreSQL and SQLite 3.35+, which Django needs anyway.
    ContactAsk.objects.bulk_create(
        [
            ContactAsk(customer_id=i.customer_id, kind=AskKind.SURVEY, ref=f"invitation:{i.pk}", asked_at=now)
            for i in created
            if i.status == InvitationStatus.QUEUED
        ],
        ignore_conflicts=True,
    )


def transactional_invite(
    *, survey: Survey, customer: Customer, trigger: str, now: datetime | None = None
) -> Invitation:
    """Invite one customer after an event (a resolved case, a shipped order), within the fatigue budget.

    The same survey, customer and trigger is one invitation however often it is asked for.
    """
    if survey.schedule != Schedule.TRANSACTIONAL:
        raise ServiceError("Only a transactional survey can be sent after an event.")
    if not trigger.strip():
        raise InvalidInput({"trigger": "say what caused this invitation, e.g. 'case:123'"})
    now = now or timezone.now()
    existing = Invitation.objects.filter(survey=survey, customer=customer, trigger=trigger).first()
    if existing is not None:
        return existing
    reason = "" if survey.active else "survey is paused"
    if not reason:
        one = Customer.objects.filter(pk=customer.pk)
        reason = next(reason for _, reason in survey_hold_reasons(one, survey=survey, now=now))
        if not reason and not audience(survey).filter(pk=customer.pk).exists():
            reason = "customer is outside the survey's audience"
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                survey=survey,
                customer=customer,
                trigger=trigger,
                created_at=now,
                status=InvitationStatus.HELD if reason else InvitationStatus.QUEUED,
                held_reason=reason,
            )
            if not reason:
                ask_record(customer=customer, kind=AskKind.SURVEY, ref=f"invitation:{invitation.pk}", at=now)
                enqueue_invitation_send(invitation.pk)
    except IntegrityError:
        return Invitation.objects.get(survey=survey, customer=customer, trigger=trigger)
    return invitation


def enqueue_invitation_send(invitation_id: int) -> None:
    from advocacy.feedback.surveys.tasks import send_invitation

    send_invitation.enqueue_once(f"invitation:{invitation_id}", invitation_id)


INVITATION_SENDS = SendStates(
    queued=InvitationStatus.QUEUED,
    sending=InvitationStatus.SENDING,
    sent=InvitationStatus.SENT,
    failed=InvitationStatus.FAILED,
    unconfirmed=InvitationStatus.UNCONFIRMED,
)


def invitation_message(invitation: Invitation) -> EmailMessage:
    message = invitation_email(invitation)
    message.extra_headers["Message-ID"] = message_id("invitation", invitation.pk)
    return message


def invitation_deliver(invitation_id: int) -> bool:
    rows = Invitation.objects.select_related("survey", "customer")
    return send_claimed(rows=rows, pk=invitation_id, states=INVITATION_SENDS, build=invitation_message)


def invitation_send(*, invitation_id: int) -> Invitation | None:
    """Send one queued invitation, at most once: claimed queued → sending, with the handover marker
    (``outreach.mail.services.send_claimed``). A retry finds the row no longer queued and sends nothing;
    a temporary mail failure raises, so the job retries it after its back-off."""
    sends_recover(rows=Invitation.objects.filter(pk=invitation_id), states=INVITATION_SENDS)
    if not invitation_deliver(invitation_id):
        return None
    return Invitation.objects.get(pk=invitation_id)


def invitation_bounced(*, invitation: Invitation, reason: str = "") -> Invitation:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.BOUNCED, bounced_at=timezone.now(), error=reason[:300]
    )
    invitation.refresh_from_db()
    return invitation


def after_case_survey(name: str) -> Survey:
    """The transactional CSAT survey sent after a case is resolved (made on first use, editable after)."""
    survey = Survey.objects.filter(name=name, kind=SurveyKind.CSAT, schedule=Schedule.TRANSACTIONAL).first()
    if survey is None:
        survey = survey_create(
            name=name,
            kind=SurveyKind.CSAT,
            schedule=Schedule.TRANSACTIONAL,
            by=None,
            question="How satisfied are you with how we handled your request?",
            follow_up_question="What could we have done better?",
            recontact_days=0,
        )
    return survey
