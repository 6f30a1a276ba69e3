"""The demo's advocacy program: the score finds the planted natural advocates, and the program shows every
state a program manager meets — within the same rules the product enforces."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import Client

from advocacy.advocates.models import (
    Advocate,
    Challenge,
    HeldStatus,
    PointsEntry,
    Redemption,
    ReferenceCall,
    Referral,
    ReferralLink,
    ReferralReward,
    ReferralStatus,
    Story,
    Submission,
)
from advocacy.advocates.scoring import queries as scoring_queries
from advocacy.advocates.stories import queries as reads
from advocacy.demo.generator import generate_company, read_manifest, wipe_company
from advocacy.portal.signin.services import magic_link_create

TODAY = date(2025, 6, 30)

pytestmark = pytest.mark.django_db


def generate(tmp_path: Path, settings, customers: int, seed: int = 11) -> dict:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path  # where the advocates page looks for the manifest
    summary = generate_company(
        customers=customers, seed=seed, today=TODAY, manifest_path=tmp_path / "demo-manifest.json"
    )
    return read_manifest(summary.manifest_path)


def test_the_score_finds_the_planted_natural_advocates_far_above_the_base_rate(tmp_path, settings, client_as):
    generate(tmp_path, settings, customers=1000)

    at_50 = scoring_queries.precision_at_k(50)

    assert at_50 is not None and at_50["looked_at"] == 50
    assert at_50["base_rate"] == pytest.approx(0.06, abs=0.01)
    assert at_50["precision"] >= 0.6, at_50
    assert at_50["precision"] >= 8 * at_50["base_rate"]
    page = client_as("program_manager").get("/advocates/").text
    assert f"top 50: <strong>{at_50['hits']}</strong> of 50 are planted natural advocates" in page


def test_members_are_mostly_natural_advocates_who_joined_on_the_terms(tmp_path, settings):
    manifest = generate(tmp_path, settings, customers=600)
    natural = {external_id for external_id, truth in manifest["customers"].items() if truth["natural_advocate"]}

    members = list(Advocate.objects.values_list("customer__external_id", "terms_version"))

    assert members and {terms for _, terms in members} == {"2026-1"}
    assert sum(external_id in natural for external_id, _ in members) / len(members) >= 0.8


def test_the_program_shows_every_state_within_the_rules(tmp_path, settings):
    generate(tmp_path, settings, customers=600)

    assert set(Challenge.objects.values_list("kind", flat=True)) >= {"review", "share", "refer", "story", "custom"}
    assert Submission.objects.filter(status="pending").exists()
    assert set(Redemption.objects.values_list("status", flat=True)) == {
        "requested",
        "approved",
        "fulfilled",
        "cancelled",
    }
    assert not PointsEntry.objects.filter(balance__lt=0).exists()
    assert ReferralReward.objects.filter(status=HeldStatus.HELD).exists()
    assert ReferralReward.objects.filter(status=HeldStatus.RELEASED).exists()
    flagged = Referral.objects.get(status=ReferralStatus.FLAGGED)
    assert [r["rule"] for r in flagged.fraud_reasons] == ["first_time_friend"]
    assert ReferenceCall.objects.filter(deal_outcome="won", deal_amount__gt=0).exists()


def test_published_demo_stories_stay_within_consent_and_the_incentivised_one_is_disclosed(tmp_path, settings):
    generate(tmp_path, settings, customers=600)

    published = Story.objects.filter(status="published")
    assert published.count() == 3
    assert reads.published_stories("internal", today=TODAY).count() == 3  # every one still has its consent
    exported = json.loads(reads.story_export_json(reads.published_stories("website", today=TODAY)))["stories"]
    incentivised = [s for s in exported if s["incentivised"]]
    assert len(incentivised) == 1 and incentivised[0]["disclosure"].startswith("This customer received a reward")


def program_fingerprint() -> tuple[object, ...]:
    return (
        list(ReferralLink.objects.order_by("code").values_list("code", flat=True)),
        list(PointsEntry.objects.values("advocate__customer__external_id").annotate(n=Count("id")).order_by(
            "advocate__customer__external_id").values_list("advocate__customer__external_id", "n")),
        Redemption.objects.count(),
    )  # fmt: skip


def test_the_same_seed_gives_the_same_program_after_a_reset(tmp_path, settings):
    generate(tmp_path, settings, customers=300, seed=5)
    first = program_fingerprint()
    wipe_company()
    generate(tmp_path, settings, customers=300, seed=5)

    assert program_fingerprint() == first
    assert first[0], "some members took a referral link"


def test_the_program_pages_show_the_demo_program(tmp_path, settings, client_as):
    generate(tmp_path, settings, customers=300)
    page = client_as("program_manager")

    for url in (
        "/advocates/program/",
        "/advocates/approvals/",
        "/advocates/redemptions/",
        "/advocates/hub-invitations/",
        "/advocates/referrals/",
        "/advocates/references/",
        "/advocates/stories/",
        "/advocates/challenges/",
    ):
        assert page.get(url).status_code == 200, url
    dashboard = page.get("/advocates/program/").text
    assert f"<strong>{Advocate.objects.filter(active=True).count()}</strong> advocates" in dashboard


def test_the_portal_demo_customer_sees_a_level_referrals_and_a_parcel_on_its_way(tmp_path, settings):
    manifest = generate(tmp_path, settings, customers=600)
    member = Advocate.objects.get(customer__email=manifest["portal_example_email"])
    client = Client()
    assert client.post(f"/portal/sign-in/{magic_link_create(customer=member.customer)}/").status_code == 302

    hub_page = client.get("/portal/hub/").text
    assert "Your level:" in hub_page and "on the leaderboard" in hub_page
    referrals = client.get("/portal/hub/referrals/").text
    assert "held until" in referrals and "earned" in referrals
    parcel = member.redemptions.get(reward__kind="physical")
    assert parcel.choice in {"S", "M", "L", "XL"} and parcel.ship_street and parcel.ship_country
    assert parcel.ship_city in client.get(f"/portal/hub/redemptions/{parcel.pk}/").text
    assert not PointsEntry.objects.filter(balance__lt=0).exists()
