"""The program cost ledger: append-only, reversals, synced reward costs, CSV import with row errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from advocacy.advocates.models import Redemption, RedemptionStatus, Reward
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.insights.costs import services
from advocacy.insights.models import CostEntry, CostKind
from tests.insights import data

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 17)


def test_a_cost_is_booked_in_its_month(alice):
    entry = services.cost_entry_create(month=MAY, kind=CostKind.EVENTS, amount="1200.50", currency="usd", by=alice)
    assert (entry.month, entry.amount, entry.currency) == (dt.date(2026, 5, 1), Decimal("1200.50"), "USD")


def test_staff_time_is_hours_times_the_loaded_rate_of_the_role(alice):
    entry = services.cost_entry_create(
        month=MAY,
        kind=CostKind.STAFF_TIME,
        hours="12.5",
        hourly_rate="80",
        staff_role="program manager",
        currency="EUR",
        by=alice,
    )
    assert entry.amount == Decimal("1000.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "5", "currency": "XYZ"}, "currency"),
        ({"amount": "5", "kind": CostKind.REWARD_REDEMPTIONS}, "kind"),
        ({"amount": "0"}, "amount"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_is_booked(alice, fields, field):
    given = {"month": MAY, "kind": CostKind.GIFTS, "currency": "USD", **fields}
    with pytest.raises(InvalidInput) as refused:
        services.cost_entry_create(by=alice, **given)
    assert field in refused.value.errors
    assert not CostEntry.objects.exists()


def test_a_negative_cost_is_refused_by_the_database_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        CostEntry.objects.create(month=MAY, kind=CostKind.GIFTS, amount=Decimal("-1"), currency="USD")


def test_a_correction_reverses_the_entry_once_and_the_entry_stays(alice):
    entry = services.cost_entry_create(month=MAY, kind=CostKind.GIFTS, amount="300", currency="USD", by=alice)
    reversal = services.cost_entry_reverse(entry=entry, by=alice, note="booked twice")
    entry.refresh_from_db()
    assert (entry.amount, reversal.amount, reversal.reverses_id) == (Decimal("300.00"), Decimal("-300.00"), entry.pk)
    with pytest.raises(ServiceError, match="reversed already"):
        services.cost_entry_reverse(entry=entry, by=alice)
    assert CostEntry.objects.count() == 2


def test_fulfilled_redemptions_are_booked_once_at_their_money_cost(alice):
    adv = data.advocate()
    reward = Reward.objects.create(name="Mug", point_cost=100, stock=5, money_cost=Decimal("12.00"), currency="USD")
    Redemption.objects.create(advocate=adv, reward=reward, points=100, status=RedemptionStatus.FULFILLED)
    Redemption.objects.create(advocate=adv, reward=reward, points=100, status=RedemptionStatus.CANCELLED)
    assert services.costs_sync()["reward_redemptions"] == 1
    assert services.costs_sync()["reward_redemptions"] == 0
    assert list(CostEntry.objects.values_list("kind", "amount")) == [(CostKind.REWARD_REDEMPTIONS, Decimal("12.00"))]


def test_a_csv_import_books_good_rows_and_reports_each_bad_one(alice):
    text = (
        "month,kind,amount,currency,note\n"
        "2026-03,events,500,USD,Meetup\n"
        "2026-03,gifts,-20,USD,oops\n"
        "2026-04,software,99,QQQ,tool\n"
    )
    report = services.costs_import(stream=io.BytesIO(text.encode()), by=alice)
    assert (report.rows_read, report.created) == (3, 1)
    assert [(e.line, e.column, e.value) for e in report.errors] == [(3, "amount", "-20"), (4, "currency", "QQQ")]
    assert list(CostEntry.objects.values_list("amount", flat=True)) == [Decimal("500.00")]


def test_the_hourly_schedule_books_reward_costs_by_the_same_idempotent_sync():
    from advocacy.insights.costs.tasks import sync_reward_costs
    from advocacy.schedule import PERIODIC_TASKS

    assert any(p.task is sync_reward_costs and p.every_minutes == 60 for p in PERIODIC_TASKS)
