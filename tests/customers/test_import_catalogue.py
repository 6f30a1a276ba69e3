"""Importing accounts, products and engagement events."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from advocacy.customers.importing.rows import RowError
from advocacy.customers.importing.services import import_file
from advocacy.customers.models import Account, EngagementEvent, Product
from tests.factories import AccountFactory, CustomerFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_accounts_are_upserted_on_external_id_with_their_owner(csv_file, staff):  # type: ignore[no-untyped-def]
    AccountFactory(external_id="A-1", name="Acme", industry="Retail")
    path = csv_file(
        "Account ID,Account Name,Industry,Company size,Account Owner\n"
        "A-1,Acme Inc,Software,Mid-market,sam\n"
        "A-2,Globex,Energy,huge,\n"
        "A-3,Initech,,enterprise,ghost@staff.example\n"
    )
    report = import_file(kind="accounts", source=path)
    assert report.errors == [
        RowError(3, "Company size", "huge", "size 'huge' is not one of: small, mid, enterprise, consumer"),
        RowError(
            4,
            "Account Owner",
            "ghost@staff.example",
            "no active staff user has username or email 'ghost@staff.example'",
        ),
    ]
    assert list(Account.objects.values_list("external_id", "name", "industry", "size", "owner__username")) == [
        ("A-1", "Acme Inc", "Software", "mid", "sam"),
    ]


def test_accounts_without_ids_are_matched_by_name_so_a_repeat_adds_none(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file("Company Name,Region\nAcme,EMEA\nGlobex,APAC\nacme,EMEA\n")
    first = import_file(kind="accounts", source=path)
    second = import_file(kind="accounts", source=path)
    assert first.errors == [RowError(4, "Company Name", "acme", "duplicate of line 2")]
    assert (first.created, second.created, second.unchanged, Account.objects.count()) == (2, 0, 2, 2)


def test_products_take_price_currency_margin_and_tags(csv_file):  # type: ignore[no-untyped-def]
    path = csv_file(
        "SKU,Product Name,Competitor,Unit Price,Currency,Margin %,Capabilities\n"
        'P-1,Pro plan,,49.90,usd,62.5%,"Reporting; SSO, reporting"\n'
        "P-2,Rival plan,Rival Inc,39,EUR,,\n"
        "P-3,Broken plan,,12.345,USD,150,\n"
    )
    report = import_file(kind="products", source=path)
    assert report.errors == [
        RowError(4, "Unit Price", "12.345", "price 12.345 has more than two decimal places"),
        RowError(4, "Margin %", "150", "margin % '150' is not between -100 and 100"),
    ]
    assert list(
        Product.objects.order_by("external_id").values_list(
            "external_id", "name", "competitor", "price", "currency", "margin_pct", "capability_tags"
        )
    ) == [
        ("P-1", "Pro plan", "", Decimal("49.90"), "USD", Decimal("62.50"), ["reporting", "sso"]),
        ("P-2", "Rival plan", "Rival Inc", Decimal("39.00"), "EUR", None, []),
    ]
    again = import_file(kind="products", source=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_events_read_naive_times_in_the_configured_zone_and_store_utc(csv_file, settings):  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "Europe/Berlin"
    ann = CustomerFactory(email="ann@example.com")
    path = csv_file(
        "Event ID,Email,Event type,Timestamp,Value\n"
        "E-1,ann@example.com,login,2025-01-15 09:30,\n"
        "E-2,ann@example.com,webinar,2025-07-01T12:00:00+00:00,1.5\n"
        ",ann@example.com,feature_use,2025-01-16,\n"
        "E-4,ann@example.com,login,2025-01-15 09:30,\n"
        "E-5,ann@example.com,teleport,2025-01-15,\n"
    )
    report = import_file(kind="events", source=path)
    assert report.errors == [
        RowError(5, "Timestamp", "2025-01-15 09:30", "duplicate of line 2"),
        RowError(
            6,
            "Event type",
            "teleport",
            "event kind 'teleport' is not one of: login, feature_use, support_contact, event_attended, "
            "community_post, review, referral, webinar, email_click",
        ),
    ]
    assert list(
        EngagementEvent.objects.order_by("occurred_at").values_list(
            "external_id", "customer", "kind", "occurred_at", "value"
        )
    ) == [
        ("E-1", ann.pk, "login", datetime(2025, 1, 15, 8, 30, tzinfo=UTC), None),
        (None, ann.pk, "feature_use", datetime(2025, 1, 15, 23, 0, tzinfo=UTC), None),
        ("E-2", ann.pk, "webinar", datetime(2025, 7, 1, 12, 0, tzinfo=UTC), Decimal("1.50")),
    ]
    again = import_file(kind="events", source=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_feature_use_event_names_its_feature_and_an_overlong_one_is_a_row_error(csv_file):  # type: ignore[no-untyped-def]
    ann = CustomerFactory(email="ann@example.com")
    path = csv_file(
        "Email,Event type,Timestamp,Feature\n"
        "ann@example.com,feature_use,2025-01-15T09:30:00Z, Analytics \n"
        f"ann@example.com,feature_use,2025-01-16T09:30:00Z,{'x' * 101}\n"
    )
    report = import_file(kind="events", source=path)
    assert [(e.line, e.column) for e in report.errors] == [(3, "Feature")]
    assert "at most 100 fit" in report.errors[0].reason
    assert list(ann.engagement_events.values_list("detail", flat=True)) == ["analytics"]


def test_an_event_already_recorded_without_an_id_is_matched_by_its_moment(csv_file):  # type: ignore[no-untyped-def]
    event = EventFactory(kind="login", occurred_at=datetime(2025, 1, 15, 8, 30, tzinfo=UTC))
    path = csv_file(f"Event ID,Customer,Kind,Occurred at\nE-9,{event.customer.email},login,2025-01-15T08:30:00Z\n")
    report = import_file(kind="events", source=path)
    event.refresh_from_db()
    assert (report.created, report.updated, event.external_id, EngagementEvent.objects.count()) == (0, 1, "E-9", 1)
