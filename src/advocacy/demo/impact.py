"""The demo's money side: a randomized holdout the company ran, two years of program costs, and the
truths the Impact page must recover (issue 9).

Planted:
- a hub-invitation experiment 400 days before today: eligible customers (active, not members, never
  invited) half selected, 10 % of those held out at random; every invited customer gets, with
  probability 0.4, one extra upsell order of mean 300 USD (so 120 USD per invited customer) on a
  random day of the year after, if still a customer then; a held-out customer who would have stayed
  leaves, with probability 0.06, in the last month of the year (retention effect +0.06 × the share
  who would have stayed).
- 24 months of costs: events, staff time (hours × a loaded rate), software, gifts; reward redemptions
  synced from the hub.

The truths of sourced revenue, reference-won revenue, cost and ROI are computed here in plain Python
from the rows, independently of the SQL the product runs, under the default model, in USD: the demo
enters no exchange rates, so EUR and GBP amounts are left out of a USD total (and the page says so).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from advocacy.advocates.models import (
    Advocate,
    HoldoutAssignment,
    HoldoutGroup,
    HubInvitation,
    ReferenceCall,
    Referral,
    Story,
    Submission,
)
from advocacy.casework.models import Recommendation
from advocacy.core.models import User
from advocacy.customers.models import Customer, CustomerStatus, EngagementEvent, Order, Product
from advocacy.insights.attribution.model import DEFAULTS
from advocacy.insights.costs import services as costs
from advocacy.insights.models import AttributionSource, CostEntry, CostKind, CostSaving

HOLDOUT_SHARE = 0.10
EXPERIMENT_DAYS_AGO = 400
WINDOW_DAYS = 365
SPEND_CHANCE, SPEND_MEAN = 0.4, 300.0  # 0.4 × 300 = 120 USD per invited customer
EXTRA_CHURN = 0.06
CENT = Decimal("0.01")


class Person(Protocol):
    pk: int
    churned_on: date | None
    churn_on: date | None


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def write_impact(*, people: list[Any], staff: dict[str, User], seed: int, today: date) -> dict[str, Any]:
    """Write the experiment and the costs; return the truths for the manifest."""
    rng = random.Random(f"impact-{seed}")
    experiment = write_experiment(rng, people, today)
    write_costs(rng, staff, today)
    return {"holdout_experiment": experiment, **money_truths(today)}


def eligible_customers(start: date) -> list[Customer]:
    members = Advocate.objects.values("customer_id")
    invited = HubInvitation.objects.values("customer_id")
    return list(
        Customer.objects.exclude(pk__in=members)
        .exclude(pk__in=invited)
        .filter(customer_since__lt=start)
        .exclude(churned_on__lte=start)
        .order_by("pk")
    )


def write_experiment(rng: random.Random, people: list[Any], today: date) -> dict[str, Any]:
    start = today - timedelta(days=EXPERIMENT_DAYS_AGO)
    end = start + timedelta(days=WINDOW_DAYS)
    pool = eligible_customers(start)
    rng.shuffle(pool)
    selected = pool[: len(pool) // 2]
    by_pk = {p.pk: p for p in people}
    product = Product.objects.filter(competitor="", margin_pct__isnull=False).order_by("price").last()
    assert product is not None
    spend_truth, stays_share, n_held = [], [], 0
    for customer in selected:
        held = rng.random() < HOLDOUT_SHARE
        HoldoutAssignment.objects.create(
            customer=customer,
            group=HoldoutGroup.HOLDOUT if held else HoldoutGroup.INVITED,
            selected_by="promoter answer",
            share_pct=Decimal("10"),
            assigned_at=at(start),
        )
        if held:
            n_held += 1
            stays = customer.churned_on is None or customer.churned_on >= end
            stays_share.append(stays)
            if stays and rng.random() < EXTRA_CHURN:
                churn(customer, by_pk.get(customer.pk), end - timedelta(days=rng.randint(1, 30)))
            continue
        HubInvitation.objects.create(
            customer=customer, reason="promoter answer: NPS 9", status="sent", created_at=at(start)
        )
        day = start + timedelta(days=rng.randint(1, WINDOW_DAYS - 1))
        alive = customer.churned_on is None or customer.churned_on > day
        spend_truth.append(SPEND_CHANCE * SPEND_MEAN if alive else 0.0)
        if alive and rng.random() < SPEND_CHANCE:
            amount = Decimal(str(rng.expovariate(1 / SPEND_MEAN))).quantize(CENT)
            Order.objects.create(
                customer=customer, product=product, amount=amount, currency="USD", kind="upsell", ordered_on=day
            )
    return {
        "assigned_on": start.isoformat(),
        "window_days": WINDOW_DAYS,
        "share_pct": HOLDOUT_SHARE * 100,
        "n_invited": len(selected) - n_held,
        "n_holdout": n_held,
        "true_revenue_effect_usd_per_customer": round(sum(spend_truth) / max(len(spend_truth), 1), 2),
        "true_retention_effect": round(EXTRA_CHURN * sum(stays_share) / max(len(stays_share), 1), 4),
        "note": "revenue effect: the extra upsell per invited customer (it ignores the few days of spend the "
        "extra churn of held-out customers removes, a bias towards a larger measured effect of under 1 %)",
    }


def churn(customer: Customer, person: Any, day: date) -> None:
    """The held-out customer leaves on ``day``: their orders and activity from then on are undone, and the
    plan says so (a churned customer neither orders nor engages from the day they leave)."""
    Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.CHURNED, churned_on=day)
    Order.objects.filter(customer=customer, ordered_on__gte=day).delete()
    EngagementEvent.objects.filter(customer=customer, occurred_at__date__gte=day).delete()
    if person is not None:
        person.churned_on = day
        person.churn_on = day


def write_costs(rng: random.Random, staff: dict[str, User], today: date) -> None:
    """24 months of program costs by kind, then the reward costs the hub's redemptions carried."""
    manager = staff["pm"]
    month = today.replace(day=1)
    for _ in range(24):
        entries: list[dict[str, Any]] = [
            {"kind": CostKind.EVENTS, "amount": str(rng.randint(800, 1500))},
            {"kind": CostKind.SOFTWARE, "amount": "500"},
            {"kind": CostKind.GIFTS, "amount": str(rng.randint(100, 400)), "source": AttributionSource.REFERRAL},
            {
                "kind": CostKind.STAFF_TIME,
                "hours": str(rng.randint(30, 50)),
                "hourly_rate": "65",
                "staff_role": "program manager",
            },
        ]
        for fields in entries:
            costs.cost_entry_create(month=month, currency="USD", by=manager, **fields)
        month = (month - timedelta(days=1)).replace(day=1)
    costs.costs_sync()


def wipe_costs() -> None:
    """The program's costs hang off no customer; a fresh demo starts without the old ones."""
    CostEntry.objects.filter(reverses__isnull=False).delete()
    CostEntry.objects.all().delete()
    CostSaving.objects.all().delete()


# The truths, in plain Python over the rows (independent of the product's SQL)


def margin_of(order: Order) -> Decimal | None:
    return order.product.margin_pct


def gross_profit(amount: Decimal, margin: Decimal | None) -> Decimal:
    return Decimal(0) if margin is None else amount * margin / 100


def referral_truth(since: date, until: date) -> tuple[Decimal, Decimal]:
    window = timedelta(days=DEFAULTS[AttributionSource.REFERRAL]["window_days"])
    revenue = profit = Decimal(0)
    for referral in Referral.objects.filter(status="converted"):
        converted = referral.converted_at.astimezone(UTC).date()
        for order in Order.objects.filter(customer_id=referral.friend_id).select_related("product"):
            counted = order.pk == referral.order_id or converted <= order.ordered_on <= converted + window
            if counted and since <= order.ordered_on <= until and order.currency == "USD":
                revenue += order.amount
                profit += gross_profit(order.amount, margin_of(order))
    return revenue, profit


def reference_truth(since: date, until: date) -> tuple[Decimal, Decimal]:
    latest: dict[int, ReferenceCall] = {}
    for call in ReferenceCall.objects.select_related("ask__request__product").order_by("held_on", "id"):
        latest[call.ask.request_id] = call
    revenue = profit = Decimal(0)
    for call in latest.values():
        amount = call.deal_amount
        won = call.deal_outcome == "won" and amount is not None and call.currency == "USD"
        if won and amount is not None and since <= call.held_on <= until:
            product = call.ask.request.product
            revenue += amount
            profit += gross_profit(amount, product.margin_pct if product else None)
    return revenue, profit


def acts_by_customer() -> dict[int, list[date]]:
    acts: dict[int, list[date]] = defaultdict(list)
    for call in ReferenceCall.objects.select_related("ask__advocate"):
        acts[call.ask.advocate.customer_id].append(call.held_on)
    for s in Submission.objects.filter(status="approved", reviewed_at__isnull=False).select_related("advocate"):
        acts[s.advocate.customer_id].append(s.reviewed_at.astimezone(UTC).date())  # type: ignore[union-attr]
    for st in Story.objects.filter(status__in=["approved", "published"]).select_related("advocate"):
        acts[st.advocate.customer_id].append((st.published_at or st.consent_recorded_at).astimezone(UTC).date())
    for r in Recommendation.objects.filter(outcome="accepted"):
        acts[r.customer_id].append(r.recorded_at.astimezone(UTC).date())
    return acts


def influence_truth(since: date, until: date) -> tuple[Decimal, Decimal]:
    window = timedelta(days=DEFAULTS[AttributionSource.INFLUENCE]["window_days"])
    acts = acts_by_customer()
    revenue = profit = Decimal(0)
    orders = Order.objects.filter(
        currency="USD",
        kind__in=["upsell", "cross_sell"],
        ordered_on__gte=since,
        ordered_on__lte=until,
        customer_id__in=list(acts),
    ).select_related("product")
    for order in orders:
        if any(order.ordered_on - window <= day <= order.ordered_on for day in acts[order.customer_id]):
            revenue += order.amount
            profit += gross_profit(order.amount, margin_of(order))
    return revenue, profit


def money_truths(today: date) -> dict[str, Any]:
    since, until = today - timedelta(days=364), today
    ref_rev, ref_gp = referral_truth(since, until)
    won_rev, won_gp = reference_truth(since, until)
    inf_rev, inf_gp = influence_truth(since, until)
    cost = sum(
        (e.amount for e in CostEntry.objects.filter(month__gte=since.replace(day=1), month__lte=until, currency="USD")),
        Decimal(0),
    )
    profit = ref_gp + won_gp + inf_gp
    return {
        "money_period": {"since": since.isoformat(), "until": until.isoformat(), "currency": "USD"},
        "referral_sourced_revenue_usd": float(ref_rev.quantize(CENT)),
        "reference_won_revenue_usd": float(won_rev.quantize(CENT)),
        "influenced_revenue_usd": float(inf_rev.quantize(CENT)),
        "attributed_gross_profit_usd": float(profit.quantize(CENT)),
        "program_cost_usd": float(cost.quantize(CENT)),
        "program_cost_two_years_usd": float(sum((e.amount for e in CostEntry.objects.all()), Decimal(0))),
        "true_roi_default_model": round(float((profit - cost) / cost), 4) if cost else None,
    }
