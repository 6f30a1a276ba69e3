"""Customer references: sales asks, matching ranks the advocates who consented to reference calls by fit,
and the best one who is free is asked — never one over their quota, resting after a call, or over the
shared per-customer contact budget. The call and the deal's outcome are recorded for revenue influenced.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from advocacy.advocates.models import (
    AskStatus,
    DealOutcome,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
    ReferenceStatus,
)
from advocacy.advocates.references.mail import reference_ask_mail
from advocacy.advocates.references.matching import reference_matches
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.consent import AskKind
from advocacy.customers.models import AccountSize
from advocacy.outreach.budget.queries import ask_hold_reason
from advocacy.outreach.budget.services import ask_record


class NoReferenceAvailable(ServiceError):
    """Every matching advocate is excluded or was already asked."""


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
