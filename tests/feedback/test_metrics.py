"""The dashboard's figures read from the database: exact counts, buckets, segments, differences, drivers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from advocacy.customers.models import EngagementEvent, ProductInUse
from advocacy.feedback.dashboard import queries as metrics
from advocacy.feedback.models import Theme, Wave
from tests.factories import CustomerFactory, ProductFactory
from tests.feedback.helpers_stats import add_responses, make_survey, nps_scores

pytestmark = pytest.mark.django_db

JAN = datetime(2025, 1, 15, 12, tzinfo=UTC)
FEB = datetime(2025, 2, 15, 12, tzinfo=UTC)
MAR = datetime(2025, 3, 10, 12, tzinfo=UTC)


def test_the_summary_counts_promoters_passives_and_detractors_in_one_query(django_assert_num_queries):
    survey = make_survey()
    add_responses(survey, nps_scores(60, 25, 15), at=JAN)
    with django_assert_num_queries(1):
        summary = metrics.nps_summary(survey)
    assert (summary.n, summary.promoters, summary.passives, summary.detractors) == (100, 60, 25, 15)
    assert summary.nps == 45.0
    assert summary.low == pytest.approx(29.3428, abs=1e-4)


def test_the_summary_counts_only_the_period_asked_for():
    survey = make_survey()
    add_responses(survey, [10, 10, 0], at=JAN)
    add_responses(survey, [0, 0], at=MAR)
    summary = metrics.nps_summary(survey.pk, since=date(2025, 1, 1), until=date(2025, 1, 31))
    assert (summary.n, summary.promoters, summary.detractors) == (3, 2, 1)
    # "until" a date includes that whole day.
    assert metrics.nps_summary(survey, until=date(2025, 3, 10)).n == 5
    assert metrics.nps_summary(survey, until=date(2025, 3, 9)).n == 3


def test_no_answers_give_the_no_answers_state():
    summary = metrics.nps_summary(make_survey())
    assert summary.n == 0
    assert summary.value is None
    assert summary.warning == "no answers"


def test_csat_and_ces_surveys_get_their_own_headline_figure():
    csat, ces = make_survey("csat", "Support CSAT"), make_survey("ces", "Effort")
    add_responses(csat, [5] * 40 + [4] * 40 + [2] * 20, at=JAN)
    add_responses(ces, [3, 4, 5], at=JAN)
    csat_summary = metrics.nps_summary(csat)
    assert (csat_summary.metric, csat_summary.n, csat_summary.value) == ("CSAT", 100, 80.0)
    assert csat_summary.low == pytest.approx(71.1169, abs=1e-4)
    ces_summary = metrics.nps_summary(ces)
    assert (ces_summary.metric, ces_summary.value, ces_summary.margin) == ("CES", 4.0, pytest.approx(2.484138))


def test_the_distribution_has_every_point_of_the_scale_with_its_category():
    survey = make_survey()
    add_responses(survey, [0, 0, 7, 9, 10, 10, 10], at=JAN)
    distribution = metrics.score_distribution(survey)
    assert [(c.score, c.count) for c in distribution] == [
        (0, 2), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 1), (8, 0), (9, 1), (10, 3)
    ]  # fmt: skip
    assert [c.category for c in distribution][6:9] == ["detractor", "passive", "passive"]


def test_the_trend_by_month_has_one_bucket_per_month_with_answers():
    survey = make_survey()
    add_responses(survey, nps_scores(3, 1, 1), at=JAN)
    add_responses(survey, nps_scores(1, 0, 3), at=MAR)
    points = metrics.trend(survey, by="month")
    assert [(p.label, p.start, p.estimate.n, p.estimate.value) for p in points] == [
        ("Jan 2025", date(2025, 1, 1), 5, 40.0),
        ("Mar 2025", date(2025, 3, 1), 4, -50.0),
    ]
    assert points[0].estimate.low is not None


def test_the_trend_by_week_starts_each_bucket_on_monday():
    survey = make_survey()
    add_responses(survey, [10], at=datetime(2025, 1, 15, tzinfo=UTC))  # a Wednesday
    add_responses(survey, [0], at=datetime(2025, 1, 19, 23, tzinfo=UTC))  # the Sunday after
    add_responses(survey, [8], at=datetime(2025, 1, 20, 1, tzinfo=UTC))  # the next Monday
    points = metrics.trend(survey, by="week")
    assert [(p.start, p.estimate.n) for p in points] == [(date(2025, 1, 13), 2), (date(2025, 1, 20), 1)]
    assert points[0].label == "week of 13 Jan 2025"


def test_the_trend_puts_an_answer_in_the_month_of_the_company_time_zone():
    survey = make_survey()
    with timezone.override("America/New_York"):
        add_responses(survey, [10], at=datetime(2025, 3, 1, 4, 30, tzinfo=UTC))  # 23:30 on 28 Feb in New York
        add_responses(survey, [0], at=datetime(2025, 3, 1, 5, 30, tzinfo=UTC))  # 00:30 on 1 Mar
        add_responses(survey, [0], at=datetime(2025, 11, 2, 4, 30, tzinfo=UTC))  # 00:30 on 2 Nov (clocks go back)
        points = metrics.trend(survey, by="month")
    assert [(p.label, p.estimate.n) for p in points] == [("Feb 2025", 1), ("Mar 2025", 1), ("Nov 2025", 1)]


def test_the_trend_by_wave_orders_waves_by_number():
    survey = make_survey()
    waves = [Wave.objects.create(survey=survey, number=n, opened_at=JAN, closes_at=MAR) for n in (1, 2)]
    add_responses(survey, [10, 10], at=JAN, wave=waves[1])
    add_responses(survey, [0, 10, 10], at=JAN, wave=waves[0])
    points = metrics.trend(survey, by="wave")
    assert [(p.label, p.estimate.n, round(p.estimate.value)) for p in points] == [("wave 1", 3, 33), ("wave 2", 2, 100)]


def test_segments_by_region_count_each_region_and_mark_a_significantly_worse_one():
    survey = make_survey()
    emea = CustomerFactory(account__region="EMEA")
    apac = CustomerFactory(account__region="APAC")
    add_responses(survey, nps_scores(120, 50, 30), at=JAN, customer=emea)
    add_responses(survey, nps_scores(40, 50, 110), at=JAN, customer=apac)
    add_responses(survey, nps_scores(1, 0, 0), at=JAN)  # no customer: counted as "(not set)"
    rows = {row.label: row for row in metrics.segments(survey, "account__region")}
    assert set(rows) == {"EMEA", "APAC", "(not set)"}
    assert (rows["EMEA"].estimate.n, rows["EMEA"].estimate.value) == (200, 45.0)
    assert (rows["APAC"].estimate.n, rows["APAC"].estimate.value) == (200, -35.0)
    assert rows["APAC"].mark == "▼" and rows["EMEA"].mark == "▲"
    assert rows["(not set)"].mark == ""
    assert rows["(not set)"].estimate.warning == "fewer than 30 answers: treat as indicative"


def test_segments_by_tenure_band_measure_tenure_at_the_end_of_the_period():
    survey = make_survey()
    add_responses(survey, [10], at=JAN, customer=CustomerFactory(customer_since=date(2024, 6, 1)))
    add_responses(survey, [10], at=JAN, customer=CustomerFactory(customer_since=date(2018, 1, 1)))
    add_responses(survey, [0], at=JAN, customer=CustomerFactory(customer_since=date(2022, 1, 1)))
    rows = metrics.segments(survey, "tenure", until=date(2025, 1, 31))
    assert sorted((r.label, r.estimate.n) for r in rows) == [
        ("2–5 years", 1),
        ("5 years or more", 1),
        ("under 1 year", 1),
    ]
    assert metrics.nps_summary(survey, until=date(2025, 1, 31), filters={"tenure": "2–5 years"}).n == 1


def test_filters_narrow_every_figure_to_a_segment():
    survey = make_survey()
    add_responses(survey, [10, 10], at=JAN, customer=CustomerFactory(account__region="EMEA", locale="de"))
    add_responses(survey, [0], at=JAN, customer=CustomerFactory(account__region="APAC", locale="ja"))
    assert metrics.nps_summary(survey, filters={"account__region": "APAC"}).n == 1
    assert metrics.nps_summary(survey, filters={"locale": "de"}).value == 100.0
    with pytest.raises(ValueError, match="unknown segment field"):
        metrics.nps_summary(survey, filters={"customer__email": "x"})


def test_a_large_fall_between_periods_is_significant():
    survey = make_survey()
    add_responses(survey, nps_scores(200, 100, 112), at=JAN)
    add_responses(survey, nps_scores(150, 100, 148), at=MAR)
    comparison = metrics.period_difference(
        survey, date(2025, 1, 1), date(2025, 1, 31), date(2025, 3, 1), date(2025, 3, 31)
    )
    assert (comparison.a.n, comparison.b.n) == (412, 398)
    assert comparison.verdict == "down 20.9 points, significant (p < 0.001, n = 412 vs 398)"


def test_a_small_rise_between_periods_is_not_significant():
    survey = make_survey()
    add_responses(survey, nps_scores(40, 30, 30), at=JAN)
    add_responses(survey, nps_scores(46, 30, 24), at=MAR)
    comparison = metrics.period_difference(
        survey, date(2025, 1, 1), date(2025, 1, 31), date(2025, 3, 1), date(2025, 3, 31)
    )
    assert comparison.verdict == "up 12 points, not significant at n = 100 vs 100 (p = 0.306)"


def test_drivers_recover_a_planted_two_point_drop_in_apac():
    survey = make_survey()
    rng = np.random.default_rng(11)
    for region in ("EMEA", "APAC", "AMER", "LATAM"):
        for _ in range(3):
            customer = CustomerFactory(account__region=region)
            mean = 7.5 - (2 if region == "APAC" else 0)
            scores = np.clip(np.rint(rng.normal(mean, 1.5, size=60)), 0, 10).astype(int)
            add_responses(survey, scores.tolist(), at=JAN, customer=customer)
    result = metrics.drivers(survey)
    assert result.n == 720
    assert result.method.startswith("linear regression of the score on")
    apac = next(c for c in result.coefficients if (c.group, c.name) == ("Region", "APAC"))
    assert apac.n == 180
    assert apac.high < 0
    assert apac.low < -2 < apac.high or abs(apac.coefficient + 2) < 0.3
    others = [c for c in result.coefficients if c.group == "Region" and c.name != "APAC"]
    assert all(abs(c.coefficient) < 0.6 for c in others)


def test_drivers_count_support_contacts_features_and_a_competitors_product_and_leave_themes_apart():
    survey = make_survey()
    slow = Theme.objects.create(label="slow support", terms=["slow"], method="test", found_at=timezone.now())
    rival = ProductFactory(name="Contoso Desk", competitor="Contoso")
    for index in range(40):
        customer = CustomerFactory()
        contacts, analytics, competitor = index % 4, index % 2 == 0, index % 5 == 0
        events = [
            EngagementEvent(customer=customer, kind="support_contact", occurred_at=JAN - timedelta(days=d + 1))
            for d in range(contacts)
        ]
        if analytics:
            events.append(EngagementEvent(customer=customer, kind="feature_use", detail="analytics", occurred_at=JAN))
        # Used only after answering: it cannot have moved the answer, so it is not counted.
        events.append(EngagementEvent(customer=customer, kind="feature_use", detail="mobile", occurred_at=FEB))
        EngagementEvent.objects.bulk_create(events)
        if competitor:
            ProductInUse.objects.create(customer=customer, product=rival)
        # Per support contact a month one point less, analytics one more, a competitor's product one
        # less; the "slow support" theme goes with answers two points lower.
        base = 8 - contacts + analytics - competitor
        add_responses(survey, [base] * 4, at=JAN, customer=customer)
        add_responses(survey, [base - 2] * 4, at=JAN, customer=customer, theme=slow)

    result = metrics.drivers(survey)
    by_name = {(c.group, c.name): c for c in result.coefficients}
    # The history starts three days before the answers: each contact is a contact per month, not per year.
    assert by_name[("Support", "support contacts per month")].coefficient == pytest.approx(-1.0)
    assert by_name[(metrics.FEATURE_GROUP, "analytics")].coefficient == pytest.approx(1.0)
    assert by_name[(metrics.COMPETITOR_GROUP, "yes")].coefficient == pytest.approx(-1.0)
    assert (metrics.FEATURE_GROUP, "mobile") not in by_name
    assert not [c for c in result.coefficients if c.group == metrics.THEME_GROUP]

    themes = metrics.theme_associations(survey)
    assert [(c.name, round(c.coefficient, 2)) for c in themes.coefficients] == [("slow support", -2.0)]
    assert themes.references == {"Theme": "no theme"}


def test_drivers_of_a_csat_survey_are_in_percentage_points_of_satisfied():
    survey = make_survey("csat", "CSAT")
    add_responses(survey, [5] * 30 + [2] * 10, at=JAN, customer=CustomerFactory(account__region="EMEA"))
    add_responses(survey, [5] * 10 + [2] * 30, at=JAN, customer=CustomerFactory(account__region="APAC"))
    result = metrics.drivers(survey)
    assert result.outcome.startswith("share satisfied")
    apac = next(c for c in result.coefficients if c.name in ("APAC", "EMEA"))
    assert abs(apac.coefficient) == pytest.approx(50.0)


def test_the_themes_table_comes_from_the_theme_summary():
    survey = make_survey()
    slow = Theme.objects.create(label="slow support", terms=["slow"], method="test", found_at=timezone.now())
    add_responses(survey, [2, 3], at=timezone.now() - timedelta(days=2), theme=slow, comment="so slow")
    rows = metrics.themes_table(survey)
    assert [(row["label"], row["volume"]) for row in rows] == [("slow support", 2)]
