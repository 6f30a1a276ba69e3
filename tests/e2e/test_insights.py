"""Retention in a real browser: the Kaplan–Meier chart draws from the plotly.js the server ships (no CDN)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.test_surveys import sign_in_staff
from tests.insights.helpers import answer, customer, survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_retention_page_draws_the_survival_curves_offline(page, staff, live_server):  # type: ignore[no-untyped-def]
    nps = survey("nps")
    start = date.today() - timedelta(days=600)
    for i in range(12):
        who = customer(start + timedelta(days=i), churned=start + timedelta(days=200 + 20 * i) if i % 3 == 0 else None)
        answer(nps, who, (10, 7, 2)[i % 3], start + timedelta(days=100))
    outside = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    sign_in_staff(page, staff["program_manager"].username)
    page.goto("/insights/retention/?by=nps")
    expect(page.get_by_role("heading", name="Still a customer, by nps group of the latest answer")).to_be_visible()
    expect(page.locator('[data-chart="chart-survival"] .main-svg').first).to_be_visible()
    expect(page.get_by_text("Log-rank test:")).to_be_visible()
    assert outside == []
