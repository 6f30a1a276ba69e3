"""The SLA and prevention reports: true figures by local month, each leading to the cases behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from advocacy.casework.cases import queries, services
from advocacy.casework.models import Breach, Case
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    return berlin_office()


def open_case(owner, subject: str) -> Case:  # type: ignore[no-untyped-def]
    return services.case_open(customer=CustomerFactory(), subject=subject, by=None, owner=owner)


def listed(client, url: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return {case.subject for case in response.context["cases"]}


def test_the_sla_page_shows_the_share_kept_with_its_interval_and_leads_to_the_cases(staff, office, client_as):
    carol = staff["customer_advocate"]
    late = open_case(carol, "Answered late")
    open_case(carol, "Answered on time")
    Breach.objects.create(case=late, kind="first_response", due_at=timezone.now(), owner=carol)
    analyst = client_as("analyst")

    page = analyst.get(reverse("casework:sla"))
    team = page.context["team"]
    assert (team["met"], team["n"], team["met_pct"]) == (1, 2, 50.0)
    assert team["low"] < 50 < team["high"]  # two cases: a wide interval, shown beside the share
    [(label, count, url)] = page.context["breaches"]
    assert (label, count) == ("First response", 1)
    assert "firstresponse" not in page.content.decode()
    assert listed(analyst, url) == {"Answered late"}
    assert listed(analyst, page.context["team_url"]) == {"Answered late", "Answered on time"}

    this_month = page.context["chart"]["data"][2]
    assert this_month["y"][-1] == 50.0
    assert listed(analyst, this_month["customdata"][-1][0]) == {"Answered late", "Answered on time"}


def test_a_department_head_sees_the_sla_figures_without_links_into_the_queue(staff, office, client_as):
    open_case(staff["customer_advocate"], "Any case")
    page = client_as("department_head").get(reverse("casework:sla"))
    assert page.status_code == 200
    assert page.context["team_url"] == ""
    assert f'href="{reverse("casework:queue")}?' not in page.content.decode()


@override_settings(TIME_ZONE="Europe/Berlin")
def test_cases_count_in_the_local_month_they_were_opened_and_empty_months_are_shown(staff, office):
    case = open_case(staff["customer_advocate"], "Opened just after midnight in Berlin")
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin.
    Case.objects.filter(pk=case.pk).update(created_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    now = datetime(2026, 3, 15, 12, tzinfo=ZoneInfo("Europe/Berlin"))

    months = queries.promises_kept_by_month(months=12, now=now)

    assert len(months) == 12
    assert months[0][0] == date(2025, 4, 1) and months[-1][0] == date(2026, 3, 1)
    by_month = {month: (kept, n) for month, kept, n in months}
    assert by_month[date(2026, 2, 1)] == (1, 1)
    assert by_month[date(2026, 1, 1)] == (0, 0)


def test_prevention_root_causes_and_recurrences_lead_to_their_cases(staff, office, client_as):
    carol = staff["customer_advocate"]
    prevention = services.PreventionIn(
        root_cause_category="billing_system",
        root_cause="Tax rate table out of date",
        corrective_action="Nightly sync of the tax table",
        action_owner=carol,
        action_due=timezone.localdate() + timedelta(days=7),
        verify_on=timezone.localdate() + timedelta(days=30),
    )
    first = open_case(carol, "Wrong VAT")
    services.case_resolve(case=first, by=carol, summary="Refunded", prevention=prevention)
    again = open_case(carol, "VAT wrong again")
    services.case_resolve(case=again, by=carol, summary="Refunded", prevention=prevention)
    open_case(carol, "Unrelated question")
    manager = client_as("program_manager")

    page = manager.get(reverse("casework:prevention"))
    [cause] = page.context["root_causes"]
    assert (cause["label"], cause["n"]) == ("Billing system", 2)
    assert listed(manager, cause["url"]) == {"Wrong VAT", "VAT wrong again"}
    recurrences = page.context["charts"]["recurrence"]["data"][2]
    assert listed(manager, recurrences["customdata"][-1][0]) == {"VAT wrong again"}


@pytest.mark.parametrize(
    "query", [{"promise": "sometimes"}, {"opened_from": "yesterday"}, {"root_cause": "gremlins"}, {"owner": "999999"}]
)
def test_a_bad_drill_down_filter_is_a_400_that_names_it(staff, client_as, query):
    response = client_as("program_manager").get(reverse("casework:queue"), query)
    assert response.status_code == 400
    assert next(iter(query)) in response.content.decode()
