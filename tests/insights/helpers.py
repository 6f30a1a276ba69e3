"""Builders for the insights tests: customers with a start, a churn, answers, orders and advocacy acts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from advocacy.advocates.models import Advocate
from advocacy.customers.models import Customer, CustomerStatus, Product
from advocacy.feedback.models import Response, Survey
from tests.factories import CustomerFactory, OrderFactory, ProductFactory


def survey(kind: str) -> Survey:
    return Survey.objects.create(
        name=f"{kind} survey",
        kind=kind,
        question="How likely are you to recommend us?",
        follow_up_question="Why?",
        email_subject="A question",
        email_text="text",
        email_html="<p>html</p>",
    )


def customer(since: date, churned: date | None = None, **extra: object) -> Customer:
    return CustomerFactory(
        customer_since=since,
        churned_on=churned,
        status=CustomerStatus.CHURNED if churned else CustomerStatus.ACTIVE,
        **extra,
    )


def answer(s: Survey, who: Customer, score: int, on: date) -> Response:
    at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    return Response.objects.create(
        survey=s, kind=s.kind, customer=who, channel="email", score=score, answered_at=at, updated_at=at
    )


def member(who: Customer) -> Advocate:
    return Advocate.objects.create(customer=who, terms_version="1")


def order(who: Customer, amount: str, on: date, product: Product | None = None, currency: str = "USD") -> None:
    OrderFactory(customer=who, amount=Decimal(amount), ordered_on=on, currency=currency, product=product or plan())


def plan() -> Product:
    found = Product.objects.filter(external_id="PLAN-60").first()
    return found or ProductFactory(external_id="PLAN-60", margin_pct=Decimal("60.00"))
