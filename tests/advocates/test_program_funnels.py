"""The program page's funnels: one cohort through the hub, clicks to rewards for referrals, each stage
leading to the customers or referrals behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.advocates.models import HubInvitation, Redemption, Submission
from tests.advocates.hub_data import advocate, challenge, reward
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def invite(customer, *, status: str = "sent", days_ago: int = 5) -> None:  # type: ignore[no-untyped-def]
    HubInvitation.objects.create(
        customer=customer, reason="promoter", status=status, created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_the_hub_funnel_follows_the_invited_cohort_and_each_stage_lists_its_customers(staff, client_as):
    review = challenge(staff["program_manager"])
    mug = reward(staff["program_manager"])
    stages = ["invited", "joined", "took_part", "approved", "redeemed"]
    people = {}
    for reached in stages:
        customer = CustomerFactory(first_name=reached.title())
        people[reached] = customer
        invite(customer, status="joined" if reached != "invited" else "sent")
        if reached == "invited":
            continue
        member = advocate(customer)
        if reached == "joined":
            continue
        status = "pending" if reached == "took_part" else "approved"
        Submission.objects.create(challenge=review, advocate=member, status=status)
        if reached == "redeemed":
            Redemption.objects.create(advocate=member, reward=mug, points=80)
    # Not in the cohort: held back by the contact budget, or invited before the period.
    invite(CustomerFactory(), status="held")
    invite(CustomerFactory(), days_ago=200)
    client = client_as("program_manager")

    page = client.get(reverse("advocates:program"), {"days": 90})
    assert [n for _, _, n in page.context["hub_funnel"]] == [5, 4, 3, 2, 1]
    joined_link = page.context["charts"]["hub"]["data"][0]["customdata"][1][0]
    listed = client.get(joined_link)
    assert {c.first_name for c in listed.context["page"].object_list} == {"Joined", "Took_Part", "Approved", "Redeemed"}


def test_a_funnel_stage_that_does_not_exist_is_a_404_and_clicks_are_not_listed(client_as):
    client = client_as("program_manager")
    assert client.get(reverse("advocates:funnel_stage", args=["hub", "bribed"])).status_code == 404
    assert client.get(reverse("advocates:funnel_stage", args=["referrals", "clicks"])).status_code == 404
    assert client.get(reverse("advocates:funnel_stage", args=["hub", "joined"]), {"days": "abc"}).status_code == 400


def test_the_program_page_names_tiers_and_story_states_as_people_read_them(client_as):
    from advocacy.advocates.models import AdvocateScore

    AdvocateScore.objects.create(
        customer=CustomerFactory(), score=30, tier="not_now", parts={}, reasons=[], computed_at=timezone.now()
    )
    page = client_as("program_manager").get(reverse("advocates:program")).content.decode()
    assert "Not now 1" in page
    assert "not_now" not in page and "notnow" not in page
