"""Every write of the feedback app: surveys, waves, invitations, answers, unsubscribes, the fatigue ledger.

The contact-fatigue budget is one policy for every ask the company makes of a customer. Surveys use it
here; later capabilities (challenges, reference requests) call ``ask_hold_reason`` and ``ask_record``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import Consent, ConsentPurpose, Customer, CustomerStatus
from advocacy.customers.records.services import consent_record
from advocacy.feedback.models import (
    DEFAULT_QUESTIONS,
    SCALES,
    AskKind,
    Channel,
    ContactAsk,
    EveryUnit,
    FatiguePolicy,
    Invitation,
    InvitationStatus,
    Response,
    Schedule,
    Survey,
    SurveyKind,
    Wave,
)
from advocacy.feedback.sentiment import comment_sentiment

INVITATION_SALT = "advocacy.feedback.invitation"
SURVEY_LINK_SALT = "advocacy.feedback.survey-link"
UNSUBSCRIBE_SALT = "advocacy.feedback.unsubscribe"
WAVE_OPEN_DAYS = 14


class TokenRefused(ServiceError):
    """A survey link that cannot be used; ``reason`` is written for the customer."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


# Contact fatigue


def fatigue_policy() -> FatiguePolicy:
    policy, _ = FatiguePolicy.objects.get_or_create(id=1)
    return policy


def quarter_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    first_month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0)


def consent_now(purpose: str) -> Subquery:
    latest = Consent.objects.filter(customer=OuterRef("pk"), purpose=purpose).order_by("-recorded_at", "-id")
    return Subquery(latest.values("granted")[:1])


def with_fatigue_facts(customers: QuerySet[Customer], *, survey: Survey | None, now: datetime) -> QuerySet[Customer]:
    """Annotate each customer with what the policy needs, in one query for any number of customers."""
    asks = ContactAsk.objects.filter(customer=OuterRef("pk"))
    annotated = customers.annotate(
        survey_consent=consent_now(ConsentPurpose.SURVEYS),
        last_survey_ask=Subquery(asks.filter(kind=AskKind.SURVEY).order_by("-asked_at").values("asked_at")[:1]),
        asks_this_quarter=Subquery(
            asks.filter(asked_at__gte=quarter_start(now))
            .order_by()
            .values("customer")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
    )
    if survey is not None:
        annotated = annotated.annotate(
            last_this_survey=Subquery(
                Invitation.objects.filter(customer=OuterRef("pk"), survey=survey)
                .exclude(status=InvitationStatus.HELD)
                .order_by("-created_at")
                .values("created_at")[:1]
            )
        )
    return annotated


def hold_reason_from_facts(
    customer: Any, *, kind: str, survey: Survey | None, policy: FatiguePolicy, now: datetime
) -> str:
    """Why this ask must wait, or "" when it may go. Consent and unsubscribes always win."""
    if customer.status == CustomerStatus.CHURNED:
        return "customer has churned"
    if kind == AskKind.SURVEY:
        if customer.survey_consent is None:
            return "no consent to surveys on record"
        if customer.survey_consent is False:
            return "withdrew consent to surveys (or unsubscribed)"
        last = customer.last_survey_ask
        if last is not None and now - last < timedelta(days=policy.survey_cooldown_days):
            return (
                f"cooldown: asked to a survey {(now - last).days} days ago ({policy.survey_cooldown_days}-day cooldown)"
            )
        last_here = getattr(customer, "last_this_survey", None)
        if survey is not None and last_here is not None and now - last_here < timedelta(days=survey.recontact_days):
            return (
                f"recontact rule: invited to this survey {(now - last_here).days} days ago "
                f"(at most every {survey.recontact_days} days)"
            )
    if (customer.asks_this_quarter or 0) >= policy.max_asks_per_quarter:
        return (
            f"quarterly budget used: {customer.asks_this_quarter} asks this quarter "
            f"(limit {policy.max_asks_per_quarter})"
        )
    return ""


def ask_hold_reason(*, customer: Customer, kind: str, survey: Survey | None = None, now: datetime | None = None) -> str:
    """The reason an ask of this customer must wait, or "" when the budget allows it."""
    now = now or timezone.now()
    facts = with_fatigue_facts(Customer.objects.filter(pk=customer.pk), survey=survey, now=now).get()
    return hold_reason_from_facts(facts, kind=kind, survey=survey, policy=fatigue_policy(), now=now)


def ask_record(*, customer: Customer, kind: str, ref: str, at: datetime | None = None) -> ContactAsk:
    """Draw one ask from the customer's budget; recording the same ask twice changes nothing."""
    ask, _ = ContactAsk.objects.get_or_create(
        kind=kind, ref=ref, defaults={"customer": customer, "asked_at": at or timezone.now()}
    )
    return ask


@transaction.atomic
def fatigue_policy_update(*, by: User | None, survey_cooldown_days: int, max_asks_per_quarter: int) -> FatiguePolicy:
    policy = fatigue_policy()
    policy.survey_cooldown_days = survey_cooldown_days
    policy.max_asks_per_quarter = max_asks_per_quarter
    policy.save()
    events.audit(
        actor=by,
        verb="fatigue_policy.updated",
        obj=policy,
        data={"survey_cooldown_days": survey_cooldown_days, "max_asks_per_quarter": max_asks_per_quarter},
    )
    return policy


# Surveys


def render_check(text: str, field: str) -> None:
    try:
        Template(text)
    except TemplateSyntaxError as exc:
        raise InvalidInput({field: f"the template does not parse: {exc}"}) from exc


DEFAULT_EMAIL_TEXT = """Hello {{ first_name|default:"there" }},

{{ question }}

{% for link in score_links %}{{ link.score }}: {{ link.url }}
{% endfor %}
{{ scale_min }} = {{ low_label }}, {{ scale_max }} = {{ high_label }}.
One click records your answer; you can add a comment next.

Unsubscribe from surveys: {{ unsubscribe_url }}
"""

DEFAULT_EMAIL_HTML = """<p>Hello {{ first_name|default:"there" }},</p>
<p><strong>{{ question }}</strong></p>
<table role="presentation" style="border-collapse:collapse"><tr>
{% for link in score_links %}<td style="padding:2px"><a href="{{ link.url }}"
 style="display:inline-block;min-width:28px;padding:8px 6px;border:1px solid #99a;border-radius:4px;
 text-align:center;text-decoration:none;color:#123">{{ link.score }}</a></td>{% endfor %}
</tr></table>
<p style="color:#555;font-size:12px">{{ scale_min }} = {{ low_label }}, {{ scale_max }} = {{ high_label }}.
One click records your answer.</p>
<p style="color:#555;font-size:12px"><a href="{{ unsubscribe_url }}">Unsubscribe from surveys</a></p>
"""

SCALE_LABELS = {
    SurveyKind.NPS: ("not at all likely", "extremely likely"),
    SurveyKind.CSAT: ("very dissatisfied", "very satisfied"),
    SurveyKind.CES: ("strongly disagree", "strongly agree"),
}

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


AUDIENCE_FIELDS = {
    "region": "account__region__in",
    "industry": "account__industry__in",
    "size": "account__size__in",
    "account_kind": "account__kind__in",
    "locale": "locale__in",
    "time_zone": "time_zone__in",
    "primary_advocate": "primary_advocate_id__in",
}


def audience_filter(audience: dict[str, Any]) -> Q:
    """The survey's audience as a filter: each named field lists the values it may take."""
    if not isinstance(audience, dict):
        raise InvalidInput({"audience": "the audience is an object of field → list of values"})
    condition = Q(status=CustomerStatus.ACTIVE)
    errors = {}
    for field, values in audience.items():
        if field == "customer_since_before":
            try:
                condition &= Q(customer_since__lt=date.fromisoformat(str(values)))
            except ValueError:
                errors["audience"] = f"customer_since_before {values!r} is not a date (YYYY-MM-DD)"
            continue
        if field not in AUDIENCE_FIELDS:
            errors["audience"] = f"cannot filter on {field!r}; use {', '.join(sorted(AUDIENCE_FIELDS))}"
            continue
        listed = values if isinstance(values, list) else [values]
        condition &= Q(**{AUDIENCE_FIELDS[field]: listed})
    if errors:
        raise InvalidInput(errors)
    return condition


def audience(survey: Survey) -> QuerySet[Customer]:
    return Customer.objects.filter(audience_filter(survey.audience))


# Waves and invitations


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
        transaction.on_commit(lambda: enqueue_wave_sends(wave.pk))
    return WaveOpened(wave=wave, queued=queued, held=held)


def enqueue_wave_sends(wave_id: int) -> None:
    from advocacy.feedback.surveys.tasks import send_wave

    send_wave.enqueue(wave_id)


def invite_audience(*, survey: Survey, wave: Wave, now: datetime, batch: int = 2000) -> tuple[int, int]:
    policy = fatigue_policy()
    customers = with_fatigue_facts(audience(survey), survey=survey, now=now).order_by("pk")
    queued = held = 0
    invitations: list[Invitation] = []
    for customer in customers.iterator(chunk_size=batch):
        reason = hold_reason_from_facts(customer, kind=AskKind.SURVEY, survey=survey, policy=policy, now=now)
        status = InvitationStatus.HELD if reason else InvitationStatus.QUEUED
        invitations.append(
            Invitation(
                survey=survey, wave=wave, customer_id=customer.pk, status=status, held_reason=reason, created_at=now
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
        reason = ask_hold_reason(customer=customer, kind=AskKind.SURVEY, survey=survey, now=now)
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
                transaction.on_commit(lambda: enqueue_invitation_send(invitation.pk))
    except IntegrityError:
        return Invitation.objects.get(survey=survey, customer=customer, trigger=trigger)
    return invitation


def enqueue_invitation_send(invitation_id: int) -> None:
    from advocacy.feedback.surveys.tasks import send_invitation

    send_invitation.enqueue(invitation_id)


# Links and sending


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=False)


def unsubscribe_token(customer: Customer) -> str:
    return signing.dumps(customer.pk, salt=UNSUBSCRIBE_SALT)


def survey_link_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SURVEY_LINK_SALT)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def score_url(token: str, score: int) -> str:
    return absolute(reverse("feedback:answer", kwargs={"token": token, "score": score}))


def email_context(invitation: Invitation, token: str) -> dict[str, Any]:
    survey, customer = invitation.survey, invitation.customer
    low, high = SCALES[survey.kind]
    low_label, high_label = SCALE_LABELS[SurveyKind(survey.kind)]
    company = {"company": settings.COMPANY_NAME}
    return {
        **company,
        "first_name": customer.first_name,
        "question": Template(survey.question).render(Context(company)),
        "score_links": [{"score": s, "url": score_url(token, s)} for s in range(low, high + 1)],
        "scale_min": low,
        "scale_max": high,
        "low_label": low_label,
        "high_label": high_label,
        "unsubscribe_url": absolute(reverse("feedback:unsubscribe", kwargs={"token": unsubscribe_token(customer)})),
    }


def invitation_email(invitation: Invitation) -> EmailMultiAlternatives:
    token = invitation_token(invitation)
    values = email_context(invitation, token)
    context, plain = Context(values), Context(values, autoescape=False)  # text parts are not HTML
    survey = invitation.survey
    message = EmailMultiAlternatives(
        subject=" ".join(Template(survey.email_subject).render(plain).split()),
        body=Template(survey.email_text).render(plain),
        to=[invitation.customer.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the URL; the GET only shows a button.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(Template(survey.email_html).render(context), "text/html")
    return message


def survey_question(survey: Survey) -> str:
    return Template(survey.question).render(Context({"company": settings.COMPANY_NAME}))


def invitation_preview(survey: Survey) -> dict[str, str]:
    """The mail as a sample customer would get it; renders only, writes nothing."""
    sample = Customer(pk=0, email="sample.customer@example.com", first_name="Sam", last_name="Sample")
    invitation = Invitation(pk=0, survey=survey, customer=sample)
    message = invitation_email(invitation)
    html = next((content for content, mime in message.alternatives if mime == "text/html"), "")
    return {
        "subject": str(message.subject),
        "text": str(message.body),
        "html": str(html),
        "list_unsubscribe": message.extra_headers["List-Unsubscribe"],
    }


def invitation_send(*, invitation_id: int) -> Invitation | None:
    """Send one queued invitation, at most once: the claim is a conditional UPDATE queued → sending.

    A retry finds the row no longer queued and sends nothing. A failure is recorded on the row.
    """
    claimed = Invitation.objects.filter(pk=invitation_id, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SENDING
    )
    if claimed != 1:
        return None
    invitation = Invitation.objects.select_related("survey", "customer").get(pk=invitation_id)
    try:
        invitation_email(invitation).send()
    except Exception as exc:
        Invitation.objects.filter(pk=invitation_id).update(status=InvitationStatus.FAILED, error=str(exc)[:300])
        return None
    Invitation.objects.filter(pk=invitation_id).update(status=InvitationStatus.SENT, sent_at=timezone.now())
    invitation.refresh_from_db()
    return invitation


def invitation_bounced(*, invitation: Invitation, reason: str = "") -> Invitation:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.BOUNCED, bounced_at=timezone.now(), error=reason[:300]
    )
    invitation.refresh_from_db()
    return invitation


# Answers


def invitation_from_token(token: str) -> Invitation:
    try:
        invitation_id = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature as exc:
        raise TokenRefused("This survey link is not valid. It may have been copied incompletely.", "invalid") from exc
    invitation = Invitation.objects.select_related("survey", "customer", "wave").filter(pk=invitation_id).first()
    if invitation is None:
        raise TokenRefused("This survey is no longer available.", "gone")
    created = invitation.sent_at or invitation.created_at
    if timezone.now() - created > timedelta(days=invitation.survey.link_valid_days):
        raise TokenRefused("This survey has closed. Thank you for your time.", "expired")
    return invitation


def check_score(survey: Survey, score: int) -> None:
    low, high = SCALES[survey.kind]
    if not low <= score <= high:
        raise InvalidInput({"score": f"the score must be between {low} and {high}"})


def after_commit_recorded(response: Response) -> Response:
    """Tell the loop (advocacy/loop.py) once the answer is stored."""
    from advocacy import loop

    transaction.on_commit(lambda: loop.response_recorded(response.pk))
    return response


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
            raise TokenRefused(
                "You answered this survey already, and the time to change the answer has passed.", "answered"
            )
        if existing.score != score:
            existing.score = score
            existing.updated_at = now
            existing.save(update_fields=["score", "updated_at"])
    return existing


def response_for_token(token: str) -> Response:
    invitation = invitation_from_token(token)
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        raise TokenRefused("Choose a score first: use one of the numbers in the mail.", "unanswered")
    return response


def comment_add(*, response: Response, comment: str) -> Response:
    text = comment.strip()
    if len(text) > 5000:
        raise InvalidInput({"comment": "please keep the comment under 5,000 characters"})
    if timezone.now() - response.answered_at > timedelta(days=response.survey.answer_window_days):
        raise TokenRefused("The time to change this answer has passed.", "answered")
    response.comment = text
    response.sentiment = comment_sentiment(text)
    response.updated_at = timezone.now()
    response.save(update_fields=["comment", "sentiment", "updated_at"])
    transaction.on_commit(lambda: comment_reached_loop(response.pk))
    return response


def comment_reached_loop(response_id: int) -> None:
    from advocacy.casework.cases.services import case_add_feedback_comment

    response = Response.objects.filter(pk=response_id).first()
    if response is not None:
        case_add_feedback_comment(response=response)


def survey_from_link(token: str) -> Survey:
    try:
        survey_id = signing.loads(token, salt=SURVEY_LINK_SALT)
    except signing.BadSignature as exc:
        raise TokenRefused("This survey link is not valid.", "invalid") from exc
    survey = Survey.objects.filter(pk=survey_id, active=True).first()
    if survey is None:
        raise TokenRefused("This survey is closed.", "closed")
    return survey


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


def unsubscribe_check(*, token: str) -> Customer:
    try:
        customer_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise TokenRefused("This unsubscribe link is not valid.", "invalid") from exc
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise TokenRefused("This unsubscribe link is not valid.", "invalid")
    return customer


def unsubscribe_customer(*, token: str) -> Customer:
    """Withdraw survey consent from an unsubscribe link; every later invitation is held back for it."""
    customer = unsubscribe_check(token=token)
    latest = customer.consents.filter(purpose=ConsentPurpose.SURVEYS).order_by("-recorded_at", "-id").first()
    if latest is None or latest.granted:
        consent_record(
            customer=customer, purpose=ConsentPurpose.SURVEYS, granted=False, source="unsubscribe link", by=None
        )
    return customer


def surveys_due(*, today: date | None = None) -> list[Survey]:
    today = today or timezone.localdate()
    return list(
        Survey.objects.filter(active=True, next_wave_on__lte=today)
        .exclude(schedule=Schedule.TRANSACTIONAL)
        .filter(~Exists(Wave.objects.filter(survey=OuterRef("pk"), opened_at__date=today)))
    )


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
