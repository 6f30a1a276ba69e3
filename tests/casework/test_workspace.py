"""The case workspace (issue 12, item 4): errors beside their fields with what was typed kept, a
confirmation for every action, reply templates, the queue's search, states, pages, saved views and
export, and the appointment as an .ics file for staff and for the customer."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.casework.cases import services
from advocacy.casework.models import Appointment, Case, QueueView, ReplyTemplate, Status
from advocacy.core.models import User
from advocacy.portal.signin.services import magic_link_create
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(staff: dict[str, User]) -> Case:
    berlin_office()
    customer = CustomerFactory(first_name="Rosa", last_name="Diaz", email="rosa@example.com")
    return services.case_open(
        customer=customer, subject="Invoice charged twice", by=None, owner=staff["customer_advocate"]
    )


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def portal_client_for(customer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(f"/portal/sign-in/{magic_link_create(customer=customer)}/").status_code == 302
    return client


# Errors beside their fields, what was typed kept


def test_a_refused_resolution_keeps_the_summary_and_shows_each_missing_field_beside_it(client_as, case):
    response = client_as("customer_advocate").post(
        f"/cases/{case.pk}/resolve/",
        {"summary": "We refunded the second charge on 3 Dec.", "with_prevention": "on", "root_cause": ""},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "We refunded the second charge on 3 Dec." in page  # what was typed is still in the form
    assert "Not done: see what needs changing below" in page
    form = response.context["resolve_form"]
    assert "corrective action is needed for the prevention step" in " ".join(form.errors["corrective_action"])
    case.refresh_from_db()
    assert case.is_open


def test_an_empty_update_is_refused_beside_the_message_box_and_sends_nothing(client_as, case):
    response = client_as("customer_advocate").post(f"/cases/{case.pk}/update/", {"body": ""})

    assert response.status_code == 422
    assert 'id="update-body-errors"' in response.content.decode()
    assert not case.events.filter(kind="update").exists()


# A confirmation for every action


def test_each_action_says_what_it_did(client_as, case, staff):
    client = client_as("customer_advocate")

    sent = client.post(f"/cases/{case.pk}/update/", {"body": "Looking into it now."}, follow=True)
    noted = client.post(f"/cases/{case.pk}/note/", {"body": "Billing run 12 doubled."}, follow=True)
    moved = client.post(f"/cases/{case.pk}/status/", {"status": Status.WAITING_CUSTOMER, "note": ""}, follow=True)

    assert messages_of(sent) == ["Update sent to Rosa Diaz by email and shown in their portal."]
    assert messages_of(noted) == ["Internal note added; the customer does not see it."]
    assert messages_of(moved) == ["Status is now “Waiting on customer”."]


def test_resolving_and_transferring_ask_before_they_are_sent(client_as, case):
    page = client_as("customer_advocate").get(f"/cases/{case.pk}/").content.decode()

    assert f'data-confirm="Resolve case #{case.pk}? The customer is told how it was resolved."' in page
    assert f'data-confirm="Hand case #{case.pk} to another customer advocate?"' in page


# Reply templates


def test_a_reply_template_starts_the_update_filled_with_the_cases_facts(client_as, case, settings):
    settings.COMPANY_NAME = "Northwind"
    created = client_as("program_manager").post(
        "/cases/reply-templates/",
        {
            "name": "Refund on its way",
            "body": "Hi {customer_first_name}, the refund for {case_number} is on its way. {advocate_name}, {company}",
            "active": "on",
        },
    )
    assert created.status_code == 302
    template = ReplyTemplate.objects.get(name="Refund on its way")

    page = client_as("customer_advocate").get(f"/cases/{case.pk}/?template={template.pk}").content.decode()

    assert f"Hi Rosa, the refund for #{case.pk} is on its way. {case.owner.display_name}, Northwind" in page


def test_a_template_with_an_unknown_placeholder_is_refused_and_kept_for_correction(client_as):
    response = client_as("program_manager").post(
        "/cases/reply-templates/", {"name": "Oops", "body": "Hello {first_name}", "active": "on"}
    )

    assert response.status_code == 422
    assert "unknown placeholder {first_name}" in " ".join(response.context["form"].errors["body"])
    assert "Hello {first_name}" in response.content.decode()
    assert not ReplyTemplate.objects.exists()


def test_a_retired_template_is_no_longer_offered(client_as, case, staff):
    kept = ReplyTemplate.objects.create(name="Kept", body="Still here")
    retired = ReplyTemplate.objects.create(name="Old", body="Gone", active=False)

    page = client_as("customer_advocate").get(f"/cases/{case.pk}/").content.decode()
    filled = client_as("customer_advocate").get(f"/cases/{case.pk}/?template={retired.pk}").content.decode()

    assert f'<option value="{kept.pk}">Kept</option>' in page and ">Old</option>" not in page
    assert "Gone" not in filled


# The queue


def test_the_queue_finds_a_case_by_number_or_by_the_customers_email(client_as, case, staff):
    other = services.case_open(
        customer=CustomerFactory(email="zed@example.com"), subject="Other", by=None, owner=staff["customer_advocate"]
    )
    client = client_as("customer_advocate")

    by_number = client.get("/cases/", {"q": f"#{case.pk}"}).context["cases"]
    by_email = client.get("/cases/", {"q": "rosa@example"}).context["cases"]

    assert [c.pk for c in by_number] == [case.pk]
    assert [c.pk for c in by_email] == [case.pk]
    assert other.pk not in [c.pk for c in by_email]


def test_resolved_cases_are_listed_on_their_own_and_not_among_the_open(client_as, case, staff):
    services.case_resolve(case=case, by=staff["customer_advocate"], summary="Refunded.")
    client = client_as("customer_advocate")

    open_cases = client.get("/cases/").context["cases"]
    resolved = client.get("/cases/", {"state": "resolved"}).context["cases"]

    assert case.pk not in [c.pk for c in open_cases]
    assert [c.pk for c in resolved] == [case.pk]


def test_a_bad_filter_is_a_400_that_names_it(client_as, case):
    response = client_as("customer_advocate").get("/cases/", {"state": "everything", "page": "x"})

    assert response.status_code == 400
    assert "state" in response.content.decode() and "page" in response.content.decode()


def test_the_queue_is_paged_fifty_at_a_time(client_as, staff):
    berlin_office()
    for n in range(55):
        services.case_open(customer=CustomerFactory(), subject=f"Case {n}", by=None, owner=staff["customer_advocate"])
    client = client_as("customer_advocate")

    first, second = client.get("/cases/"), client.get("/cases/", {"page": 2})

    assert len(first.context["cases"]) == 50 and len(second.context["cases"]) == 5
    assert "Cases 51–55 of 55" in second.content.decode()


def test_the_export_holds_the_cases_the_filters_show(client_as, case, staff):
    services.case_open(customer=CustomerFactory(), subject="Not this one", by=None, owner=staff["customer_advocate"])

    response = client_as("customer_advocate").get("/cases/cases.csv", {"q": "rosa@example"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [r["subject"] for r in rows] == ["Invoice charged twice"]
    assert rows[0]["email"] == "rosa@example.com"


def test_a_saved_view_is_listed_for_its_owner_only_and_only_they_remove_it(client_as, case, staff):
    client_as("customer_advocate").post("/cases/views/", {"name": "Urgent ones", "query": "priority=urgent&scope=all"})
    view = QueueView.objects.get(name="Urgent ones")

    mine = client_as("customer_advocate").get("/cases/").content.decode()
    theirs = client_as("program_manager").get("/cases/").content.decode()
    refused = client_as("program_manager").post(f"/cases/views/{view.pk}/delete/")

    assert 'href="?priority=urgent&amp;scope=all">Urgent ones</a>' in mine
    assert "Urgent ones" not in theirs
    assert refused.status_code == 404 and QueueView.objects.filter(pk=view.pk).exists()


def test_the_queue_labels_statuses_as_people_read_them(client_as, case, staff):
    services.case_set_status(case=case, status=Status.WAITING_CUSTOMER, by=staff["customer_advocate"])

    page = client_as("customer_advocate").get("/cases/").content.decode()

    assert "Waiting on customer 1" in page and "waitingcustomer" not in page


# Appointments as .ics files


@pytest.fixture
def appointment(case: Case) -> Appointment:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    return Appointment.objects.create(
        customer=case.customer,
        case=case,
        staff=case.owner,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        topic="Refund walkthrough",
    )


def test_staff_download_the_appointment_as_an_ics_with_the_invitations_uid(client_as, appointment):
    response = client_as("customer_advocate").get(f"/cases/appointments/{appointment.pk}.ics")

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "METHOD:PUBLISH" in body and f"UID:appointment-{appointment.pk}@" in body
    assert "SUMMARY:Refund walkthrough with" in body


def test_the_customer_downloads_their_own_appointment_and_no_one_elses(appointment):
    own = portal_client_for(appointment.customer).get(f"/portal/appointments/{appointment.pk}.ics")
    stranger = portal_client_for(CustomerFactory()).get(f"/portal/appointments/{appointment.pk}.ics")

    assert own.status_code == 200 and "Refund walkthrough" in own.content.decode()
    assert stranger.status_code == 404


def test_the_workspace_lists_the_cases_appointment_with_its_calendar_file(client_as, case, appointment):
    page = client_as("customer_advocate").get(f"/cases/{case.pk}/").content.decode()

    assert f'href="/cases/appointments/{appointment.pk}.ics"' in page


# The API


def test_the_api_keeps_templates_and_fills_one_for_a_case(api, case, settings):
    settings.COMPANY_NAME = "Beacon"
    created = api("program_manager").post(
        "/api/v1/reply-templates",
        {"name": "Thanks", "body": "Thanks {customer_first_name}, from {company}."},
        content_type="application/json",
    )
    template_id = created.json()["id"]

    filled = api("customer_advocate").get(f"/api/v1/cases/{case.pk}/replies/{template_id}")
    retired = api("program_manager").patch(
        f"/api/v1/reply-templates/{template_id}", {"active": False}, content_type="application/json"
    )
    after = api("customer_advocate").get(f"/api/v1/cases/{case.pk}/replies/{template_id}")

    assert created.status_code == 201
    assert filled.json()["body"] == "Thanks Rosa, from Beacon."
    assert retired.json()["active"] is False and after.status_code == 404


def test_the_api_refuses_an_unknown_placeholder_naming_the_field(api):
    response = api("program_manager").post(
        "/api/v1/reply-templates", {"name": "Bad", "body": "Hi {password}"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"].endswith("body")


def test_the_customers_case_page_lists_its_appointment_with_the_calendar_file(appointment):
    page = portal_client_for(appointment.customer).get(f"/portal/cases/{appointment.case_id}/").content.decode()

    assert "Refund walkthrough" in page
    assert f'href="/portal/appointments/{appointment.pk}.ics"' in page
