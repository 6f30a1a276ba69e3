"""The admins' pages of crash safety and webhooks, in a real browser, as the roles that use them."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.core.models import Job
from advocacy.outreach.models import WebhookEndpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_retries_a_dead_job_and_adds_a_webhook_endpoint_and_a_conversion_source(page, staff, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com"]
    Job.objects.create(
        task_path="advocacy.outreach.mail.tasks.send_mail",
        args=[7],
        status="dead",
        attempts=5,
        max_attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        finished_at=timezone.now(),
    )
    sign_in(page, "alice")

    page.get_by_role("link", name="Background work").click()
    dead = page.get_by_role("row", name=re.compile("send_mail"))
    expect(dead).to_contain_text("Connection unexpectedly closed")
    dead.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("is queued again with a fresh set of attempts")).to_be_visible()
    expect(page.get_by_text("No failed jobs.")).to_be_visible()
    assert Job.objects.get().status == "queued"

    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL").fill("https://hooks.example.com/advocacy")
    page.get_by_label("case.opened").check()
    page.get_by_role("button", name="Create endpoint").click()
    secret = WebhookEndpoint.objects.get().secret
    expect(page.locator("#new-secret")).to_have_text(secret)
    page.get_by_role("button", name="Send a test ping").click()
    expect(page.get_by_role("row", name=re.compile("webhook.ping"))).to_contain_text("Pending")

    page.goto("/advocates/referrals/sources/")
    page.get_by_label("Shop").fill("Web shop")
    page.get_by_role("button", name="Create source").click()
    expect(page.locator("#new-secret")).to_contain_text("whsec_")
    expect(page.locator("#source-url")).to_contain_text("/advocates/hooks/referrals/")


def test_a_program_manager_is_offered_none_of_the_admins_pages(page, staff):
    sign_in(page, "pat")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Background work")).to_have_count(0)
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)
    for path in ("/settings/background-work/", "/settings/webhooks/", "/advocates/referrals/sources/"):
        assert page.goto(path).status == 403
