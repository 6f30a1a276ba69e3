"""Satisfaction and profitability by advocacy status, with intervals, against a hand computation."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats

from advocacy.feedback.stats import csat_estimate, nps_estimate
from advocacy.insights.status.queries import customers_in_status, status_table
from tests.insights.helpers import answer, customer, member, order, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    nps, csat = survey("nps"), survey("csat")
    first, second = customer(date(2024, 1, 1)), customer(date(2024, 1, 1))
    member(first), member(second)
    answer(nps, first, 3, date(2025, 1, 1))
    answer(nps, first, 10, date(2025, 6, 1))  # only the latest answer counts
    answer(nps, second, 9, date(2025, 2, 1))
    answer(csat, first, 5, date(2025, 3, 1))
    order(first, "100", date(2025, 1, 1)), order(first, "100", date(2025, 6, 1))  # margin 60 % → 120
    order(second, "50", date(2025, 1, 1))  # → 30
    others = [customer(date(2024, 1, 1)) for _ in range(3)]
    for who, score in zip(others, (10, 5, 7), strict=True):
        answer(nps, who, score, date(2025, 4, 1))
    answer(csat, others[0], 2, date(2025, 3, 1))
    answer(csat, others[1], 4, date(2025, 3, 1))
    return first, second, others


def test_members_and_non_members_each_get_nps_csat_and_margin_with_interval_and_n(company):
    table = status_table("member", currency="USD")
    members, non_members = table.rows
    assert (members.group, non_members.group) == ("member", "not a member")
    assert members.nps == nps_estimate(2, 0, 0) and members.nps.nps == 100
    assert non_members.nps == nps_estimate(1, 1, 1) and non_members.nps.nps == 0
    assert members.csat == csat_estimate(1, 1) and non_members.csat == csat_estimate(1, 2)
    # Gross margin per customer: 120 and 30 → mean 75, sd √((45² + 45²)/1), t(0.975, 1) interval.
    assert (members.margin.n, members.margin.mean) == (2, pytest.approx(75.0))
    half = stats.t.ppf(0.975, 1) * math.sqrt(2 * 45**2) / math.sqrt(2)
    assert members.margin.low == pytest.approx(75 - half) and members.margin.high == pytest.approx(75 + half)
    assert non_members.margin.n == 0 and non_members.margin.mean is None
    assert members.nps_vs_rest.verdict == "up 100 points, not significant at n = 3 vs 2 (p = 0.377)"


def test_the_customers_behind_a_row_are_the_members(company):
    first, second, _ = company
    assert set(customers_in_status("member", "member")) == {first, second}


def test_a_currency_without_orders_leaves_margin_empty_but_keeps_satisfaction(company):
    members, _ = status_table("member", currency="EUR").rows
    assert members.margin.n == 0 and members.nps.n == 2
