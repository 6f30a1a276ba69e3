"""The closed loop, and who sees which case."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advocacy import loop
from advocacy.casework.cases import services
from advocacy.casework.models import Case
from advocacy.core.apikeys.services import apikey_create
from advocacy.feedback import links as feedback_links
from advocacy.feedback.answers import services as answers_services
from advocacy.feedback.models import Invitation
from advocacy.feedback.surveys import services as feedback
from advocacy.portal.signin.services import magic_link_create
from tests.casework.helpers import berlin_office, department
from tests.factories import CustomerFactory
from tests.feedback.helpers import consenting_customer, nps_survey, run_answer_follow_ups


@pytest.mark.django_db(transaction=True)
def test_a_detractor_answer_opens_one_case_for_the_primary_customer_advocate(staff):
    berlin_office()
    consenting_customer(primary_advocate=staff["customer_advocate"])
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave))
    Client().post(f"/survey/a/{token}/2/")
    Client().post(f"/survey/a/{token}/3/")  # a second click: still one case
    run_answer_follow_ups()  # the worker, seconds later
    Client().post(f"/survey/a/{token}/comment/", {"comment": "Nobody called me back"})

    case = Case.objects.get()
    assert (case.owner.username, case.source, case.priority) == ("carol", "survey", "high")
    assert case.subject == "Following up on your feedback"  # opened before the comment came
    assert case.events.filter(kind="note", body="Customer's comment: Nobody called me back").exists()


@pytest.mark.django_db(transaction=True)
def test_a_detractor_with_an_open_case_joins_it_and_the_rule_can_be_switched_off(staff, alice):
    berlin_office()
    customer = consenting_customer(primary_advocate=staff["customer_advocate"])
    existing = services.case_open(customer=customer, subject="Open already", by=None)
    survey = nps_survey()
    answers_services.response_import(survey=survey, customer=customer, score=4, comment="Still waiting")
    assert Case.objects.count() == 1
    assert existing.events.filter(kind="note", body__startswith="Survey answer NPS 4").exists()

    loop.rule_switch(rule=loop.DETRACTOR_OPENS_CASE, on=False, by=alice)
    other = consenting_customer()
    answers_services.response_import(survey=survey, customer=other, score=0)
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_resolving_a_case_sends_a_csat_invitation_within_the_contact_policy(staff, smtp):
    berlin_office()
    carol = staff["customer_advocate"]
    customer = consenting_customer(email="rosa@example.com", first_name="Rosa")
    case = services.case_open(customer=customer, subject="Broken charger", by=None, owner=carol)
    services.case_resolve(case=case, by=carol, summary="Sent a new charger")
    call_command("worker", "--batch")

    invitation = Invitation.objects.get(trigger=f"case:{case.pk}")
    assert (invitation.survey.kind, invitation.status) == ("csat", "sent")
    subjects = sorted(m["Subject"] for m in smtp.wait_for(3))
    assert subjects == sorted(
        [
            f"We have your request: Broken charger [#{case.pk}]",
            f"Resolved: Broken charger [#{case.pk}]",
            "A quick question from Advocacy",
        ]
    )

    second = services.case_open(customer=customer, subject="Another", by=None, owner=carol)
    services.case_resolve(case=second, by=carol, summary="Done")
    held = Invitation.objects.get(trigger=f"case:{second.pk}")
    assert held.status == "held" and held.held_reason.startswith("cooldown")


@pytest.mark.django_db
def test_department_heads_see_only_cases_they_have_a_task_on(staff, client_as):
    berlin_office()
    carol, dan = staff["customer_advocate"], staff["department_head"]
    billing = department("Billing", dan)
    theirs = services.case_open(customer=CustomerFactory(), subject="Refund", by=None, owner=carol)
    other = services.case_open(customer=CustomerFactory(), subject="Unrelated", by=None, owner=carol)
    services.huddle_create(
        case=theirs,
        meeting_at=timezone.now() + timedelta(hours=2),
        by=carol,
        tasks=[
            services.TaskIn(department=billing, due_at=timezone.now() + timedelta(days=1), notes="Issue the refund")
        ],
    )
    head = client_as("department_head")
    assert head.get(f"/cases/{theirs.pk}/").status_code == 200
    assert head.get(f"/cases/{other.pk}/").status_code == 404
    assert "Issue the refund" in head.get("/cases/tasks/").text

    _, token = apikey_create(name="Dan's key", role="department_head", by=dan, acts_as=dan)  # bound to Dan
    key = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [c["id"] for c in key.get("/api/v1/cases").json()["items"]] == [theirs.pk]
    assert key.get(f"/api/v1/cases/{other.pk}").status_code == 404
    task_id = key.get("/api/v1/tasks").json()[0]["id"]
    done = key.post(
        f"/api/v1/tasks/{task_id}/done", json.dumps({"outcome": "Refunded 40 EUR"}), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"


@pytest.mark.django_db
def test_an_overdue_department_task_escalates_once_to_the_head_and_the_owner(staff, django_capture_on_commit_callbacks):
    berlin_office()
    carol, dan = staff["customer_advocate"], staff["department_head"]
    case = services.case_open(customer=CustomerFactory(), subject="Refund", by=None, owner=carol)
    services.huddle_create(
        case=case,
        meeting_at=timezone.now(),
        by=carol,
        tasks=[services.TaskIn(department=department("Billing", dan), due_at=timezone.now() - timedelta(hours=1))],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cadence_sweep().escalated == 1
        assert services.cadence_sweep().escalated == 0
    from advocacy.outreach.models import OutboundMail

    assert sorted(OutboundMail.objects.filter(key__startswith="task-escalated").values_list("to", flat=True)) == [
        "carol@staff.example",
        "dan@staff.example",
    ]


def portal(customer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(f"/portal/sign-in/{magic_link_create(customer=customer)}/").status_code == 302
    return client


@pytest.mark.django_db
def test_customers_see_only_their_own_cases_and_the_promise_in_their_zone(staff):
    berlin_office()
    tokyo = CustomerFactory(time_zone="Asia/Tokyo", primary_advocate=staff["customer_advocate"])
    stranger = services.case_open(
        customer=CustomerFactory(), subject="Not yours", by=None, owner=staff["customer_advocate"]
    )
    client = portal(tokyo)
    created = client.post(
        "/portal/cases/new/", {"subject": "Parcel lost", "description": "Order 17", "category": "delivery"}
    )
    case = Case.objects.get(customer=tokyo)
    assert created["Location"] == f"/portal/cases/{case.pk}/"
    page = client.get(created["Location"]).text
    assert "<strong>Carol</strong> is your customer advocate" in page
    due_tokyo = case.first_response_due.astimezone(tokyo_zone()).strftime("%a %d %b %H:%M")
    assert f"You will hear from us <strong>by {due_tokyo}, your time</strong>" in page
    assert client.get(f"/portal/cases/{stranger.pk}/").status_code == 404
    assert client.post(f"/portal/cases/{stranger.pk}/reply/", {"body": "hi"}).status_code == 404


def tokyo_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Tokyo")


def test_loop_rules_are_listed_with_plain_titles():
    assert [r.key for r in loop.RULES] == [
        "detractor_opens_case",
        "resolved_case_sends_csat",
        "promoter_invited_to_hub",
        "negative_mention_opens_case",
        "positive_mention_invited_to_hub",
        "mention_answers_share_challenge",
        "undisclosed_post_reminder",
    ]
    assert all(r.title.endswith(".") for r in loop.RULES)
