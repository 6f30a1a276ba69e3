"""The program as a whole: the promoter → hub loop rule, the program settings, and the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from advocacy import loop
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.ledger import points_add
from advocacy.advocates.models import (
    AdvocateScore,
    HubInvitation,
    ProgramSettings,
    ReferenceAsk,
    ReferenceRequest,
    Submission,
)
from advocacy.advocates.program import queries
from advocacy.advocates.program import services as program_settings
from advocacy.advocates.referrals import queries as referrals_queries
from advocacy.advocates.referrals import services as referrals
from advocacy.core.errors import InvalidInput
from advocacy.core.models import AuditEvent
from advocacy.feedback import links as feedback_links
from advocacy.feedback.models import Invitation
from advocacy.feedback.surveys import services as feedback
from advocacy.outreach.models import ContactAsk, FatiguePolicy, OutboundMail
from tests.advocates.hub_data import advocate, challenge, reward
from tests.factories import CustomerFactory, OrderFactory
from tests.feedback.helpers import consenting_customer, nps_survey, run_answer_follow_ups

# The closed loop: a promoter answer invites the customer to the hub


def answer(customer_score: int) -> None:
    """Every consenting customer answers the one NPS wave with this score, by the one-click link."""
    opened = feedback.wave_open(survey=nps_survey())
    for invitation in Invitation.objects.filter(wave=opened.wave):
        Client().post(f"/survey/a/{feedback_links.invitation_token(invitation)}/{customer_score}/")
    run_answer_follow_ups()  # the worker acts on the answers


@pytest.mark.django_db(transaction=True)
def test_a_promoter_answer_invites_to_the_hub_and_draws_on_the_contact_budget():
    customer = consenting_customer(email="pia@example.com")

    answer(10)

    invitation = HubInvitation.objects.get(customer=customer)
    assert (invitation.status, invitation.reason) == ("sent", "promoter answer: NPS 10")
    assert sorted(ContactAsk.objects.filter(customer=customer).values_list("kind", flat=True)) == ["other", "survey"]
    assert OutboundMail.objects.filter(to="pia@example.com", subject__contains="advocate hub").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_promoter_who_is_already_a_member_is_not_invited_and_asked_nothing_more():
    customer = consenting_customer()
    advocate(customer)

    answer(9)

    assert not HubInvitation.objects.exists()
    assert list(ContactAsk.objects.filter(customer=customer).values_list("kind", flat=True)) == ["survey"]


@pytest.mark.django_db(transaction=True)
def test_over_budget_the_promoter_invitation_waits_with_the_reason():
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    promoter = consenting_customer()

    answer(10)

    held = HubInvitation.objects.get(customer=promoter)
    assert (held.status, held.held_reason) == ("held", "quarterly budget used: 1 asks this quarter (limit 1)")
    assert not OutboundMail.objects.filter(subject__contains="advocate hub").exists()


@pytest.mark.django_db(transaction=True)
def test_the_promoter_rule_can_be_switched_off(alice):
    loop.rule_switch(rule=loop.PROMOTER_INVITED_TO_HUB, on=False, by=alice)
    consenting_customer()

    answer(10)

    assert not HubInvitation.objects.exists()


# Program settings: each fraud rule on its own switch, windows, quotas, the disclosure


@pytest.mark.django_db
def test_switching_a_fraud_rule_off_is_saved_and_audited_with_before_and_after(alice):
    program_settings.program_settings_update(by=alice, rule_ip_burst=False, ip_burst_per_week=25)

    row = ProgramSettings.objects.get()
    assert (row.rule_ip_burst, row.ip_burst_per_week, row.rule_self_referral) == (False, 25, True)
    audit = AuditEvent.objects.get(verb="program_settings.updated")
    assert audit.data == {"changed": {"rule_ip_burst": [True, False], "ip_burst_per_week": [10, 25]}}


@pytest.mark.django_db
def test_bad_settings_are_refused_field_by_field_and_nothing_changes(alice):
    with pytest.raises(InvalidInput) as refused:
        program_settings.program_settings_update(
            by=alice, return_window_days=-1, landing_url="ftp://x", rule_same_device="yes", colour="red"
        )
    assert refused.value.errors == {
        "colour": "no such setting",
        "return_window_days": "a whole number from 0 to 365",
        "landing_url": "an http(s) address, e.g. https://shop.example/welcome",
        "rule_same_device": "on or off (true or false)",
    }
    assert program_settings.program_settings().return_window_days == 30


@pytest.mark.django_db
def test_the_landing_url_from_the_settings_page_is_where_referral_links_lead(client_as):
    page = client_as("program_manager")
    assert "Fraud rule: same device" in page.get("/advocates/program/settings/").text
    form = {
        "landing_url": "https://shop.example/welcome?utm=adv",
        "attribution_days": 14,
        "return_window_days": 45,
        "referrer_points": 300,
        "friend_points": 100,
        "rule_self_referral": "on",
        "rule_ip_burst": "on",
        "ip_burst_per_week": 10,
        "rule_similar_email": "on",
        "rule_first_time_friend": "on",
        "reference_quota_per_quarter": 3,
        "reference_rest_days": 20,
        "disclosure_text": "Paid in points.",
        "terms_version": "2026-2",
    }
    assert page.post("/advocates/program/settings/", form)["Location"] == "/advocates/program/settings/"

    row = ProgramSettings.objects.get()
    assert (row.rule_same_device, row.return_window_days, row.disclosure_text) == (False, 45, "Paid in points.")
    code = referrals.referral_link_for(advocate()).code
    assert referrals_queries.landing_for(code) == f"https://shop.example/welcome?utm=adv&ref={code}"


@pytest.mark.django_db
def test_the_settings_api_reads_and_patches_only_what_is_sent(api):
    manager = api("program_manager")
    assert manager.get("/api/v1/program-settings").json()["rule_similar_email"] is True

    patched = manager.patch(
        "/api/v1/program-settings", {"rule_similar_email": False}, content_type="application/json"
    ).json()
    assert (patched["rule_similar_email"], patched["rule_self_referral"]) == (False, True)
    refused = manager.patch("/api/v1/program-settings", {"attribution_days": 0}, content_type="application/json")
    assert refused.status_code == 422
    assert api("analyst").get("/api/v1/program-settings").status_code == 403


# The program dashboard


def program_with_activity(alice):  # type: ignore[no-untyped-def]
    """Two members, one approved and one waiting submission, a redemption, a referral, a reference ask."""
    ana, ben = advocate(), advocate()
    review = challenge(alice, approval="manual")
    share = challenge(alice, kind="share", title="Share our post", approval="automatic", points=50)
    hub.submission_review(
        submission=hub.submission_create(challenge=review, advocate=ana, evidence="https://g2.example/r/1"),
        by=alice,
        approve=True,
    )
    hub.submission_create(challenge=share, advocate=ben, evidence="https://social.example/p/2")
    hub.submission_create(challenge=review, advocate=ben, evidence="https://g2.example/r/2")
    points_add(advocate=ana, delta=200, reason="Welcome", ref="welcome:ana")
    hub.redemption_request(advocate=ana, reward=reward(alice, point_cost=120))
    code = referrals.referral_link_for(ana).code
    referrals.click_record(code=code, ip="198.51.100.7", device_id="d1", at=timezone.now() - timedelta(hours=1))
    referrals.click_record(code=code, ip="198.51.100.8", device_id="d2", at=timezone.now() - timedelta(hours=1))
    friend = CustomerFactory(email="friend@elsewhere.example", first_name="Friedrich", last_name="Neu")
    referrals.conversion_record(
        code=code, friend=friend, order=OrderFactory(customer=friend), idempotency_key="o-1", device_id="d1"
    )
    request = ReferenceRequest.objects.create(
        requested_by=alice, prospect="Acme", opportunity_value=1000, needed_by=timezone.localdate()
    )
    ReferenceAsk.objects.create(request=request, advocate=ben, fit=50, status="accepted")


@pytest.mark.django_db
def test_the_dashboard_counts_members_activity_points_funnel_and_references(alice):
    program_with_activity(alice)

    p = queries.program_overview()

    assert (p["members"], p["joined_recent"]) == (2, 2)
    assert (p["submissions_recent"], p["pending_approvals"]) == (3, 1)
    assert Submission.objects.filter(status="approved").count() == 2
    assert (p["points_issued"], p["points_redeemed"], p["redemptions_open"]) == (100 + 50 + 200, 120, 1)
    assert p["funnel"] == {"clicks": 2, "converted": 1, "flagged": 0, "rewards_held": 1, "rewards_released": 0}
    assert (p["references"]["open_requests"], p["references"]["accepted"], p["references"]["calls"]) == (1, 1, 0)
    assert ("Accepted", 1) in p["reference_stages"]


@pytest.mark.django_db
def test_the_dashboard_page_and_api_show_the_same_figures(alice, client_as, api):
    program_with_activity(alice)

    page = client_as("program_manager").get("/advocates/program/").text
    assert "<strong>350</strong> issued" in page and "<strong>120</strong> redeemed" in page
    assert '<td>Link clicks (people, not mail scanners)</td><td class="num">2</td>' in page
    assert '<td>Accepted</td><td class="num">1</td>' in page
    body = api("program_manager").get("/api/v1/advocacy-program?days=30").json()
    assert (body["days"], body["members"], body["points_issued"], body["points_redeemed"]) == (30, 2, 350, 120)
    assert body["funnel"]["converted"] == 1 and body["references"]["accepted"] == 1


# Inviting the best-scored customers


def scored(score: float, tier: str = "champion", **fields):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(**fields)
    AdvocateScore.objects.create(customer=customer, score=score, tier=tier, computed_at=timezone.now())
    return customer


@pytest.mark.django_db
def test_the_best_scored_are_invited_once_members_skipped_and_over_budget_ones_wait(alice):
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    best, member, busy, third, likely = scored(95), scored(90), scored(85), scored(80), scored(60, "likely")
    advocate(member)
    ContactAsk.objects.create(customer=busy, kind="survey", ref="invitation:1", asked_at=timezone.now())

    outcome = hub.hub_invite_top(tiers=["champion"], limit=2, by=alice)

    assert outcome == {"sent": 1, "held": 1}
    assert dict(HubInvitation.objects.values_list("customer_id", "status")) == {best.pk: "sent", busy.pk: "held"}
    assert hub.hub_invite_top(tiers=["champion"], limit=5, by=alice) == {"sent": 1, "held": 1}
    assert HubInvitation.objects.get(customer=third).reason == "top advocate score (champion)"
    assert not HubInvitation.objects.filter(customer=likely).exists()


@pytest.mark.django_db
def test_top_invitations_from_the_page_and_the_api(client_as, api):
    first, second = scored(92), scored(91)
    page = client_as("program_manager")
    assert "Invite the best-scored" in page.get("/advocates/hub-invitations/").text

    done = page.post("/advocates/hub-invitations/", {"action": "top", "tiers": ["champion"], "limit": 1}, follow=True)
    assert "Invited 1; 0 wait on their contact budget" in done.text
    assert HubInvitation.objects.get().customer == first
    body = api("program_manager").post(
        "/api/v1/hub/invitations/top", {"tiers": ["champion"], "limit": 10}, content_type="application/json"
    )
    assert body.json() == {"sent": 1, "held": 0}
    assert HubInvitation.objects.filter(customer=second, status="sent").exists()
    refused = api("program_manager").post(
        "/api/v1/hub/invitations/top", {"tiers": ["best"]}, content_type="application/json"
    )
    assert refused.status_code == 422
