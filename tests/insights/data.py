"""Small worlds for the insights tests: advocates with acts, referred friends, reference deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from advocacy.advocates.models import (
    Advocate,
    Challenge,
    ChallengeKind,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
    Referral,
    ReferralLink,
    Story,
    Submission,
)
from advocacy.casework.models import Recommendation
from advocacy.core.models import User
from advocacy.customers.models import Customer, Order, Product
from tests.factories import CustomerFactory, ProductFactory


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def advocate(customer: Customer | None = None) -> Advocate:
    return Advocate.objects.create(customer=customer or CustomerFactory(), terms_version="2026-1")


def product(margin: str | None = "40") -> Product:
    return ProductFactory(margin_pct=None if margin is None else Decimal(margin), currency="USD")


def order(customer: Customer, amount: str, day: dt.date, *, kind: str = "new", margin: str | None = "40") -> Order:
    return Order.objects.create(
        customer=customer, product=product(margin), amount=Decimal(amount), currency="USD", kind=kind, ordered_on=day
    )


def reference_call(
    adv: Advocate,
    by: User,
    day: dt.date,
    *,
    request: ReferenceRequest | None = None,
    outcome: str = "open",
    amount: str | None = None,
) -> ReferenceCall:
    request = request or ReferenceRequest.objects.create(
        requested_by=by, prospect="Prospect", opportunity_value=Decimal("5000"), needed_by=day
    )
    ask = ReferenceAsk.objects.create(request=request, advocate=adv, fit=1.0, status="accepted")
    return ReferenceCall.objects.create(
        ask=ask, held_on=day, deal_outcome=outcome, deal_amount=None if amount is None else Decimal(amount)
    )


def approved_challenge(adv: Advocate, by: User, day: dt.date) -> Submission:
    challenge = Challenge.objects.create(
        kind=ChallengeKind.REVIEW, title="Review us", instructions="…", points=10, starts_on=day, created_by=by
    )
    return Submission.objects.create(
        challenge=challenge, advocate=adv, status="approved", reviewed_at=at(day), reviewed_by=by
    )


def story(adv: Advocate, day: dt.date) -> Story:
    return Story.objects.create(
        advocate=adv,
        title="Our story",
        body="…",
        consent_scope="website",
        status="approved",
        consent_recorded_at=at(day),
    )


def accepted_recommendation(customer: Customer, by: User, day: dt.date) -> Recommendation:
    return Recommendation.objects.create(
        customer=customer,
        product=product(),
        reason="fits",
        fit=0.9,
        outcome="accepted",
        recorded_by=by,
        recorded_at=at(day),
    )


def referral(referrer: Advocate, friend: Customer, first_order: Order, converted: dt.date) -> Referral:
    link, _ = ReferralLink.objects.get_or_create(advocate=referrer, defaults={"code": f"code{referrer.pk}"})
    return Referral.objects.create(
        link=link,
        friend=friend,
        order=first_order,
        status="converted",
        converted_at=at(converted),
        idempotency_key=f"k{friend.pk}",
    )


def now() -> dt.datetime:
    return timezone.now()
