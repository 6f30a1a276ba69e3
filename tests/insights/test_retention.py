"""Retention by NPS group and advocacy status, churn per period, revenue retention, on the real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.insights.groups import UnknownGroup, UnknownGrouping, grouping
from advocacy.insights.retention import queries as retention
from tests.insights.helpers import answer, customer, member, order, survey

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)


def test_curves_split_customers_by_the_category_of_their_latest_nps_answer():
    nps = survey("nps")
    changed_mind = customer(date(2025, 1, 1), churned=date(2025, 7, 1))
    answer(nps, changed_mind, 10, date(2025, 2, 1))
    answer(nps, changed_mind, 2, date(2025, 5, 1))  # the latest answer decides: a detractor
    loyal = customer(date(2025, 1, 1))
    answer(nps, loyal, 9, date(2025, 3, 1))
    customer(date(2025, 1, 1))  # never answered

    result = retention.retention_comparison(grouping("nps"), AS_OF)

    by_group = {g.group: g.curve for g in result.groups}
    assert [g.group for g in result.groups] == ["promoter", "detractor", "no answer"]
    assert by_group["detractor"].times.tolist() == [0, 181]  # 1 Jan → 1 Jul 2025
    assert by_group["detractor"].survival.tolist() == [1.0, 0.0]
    assert by_group["promoter"].survival.tolist() == [1.0, 1.0]  # censored on the as-of day
    assert by_group["promoter"].times[-1] == (AS_OF - date(2025, 1, 1)).days
    assert result.test is not None and result.test.degrees_of_freedom == 2


def test_the_durations_come_from_one_query_whatever_the_number_of_customers():
    for i in range(30):
        member(customer(date(2024, 1, 1) + timedelta(days=i), churned=date(2025, 1, 1) if i % 3 else None))
    with CaptureQueriesContext(connection) as queries:
        data = retention.lifetimes(grouping("member"), AS_OF)
    assert len(queries) == 1
    assert data.durations.size == 30 and data.events.sum() == 20


def test_a_churn_after_the_as_of_day_is_not_known_yet_and_a_start_after_it_is_left_out():
    customer(date(2025, 1, 1), churned=date(2026, 8, 1))
    customer(date(2026, 7, 15))
    data = retention.lifetimes(grouping("member"), AS_OF)
    assert data.events.tolist() == [0]
    assert data.durations.tolist() == [(AS_OF - date(2025, 1, 1)).days]


def test_a_churn_before_the_start_is_skipped_and_counted():
    customer(date(2025, 6, 1), churned=date(2025, 1, 1))
    customer(date(2025, 1, 1))
    result = retention.retention_comparison(grouping("member"), AS_OF)
    assert result.skipped == 1 and result.n == 1


def test_members_and_non_members_are_compared_with_the_customers_behind_each_curve():
    stays = customer(date(2025, 1, 1))
    member(stays)
    leaves = customer(date(2025, 1, 1), churned=date(2025, 3, 1))
    result = retention.retention_comparison(grouping("member"), AS_OF)
    assert [(g.group, g.curve.n, g.curve.churned) for g in result.groups] == [("member", 1, 0), ("not a member", 1, 1)]
    assert list(retention.customers_in_group(grouping("member"), "not a member", AS_OF)) == [leaves]
    with pytest.raises(UnknownGroup, match="choose one of member, not a member"):
        retention.customers_in_group(grouping("member"), "members", AS_OF)


def test_an_unknown_grouping_names_the_ones_that_exist():
    with pytest.raises(UnknownGrouping, match="choose one of nps, member, referrer"):
        grouping("tenure")


def test_churn_per_quarter_is_churned_of_those_active_at_its_start():
    customer(date(2024, 6, 1), churned=date(2025, 2, 10))  # churns in Q1, active at its start
    customer(date(2024, 6, 1))
    customer(date(2025, 2, 1), churned=date(2025, 3, 1))  # started and left inside Q1: not in its base
    customer(date(2024, 12, 1), churned=date(2025, 5, 5))  # churns in Q2

    q1, q2 = retention.churn_by_period(period="quarter", since=date(2025, 1, 1), until=date(2025, 6, 30))

    assert (q1.start, q1.end, q1.active_at_start, q1.churned, q1.started) == (
        date(2025, 1, 1),
        date(2025, 4, 1),
        3,
        1,
        1,
    )
    assert q1.rate == pytest.approx(1 / 3)
    assert (q2.active_at_start, q2.churned, q2.rate) == (2, 1, 0.5)


@pytest.mark.parametrize(
    ("period", "since", "until", "field"),
    [
        ("quarter", date(2025, 1, 1), date(2025, 1, 1), "since"),  # a window of zero days
        ("fortnight", date(2025, 1, 1), date(2025, 6, 1), "period"),
    ],
)
def test_a_window_that_makes_no_sense_is_refused(period, since, until, field):
    with pytest.raises(retention.BadRetentionInput) as refused:
        retention.churn_by_period(period=period, since=since, until=until)
    assert refused.value.field == field


def test_gross_and_net_revenue_retention_per_cohort_equal_the_hand_computation():
    then, now = date(2025, 3, 1), date(2026, 3, 1)  # inside the year before, and inside the last year
    expands, churns, shrinks = (customer(date(2024, 2, 1)) for _ in range(3))
    order(expands, "100", then), order(expands, "150", now)
    order(churns, "200", then)
    order(shrinks, "100", then), order(shrinks, "80", now)
    newcomer = customer(date(2025, 8, 1))
    order(newcomer, "300", now)  # no revenue the year before: not in the base
    older = customer(date(2023, 5, 1))
    order(older, "50", then), order(older, "50", now)
    order(older, "999", now, currency="EUR")  # another currency, never added in

    table = retention.revenue_retention(as_of=AS_OF, years=1, currency="USD")

    rows = {r.cohort: r for r in table.rows}
    # 2024 cohort: base 400; kept min(100,150) + min(200,0) + min(100,80) = 180; total 150 + 0 + 80 = 230.
    assert (rows[2024].customers, rows[2024].base, rows[2024].kept, rows[2024].total) == (3, 400, 180, 230)
    assert rows[2024].grr == pytest.approx(0.45) and rows[2024].nrr == pytest.approx(0.575)
    assert (rows[2023].grr, rows[2023].nrr) == (1.0, 1.0)
    (total,) = table.totals
    assert (total.base, total.kept, total.total) == (450, 230, 280)
    assert table.years == [date(2025, 7, 1)]


def test_the_cohort_heatmap_shows_who_is_still_a_customer_among_those_observed():
    customer(date(2025, 1, 10))
    customer(date(2025, 2, 10), churned=date(2025, 6, 1))
    customer(date(2026, 5, 1))  # too young for the first quarter
    rows = retention.cohort_heatmap(as_of=AS_OF, cohort_by="quarter", steps=2)
    first = next(r for r in rows if r.cohort == "2025 Q1")
    assert first.customers == 2 and first.retained == [1.0, 0.5]
    youngest = next(r for r in rows if r.cohort == "2026 Q2")
    assert youngest.retained == [None, None] and youngest.observed == [0, 0]


def test_the_customers_behind_a_churn_period_or_a_cohort_can_be_listed():
    leaves = customer(date(2024, 6, 1), churned=date(2025, 2, 10))
    customer(date(2024, 6, 1), churned=date(2025, 5, 10))
    starts = customer(date(2025, 2, 1))
    churned_in_q1 = {"churned_from": date(2025, 1, 1), "churned_until": date(2025, 4, 1)}
    assert list(retention.customers_in_group(grouping("member"), None, AS_OF, churned_in_q1)) == [leaves]
    started_in_2025 = {"started_from": date(2025, 1, 1), "started_until": date(2026, 1, 1)}
    assert list(retention.customers_in_group(grouping("member"), None, AS_OF, started_in_2025)) == [starts]
    assert retention.cohort_bounds("2025 Q4") == (date(2025, 10, 1), date(2026, 1, 1))
