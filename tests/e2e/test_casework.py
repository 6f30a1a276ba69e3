"""A customer's problem, end to end, in a real browser: owned, updated by mail, huddled, prevented, surveyed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.casework.models import Case, Department
from advocacy.feedback.models import Invitation
from advocacy.portal.signin.services import magic_link_create
from tests.casework.helpers import berlin_office
from tests.feedback.helpers import consenting_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_staff(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()


def test_a_portal_case_is_owned_updated_huddled_resolved_and_surveyed(page, staff, smtp, settings, live_server):
    settings.SITE_URL = live_server.url
    berlin_office()
    carol, dan = staff["customer_advocate"], staff["department_head"]
    Department.objects.create(name="Logistics", head=dan)
    customer = consenting_customer(
        first_name="Rosa", email="rosa@example.com", time_zone="America/Chicago", primary_advocate=carol
    )

    # The customer opens a case in the portal and sees who owns it and when they will hear.
    page.goto(f"/portal/sign-in/{magic_link_create(customer=customer)}/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Ask a question or report a problem").click()
    page.get_by_label("What is it about?").fill("Parcel never arrived")
    page.get_by_label("Tell us more").fill("Order 1234, due last Friday")
    page.get_by_label("Topic").select_option("delivery")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Carol is your customer advocate")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"You will hear from us by \w{3} \d{2} \w{3} \d{2}:\d{2}, your time"))
    ).to_be_visible()
    case = Case.objects.get(customer=customer)

    # The owner posts an update; it arrives by email through a real SMTP server.
    sign_in_staff(page, "carol")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Message (emailed and shown in the portal)").fill("The carrier is tracing it today.")
    page.get_by_role("button", name="Send update").click()
    expect(page.get_by_text("The carrier is tracing it today.")).to_be_visible()
    call_command("worker", "--batch")
    update_mail = next(m for m in smtp.wait_for(2) if m["Subject"].startswith("Update on your request"))
    assert update_mail["To"] == "rosa@example.com"
    assert "The carrier is tracing it today." in smtp.body(update_mail)

    expect(page.get_by_text("Update sent to")).to_be_visible()  # the action says what it did

    # A huddle gives the Logistics head a task, which reaches them (the action opens when asked for).
    page.get_by_text("Bring departments together", exact=True).click()
    page.get_by_label("Meeting at").fill((timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Logistics").check()
    page.get_by_label("Tasks due by").fill((timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("What each department should do").fill("Find the parcel at the depot")
    page.get_by_role("button", name="Set up the huddle").click()
    expect(page.get_by_text("Huddle set up")).to_be_visible()
    sign_in_staff(page, "dan")
    page.goto("/cases/tasks/")
    expect(page.get_by_text("Find the parcel at the depot")).to_be_visible()
    page.get_by_label("What was done").fill("Found at the Denver depot; re-sent")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Task done")).to_be_visible()

    # Carol resolves it with a prevention step, confirming first; a CSAT invitation follows.
    sign_in_staff(page, "carol")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_text("Resolve the case", exact=True).click()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_label("How it was resolved (the customer reads this)").fill("Your parcel was re-sent.")
    page.get_by_label("Root cause category").select_option("supplier")
    page.get_by_label(re.compile(r"^Root cause:?$")).fill("Depot scanner skipped the parcel")
    page.get_by_label("Corrective action").fill("Depot re-scans unscanned parcels nightly")
    page.get_by_label("Action due").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_label("Verify on").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Resolved"))).to_be_visible()
    assert asked == [f"Resolve case #{case.pk}? The customer is told how it was resolved."]
    call_command("worker", "--batch")

    case.refresh_from_db()
    assert case.status == "resolved" and case.prevention.corrective_action.startswith("Depot re-scans")
    invitation = Invitation.objects.get(trigger=f"case:{case.pk}")
    assert invitation.status == "sent" and invitation.survey.kind == "csat"
    assert any(m["Subject"] == "A quick question from Advocacy" for m in smtp.wait_for(4))


def test_a_month_on_the_sla_chart_opens_the_cases_behind_it(page, staff, live_server):  # type: ignore[no-untyped-def]
    from advocacy.casework.cases import services as cases
    from advocacy.casework.models import Breach
    from tests.factories import CustomerFactory

    berlin_office()
    carol = staff["customer_advocate"]
    late = cases.case_open(customer=CustomerFactory(), subject="Answered late", by=None, owner=carol)
    cases.case_open(customer=CustomerFactory(), subject="Answered on time", by=None, owner=carol)
    Breach.objects.create(case=late, kind="first_response", due_at=timezone.now(), owner=carol)

    sign_in_staff(page, staff["analyst"].username)
    page.goto("/cases/sla/")
    expect(page.get_by_text("met every promise")).to_be_visible()
    # The line's last point is this month: a click opens the queue narrowed to its cases.
    point = page.locator('[data-chart="chart-sla"] .scatterlayer .trace:last-child .points path').last
    expect(point).to_be_visible()
    point.click(force=True)
    expect(page.get_by_role("heading", name="Case queue")).to_be_visible()
    expect(page.get_by_text("The cases behind a report's figure")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Answered late"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Answered on time"))).to_be_visible()
