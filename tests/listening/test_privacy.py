"""A customer's mentions are in their export, and their erasure removes who wrote them and what they
said while the counts behind the listening dashboard stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.customers.models import SocialHandle
from advocacy.customers.privacy.services import customer_erase, customer_export
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, Source, SourceKind
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_mentions_are_exported_and_erased_with_the_customer(acme, staff):
    source = Source.objects.create(name="social", kind=SourceKind.IMPORT)
    zoe = CustomerFactory(email="zoe.w@example.org", first_name="Zoe", last_name="Wexley")
    SocialHandle.objects.create(customer=zoe, handle="zoewex")
    mentions_ingest(
        source=source,
        items=[Incoming(text="Acme support saved my week, says Zoe Wexley", published_at=T0, handle="zoewex")],
    )
    assert customer_export(customer=zoe, by=None)["sections"]["mentions"][0]["handle"] == "zoewex"

    customer_erase(customer=zoe, by=staff["admin"], confirm_email="zoe.w@example.org", reason="asked")

    mention = Mention.objects.get()
    assert (mention.customer, mention.handle, mention.text) == (None, "", "[erased]")
    assert not SocialHandle.objects.filter(handle="zoewex").exists()
    assert Mention.objects.count() == 1  # the dashboard's volume does not change
