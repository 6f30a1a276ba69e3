"""Authority over a case follows ownership: only its owner (or the program team) updates, resolves,
moves or hands it over; other advocates ask for a transfer. The cases panel on the 360 follows the
same rule as the case pages."""

from __future__ import annotations

import pytest

from advocacy.casework.cases import services
from advocacy.casework.models import Case, CaseEvent
from advocacy.core.errors import NotAllowed
from advocacy.core.staff.services import user_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doras_case(staff):  # type: ignore[no-untyped-def]
    dora = user_create(username="dora", email="dora@staff.example", role="customer_advocate", password=None)
    return services.case_open(customer=CustomerFactory(), subject="Late delivery", by=None, owner=dora)


def test_another_advocate_cannot_update_resolve_move_or_take_the_case(doras_case, staff):
    carol = staff["customer_advocate"]
    attempts = [
        lambda: services.case_post_update(case=doras_case, body="On it", by=carol),
        lambda: services.case_set_status(case=doras_case, status="waiting_customer", by=carol),
        lambda: services.case_resolve(case=doras_case, by=carol, summary="Done"),
        lambda: services.case_transfer(case=doras_case, to=carol, by=carol, reason="I'll take it"),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="Ask for a transfer"):
            attempt()

    case = Case.objects.get(pk=doras_case.pk)
    assert (case.owner.username, case.status) == ("dora", "new")
    assert not CaseEvent.objects.filter(case=case, kind="update").exists()


def test_the_program_manager_can_hand_it_over_and_then_the_new_owner_works_it(doras_case, staff):
    carol, pat = staff["customer_advocate"], staff["program_manager"]
    services.case_transfer(case=doras_case, to=carol, by=pat, reason="Dora is on leave")
    services.case_post_update(case=doras_case, body="I have your case now", by=carol)
    assert Case.objects.get(pk=doras_case.pk).status == "open"


def test_the_api_and_the_page_refuse_a_non_owner_with_a_reason(doras_case, api, client_as):
    response = api("customer_advocate").post(
        f"/api/v1/cases/{doras_case.pk}/updates", {"body": "On it"}, content_type="application/json"
    )
    assert response.status_code == 403 and "Ask for a transfer" in response.json()["detail"]

    page = client_as("customer_advocate").post(f"/cases/{doras_case.pk}/update/", {"body": "On it"}, follow=True)
    assert "Ask for a transfer" in page.text
    assert not CaseEvent.objects.filter(case=doras_case, kind="update").exists()


@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("department_head", False), ("analyst", True)])
def test_the_cases_panel_shows_case_subjects_only_to_roles_that_may_open_the_cases(doras_case, client_as, role, sees):
    page = client_as(role).get(f"/customers/{doras_case.customer_id}/")
    assert page.status_code == 200
    assert ("Late delivery" in page.text) is sees


def test_a_missed_update_promise_does_not_mark_the_next_one_missed(doras_case, staff):
    from datetime import timedelta

    from django.utils import timezone

    from advocacy.casework.cases.queries import deadlines
    from advocacy.casework.models import Breach

    earlier = timezone.now() - timedelta(days=3)
    Breach.objects.create(case=doras_case, kind="update", due_at=earlier, owner=doras_case.owner)
    Case.objects.filter(pk=doras_case.pk).update(next_update_due=timezone.now() + timedelta(hours=15))

    update = next(d for d in deadlines(Case.objects.get(pk=doras_case.pk)) if d.label.startswith("Next update"))

    assert not update.breached


def test_the_queue_says_how_late_an_overdue_promise_is(doras_case, client_as):
    from datetime import timedelta

    from django.utils import timezone

    Case.objects.filter(pk=doras_case.pk).update(next_due=timezone.now() - timedelta(days=30))
    page = client_as("program_manager").get("/cases/")
    assert "late)" in page.text and "(0 minutes)" not in page.text
