"""Unsubscribe links are opaque and expire after UNSUBSCRIBE_LINK_DAYS; links already in people's mail
(the old signed customer id) still work."""

from __future__ import annotations

import base64
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from advocacy.customers.consent import consents_in_force
from advocacy.customers.models import ConsentPurpose
from advocacy.outreach.unsubscribe.services import LEGACY_SALT, unsubscribe_url
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def unsubscribed(customer) -> bool:  # type: ignore[no-untyped-def]
    state = consents_in_force([customer.pk], [ConsentPurpose.SURVEYS])
    return state.get((customer.pk, ConsentPurpose.SURVEYS)) is False


def test_the_link_does_not_reveal_who_it_belongs_to():
    customer = CustomerFactory(pk=4242)
    token = path_of(unsubscribe_url(customer)).rstrip("/").rsplit("/", 1)[1]

    payload = token.split(":")[0]
    assert "4242" not in token
    assert "4242" not in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("latin-1")
    assert unsubscribe_url(customer) != unsubscribe_url(CustomerFactory())


def test_a_link_works_until_it_expires_and_then_says_so(settings):
    settings.UNSUBSCRIBE_LINK_DAYS = 30
    customer = CustomerFactory()
    path = path_of(unsubscribe_url(customer))
    assert Client().get(path).status_code == 200

    later = timezone.now() + timedelta(days=31)
    with mock.patch("time.time", return_value=later.timestamp()):
        page = Client().post(path, {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 400 and "has expired" in page.text
    assert not unsubscribed(customer)


def test_a_link_from_mail_sent_before_still_unsubscribes():
    customer = CustomerFactory()
    old_token = signing.dumps(customer.pk, salt=LEGACY_SALT)

    page = Client().post(f"/survey/unsubscribe/{old_token}/", {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200 and unsubscribed(customer)


def test_a_forged_token_is_refused_and_changes_nothing():
    customer = CustomerFactory()
    page = Client().post("/survey/unsubscribe/notakey:1abc:forged/", {"List-Unsubscribe": "One-Click"})
    assert page.status_code == 400 and "not valid" in page.text
    assert not unsubscribed(customer)
