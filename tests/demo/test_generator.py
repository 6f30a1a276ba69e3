"""The demo company: one seed gives one company, and what it shows agrees with what it plants."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count, Q
from django.test import Client

from advocacy.core.roles import STAFF_ROLES
from advocacy.customers.models import (
    Customer,
    CustomerStatus,
    EngagementEvent,
    EngagementKind,
    Order,
)
from advocacy.demo import truth
from advocacy.demo.generator import (
    HISTORY_DAYS,
    DemoAlreadyExists,
    generate_company,
    read_manifest,
    wipe_company,
)
from advocacy.demo.reference import DEMO_PASSWORD, STAFF

TODAY = date(2025, 6, 30)


def generate(tmp_path: Path, customers: int = 300, seed: int = 7) -> dict[str, Any]:
    summary = generate_company(customers=customers, seed=seed, today=TODAY, manifest_path=tmp_path / "manifest.json")
    return read_manifest(summary.manifest_path)


def first_emails() -> list[str]:
    return list(Customer.objects.order_by("external_id").values_list("email", flat=True)[:20])


def table_counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "events": EngagementEvent.objects.count(),
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_company(tmp_path: Path) -> None:
    generate(tmp_path, seed=7)
    first = (table_counts(), first_emails())
    wipe_company()
    generate(tmp_path, seed=7)
    assert (table_counts(), first_emails()) == first
    assert first[0]["customers"] == 300


@pytest.mark.django_db
def test_another_seed_gives_another_company(tmp_path: Path) -> None:
    generate(tmp_path, seed=7)
    first = (table_counts(), first_emails())
    wipe_company()
    generate(tmp_path, seed=8)
    assert first_emails() != first[1]
    assert table_counts() != first[0]


@pytest.mark.django_db
def test_it_refuses_to_write_over_existing_customers(tmp_path: Path) -> None:
    generate(tmp_path, customers=50)
    with pytest.raises(DemoAlreadyExists):
        generate(tmp_path, customers=50)


@pytest.mark.django_db
def test_about_six_percent_are_planted_natural_advocates(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=500)
    flagged = [c for c in manifest["customers"].values() if c["natural_advocate"]]
    assert len(flagged) == 30
    assert manifest["planted"]["natural_advocate_share"] == 0.06
    assert not any(c["will_churn"] for c in flagged)


@pytest.mark.django_db
def test_natural_advocates_engage_more_and_refer_and_review(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=500)
    advocates = {ext for ext, c in manifest["customers"].items() if c["natural_advocate"]}
    per_customer = Customer.objects.annotate(
        events=Count("engagement_events"),
        referrals=Count("engagement_events", filter=Q(engagement_events__kind=EngagementKind.REFERRAL)),
    ).values_list("external_id", "events", "referrals")
    mine = [(events, referrals) for ext, events, referrals in per_customer if ext in advocates]
    others = [(events, referrals) for ext, events, referrals in per_customer if ext not in advocates]

    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    assert mean([e for e, _ in mine]) > 1.5 * mean([e for e, _ in others])
    assert mean([r for _, r in mine]) > 5 * mean([r for _, r in others])
    advocate_stars = EngagementEvent.objects.filter(
        kind=EngagementKind.REVIEW, customer__external_id__in=advocates
    ).values_list("value", flat=True)
    assert advocate_stars and sum(advocate_stars) / len(advocate_stars) >= 4


def support_contacts_per_month() -> dict[str, float]:
    """Support contacts per month of history, counting only the months each was a customer."""
    contacts = Counter(
        EngagementEvent.objects.filter(kind=EngagementKind.SUPPORT_CONTACT).values_list(
            "customer__external_id", flat=True
        )
    )
    history_starts = date.fromordinal(TODAY.toordinal() - HISTORY_DAYS)
    rates = {}
    for ext, since, churned_on in Customer.objects.values_list("external_id", "customer_since", "churned_on"):
        days = ((churned_on or TODAY) - max(since, history_starts)).days
        if days >= 60:
            rates[ext] = contacts[ext] / (days / 30)
    return rates


@pytest.mark.django_db
def test_detractor_prone_customers_contact_support_more(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=500)
    rates = support_contacts_per_month()
    unhappy = [rates[e] for e, c in manifest["customers"].items() if c["satisfaction"] < 6.5 and e in rates]
    happy = [rates[e] for e, c in manifest["customers"].items() if c["satisfaction"] >= 8.5 and e in rates]
    assert len(unhappy) > 20 and len(happy) > 20
    assert sum(unhappy) / len(unhappy) > 1.5 * sum(happy) / len(happy)


@pytest.mark.django_db
def test_churned_customers_stop_ordering_and_engaging_when_they_leave(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=500)
    churned = Customer.objects.filter(status=CustomerStatus.CHURNED)
    assert churned.exists()
    assert not churned.filter(churned_on__isnull=True).exists()
    assert set(churned.values_list("external_id", flat=True)) == {
        ext for ext, c in manifest["customers"].items() if c["churned"]
    }
    for customer in churned:
        assert not customer.orders.filter(ordered_on__gte=customer.churned_on).exists()
        assert not customer.engagement_events.filter(occurred_at__date__gte=customer.churned_on).exists()


@pytest.mark.django_db
def test_segment_nps_in_the_manifest_follows_from_the_planted_satisfaction(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=500)
    satisfaction = {ext: c["satisfaction"] for ext, c in manifest["customers"].items()}
    by_region: dict[str, list[float]] = {}
    for ext, region in Customer.objects.filter(status=CustomerStatus.ACTIVE).values_list(
        "external_id", "account__region"
    ):
        by_region.setdefault(region, []).append(satisfaction[ext])
    segments = manifest["segment_nps"]["by_region"]
    assert set(segments) == {"North America", "EMEA", "APAC", "LATAM"}
    for region, values in by_region.items():
        assert segments[region]["n"] == len(values)
        # The manifest rounds satisfaction to 3 places, hence the small tolerance.
        assert segments[region]["expected_nps"] == pytest.approx(truth.expected_nps(values), abs=0.1)
    # The planted APAC effect (-1.0) shows: APAC is the least satisfied region.
    assert min(segments, key=lambda r: segments[r]["expected_nps"]) == "APAC"
    assert set(manifest["segment_nps"]["by_size"]) == {"small", "mid", "enterprise", "consumer"}


@pytest.mark.django_db
def test_every_staff_role_has_a_demo_user_who_can_sign_in(tmp_path: Path) -> None:
    generate(tmp_path, customers=20)
    roles = {role for _, role, *_ in STAFF}
    assert roles == set(STAFF_ROLES)
    for username, _role, *_ in STAFF:
        assert Client().login(username=username, password=DEMO_PASSWORD), username


@pytest.mark.django_db
def test_every_customer_has_a_customer_advocate_and_most_have_contact_windows(
    tmp_path: Path,
) -> None:
    generate(tmp_path, customers=300)
    assert not Customer.objects.filter(primary_advocate__isnull=True).exists()
    assert Customer.objects.values("primary_advocate").distinct().count() == 5
    with_windows = Customer.objects.filter(contact_windows__isnull=False).distinct().count()
    assert 0.6 < with_windows / 300 < 0.8
