"""ROI and payback, computed by hand for a small program."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from advocacy.insights.attribution.model import stored_models
from advocacy.insights.costs import services as costs
from advocacy.insights.models import CostKind
from advocacy.insights.money.services import exchange_rate_add
from advocacy.insights.roi.queries import roi_report
from tests.factories import CustomerFactory
from tests.insights import data

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def small_program(alice):
    """A friend referred in January buys 1,000 (40 % margin) in January and 1,500 in April: 1,000 gross
    profit. Costs: 300 in January, 200 in April; a stated saving of 100 in February."""
    referrer, friend = data.advocate(), CustomerFactory()
    first = data.order(friend, "1000", D(2026, 1, 10))
    data.order(friend, "1500", D(2026, 4, 10))
    data.referral(referrer, friend, first, D(2026, 1, 10))
    costs.cost_entry_create(month=D(2026, 1, 1), kind=CostKind.EVENTS, amount="300", currency="USD", by=alice)
    costs.cost_entry_create(
        month=D(2026, 4, 1), kind=CostKind.GIFTS, amount="200", currency="USD", source="referral", by=alice
    )
    costs.cost_saving_create(month=D(2026, 2, 1), amount="100", currency="USD", description="cases deflected", by=alice)


def test_roi_is_gross_profit_plus_savings_minus_cost_over_cost(small_program):
    report = roi_report(since=D(2026, 1, 1), until=D(2026, 6, 30), models=stored_models(), currency="USD")
    assert (report.total.gross_profit, report.total.savings, report.total.cost) == (
        Decimal("1000.00"),
        Decimal("100.00"),
        Decimal("500.00"),
    )
    assert report.total.roi == pytest.approx((1000 + 100 - 500) / 500)
    assert report.payback_months == 1  # January: 400 of gross profit against 300 of cost
    assert [(q.label, q.cost) for q in report.by_quarter] == [
        ("2026 Q1", Decimal("300.00")),
        ("2026 Q2", Decimal("200.00")),
    ]
    referral = report.by_source["referral"]
    assert referral.roi == pytest.approx((1000 - 200) / 200)
    assert report.program_wide_cost == Decimal("300.00")


def test_costs_in_another_currency_join_only_through_a_rate_and_say_so(small_program, alice):
    costs.cost_entry_create(month=D(2026, 5, 1), kind=CostKind.SOFTWARE, amount="100", currency="EUR", by=alice)
    report = roi_report(since=D(2026, 1, 1), until=D(2026, 6, 30), models=stored_models(), currency="USD")
    assert report.total.cost == Decimal("500.00")
    assert "EUR" in report.conversion_note() and "left out" in report.conversion_note()
    exchange_rate_add(currency="EUR", to_currency="USD", rate="1.10", valid_on=D(2026, 1, 1), by=alice)
    report = roi_report(since=D(2026, 1, 1), until=D(2026, 6, 30), models=stored_models(), currency="USD")
    assert report.total.cost == Decimal("610.00")
    assert "converted from EUR" in report.conversion_note()
