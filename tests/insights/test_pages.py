"""The retention, lifetime value and status pages and API: what a program manager reads, and bad input."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from advocacy.insights.lifetime.services import lifetime_fit_run
from tests.conftest import loaded_from_elsewhere
from tests.insights.helpers import answer, customer, member, order, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    nps = survey("nps")
    start = date.today() - timedelta(days=800)
    people = []
    for i in range(24):
        who = customer(
            start + timedelta(days=i * 7), churned=(start + timedelta(days=400 + i * 10)) if i % 4 == 0 else None
        )
        answer(nps, who, (10, 8, 3)[i % 3], start + timedelta(days=200))
        if i % 5 == 0:
            member(who)
        for k in range(1 + i % 4):
            order(who, str(100 + 10 * i), start + timedelta(days=i * 7 + 150 * k))
        people.append(who)
    return people


def test_the_retention_page_shows_curves_with_bands_the_log_rank_test_and_the_tables(client_as, company):
    page = client_as("program_manager").get("/insights/retention/?by=nps")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kaplan–Meier" in html and "Greenwood" in html
    assert "Log-rank test" in html and "degrees of freedom" in html
    assert 'data-chart="chart-survival"' in html and 'data-chart="chart-heatmap"' in html
    assert "Promoters (9–10)" in html and "at risk" in html
    assert "Revenue retention per yearly cohort" in html and "GRR" in html and "NRR" in html
    assert "/insights/retention/customers/?by=nps&group=promoter" in html
    assert loaded_from_elsewhere(html) == []


@pytest.mark.parametrize(
    "query",
    [
        "by=tenure",
        "since=2025-01-01&until=2025-01-01",
        "as_of={tomorrow}",
        "period=fortnight",
        "currency=XYZ",
    ],
)
def test_bad_retention_filters_get_a_form_error_not_a_crash(client_as, company, query):
    # "Tomorrow" is read when the test runs, not when it is collected: a run that crosses midnight
    # would otherwise ask for a day that has become today.
    query = query.format(tomorrow=timezone.localdate() + timedelta(days=1))
    page = client_as("analyst").get(f"/insights/retention/?{query}")
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


def test_each_retention_table_downloads_as_csv(client_as, company):
    client = client_as("analyst")
    for table, first_column in (
        ("curves", "group"),
        ("churn", "period_start"),
        ("revenue", "cohort"),
        ("cohorts", "cohort"),
    ):
        response = client.get(f"/insights/retention.csv?table={table}")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert response.status_code == 200 and rows[0][0] == first_column, table
    assert client.get("/insights/retention.csv?table=secrets").status_code == 400


def test_the_drill_down_lists_the_customers_behind_a_curve(client_as, company):
    page = client_as("analyst").get("/insights/retention/customers/?by=member&group=member")
    html = page.content.decode()
    assert page.status_code == 200 and "5 customers" in html
    assert f"/customers/{company[0].pk}/" in html
    assert client_as("analyst").get("/insights/retention/customers/?by=member&group=vip").status_code == 400


def test_the_lifetime_page_names_its_method_and_shows_the_holdout_error(client_as, company):
    empty = client_as("program_manager").get("/insights/lifetime/")
    assert "No lifetime value fit yet" in empty.content.decode()
    lifetime_fit_run(holdout_days=200)
    html = client_as("program_manager").get("/insights/lifetime/").content.decode()
    assert "BG/NBD purchases with Gamma-Gamma spend, fitted by maximum likelihood" in html
    assert "mean absolute error" in html
    assert 'data-chart="chart-ltv"' in html and 'data-chart="chart-calibration"' in html
    assert client_as("program_manager").get("/insights/lifetime/?currency=JPY").status_code == 400
    export = client_as("analyst").get("/insights/lifetime.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "customer_id" and len(rows) == 1 + 24


def test_the_customer_360_shows_historical_and_predicted_value(client_as, company):
    lifetime_fit_run(holdout_days=200)
    who = company[3]
    html = client_as("analyst").get(f"/customers/{who.pk}/").content.decode()
    assert "Lifetime value" in html and "Historical value" in html and "next 365 days" in html
    assert "Lifetime value" not in client_as("sales").get(f"/customers/{who.pk}/").content.decode()


def test_the_status_page_shows_nps_csat_and_margin_by_status(client_as, company):
    html = client_as("analyst").get("/insights/status/").content.decode()
    assert "Hub member" in html and "Referrer" in html and "Reference" in html and "Story" in html
    assert "Gross margin per customer" in html and "95% interval" in html
    assert client_as("analyst").get("/insights/status/?currency=XYZ").status_code == 400
    assert client_as("analyst").get("/insights/status/customers/?status=member&group=member").status_code == 200
    assert client_as("analyst").get("/insights/status/customers/?status=vip&group=x").status_code == 400


def test_the_api_serves_each_figure_with_its_parameters(api, company):
    client = api("analyst")
    curves = client.get("/api/v1/insights/retention/curves?by=member").json()
    assert curves["grouping"] == "member" and {g["group"] for g in curves["groups"]} == {"member", "not a member"}
    assert curves["log_rank"]["degrees_of_freedom"] == 1 and "Kaplan–Meier" in curves["method"]
    churn = client.get("/api/v1/insights/retention/churn?period=year").json()
    assert all(set(p) >= {"start", "end", "active_at_start", "churned", "rate"} for p in churn)
    assert client.get("/api/v1/insights/retention/revenue?years=1").status_code == 200
    assert client.get("/api/v1/insights/retention/cohorts?cohort_by=year&steps=3").json()[0]["retained"].__len__() == 3
    statuses = client.get("/api/v1/insights/status").json()
    assert [s["status"] for s in statuses] == ["member", "referrer", "reference", "story"]
    assert client.get("/api/v1/insights/lifetime").status_code == 404
    lifetime_fit_run(holdout_days=200)
    value = client.get("/api/v1/insights/lifetime").json()
    assert value["fit"]["calibration_mae"] is not None and value["customers"] == 24
    one = client.get(f"/api/v1/insights/lifetime/customers/{company[0].pk}").json()
    assert one[0]["currency"] == "USD" and float(one[0]["historical_value"]) > 0


@pytest.mark.parametrize(
    ("path", "pointer"),
    [
        ("/api/v1/insights/retention/curves?by=tenure", "/query/by"),
        ("/api/v1/insights/retention/churn?since=2025-01-01&until=2025-01-01", "/query/since"),
        ("/api/v1/insights/retention/curves?as_of=2999-01-01", "/query/as_of"),
        ("/api/v1/insights/retention/cohorts?steps=0", "/query/steps"),
        ("/api/v1/insights/status?currency=XYZ", "/query/currency"),
    ],
)
def test_bad_api_parameters_get_a_problem_with_a_pointer(api, company, path, pointer):
    response = api("analyst").get(path)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


def test_a_drill_down_window_that_ends_before_it_starts_is_refused(client_as, company):
    response = client_as("analyst").get(
        "/insights/retention/customers/?churned_from=2025-06-01&churned_until=2025-01-01"
    )
    assert response.status_code == 400 and "must be after the start" in response.content.decode()


def test_the_retention_page_makes_the_same_few_queries_for_many_customers(
    client_as, company, django_assert_max_num_queries
):
    client = client_as("analyst")
    client.get("/insights/retention/")  # warm: the session and the sign-in
    with django_assert_max_num_queries(12):
        assert client.get("/insights/retention/?by=referrer").status_code == 200
    for i in range(30):
        customer(date.today() - timedelta(days=500 + i), churned=date.today() - timedelta(days=i) if i % 2 else None)
    with django_assert_max_num_queries(12):
        assert client.get("/insights/retention/?by=referrer").status_code == 200


def test_the_status_page_marks_small_groups(client_as, company):
    html = client_as("analyst").get("/insights/status/").content.decode()
    assert 'class="pill warn" title="fewer than 30 answers: treat as indicative">small' in html
