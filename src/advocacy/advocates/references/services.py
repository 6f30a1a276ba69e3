"""Customer references: sales asks, matching ranks the advocates who consented to reference calls by fit,
and the best one who is free is asked — never one over their quota, resting after a call, or over the
shared per-customer contact budget. The call and the deal's outcome are recorded for revenue influenced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advocacy.advocates.models import (
    Advocate,
    AskStatus,
    DealOutcome,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
    ReferenceStatus,
)
from advocacy.advocates.program.services import program_settings
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import AccountSize, Consent, ConsentPurpose, Customer, Order
from advocacy.feedback.models import AskKind
from advocacy.feedback.surveys.services import (
    ask_hold_reason,
    ask_record,
    fatigue_policy,
    hold_reason_from_facts,
    quarter_start,
    unsubscribe_token,
    with_fatigue_facts,
)
from advocacy.outreach.services import mail_queue

# How much each part of the fit counts. A criterion the request leaves blank is left out and the rest
# rescaled, so a request that only names an industry still ranks on a 0–100 scale.
FIT_WEIGHTS = {"industry": 30.0, "region": 20.0, "size": 15.0, "product": 20.0, "score": 15.0}


class NoReferenceAvailable(ServiceError):
    """Every matching advocate is excluded or was already asked."""


@dataclass
class Match:
    advocate: Advocate
    fit: float
    reasons: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def customer(self) -> Customer:
        return self.advocate.customer

    @property
    def available(self) -> bool:
        return not self.excluded


# Requests


REQUEST_FIELDS = {
    "prospect",
    "industry",
    "region",
    "size",
    "product",
    "use_case",
    "opportunity_value",
    "currency",
    "needed_by",
}


def check_request(fields: dict[str, Any], *, today: date) -> None:
    errors = {}
    unknown = set(fields) - REQUEST_FIELDS
    if unknown:
        errors["fields"] = f"unknown fields: {', '.join(sorted(unknown))}"
    if not str(fields.get("prospect", "")).strip():
        errors["prospect"] = "name the prospect"
    if fields.get("size") and fields["size"] not in AccountSize.values:
        errors["size"] = f"one of: {', '.join(AccountSize.values)}"
    if fields.get("opportunity_value") is None or Decimal(fields["opportunity_value"]) < 0:
        errors["opportunity_value"] = "give the opportunity's value (0 or more)"
    if not isinstance(fields.get("needed_by"), date) or fields["needed_by"] < today:
        errors["needed_by"] = "give a date from today on"
    if errors:
        raise InvalidInput(errors)


def reference_request_create(*, by: User, **fields: Any) -> ReferenceRequest:
    """Sales asks for a reference: prospect, industry, region, size, product, use case, value, needed-by date."""
    check_request(fields, today=timezone.localdate())
    fields["currency"] = str(fields.get("currency") or "USD").upper()
    request = ReferenceRequest.objects.create(requested_by=by, **fields)
    events.audit(actor=by, verb="reference_request.created", obj=request, data={"prospect": request.prospect})
    return request


# Matching


def candidates(request: ReferenceRequest, *, now: datetime) -> QuerySet[Advocate]:
    """Active advocates whose latest reference-call consent is a grant, with what ranking and exclusion need."""
    consent = Consent.objects.filter(customer=OuterRef("customer_id"), purpose=ConsentPurpose.REFERENCE_CALL).order_by(
        "-recorded_at", "-id"
    )
    calls = ReferenceCall.objects.filter(ask__advocate=OuterRef("pk"))
    quarter = quarter_start(now)
    # Calls agreed but not yet held count against the quota too: the advocate has promised that hour.
    agreed = ReferenceAsk.objects.filter(
        advocate=OuterRef("pk"), status=AskStatus.ACCEPTED, call__isnull=True, answered_at__gte=quarter
    )
    product_owned = (
        Exists(Order.objects.filter(customer=OuterRef("customer_id"), product_id=request.product_id))
        if request.product_id
        else Value(False)
    )
    return (
        Advocate.objects.filter(active=True)
        .annotate(reference_consent=Subquery(consent.values("granted")[:1]))
        .filter(reference_consent=True)
        .select_related("customer__account")
        .annotate(
            score=F("customer__advocate_score__score"),
            owns_product=product_owned,
            calls_this_quarter=count_of(calls.filter(held_on__gte=quarter.date()), "ask__advocate"),
            agreed_this_quarter=count_of(agreed, "advocate"),
            last_call_on=Subquery(calls.order_by("-held_on").values("held_on")[:1]),
            asked_here=Subquery(
                ReferenceAsk.objects.filter(request=request, advocate=OuterRef("pk")).values("status")[:1]
            ),
        )
    )


def count_of(rows: QuerySet[Any], group: str) -> Subquery:
    return Subquery(rows.order_by().values(group).annotate(n=Count("id")).values("n")[:1])


def fit_of(request: ReferenceRequest, advocate: Any) -> tuple[float, list[str]]:
    """0–100 and the reasons in words, from industry, region, size, owning the product and the advocate score."""
    account = advocate.customer.account
    checks = {
        "industry": (request.industry, account.industry if account else ""),
        "region": (request.region, account.region if account else ""),
        "size": (request.size, account.size if account else ""),
    }
    earned, possible, reasons = 0.0, FIT_WEIGHTS["score"], []
    for part, (wanted, has) in checks.items():
        if not wanted:
            continue
        possible += FIT_WEIGHTS[part]
        if has and has.casefold() == wanted.casefold():
            earned += FIT_WEIGHTS[part]
            reasons.append(f"same {part} ({has})")
    if request.product_id:
        possible += FIT_WEIGHTS["product"]
        if advocate.owns_product:
            earned += FIT_WEIGHTS["product"]
            reasons.append("uses the product")
    if advocate.score is not None:
        earned += FIT_WEIGHTS["score"] * advocate.score / 100
        reasons.append(f"advocate score {advocate.score:.0f}")
    return round(100 * earned / possible, 1), reasons


def exclusions(advocate: Any, *, hold: str, quota: int, rest_days: int, today: date) -> list[str]:
    reasons = []
    if advocate.asked_here:
        reasons.append(f"already asked for this request ({AskStatus(advocate.asked_here).label.lower()})")
    taken = (advocate.calls_this_quarter or 0) + (advocate.agreed_this_quarter or 0)
    if taken >= quota:
        reasons.append(f"over quota: {taken} call(s) this quarter (limit {quota})")
    last = advocate.last_call_on
    if last is not None and today < last + timedelta(days=rest_days):
        reasons.append(f"resting after a call on {last:%Y-%m-%d} (until {last + timedelta(days=rest_days):%Y-%m-%d})")
    if hold:
        reasons.append(f"contact budget: {hold}")
    return reasons


def budget_holds(customer_ids: list[int], *, now: datetime) -> dict[int, str]:
    """customer id → why a reference ask must wait (the shared contact budget, an unsubscribe), in one query."""
    policy = fatigue_policy()
    holds = {}
    for customer in with_fatigue_facts(Customer.objects.filter(pk__in=customer_ids), survey=None, now=now):
        reason = hold_reason_from_facts(customer, kind=AskKind.REFERENCE, survey=None, policy=policy, now=now)
        if not reason and getattr(customer, "survey_consent", None) is False:
            reason = "unsubscribed from our mails"
        if reason:
            holds[customer.pk] = reason
    return holds


def reference_matches(request: ReferenceRequest, now: datetime | None = None) -> list[Match]:
    """Every consenting advocate, best fit first, each with why they fit and why (if so) they are not asked."""
    now = now or timezone.now()
    program = program_settings()
    rows = list(candidates(request, now=now))
    holds = budget_holds([a.customer_id for a in rows], now=now)
    today = timezone.localdate(now)
    matches = []
    for advocate in rows:
        fit, reasons = fit_of(request, advocate)
        excluded = exclusions(
            advocate,
            hold=holds.get(advocate.customer_id, ""),
            quota=program.reference_quota_per_quarter,
            rest_days=program.reference_rest_days,
            today=today,
        )
        matches.append(Match(advocate=advocate, fit=fit, reasons=reasons, excluded=excluded))
    matches.sort(key=lambda m: (-m.fit, -(getattr(m.advocate, "score", None) or 0), m.advocate.pk))
    return matches


# Asking, answering, the call


def reference_ask(*, request: ReferenceRequest, now: datetime | None = None, by: User | None = None) -> ReferenceAsk:
    """Ask the best available match. One over the contact budget at the moment of asking is skipped for the next."""
    now = now or timezone.now()
    if request.status != ReferenceStatus.OPEN:
        raise ServiceError(f"This request is {request.get_status_display().lower()}; nobody more is asked.")
    for match in reference_matches(request, now=now):
        if not match.available:
            continue
        # Checked again at the moment of asking: another ask may have used the budget since the list was read.
        if ask_hold_reason(customer=match.customer, kind=AskKind.REFERENCE, now=now):
            continue
        with transaction.atomic():
            ask = ReferenceAsk.objects.create(request=request, advocate=match.advocate, fit=match.fit, asked_at=now)
            ask_record(customer=match.customer, kind=AskKind.REFERENCE, ref=f"reference-ask:{ask.pk}", at=now)
            reference_ask_mail(ask)
            events.audit(actor=by, verb="reference_ask.sent", obj=ask, data={"fit": match.fit})
        return ask
    raise NoReferenceAvailable(
        "No advocate is free to ask: each is over quota, resting, over the contact budget "
        "or already asked. See the matches for the reasons."
    )


def reference_ask_mail(ask: ReferenceAsk) -> None:
    customer = ask.advocate.customer
    unsubscribe = settings.SITE_URL + reverse("feedback:unsubscribe", kwargs={"token": unsubscribe_token(customer)})
    text = render_to_string(
        "advocates/email/reference_ask.txt",
        {
            "customer": customer,
            "request": ask.request,
            "company": settings.COMPANY_NAME,
            "hub_url": settings.SITE_URL + reverse("hub:references"),
            "unsubscribe_url": unsubscribe,
        },
    )
    mail_queue(
        key=f"reference-ask:{ask.pk}",
        to=customer.email,
        subject=f"Would you talk to a company like yours about {settings.COMPANY_NAME}?",
        text=text,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def reference_answer(*, ask: ReferenceAsk, accept: bool, now: datetime | None = None) -> ReferenceAsk:
    """The advocate's yes or no, from the portal. Answering twice is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        ask = ReferenceAsk.objects.select_for_update(of=("self",)).select_related("request").get(pk=ask.pk)
        if ask.status != AskStatus.ASKED:
            raise ServiceError(f"You already answered: {ask.get_status_display().lower()}.")
        ask.status = AskStatus.ACCEPTED if accept else AskStatus.DECLINED
        ask.answered_at = now
        ask.save(update_fields=["status", "answered_at"])
        if accept and ask.request.status == ReferenceStatus.OPEN:
            ask.request.status = ReferenceStatus.MATCHED
            ask.request.save(update_fields=["status"])
        events.audit(actor=None, verb=f"reference_ask.{ask.status}", obj=ask, label=str(ask.advocate.customer))
    return ask


@transaction.atomic
def reference_request_cancel(*, request: ReferenceRequest, by: User | None, reason: str) -> ReferenceRequest:
    """Sales no longer needs the reference (deal lost, prospect went quiet): stop asking.

    Advocates asked and not yet called are released (their asks are withdrawn) and told nothing more;
    a call already held keeps the request done, so it cannot be cancelled.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": "say why the reference is no longer needed"})
    request = ReferenceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status in {ReferenceStatus.DONE, ReferenceStatus.CANCELLED}:
        raise ServiceError(f"This request is {request.get_status_display().lower()}; there is nothing to cancel.")
    withdrawn = (
        ReferenceAsk.objects.filter(request=request, status__in=[AskStatus.ASKED, AskStatus.ACCEPTED])
        .filter(call__isnull=True)
        .update(status=AskStatus.WITHDRAWN)
    )
    request.status = ReferenceStatus.CANCELLED
    request.save(update_fields=["status"])
    events.audit(
        actor=by, verb="reference_request.cancelled", obj=request, data={"reason": reason, "withdrawn": withdrawn}
    )
    return request


def reference_call_record(
    *,
    ask: ReferenceAsk,
    held_on: date,
    notes: str = "",
    deal_outcome: str = DealOutcome.OPEN,
    deal_amount: Decimal | None = None,
    by: User | None = None,
) -> ReferenceCall:
    """Record the call, and later the deal's outcome: calling it again updates the same row."""
    check_call(ask=ask, held_on=held_on, deal_outcome=deal_outcome, deal_amount=deal_amount)
    with transaction.atomic():
        call, _ = ReferenceCall.objects.update_or_create(
            ask=ask,
            defaults={
                "held_on": held_on,
                "notes": notes.strip(),
                "deal_outcome": deal_outcome,
                "deal_amount": deal_amount,
                "currency": ask.request.currency,
            },
        )
        ReferenceRequest.objects.filter(pk=ask.request_id).update(status=ReferenceStatus.DONE)
        events.audit(
            actor=by,
            verb="reference_call.recorded",
            obj=call,
            data={"outcome": deal_outcome, "amount": str(deal_amount) if deal_amount is not None else None},
        )
    return call


def check_call(*, ask: ReferenceAsk, held_on: date, deal_outcome: str, deal_amount: Decimal | None) -> None:
    errors = {}
    if ask.status != AskStatus.ACCEPTED:
        errors["ask"] = "only an accepted ask can have a call"
    if held_on > timezone.localdate():
        errors["held_on"] = "the call has to have happened; record it afterwards"
    if deal_outcome not in DealOutcome.values:
        errors["deal_outcome"] = f"one of: {', '.join(DealOutcome.values)}"
    if deal_outcome == DealOutcome.WON and deal_amount is None:
        errors["deal_amount"] = "a won deal needs its amount"
    if deal_amount is not None and deal_amount < 0:
        errors["deal_amount"] = "0 or more"
    if errors:
        raise InvalidInput(errors)


# Reads


@dataclass
class Influenced:
    currency: str
    amount: Decimal
    n: int


def revenue_influenced_by_references(since: date, until: date) -> list[Influenced]:
    """Won deals after a reference call held in [since, until], per currency, with how many deals."""
    rows = (
        ReferenceCall.objects.filter(deal_outcome=DealOutcome.WON, held_on__gte=since, held_on__lte=until)
        .order_by()
        .values("currency")
        .annotate(amount=Sum("deal_amount"), n=Count("id"))
        .order_by("currency")
    )
    return [Influenced(currency=r["currency"], amount=r["amount"] or Decimal("0"), n=r["n"]) for r in rows]


def reference_requests() -> QuerySet[ReferenceRequest]:
    return (
        ReferenceRequest.objects.select_related("requested_by", "product")
        .annotate(n_asks=Count("asks"))
        .order_by("-created_at", "-id")
    )


def asks_of(request: ReferenceRequest) -> QuerySet[ReferenceAsk]:
    return (
        ReferenceAsk.objects.filter(request=request)
        .select_related("advocate__customer", "call")
        .order_by("asked_at", "id")
    )


def asks_of_advocate(advocate: Advocate) -> QuerySet[ReferenceAsk]:
    return (
        ReferenceAsk.objects.filter(advocate=advocate)
        .select_related("request", "request__product", "call")
        .order_by("-asked_at", "-id")
    )
