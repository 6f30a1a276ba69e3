"""What a person sees in a real browser."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import ConsentFactory, CustomerFactory, EventFactory, OrderFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_customer_advocate_searches_a_customer_and_opens_the_360(page, staff):
    ada = CustomerFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@analytical.example",
        account__name="Analytical Engines Ltd",
        primary_advocate=staff["customer_advocate"],
    )
    CustomerFactory(first_name="Charles", last_name="Babbage")
    OrderFactory(customer=ada, product=ProductFactory(name="Beacon Team"), amount=Decimal("1200.00"))
    ConsentFactory(customer=ada, purpose="reference_call", granted=True, source="phone")
    EventFactory(customer=ada, kind="webinar")

    page.goto("/customers/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/customers/"))
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()

    page.get_by_label("Search by name, email, phone, account or external id").fill("lovelace")
    result = page.get_by_role("link", name="Ada Lovelace")
    expect(result).to_be_visible()  # arrived by htmx, without a page load
    expect(page.get_by_text("Charles Babbage")).to_have_count(0)
    result.click()

    expect(page.get_by_role("heading", name=re.compile("Ada Lovelace"))).to_be_visible()
    expect(page.get_by_text("Analytical Engines Ltd")).to_be_visible()
    expect(page.get_by_text("1,200.00 USD").first).to_be_visible()
    consent = page.get_by_role("row", name=re.compile("Reference call"))
    expect(consent).to_contain_text("granted")
    expect(page.locator("ul.timeline li", has_text="Joined a webinar")).to_be_visible()
    expect(page.get_by_text("joined a webinar 1")).to_be_visible()  # the kinds counted, in words


def test_a_customer_signs_in_to_the_portal_by_the_emailed_link(page, smtp, settings, live_server):
    settings.SITE_URL = live_server.url
    CustomerFactory(first_name="Maria", email="maria@example.com")

    page.goto("/portal/sign-in/")
    page.get_by_label("Your email address").fill("maria@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    body = smtp.body(smtp.wait_for(1)[0])
    link = re.search(r"http://\S+/portal/sign-in/\S+/", body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello Maria")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_text("already been used")).to_be_visible()
