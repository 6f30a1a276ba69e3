"""Customer-first recommendations: what truly fits the customer, even a competitor's product.

How products are ranked, in this order and nothing else:

1. **Fit**: the share of the customer's needs a product's capability tags cover. The needs are the
   tags asked for, the case's ``needs``, and the tags of the products the customer has now (their
   latest order of one of our products in each category): a replacement should keep what they rely
   on. Engagement events are not used: they say *that* a customer was active, not which capability
   they used, so any tag drawn from them would be a guess.
2. **Price for the customer**, cheaper first, but only among prices in the customer's currency
   (the currency of their latest order). A price in another currency is shown and never compared:
   converting at some rate would make a guess look like a fact. At equal fit those come after.
3. The product's name, so the order is stable.

Margin is never part of the ranking; staff see it beside the table, in a column of its own.
Products that cover none of the needs are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from advocacy.casework.cases.services import record
from advocacy.casework.models import Case, EventKind, Recommendation, RecommendationOutcome
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import Customer, Order, Product


class NoNeeds(ServiceError):
    """Nothing to measure fit against."""

    def __init__(self) -> None:
        super().__init__("Say what the customer needs (capability tags on the case) before ranking products.")


@dataclass(frozen=True)
class Holding:
    """What the customer pays now for one of our products, from their latest order in its category."""

    product: Product
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Ranked:
    product: Product
    fit: float
    covered: list[str]
    missing: list[str]
    price: Decimal
    currency: str
    comparable: bool  # priced in the customer's currency, so compared with the others
    cheaper_than_current: bool
    competitor: bool
    current: bool  # the product the customer has now
    reason: str
    holding: Holding | None = field(default=None, repr=False)

    @property
    def customer_first(self) -> bool:
        return self.cheaper_than_current or self.competitor


# What the customer has and needs


def holdings(customer: Customer) -> dict[str, Holding]:
    """Category → the customer's latest order of one of our products in it."""
    found: dict[str, Holding] = {}
    orders = Order.objects.filter(customer=customer, product__competitor="").select_related("product")
    for order in orders.order_by("-ordered_on", "-id"):
        found.setdefault(order.product.category, Holding(order.product, order.amount, order.currency))
    return found


def customer_currency(customer: Customer) -> str | None:
    latest = (
        Order.objects.filter(customer=customer)
        .order_by("-ordered_on", "-id")
        .values_list("currency", flat=True)
        .first()
    )
    return latest


def clean_tags(tags: list[str] | tuple[str, ...]) -> set[str]:
    return {t.strip().lower() for t in tags if t and t.strip()}


def needs_for(
    *, customer: Customer, needs: list[str], case: Case | None = None, held: dict[str, Holding] | None = None
) -> list[str]:
    """The tags asked for, the case's needs, and what the customer's current products do."""
    held = holdings(customer) if held is None else held
    owned = [tag for h in held.values() for tag in h.product.capability_tags]
    return sorted(clean_tags(needs) | clean_tags(case.needs if case else []) | clean_tags(owned))


# Assessing and ranking


def price_words(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def explain(
    product: Product,
    covered: list[str],
    missing: list[str],
    *,
    comparable: bool,
    currency: str | None,
    holding: Holding | None,
    cheaper: bool,
    current: bool,
) -> str:
    """The reason in plain words, as a customer advocate would say it."""
    parts = [
        f"Covers {len(covered)} of {len(covered) + len(missing)} needs ({', '.join(covered) or 'none'})"
        + (f"; lacks {', '.join(missing)}." if missing else ".")
    ]
    if current:
        parts.append("The customer has this now.")
    elif cheaper and holding is not None:
        saving = holding.amount - product.price
        parts.append(
            f"{price_words(saving, product.currency)} cheaper than the "
            f"{price_words(holding.amount, holding.currency)} they pay now for {holding.product.name}."
        )
    if not comparable and currency:
        parts.append(f"Priced in {product.currency}; not compared with {currency} prices.")
    if product.competitor:
        parts.append(f"Made by {product.competitor}, a competitor.")
    return " ".join(parts)


def assess(product: Product, *, needed: list[str], currency: str | None, held: dict[str, Holding]) -> Ranked:
    """One product against the customer's needs and what they pay now."""
    tags = clean_tags(product.capability_tags)
    covered = [t for t in needed if t in tags]
    missing = [t for t in needed if t not in tags]
    holding = held.get(product.category)
    current = holding is not None and holding.product.pk == product.pk
    cheaper = (
        holding is not None and not current and holding.currency == product.currency and product.price < holding.amount
    )
    comparable = currency is None or product.currency == currency
    return Ranked(
        product=product,
        fit=len(covered) / len(needed) if needed else 0.0,
        covered=covered,
        missing=missing,
        price=product.price,
        currency=product.currency,
        comparable=comparable,
        cheaper_than_current=cheaper,
        competitor=bool(product.competitor),
        current=current,
        holding=holding,
        reason=explain(
            product,
            covered,
            missing,
            comparable=comparable,
            currency=currency,
            holding=holding,
            cheaper=cheaper,
            current=current,
        ),
    )


def rank_key(row: Ranked) -> tuple[float, int, Decimal, str, int]:
    # Margin is deliberately absent: the order is fit, then the customer's price, then name.
    return (
        -row.fit,
        0 if row.comparable else 1,
        row.price if row.comparable else Decimal(0),
        row.product.name.lower(),
        row.product.pk,
    )


def products_ranked(*, customer: Customer, needs: list[str], case: Case | None = None) -> list[Ranked]:
    """Our own and competitors' active products that cover at least one need, best fit first, cheaper
    first at equal fit (see the module docstring for exactly what is compared)."""
    held = holdings(customer)
    needed = needs_for(customer=customer, needs=needs, case=case, held=held)
    if not needed:
        raise NoNeeds()
    currency = customer_currency(customer)
    rows = [assess(p, needed=needed, currency=currency, held=held) for p in Product.objects.filter(active=True)]
    return sorted((row for row in rows if row.covered), key=rank_key)


def product_assessed(*, customer: Customer, product: Product, needs: list[str], case: Case | None = None) -> Ranked:
    """The same assessment for one product, e.g. to record a recommendation of it."""
    held = holdings(customer)
    needed = needs_for(customer=customer, needs=needs, case=case, held=held)
    if not needed:
        raise NoNeeds()
    return assess(product, needed=needed, currency=customer_currency(customer), held=held)


# Writes


@transaction.atomic
def recommendation_record(
    *,
    customer: Customer,
    product: Product,
    reason: str,
    by: User,
    case: Case | None = None,
    fit: float,
    cheaper_than_current: bool,
    competitor: bool,
) -> Recommendation:
    """Record what was recommended to the customer and why; it shows on their case timeline."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "say why this product is right for the customer"
    if not 0 <= fit <= 1:
        errors["fit"] = "fit is a share between 0 and 1"
    if competitor != bool(product.competitor):
        errors["competitor"] = f"{product} is {'a competitor' if product.competitor else 'our own'} product"
    if case is not None and case.customer_id != customer.pk:
        errors["case"] = f"case #{case.pk} belongs to another customer"
    if errors:
        raise InvalidInput(errors)
    recommendation = Recommendation.objects.create(
        customer=customer,
        product=product,
        case=case,
        reason=reason.strip(),
        fit=fit,
        cheaper_than_current=cheaper_than_current,
        competitor=competitor,
        recorded_by=by,
    )
    if case is not None:
        record(
            case,
            EventKind.RECOMMENDATION,
            body=f"We recommended {product}: {reason.strip()}",
            by=by,
            visible=True,
            data={
                "recommendation": recommendation.pk,
                "product": product.pk,
                "customer_first": recommendation.customer_first,
            },
        )
    events.audit(
        actor=by,
        verb="recommendation.recorded",
        obj=recommendation,
        data={"product": product.pk, "customer_first": recommendation.customer_first},
    )
    return recommendation


@transaction.atomic
def recommendation_outcome(*, recommendation: Recommendation, outcome: str, by: User) -> Recommendation:
    """What the customer decided; an internal note on the case."""
    if outcome not in RecommendationOutcome.values:
        raise InvalidInput({"outcome": f"{outcome!r} is not one of: {', '.join(RecommendationOutcome.values)}"})
    recommendation = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("product", "case")
        .get(pk=recommendation.pk)
    )
    if recommendation.outcome == outcome:
        return recommendation
    before = recommendation.outcome
    recommendation.outcome = outcome
    recommendation.save(update_fields=["outcome"])
    if recommendation.case is not None:
        record(
            recommendation.case,
            EventKind.RECOMMENDATION,
            by=by,
            body=f"Recommendation of {recommendation.product}: {RecommendationOutcome(outcome).label.lower()}.",
            data={"recommendation": recommendation.pk, "from": before, "to": outcome},
        )
    events.audit(actor=by, verb="recommendation.outcome", obj=recommendation, data={"from": before, "to": outcome})
    return recommendation


# Reads


def recommendations_matching(
    *,
    customer_id: int | None = None,
    case_id: int | None = None,
    recorded_by_id: int | None = None,
    customer_first: bool | None = None,
    since: datetime | None = None,
) -> QuerySet[Recommendation]:
    found = Recommendation.objects.select_related("product", "customer", "recorded_by").order_by("-recorded_at", "-id")
    filters = {
        "customer_id": customer_id,
        "case_id": case_id,
        "recorded_by_id": recorded_by_id,
        "recorded_at__gte": since,
    }
    found = found.filter(**{k: v for k, v in filters.items() if v is not None})
    first = Q(cheaper_than_current=True) | Q(competitor=True)
    if customer_first is True:
        found = found.filter(first)
    elif customer_first is False:
        found = found.exclude(first)
    return found


@dataclass(frozen=True)
class CustomerFirstActs:
    advocate_id: int
    advocate: str
    recommendations: int
    customer_first: int
    cheaper: int
    competitor: int
    accepted: int


def customer_first_acts(since: datetime | None = None, until: datetime | None = None) -> list[CustomerFirstActs]:
    """Per member of staff who recorded recommendations: how many put the customer first (a cheaper
    or a competitor's product), in one grouped query."""
    found = Recommendation.objects.all()
    if since is not None:
        found = found.filter(recorded_at__gte=since)
    if until is not None:
        found = found.filter(recorded_at__lt=until)
    rows = (
        found.values("recorded_by_id", "recorded_by__username", "recorded_by__first_name", "recorded_by__last_name")
        .annotate(
            total=Count("id"),
            first=Count("id", filter=Q(cheaper_than_current=True) | Q(competitor=True)),
            cheaper=Count("id", filter=Q(cheaper_than_current=True)),
            rival=Count("id", filter=Q(competitor=True)),
            accepted=Count("id", filter=Q(outcome=RecommendationOutcome.ACCEPTED)),
        )
        .order_by("-first", "recorded_by__username")
    )
    return [
        CustomerFirstActs(
            advocate_id=r["recorded_by_id"],
            advocate=f"{r['recorded_by__first_name']} {r['recorded_by__last_name']}".strip()
            or r["recorded_by__username"],
            recommendations=r["total"],
            customer_first=r["first"],
            cheaper=r["cheaper"],
            competitor=r["rival"],
            accepted=r["accepted"],
        )
        for r in rows
    ]
