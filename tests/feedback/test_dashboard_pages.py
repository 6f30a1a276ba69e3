"""The NPS dashboard and the response explorer, as each role sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.feedback.dashboard import views as dashboard_views
from advocacy.feedback.models import Theme
from tests.conftest import loaded_from_elsewhere
from tests.factories import CustomerFactory
from tests.feedback.helpers_stats import add_responses, make_survey, nps_scores

pytestmark = pytest.mark.django_db

ALLOWED = ["admin", "program_manager", "analyst", "customer_advocate", "department_head"]
PAGES = ["feedback:dashboard", "feedback:responses", "feedback:responses_csv", "feedback:plotly_js"]
JAN = datetime(2025, 1, 15, 12, tzinfo=UTC)


@pytest.fixture
def survey():  # type: ignore[no-untyped-def]
    survey = make_survey()
    add_responses(
        survey,
        nps_scores(30, 10, 10),
        at=JAN,
        customer=CustomerFactory(account__region="EMEA"),
        comment='=HYPERLINK("http://evil")',
    )
    add_responses(survey, nps_scores(5, 5, 10), at=JAN, customer=CustomerFactory(account__region="APAC"))
    return survey


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_serves_the_roles_it_declares(client_as, survey, role, name):
    assert client_as(role).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_sales_may_not_see_the_feedback_figures(client_as, survey, name):
    assert client_as("sales").get(reverse(name)).status_code == 403


def test_the_declared_roles_are_the_five_staff_roles_that_read_feedback():
    for view in (dashboard_views.dashboard, dashboard_views.responses, dashboard_views.responses_csv):
        assert view.allowed_roles == frozenset(ALLOWED)  # type: ignore[attr-defined]


def test_the_dashboard_shows_the_nps_with_its_interval_n_and_the_exclusion_of_non_answers(client_as, survey):
    page = (
        client_as("analyst").get(reverse("feedback:dashboard"), {"survey": survey.pk, "period": "all"}).content.decode()
    )
    # 35 promoters, 15 passives, 20 detractors of 70: NPS 21.
    assert "<strong>21</strong>" in page
    assert "n = 70 answers" in page
    assert "did not answer are excluded" in page
    assert "linear regression of the score on" in page
    assert 'data-chart="chart-trend"' in page and 'id="chart-distribution"' in page
    assert "/nps/assets/plotly.min.js?v=" in page
    assert loaded_from_elsewhere(page) == []
    assert "APAC" in page and "▼" in page


def test_a_small_sample_carries_a_warning(client_as):
    small = make_survey(name="Pilot")
    add_responses(small, [10, 9, 3], at=JAN)
    page = client_as("admin").get(reverse("feedback:dashboard"), {"survey": small.pk, "period": "all"}).content.decode()
    assert "fewer than 30 answers: treat as indicative" in page


def test_a_csat_survey_shows_csat_as_its_headline(client_as):
    csat = make_survey("csat", "Support CSAT")
    add_responses(csat, [5, 4, 2, 1], at=JAN)
    page = client_as("admin").get(reverse("feedback:dashboard"), {"survey": csat.pk}).content.decode()
    assert '<h2 id="headline">CSAT</h2>' in page
    assert "<strong>50</strong>" in page


def test_the_dashboard_without_surveys_says_so(client_as, staff):
    assert "No surveys yet." in client_as("admin").get(reverse("feedback:dashboard")).content.decode()


def test_the_dashboard_runs_a_fixed_number_of_queries_however_many_answers(
    client_as, survey, django_assert_max_num_queries
):
    client = client_as("program_manager")
    for _ in range(5):
        add_responses(survey, nps_scores(3, 3, 3), at=JAN, customer=CustomerFactory(account__region="LATAM"))
    # 16, 2 for the drivers' feature use and records start, and 2 for the banner that says when no worker runs
    with django_assert_max_num_queries(20):
        response = client.get(
            reverse("feedback:dashboard"), {"survey": survey.pk, "by": "week", "segment": "tenure", "period": "all"}
        )
    assert response.status_code == 200


def test_plotly_js_is_served_locally_with_a_long_cache(client_as):
    response = client_as("admin").get(reverse("feedback:plotly_js"))
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["Content-Type"].startswith("text/javascript")
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()


def test_the_explorer_filters_by_category_and_region_and_links_each_customer(client_as, survey):
    response = client_as("customer_advocate").get(
        reverse("feedback:responses"), {"survey": survey.pk, "category": "detractor", "region": "APAC"}
    )
    page = response.content.decode()
    assert "10 responses match." in page
    first = response.context["page"].object_list[0]
    assert reverse("customers:detail", args=[first.customer_id]) in page


def test_the_explorer_pages_by_25(client_as, survey):
    response = client_as("admin").get(reverse("feedback:responses"), {"page": 3})
    assert len(response.context["page"].object_list) == 20  # 70 answers: 25, 25, 20


def test_the_explorer_searches_comments_and_filters_scores(client_as, survey):
    client = client_as("admin")
    assert client.get(reverse("feedback:responses"), {"q": "hyperlink"}).context["page"].paginator.count == 50
    assert client.get(reverse("feedback:responses"), {"score_min": 9}).context["page"].paginator.count == 35
    assert client.get(reverse("feedback:responses"), {"has_comment": "no"}).context["page"].paginator.count == 20


def test_the_csv_export_has_the_filtered_rows_with_formulas_neutralised(client_as, survey):
    response = client_as("analyst").get(reverse("feedback:responses_csv"), {"region": "EMEA"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("answered_at,survey,wave,kind,score")
    assert len(lines) == 51
    assert "'=HYPERLINK" in lines[1]


def test_nps_opens_the_relationship_nps_even_when_a_newer_empty_survey_exists(client_as):
    relationship = make_survey()
    relationship.schedule, relationship.every_n, relationship.every_unit = "recurring", 3, "months"
    relationship.save()
    add_responses(relationship, nps_scores(10, 5, 5), at=JAN, customer=CustomerFactory())
    make_survey(kind="csat", name="CSAT after a case")  # newer, and nothing answered yet

    page = client_as("analyst").get(reverse("feedback:dashboard"))

    assert page.context["survey"] == relationship
    assert f'<option value="{relationship.pk}" selected>' in page.text
    assert "---------" not in page.text


def test_the_headline_is_the_latest_wave_with_all_time_one_click_away(client_as):
    from advocacy.feedback.models import Wave

    survey = make_survey(name="Relationship NPS")
    first = Wave.objects.create(survey=survey, number=1, opened_at=JAN, closes_at=JAN + timedelta(days=14))
    later = datetime(2025, 6, 2, 12, tzinfo=UTC)
    second = Wave.objects.create(survey=survey, number=2, opened_at=later, closes_at=later + timedelta(days=14))
    add_responses(survey, nps_scores(40, 0, 10), at=JAN, wave=first)  # NPS 60 then
    add_responses(survey, nps_scores(10, 0, 20), at=later + timedelta(days=1), wave=second)  # NPS -33 now
    client = client_as("analyst")

    latest = client.get(reverse("feedback:dashboard"), {"survey": survey.pk}).content.decode()
    pooled = client.get(reverse("feedback:dashboard"), {"survey": survey.pk, "period": "all"}).content.decode()

    assert "Over the latest wave (wave 2, from 2 Jun 2025)" in latest and "<strong>-33</strong>" in latest
    assert f'href="?survey={survey.pk}&amp;period=all">all time</a>' in latest
    assert "Over all time" in pooled and "<strong>25</strong>" in pooled  # 50 promoters, 30 detractors of 80


def test_the_trend_runs_on_a_time_axis_with_empty_months_as_gaps_and_small_n_hollow():
    from advocacy.feedback.dashboard import charts
    from advocacy.feedback.dashboard import queries as metrics

    survey = make_survey(name="Relationship NPS")
    add_responses(survey, nps_scores(30, 5, 5), at=JAN)
    add_responses(survey, nps_scores(3, 1, 1), at=datetime(2025, 4, 10, 12, tzinfo=UTC))

    chart = charts.trend_chart(metrics.trend(survey, "month"))
    line = chart["data"][2]

    assert line["x"] == ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]
    assert line["y"][1] is None and line["y"][2] is None and line["connectgaps"] is False  # Feb, Mar: nobody
    assert line["marker"]["symbol"] == ["circle", "circle-open", "circle-open", "circle-open"]  # 40 vs 5 answers
    assert line["customdata"][3][3] == " (few answers: indicative)"


def test_a_trend_point_and_a_theme_lead_to_the_answers_behind_them(client_as):
    survey = make_survey(name="Relationship NPS")
    slow = Theme.objects.create(label="slow support", terms=["slow"], method="test", found_at=timezone.now())
    add_responses(survey, nps_scores(30, 5, 5), at=JAN)
    add_responses(survey, nps_scores(0, 0, 3), at=JAN, theme=slow)
    add_responses(survey, nps_scores(3, 1, 1), at=datetime(2025, 4, 10, 12, tzinfo=UTC))
    client = client_as("analyst")
    page = client.get(reverse("feedback:dashboard"), {"survey": survey.pk, "by": "month", "period": "all"})

    line = page.context["charts"]["trend"]["data"][2]
    january, february = line["customdata"][0][0], line["customdata"][1][0]
    assert client.get(january).context["page"].paginator.count == 43
    assert february == ""  # an empty month has nothing to open
    theme_link = next(t["url"] for t in page.context["themes"] if t["label"] == "slow support")
    assert client.get(theme_link).context["page"].paginator.count == 3


def test_each_segment_is_drawn_with_its_interval_and_leads_to_exactly_its_answers(client_as, survey):
    client = client_as("analyst")
    page = client.get(reverse("feedback:dashboard"), {"survey": survey.pk, "period": "all"})

    chart = page.context["charts"]["segments"]
    apac = next(row for row, link in page.context["segments"] if row.label == "APAC")
    link = dict(page.context["segments"])[apac]
    answers = client.get(link)

    assert 'data-chart="chart-segments"' in page.content.decode()
    assert any(url == link for url, *_ in chart["data"][0]["customdata"])  # the dot opens the same answers
    assert answers.context["page"].paginator.count == apac.estimate.n == 20
