"""Staff sign in with a password; guessing is throttled per username."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_member_of_staff_signs_in_and_lands_on_home(staff):
    client = Client()
    response = client.post("/sign-in/", {"username": "carol", "password": "pw-for-tests-only"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert "Good to see you, Carol" in client.get("/home/").text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(staff):
    response = Client().post("/sign-in/", {"username": "carol", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_repeated_failures_lock_the_username_for_a_while(staff, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    for _ in range(3):
        Client().post("/sign-in/", {"username": "carol", "password": "guess"})
    locked = Client().post("/sign-in/", {"username": "carol", "password": "pw-for-tests-only"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    # Another member of staff is not affected.
    assert Client().post("/sign-in/", {"username": "ana", "password": "pw-for-tests-only"}).status_code == 302


def test_signing_out_is_a_post_and_ends_the_session(client_as):
    client = client_as("analyst")
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/home/").status_code == 302


def test_the_navigation_shows_each_role_its_own_pages(client_as):
    admin_nav = client_as("admin").get("/home/").text
    analyst_nav = client_as("analyst").get("/home/").text
    assert "API keys" in admin_nav and "Imports" in admin_nav and "Back office" in admin_nav
    assert "API keys" not in analyst_nav and "Imports" not in analyst_nav and "Back office" not in analyst_nav
    assert "Customers" in analyst_nav


def test_an_admin_makes_a_key_that_is_shown_once_and_stored_hashed(client_as):
    from advocacy.core.models import ApiKey

    page = client_as("admin").post("/settings/api-keys/", {"name": "CRM sync", "role": "sales"})
    token = page.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("adv_")
    key = ApiKey.objects.get(name="CRM sync")
    assert key.role == "sales" and token not in key.secret_hash
    assert token not in client_as("admin").get("/settings/api-keys/").text
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").json()["role"] == "sales"
