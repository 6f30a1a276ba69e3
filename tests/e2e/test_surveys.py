"""A recurring NPS wave in a real browser: sent by the worker, answered from the mail, seen on the dashboard."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys.tasks import open_due_waves
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCORE_LINK = re.compile(r"(?m)^(\d+): (http://\S+?)\s*$")


def sign_in_staff(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()


def score_links(smtp, mail) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {int(score): url for score, url in SCORE_LINK.findall(smtp.body(mail))}


def test_a_recurring_wave_is_answered_from_the_mail_and_counted_on_the_dashboard(
    page, staff, smtp, settings, live_server
):
    settings.SITE_URL = live_server.url
    rosa = consenting_customer(first_name="Rosa", email="rosa@example.com")
    survey = nps_survey(name="Quarterly NPS")
    survey.next_wave_on = timezone.localdate()
    survey.save(update_fields=["next_wave_on"])

    # The scheduler's task opens the due wave; the worker then sends its invitations by mail.
    open_due_waves.enqueue()
    call_command("worker", "--batch")
    call_command("worker", "--batch")  # the sends the first run enqueued, if it stopped before them
    invitation = Invitation.objects.get(survey=survey, customer=rosa)
    assert invitation.status == "sent" and invitation.wave is not None and invitation.wave.number == 1
    mail = next(m for m in smtp.wait_for(1) if m["To"] == "rosa@example.com")
    links = score_links(smtp, mail)
    assert sorted(links) == list(range(11))

    # One click on 9 in the mail and one to confirm record the score, then ask for a comment.
    page.goto(links[9])
    page.get_by_role("button", name="Record my score").click()
    expect(page.get_by_role("heading", name="Thank you — your score of 9 is recorded")).to_be_visible()
    page.get_by_label("What is the main reason for your score?").fill("The onboarding call was superb")
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_text("We read every comment.")).to_be_visible()

    # A program manager finds the comment in the response explorer and the answer on the dashboard.
    sign_in_staff(page, "pat")
    page.goto(f"/nps/responses/?survey={survey.pk}")
    expect(page.get_by_text("1 response match.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("The onboarding call was superb"))
    expect(row).to_contain_text("Quarterly NPS · wave 1")
    expect(row).to_contain_text("9")
    page.goto(f"/nps/?survey={survey.pk}")
    expect(page.get_by_text("n = 1 answers")).to_be_visible()
    expect(page.get_by_text("1 promoters · 0 passives · 0 detractors")).to_be_visible()

    # Rosa changes her mind from the same mail: the answer changes, and it is still one response.
    page.context.clear_cookies()
    page.goto(links[6])
    page.get_by_role("button", name="Record my score").click()
    expect(page.get_by_role("heading", name="Thank you — your score of 6 is recorded")).to_be_visible()
    response = Response.objects.get(survey=survey)
    assert (response.customer, response.score, response.comment) == (rosa, 6, "The onboarding call was superb")
    sign_in_staff(page, "pat")
    page.goto(f"/nps/?survey={survey.pk}")
    expect(page.get_by_text("n = 1 answers")).to_be_visible()
    expect(page.get_by_text("0 promoters · 0 passives · 1 detractors")).to_be_visible()
