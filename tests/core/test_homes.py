"""Each role lands on a home made for its day: the advocate's promises due today, the department head's
tasks, what waits on the program team, the analyst's NPS and listening headlines, sales' references."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.casework.cases import services as cases
from advocacy.casework.models import Case
from tests.factories import CustomerFactory
from tests.feedback.helpers_stats import add_responses, make_survey, nps_scores

pytestmark = pytest.mark.django_db


def home(client_as, role: str) -> str:  # type: ignore[no-untyped-def]
    page = client_as(role).get("/home/")
    assert page.status_code == 200
    return page.text


def test_the_customer_advocate_sees_their_promises_due_today_the_overdue_marked(client_as, staff):
    carol = staff["customer_advocate"]
    late = cases.case_open(customer=CustomerFactory(), subject="Refund still missing", by=None, owner=carol)
    later = cases.case_open(customer=CustomerFactory(), subject="Question for next week", by=None, owner=carol)
    Case.objects.filter(pk=late.pk).update(next_due=timezone.now() - timedelta(days=2))
    Case.objects.filter(pk=later.pk).update(next_due=timezone.now() + timedelta(days=6))

    text = home(client_as, "customer_advocate")

    assert "Your day" in text and "Refund still missing" in text and "overdue since" in text
    assert "Question for next week" not in text
    assert "Your day" not in home(client_as, "analyst")


def test_the_program_team_sees_what_waits_on_them_and_the_analyst_the_headlines(client_as):
    survey = make_survey()
    add_responses(survey, nps_scores(30, 10, 10), at=timezone.now() - timedelta(days=3), customer=CustomerFactory())

    manager = home(client_as, "program_manager")
    analyst = home(client_as, "analyst")

    assert "Waiting on the program team" in manager and "challenge submissions to review" in manager
    assert "the last 90 days" in analyst and "n = 50" in analyst and "Listening, the last seven days" in analyst
    assert "Waiting on the program team" not in analyst


def test_the_department_head_and_sales_each_see_their_own_list(client_as):
    assert "Your huddle tasks" in home(client_as, "department_head")
    sales = home(client_as, "sales")
    assert "Your reference requests" in sales and "Your huddle tasks" not in sales
