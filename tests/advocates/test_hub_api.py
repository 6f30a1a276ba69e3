"""The advocate hub API: the same rules as the pages (the FTC refusal, the ledger), 201 on create, roles."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

from advocacy.advocates.hub.ledger import balance, points_add
from advocacy.advocates.models import Challenge, Redemption
from tests.advocates.hub_data import advocate, reward


def mounted() -> bool:
    try:
        resolve("/api/v1/hub/challenges")
    except Resolver404:
        return False
    return True


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not mounted(), reason="advocates.hub_api.router is not mounted in advocacy/api.py yet"),
]

CHALLENGE = {
    "kind": "review",
    "title": "Review us on G2",
    "instructions": "Write an honest review of your experience.",
    "points": 100,
    "starts_on": "2026-01-01",
}


def test_a_challenge_asking_for_five_stars_is_refused_with_the_rule(api):
    response = api("program_manager").post(
        "/api/v1/hub/challenges",
        {**CHALLENGE, "instructions": "Leave a 5-star review"},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["pointer"] == "/body/instructions"
    assert "16 CFR Part 465" in error["detail"] and "“5-star”" in error["detail"]
    assert not Challenge.objects.exists()


def test_a_neutral_challenge_is_created_and_read_back(api):
    created = api("program_manager").post("/api/v1/hub/challenges", CHALLENGE, content_type="application/json")
    assert created.status_code == 201
    challenge_id = created.json()["id"]

    read = api("analyst").get(f"/api/v1/hub/challenges/{challenge_id}")
    assert read.status_code == 200
    assert (read.json()["title"], read.json()["approval"]) == ("Review us on G2", "manual")


def test_analysts_read_but_do_not_write(api):
    assert api("analyst").get("/api/v1/hub/rewards").status_code == 200
    refused = api("analyst").post("/api/v1/hub/challenges", CHALLENGE, content_type="application/json")
    assert refused.status_code == 403
    assert api("sales").get("/api/v1/hub/challenges").status_code == 403


def test_advocates_list_with_balance_and_level_and_their_ledger(api):
    member = advocate()
    points_add(advocate=member, delta=1500, reason="Referral", ref="referral:1")
    points_add(advocate=member, delta=-500, reason="Reward", ref="redemption:1")

    listed = api("analyst").get("/api/v1/hub/advocates").json()["items"]
    assert [(a["id"], a["balance"], a["lifetime_points"], a["level"]) for a in listed] == [
        (member.pk, 1000, 1500, "Silver")
    ]
    ledger = api("analyst").get(f"/api/v1/hub/advocates/{member.pk}/points").json()["items"]
    assert [(row["seq"], row["delta"], row["balance"]) for row in ledger] == [(2, -500, 1000), (1, 1500, 1500)]


def test_a_redemption_requested_for_an_advocate_and_cancelled_refunds(api, alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Referral", ref="referral:1")
    hoodie = reward(alice, point_cost=80)
    client = api("program_manager")

    requested = client.post(
        "/api/v1/hub/redemptions", {"advocate_id": member.pk, "reward_id": hoodie.pk}, content_type="application/json"
    )
    assert requested.status_code == 201
    again = client.post(
        "/api/v1/hub/redemptions", {"advocate_id": member.pk, "reward_id": hoodie.pk}, content_type="application/json"
    )
    assert again.status_code == 409 and "needs 80 and the balance is 20" in again.json()["detail"]

    cancelled = client.post(
        f"/api/v1/hub/redemptions/{requested.json()['id']}/decide",
        {"action": "cancel", "note": "changed their mind"},
        content_type="application/json",
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (balance(member), Redemption.objects.count()) == (100, 1)


def test_a_hub_invitation_is_created_through_the_api(api):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    created = api("program_manager").post(
        "/api/v1/hub/invitations", {"customer_id": customer.pk, "reason": "top score"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["status"] == "sent"
    listed = api("analyst").get("/api/v1/hub/invitations").json()["items"]
    assert [i["customer_id"] for i in listed] == [customer.pk]


def test_a_physical_reward_through_the_api_needs_a_valid_address_and_keeps_it(api, alice):
    member = advocate()
    points_add(advocate=member, delta=500, reason="Referral", ref="referral:1")
    client = api("program_manager")
    created = client.post(
        "/api/v1/hub/rewards",
        {
            "name": "Hoodie",
            "kind": "physical",
            "option_label": "Size",
            "options": ["S", "M"],
            "point_cost": 80,
            "stock": 3,
            "money_cost": "35.00",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["options"] == ["S", "M"]
    body = {"advocate_id": member.pk, "reward_id": created.json()["id"], "choice": "M"}

    missing = client.post("/api/v1/hub/redemptions", body, content_type="application/json")
    assert missing.status_code == 422
    assert {e["pointer"] for e in missing.json()["errors"]} == {"/body/shipping/street"}

    address = {"name": "Tom Berg", "street": "1 Main St", "city": "Leeds", "postcode": "ls1 4ap", "country": "gb"}
    bad = client.post(
        "/api/v1/hub/redemptions", {**body, "shipping": {**address, "country": "XX"}}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/body/shipping/country"
    assert balance(member) == 500

    done = client.post("/api/v1/hub/redemptions", {**body, "shipping": address}, content_type="application/json")
    assert done.status_code == 201
    assert (done.json()["choice"], done.json()["ship_postcode"], done.json()["ship_country"]) == ("M", "LS1 4AP", "GB")
    assert balance(member) == 420
