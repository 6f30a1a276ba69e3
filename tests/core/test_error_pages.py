"""Errors are pages people can act on: styled, with the navigation, saying what was wrong; a bad query
parameter is a 400, never a server error."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from advocacy.core.errorpages import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", ["abc", "0", "-5", "99999999999999999999"])
def test_a_bad_days_parameter_is_a_400_that_says_why(client_as, days):
    page = client_as("analyst").get(f"/cases/prevention/?days={days}")
    assert page.status_code == 400
    assert "days must be a whole number from 1 to" in page.text
    assert 'aria-label="Main"' in page.text  # the navigation is there, so there is a way on


def test_a_page_for_other_roles_is_a_styled_403_naming_who_it_is_for(client_as):
    page = client_as("sales").get("/nps/")
    assert page.status_code == 403
    assert "This page is not for your role" in page.text and "Back to your home page" in page.text


def test_an_unknown_address_is_a_styled_404(client_as):
    page = client_as("analyst").get("/no-such-page/")
    assert page.status_code == 404 and "There is nothing here" in page.text


def test_the_500_page_is_styled_and_says_what_to_do():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


def test_the_icon_browsers_ask_for_on_the_admin_pages_is_the_products_icon(client):
    """Django's admin names no icon, so browsers ask for /favicon.ico: it is not a 404 in their console."""
    asked = client.get("/favicon.ico")
    assert asked.status_code == 301 and asked["Location"].endswith("/advocacy/icon.svg")
    assert client.post("/favicon.ico").status_code == 405
