"""Customers sign in by a single-use, expiring link that arrives by email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.portal.models import MagicLink
from advocacy.portal.signin.services import magic_link_create
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s\"]+/portal/sign-in/[A-Za-z0-9_\-]+/")


def request_link(client: Client, email: str) -> None:
    response = client.post("/portal/sign-in/", {"email": email})
    assert response.status_code == 200
    assert "Check your email" in response.text


def link_path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_a_customer_signs_in_with_the_link_from_the_mail(smtp):
    customer = CustomerFactory(email="maria@example.com", first_name="Maria")
    client = Client()
    request_link(client, "Maria@Example.com")

    mail = smtp.wait_for(1)[0]
    assert mail["To"] == "maria@example.com"
    url = LINK.search(smtp.body(mail)).group(0)
    path = link_path(url)

    landing = client.get(path)
    assert landing.status_code == 200
    assert "Welcome, Maria" in landing.text
    assert MagicLink.objects.get().used_at is None, "opening the link must not spend it (mail scanners open links)"

    signed_in = client.post(path)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Hello Maria" in home.text
    assert customer.email in home.text


def test_a_used_link_is_refused_the_second_time(smtp):
    CustomerFactory(email="li@example.com")
    request_link(Client(), "li@example.com")
    path = link_path(LINK.search(smtp.body(smtp.wait_for(1)[0])).group(0))
    assert Client().post(path).status_code == 302

    again = Client().post(path)
    assert again.status_code == 400
    assert "already been used" in again.text


def test_an_expired_link_is_refused():
    customer = CustomerFactory()
    token = magic_link_create(customer=customer)
    MagicLink.objects.update(
        created_at=timezone.now() - timedelta(hours=2), expires_at=timezone.now() - timedelta(hours=1)
    )
    response = Client().post(f"/portal/sign-in/{token}/")
    assert response.status_code == 400
    assert "expired" in response.text
    assert Client().get("/portal/").status_code == 302


def test_a_forged_link_is_refused_with_a_clear_page():
    CustomerFactory()
    for method in ("get", "post"):
        response = getattr(Client(), method)("/portal/sign-in/forged-token-that-was-never-issued/")
        assert response.status_code == 400
        assert "not valid" in response.text


def test_an_unknown_email_gets_the_same_answer_and_no_mail(smtp):
    request_link(Client(), "nobody@example.com")
    assert smtp.messages == []
    assert MagicLink.objects.count() == 0


def test_links_are_rate_limited_per_customer(smtp, settings):
    settings.MAGIC_LINK_MAX_PER_HOUR = 2
    CustomerFactory(email="busy@example.com")
    for _ in range(4):
        request_link(Client(), "busy@example.com")
    assert MagicLink.objects.count() == 2
    assert len(smtp.wait_for(2)) == 2


def test_only_the_token_hash_is_stored():
    token = magic_link_create(customer=CustomerFactory())
    stored = MagicLink.objects.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def signed_in_portal(customer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    token = magic_link_create(customer=customer)
    assert client.post(f"/portal/sign-in/{token}/").status_code == 302
    return client


def test_the_portal_shows_only_the_customers_own_records():
    mine = CustomerFactory(email="mine@example.com")
    theirs = CustomerFactory(email="theirs@example.com")
    OrderFactory(customer=mine, external_id="ORD-MINE", product__name="Mine Plan")
    OrderFactory(customer=theirs, external_id="ORD-THEIRS", product__name="Their Plan")
    client = signed_in_portal(mine)

    page = client.get("/portal/").text
    assert "mine@example.com" in page and "Mine Plan" in page
    assert "theirs@example.com" not in page and "Their Plan" not in page
    # Staff pages and the API stay closed to a portal customer, whatever id they try.
    assert client.get(f"/customers/{theirs.pk}/").status_code == 403
    assert client.get(f"/api/v1/customers/{theirs.pk}").status_code == 401


def test_a_customer_withdraws_consent_and_the_history_keeps_both_rows():
    customer = CustomerFactory()
    client = signed_in_portal(customer)
    client.post("/portal/consent/", {"purpose": "marketing", "granted": "yes"})
    client.post("/portal/consent/", {"purpose": "marketing", "granted": "no"})
    rows = list(customer.consents.order_by("recorded_at", "id").values_list("granted", "source"))
    assert rows == [(True, "portal"), (False, "portal")]
    assert "Withdraw" not in client.get("/portal/").text.split("Marketing", 1)[1].split("</tr>", 1)[0]


def test_a_customer_sets_contact_hours_and_a_bad_entry_is_explained():
    customer = CustomerFactory()
    client = signed_in_portal(customer)
    client.post("/portal/contact-hours/", {"contact_hours": "Mon-Wed 09:00-12:00"})
    assert list(customer.contact_windows.values_list("weekday", flat=True)) == [0, 1, 2]

    response = client.post("/portal/contact-hours/", {"contact_hours": "Funday 09:00-12:00"}, follow=True)
    assert "unknown weekday" in response.text
    assert customer.contact_windows.count() == 3, "a bad entry loses nothing"


def test_signing_out_ends_the_portal_session():
    client = signed_in_portal(CustomerFactory())
    client.post("/portal/sign-out/")
    assert client.get("/portal/").status_code == 302


def test_the_portal_lists_the_customers_own_survey_answers_only():
    from django.utils import timezone

    from advocacy.feedback.models import Response
    from advocacy.feedback.surveys.services import survey_create

    survey = survey_create(by=None, name="Relationship NPS", kind="nps")
    mine, theirs = CustomerFactory(), CustomerFactory()
    now = timezone.now()
    for customer, comment in ((mine, "Mine: great onboarding"), (theirs, "Theirs: billing trouble")):
        Response.objects.create(
            survey=survey,
            kind="nps",
            customer=customer,
            channel="email",
            score=9,
            comment=comment,
            answered_at=now,
            updated_at=now,
        )
    page = signed_in_portal(mine).get("/portal/").text
    assert "Mine: great onboarding" in page
    assert "Theirs: billing trouble" not in page
