"""Pages work under the strict Content-Security-Policy: charts draw, filters submit, and the browser
reports no blocked script or style, and no error at all (a missing icon or stylesheet included)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.test_surveys import sign_in_staff
from tests.factories import CustomerFactory
from tests.feedback.helpers_stats import add_responses, make_survey, nps_scores

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts_and_filters_submit_with_nothing_blocked(page, staff):  # type: ignore[no-untyped-def]
    survey = make_survey()
    add_responses(survey, nps_scores(12, 5, 4), at=datetime(2025, 1, 15, 12, tzinfo=UTC), customer=CustomerFactory())
    blocked: list[str] = []
    errors: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in_staff(page, "pat")
    page.goto(f"/nps/?survey={survey.pk}")
    expect(page.locator("[data-chart] .main-svg").first).to_be_visible()

    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_label("Show").select_option(index=1)
    page.wait_for_url("**status=*")

    assert blocked == []
    assert errors == [], "the browser reported an error (a resource that failed to load, a script error)"


def test_the_api_docs_page_lists_the_operations_with_no_error(page):  # type: ignore[no-untyped-def]
    """Swagger UI, served from this server, reads the OpenAPI document and lists every operation; a
    document it cannot read (a key written twice once made it so) leaves the page empty but for an error."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/imports/{kind}").first).to_be_visible()

    assert page.locator(".opblock").count() > 50
    assert errors == []
