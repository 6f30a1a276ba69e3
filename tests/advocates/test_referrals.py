"""Referrals: unguessable links, clicks without IPs, attribution, fraud rules with reasons, held rewards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from advocacy.advocates.hub.ledger import balance
from advocacy.advocates.models import (
    HeldStatus,
    PointsEntry,
    ProgramSettings,
    Referral,
    ReferralClick,
    ReferralReward,
    ReferralStatus,
)
from advocacy.advocates.referrals import fraud as referrals_fraud
from advocacy.advocates.referrals import queries as referrals_queries
from advocacy.advocates.referrals import services as referrals
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.customers.models import AccountKind
from tests.advocates.program_data import advocate, portal_client
from tests.factories import AccountFactory, CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"


@pytest.fixture
def maria():
    return advocate(email="maria.lopez@gmail.com", first_name="Maria", last_name="Lopez")


@pytest.fixture
def code(maria) -> str:
    return referrals.referral_link_for(maria).code


def friend(email: str = "tom.berg@elsewhere.org", **fields):
    return CustomerFactory(
        email=email, first_name=fields.pop("first_name", "Tom"), last_name=fields.pop("last_name", "Berg"), **fields
    )


def convert(
    code: str,
    customer,
    *,
    key: str,
    device: str = "dev-tom",
    ip: str = "198.51.100.20",
    click_ago: timedelta = timedelta(days=2),
    now=None,
):
    """The friend clicks the link (click_ago before now) and orders today."""
    now = now or timezone.now()
    referrals.click_record(code=code, ip=ip, device_id=device, at=now - click_ago)
    order = OrderFactory(customer=customer, ordered_on=timezone.localdate(now))
    return referrals.conversion_record(
        code=code, friend=customer, order=order, idempotency_key=key, device_id=device, ip=ip, now=now
    )


def switch(**values):
    ProgramSettings.objects.update_or_create(id=1, defaults=values)


def rules_fired(referral: Referral) -> set[str]:
    return {r["rule"] for r in referral.fraud_reasons}


# Links and clicks


def test_each_advocate_has_one_unguessable_link(maria):
    other = advocate()
    first, again = referrals.referral_link_for(maria), referrals.referral_link_for(maria)
    assert first.pk == again.pk
    assert first.code != referrals.referral_link_for(other).code
    assert len(first.code) == 12  # 72 random bits


def test_a_click_keeps_the_ip_and_device_only_as_keyed_hashes(code):
    switch(landing_url="https://shop.example/welcome?utm_source=friends")
    click, target = referrals.click_record(code=code, ip="203.0.113.7", device_id="device-abc")
    stored = ReferralClick.objects.filter(pk=click.pk).values().get()
    assert "203.0.113.7" not in str(stored) and "device-abc" not in str(stored)
    assert len(click.ip_hash) == 64 and click.ip_hash == referrals.ip_hash("203.0.113.7")
    assert click.ip_hash != referrals.ip_hash("203.0.113.8")
    assert target == f"https://shop.example/welcome?utm_source=friends&ref={code}"


def test_the_redirect_counts_a_person_sets_a_device_cookie_and_carries_the_code(code):
    client = Client(HTTP_USER_AGENT=BROWSER)
    response = client.get(f"/advocates/r/{code}/")
    assert response.status_code == 302 and response["Location"] == f"https://example.com/?ref={code}"
    cookie = response.cookies["adv_device"]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 24 * 3600
    again = client.get(f"/advocates/r/{code}/")
    assert again.status_code == 302 and again["Location"] == f"https://example.com/?ref={code}"
    # The same browser again within the window is sent on, and counted once (issue 11: limits).
    clicks = list(ReferralClick.objects.all())
    assert len(clicks) == 1 and clicks[0].device_hash == referrals.device_hash(cookie.value)


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        "Proofpoint URL Defense",
        "Mimecast Safe Links",
        "python-requests/2.32",
    ],
)
def test_scanners_and_bots_are_redirected_but_not_counted(code, agent):
    response = Client(HTTP_USER_AGENT=agent).get(f"/advocates/r/{code}/")
    assert response.status_code == 302
    assert ReferralClick.objects.count() == 0


def test_the_advocate_clicking_their_own_link_is_not_counted(maria, code):
    client = portal_client(maria.customer)
    assert client.get(f"/advocates/r/{code}/", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert ReferralClick.objects.count() == 0


def test_clicks_in_a_loop_from_one_ip_count_as_a_few_and_the_rest_wait(code, settings):
    """The audit's loop (300 requests from one IP, each without the device cookie), scaled down."""
    settings.LIMIT_REFERRAL_REQUESTS_PER_IP = "40/h"
    visitor = {"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": "203.0.113.9"}
    codes = [Client(**visitor).get(f"/advocates/r/{code}/") for _ in range(60)]

    assert [r.status_code for r in codes].count(302) == 40
    waiting = [r for r in codes if r.status_code == 429]
    assert len(waiting) == 20 and 0 < int(waiting[0]["Retry-After"]) <= 3600
    assert ReferralClick.objects.count() == 5  # REFERRAL_CLICKS_PER_IP in the 24-hour window


def test_a_visitor_counts_again_after_the_window(code, settings):
    now = timezone.now()
    first, _ = referrals.click_record(code=code, ip="203.0.113.7", device_id="phone", at=now)
    again, target = referrals.click_record(code=code, ip="203.0.113.8", device_id="phone", at=now + timedelta(hours=23))
    later, _ = referrals.click_record(code=code, ip="203.0.113.8", device_id="phone", at=now + timedelta(hours=25))
    assert first is not None and again is None and later is not None
    assert target.endswith(f"ref={code}")


def test_an_unknown_code_gets_a_clear_404_page():
    response = Client(HTTP_USER_AGENT=BROWSER).get("/advocates/r/not-a-real-code/")
    assert response.status_code == 404
    assert "This referral link is not valid" in response.text


# Conversions


def test_a_genuine_conversion_is_converted_with_rewards_held_for_the_return_window(maria, code):
    now = timezone.now()
    referral = convert(code, friend(), key="order-1001", now=now)
    assert referral.status == ReferralStatus.CONVERTED and referral.fraud_reasons == []
    assert referral.click is not None and referral.click.device_hash == referrals.device_hash("dev-tom")
    rewards = list(referral.rewards.values_list("to", "points", "status", "release_after"))
    assert rewards == [("referrer", 500, "held", now + timedelta(days=30))]


def test_the_same_idempotency_key_returns_the_first_result(code):
    tom = friend()
    first = convert(code, tom, key="order-1001")
    again = referrals.conversion_record(
        code=code, friend=friend("someone@else.org"), order=None, idempotency_key="order-1001"
    )
    assert again.pk == first.pk and again.friend_id == tom.pk
    assert Referral.objects.count() == 1 and ReferralReward.objects.count() == 1


def test_a_friend_is_referred_only_once(code):
    tom = friend()
    convert(code, tom, key="order-1")
    with pytest.raises(ServiceError, match="already referred"):
        referrals.conversion_record(code=code, friend=tom, order=None, idempotency_key="order-2")


def test_attribution_needs_a_click_within_the_window(code):
    with pytest.raises(referrals.OutsideAttributionWindow, match="30 days"):
        convert(code, friend(), key="late", click_ago=timedelta(days=31))
    assert Referral.objects.count() == 0
    assert (
        convert(code, friend("ann@else.org", first_name="Ann"), key="in-time", click_ago=timedelta(days=29)).status
        == ReferralStatus.CONVERTED
    )


def test_a_click_from_another_device_attributes_the_code_but_is_not_the_friends_click(code):
    now = timezone.now()
    referrals.click_record(code=code, ip="198.51.100.20", device_id="phone", at=now - timedelta(days=1))
    referral = referrals.conversion_record(
        code=code, friend=friend(), order=None, idempotency_key="k", device_id="laptop", now=now
    )
    assert referral.status == ReferralStatus.CONVERTED and referral.click is None


def test_an_order_of_someone_else_is_refused(code):
    referrals.click_record(code=code, ip="1.2.3.4", device_id="d")
    with pytest.raises(InvalidInput) as exc:
        referrals.conversion_record(code=code, friend=friend(), order=OrderFactory(), idempotency_key="k")
    assert "order_id" in exc.value.errors


# Fraud rules: each fires on its case, not on a genuine one, and not when switched off


def self_referral_by_name(code, maria):
    return convert(code, friend("m.lopez.work@company.example", first_name="maria", last_name="LOPEZ"), key="k")


def self_referral_by_household(code, maria):
    home = AccountFactory(kind=AccountKind.HOUSEHOLD, name="Lopez household")
    maria.customer.account = home
    maria.customer.save()
    return convert(code, friend("partner@else.org", account=home), key="k")


def same_device(code, maria):
    convert(code, friend("ann@else.org", first_name="Ann"), key="k1", device="dev-shared", ip="192.0.2.1")
    return convert(code, friend("bob@other.org", first_name="Bob"), key="k2", device="dev-shared", ip="192.0.2.2")


def ip_burst(code, maria):
    switch(ip_burst_per_week=2)
    for n in range(2):
        convert(code, friend(f"f{n}@else{n}.org", first_name=f"F{n}"), key=f"k{n}", device=f"d{n}", ip="192.0.2.9")
    return convert(code, friend("third@other.org", first_name="Third"), key="k3", device="d3", ip="192.0.2.9")


def similar_email_tag(code, maria):
    return convert(code, friend("marialopez+deal@googlemail.com", first_name="M", last_name="L"), key="k")


def similar_email_typo(code, maria):
    return convert(code, friend("maria.lopes@gmail.com", first_name="Mara", last_name="Lopes"), key="k")


def not_first_time(code, maria):
    tom = friend()
    OrderFactory(customer=tom, ordered_on=date(2024, 6, 1))
    return convert(code, tom, key="k")


CASES = [
    ("self_referral", "rule_self_referral", self_referral_by_name, "referrer's name"),
    ("self_referral", "rule_self_referral", self_referral_by_household, "household or company"),
    ("same_device", "rule_same_device", same_device, "same device already converted for 1 other"),
    ("ip_burst", "rule_ip_burst", ip_burst, "3 referrals from one IP address within a week (more than 2)"),
    ("similar_email", "rule_similar_email", similar_email_tag, "nearly identical to maria.lopez@gmail.com"),
    ("similar_email", "rule_similar_email", similar_email_typo, "nearly identical to maria.lopez@gmail.com"),
    ("first_time_friend", "rule_first_time_friend", not_first_time, "not a first-time customer (1 earlier order"),
]


@pytest.mark.parametrize(("rule", "switch_name", "scenario", "reason"), CASES, ids=[c[2].__name__ for c in CASES])
def test_a_fraud_rule_fires_on_its_case_with_its_reason(code, maria, rule, switch_name, scenario, reason):
    referral = scenario(code, maria)
    assert referral.status == ReferralStatus.FLAGGED
    assert rule in rules_fired(referral)
    assert reason in next(r["reason"] for r in referral.fraud_reasons if r["rule"] == rule)
    assert referral.rewards.get().status == HeldStatus.HELD, "flagged rewards wait for a person, like any other"


@pytest.mark.parametrize(("rule", "switch_name", "scenario", "reason"), CASES, ids=[c[2].__name__ for c in CASES])
def test_a_switched_off_fraud_rule_does_not_fire(code, maria, rule, switch_name, scenario, reason):
    switch(**{switch_name: False})
    assert rule not in rules_fired(scenario(code, maria))


def test_a_genuine_friend_sets_off_no_rule(code):
    switch(ip_burst_per_week=2)
    for n in range(2):  # two genuine friends from two homes, two devices, within the weekly limit
        referral = convert(
            code,
            friend(f"friend{n}@home{n}.example", first_name=f"Friend{n}"),
            key=f"k{n}",
            device=f"d{n}",
            ip=f"192.0.2.{n}",
        )
        assert referral.status == ReferralStatus.CONVERTED and referral.fraud_reasons == []


def test_several_rules_record_every_reason(code, maria):
    twin = friend("maria.lopez+2@gmail.com", first_name="Maria", last_name="Lopez")
    OrderFactory(customer=twin, ordered_on=date(2024, 1, 1))
    referral = convert(code, twin, key="k")
    assert rules_fired(referral) == {"self_referral", "similar_email", "first_time_friend"}


@pytest.mark.parametrize(
    ("a", "b", "distance"), [("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("maria", "mario", 1)]
)
def test_edit_distance(a, b, distance):
    assert referrals_fraud.edit_distance(a, b) == distance


def test_gmail_addresses_are_normalised_but_other_domains_keep_their_dots():
    assert referrals_fraud.normalised_email("Maria.Lopez+Promo@GoogleMail.com") == "marialopez@gmail.com"
    assert referrals_fraud.normalised_email("maria.lopez+x@example.com") == "maria.lopez@example.com"


# The review queue


def test_a_reward_is_released_only_after_the_window_and_then_lands_in_the_ledger(maria, code, alice):
    now = timezone.now()
    reward = convert(code, friend(), key="k", now=now).rewards.get()
    with pytest.raises(ServiceError, match="return window runs until"):
        referrals.reward_decide(reward=reward, by=alice, release=True, now=now + timedelta(days=29))
    assert list(referrals_queries.rewards_due(now + timedelta(days=29))) == []
    later = now + timedelta(days=30, minutes=1)
    assert list(referrals_queries.rewards_due(later)) == [reward]

    released = referrals.reward_decide(reward=reward, by=alice, release=True, now=later)
    assert (released.status, released.decided_by) == (HeldStatus.RELEASED, alice)
    entry = PointsEntry.objects.get(advocate=maria)
    assert (entry.delta, entry.ref, balance(maria)) == (500, f"referral-reward:{reward.pk}", 500)
    with pytest.raises(ServiceError, match="already released"):
        referrals.reward_decide(reward=reward, by=alice, release=True, now=later)
    assert balance(maria) == 500


def test_the_friends_reward_goes_to_the_friend_if_they_are_an_advocate(code, alice):
    switch(friend_points=100)
    now = timezone.now()
    member, outsider = advocate(email="ann@else.org", first_name="Ann"), friend()
    rewards = [
        convert(code, member.customer, key="k1", device="d1", ip="192.0.2.1", now=now).rewards.get(to="friend"),
        convert(code, outsider, key="k2", device="d2", ip="192.0.2.2", now=now).rewards.get(to="friend"),
    ]
    later = now + timedelta(days=31)
    for reward in rewards:
        referrals.reward_decide(reward=reward, by=alice, release=True, now=later)
    assert balance(member) == 100
    rewards[1].refresh_from_db()
    assert rewards[1].status == HeldStatus.RELEASED and "not an advocate" in rewards[1].note


def test_rejecting_needs_a_reason_and_rejects_the_referral_when_nothing_is_left(code, alice):
    reward = not_first_time(code, None).rewards.get()
    with pytest.raises(InvalidInput):
        referrals.reward_decide(reward=reward, by=alice, release=False, note=" ")
    referrals.reward_decide(reward=reward, by=alice, release=False, note="Returning customer")
    reward.refresh_from_db()
    assert reward.status == HeldStatus.REJECTED and reward.referral.status == ReferralStatus.REJECTED
    assert PointsEntry.objects.count() == 0


def test_the_queue_page_shows_due_rewards_and_flagged_reasons_and_decides(code, client_as):
    due = convert(
        code, friend(), key="k1", device="d1", ip="192.0.2.1", now=timezone.now() - timedelta(days=31)
    ).rewards.get()
    tom2 = friend("old@customer.org", first_name="Olga", last_name="Old")
    OrderFactory(customer=tom2, ordered_on=date(2024, 6, 1))
    flagged = convert(code, tom2, key="k2", device="d2", ip="192.0.2.2").rewards.get()
    client = client_as("program_manager")

    page = client.get("/advocates/referrals/")
    assert page.status_code == 200
    assert "Ready for review" in page.text and "not a first-time customer" in page.text
    assert f'name="reward_id" value="{due.pk}"' in page.text and f'name="reward_id" value="{flagged.pk}"' in page.text

    client.post("/advocates/referrals/", {"reward_id": due.pk, "decision": "release"})
    client.post("/advocates/referrals/", {"reward_id": flagged.pk, "decision": "reject", "note": "Known customer"})
    due.refresh_from_db()
    flagged.refresh_from_db()
    assert (due.status, flagged.status) == (HeldStatus.RELEASED, HeldStatus.REJECTED)


def test_conversions_come_in_by_import_too_with_errors_per_line(code):
    tom = friend()
    referrals.click_record(code=code, ip="1.2.3.4", device_id="d")
    report = referrals.conversions_import(
        text=(
            "code,email,idempotency_key,device_id\n"
            f"{code},TOM.BERG@elsewhere.org,imp-1,d\n"
            f"{code},nobody@nowhere.org,imp-2,d\n"
            f"wrong-code,{tom.email},imp-3,d\n"
        )
    )
    assert (report.recorded, report.flagged) == (1, 0)
    assert report.errors == [
        "line 3: email: no customer with email 'nobody@nowhere.org'",
        "line 4: This referral link is not valid.",
    ]
    assert Referral.objects.get().friend == tom


# Pages and portal


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("program_manager", 200),
        ("sales", 403),
        ("customer_advocate", 403),
        ("analyst", 403),
        ("department_head", 403),
    ],
)
def test_the_referral_queue_is_for_the_program_team(client_as, role, status):
    assert client_as(role).get("/advocates/referrals/").status_code == status


def test_the_portal_shows_my_link_and_my_conversions_only(maria, code):
    convert(code, friend(), key="k")
    other = advocate(email="zed@else.org", first_name="Zed")
    other_code = referrals.referral_link_for(other).code

    page = portal_client(maria.customer).get("/portal/hub/referrals/")
    assert page.status_code == 200
    assert f"/advocates/r/{code}/" in page.text and other_code not in page.text
    assert "held until" in page.text and "Friend 1" in page.text
    assert "Tom" not in page.text and "tom.berg@elsewhere.org" not in page.text, "friends are never named"

    zed_page = portal_client(other.customer).get("/portal/hub/referrals/")
    assert code not in zed_page.text and "No friend has ordered" in zed_page.text


def test_a_customer_who_is_not_an_advocate_is_sent_to_join():
    response = portal_client(CustomerFactory()).get("/portal/hub/referrals/")
    assert response.status_code == 302 and response["Location"] == "/portal/hub/"


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("maria.lopez@gmail.com", "marialopez+x@googlemail.com", True),
        ("maria.lopez@example.com", "maria.lopes@example.com", True),
        ("tom@acme.example", "tim@acme.example", False),
        ("maria.lopez@example.com", "maria.lopez@example.org", False),
        ("friend0@home.example", "friend1@home.example", True),
    ],
)
def test_near_identical_emails(a, b, similar):
    assert referrals_fraud.nearly_identical(a, b) is similar


# API


def test_the_conversion_api_needs_an_idempotency_key_and_replays_the_first_result(api, code):
    tom = friend()
    referrals.click_record(code=code, ip="198.51.100.20", device_id="dev-tom")
    order = OrderFactory(customer=tom, ordered_on=timezone.localdate())
    client = api("sales")
    body = {
        "code": code,
        "friend_email": "Tom.Berg@elsewhere.org",
        "order_id": order.pk,
        "device_id": "dev-tom",
        "ip": "198.51.100.20",
    }

    missing = client.post("/api/v1/referrals/conversions", body, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/header/Idempotency-Key"

    created = client.post(
        "/api/v1/referrals/conversions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="shop-order-77"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["code"], data["friend_id"], data["order_id"], data["status"], data["idempotency_key"]) == (
        code,
        tom.pk,
        order.pk,
        "converted",
        "shop-order-77",
    )

    replay = client.post(
        "/api/v1/referrals/conversions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="shop-order-77"
    )
    assert replay.status_code == 201 and replay.json()["id"] == data["id"]
    other_body = client.post(
        "/api/v1/referrals/conversions",
        {**body, "friend_email": "x@y.org"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shop-order-77",
    )
    assert other_body.status_code == 409
    assert Referral.objects.count() == 1
    assert "198.51.100.20" not in str(list(ReferralClick.objects.values()))


def test_the_conversion_api_says_what_is_wrong(api, code):
    client = api("program_manager")
    unknown = client.post(
        "/api/v1/referrals/conversions",
        {"code": "nope", "friend_email": friend().email},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/body/code"
    late = client.post(
        "/api/v1/referrals/conversions",
        {"code": code, "friend_email": "tom.berg@elsewhere.org"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert late.status_code == 409 and "was not clicked" in late.json()["detail"]
    assert (
        api("analyst")
        .post(
            "/api/v1/referrals/conversions",
            {"code": code, "friend_customer_id": 1},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k3",
        )
        .status_code
        == 403
    )


def test_rewards_are_listed_and_decided_through_the_api(api, maria, code):
    reward = convert(code, friend(), key="k", now=timezone.now() - timedelta(days=31)).rewards.get()
    client = api("program_manager")
    held = client.get("/api/v1/referral-rewards?status=held").json()
    assert [r["id"] for r in held["items"]] == [reward.pk]
    decided = client.post(
        f"/api/v1/referral-rewards/{reward.pk}/decision", {"release": True}, content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "released"
    assert balance(maria) == 500
    listed = client.get("/api/v1/referrals").json()["items"]
    assert [(r["advocate_id"], r["status"]) for r in listed] == [(maria.pk, "converted")]
    assert api("sales").get("/api/v1/referrals").status_code == 403


def test_conversions_are_imported_from_the_queue_page_and_the_api(code, client_as, api):
    tom, ann = friend(), friend("ann.lee@other.example", first_name="Ann", last_name="Lee")
    referrals.click_record(code=code, ip="1.2.3.4", device_id="d")
    upload = SimpleUploadedFile(
        "conversions.csv", f"code,email,idempotency_key\n{code},{tom.email},up-1\n{code},{tom.email},up-2\n".encode()
    )

    page = client_as("program_manager").post("/advocates/referrals/", {"conversions": upload}, follow=True).text

    assert "Conversions recorded: 1, of which 0 flagged." in page
    assert "line 3: tom.berg@elsewhere.org was already referred; a friend is rewarded once." in page
    rows = [f"{code},{ann.email},api-1,yesterday", f"{code},{ann.email},api-2,"]
    csv_text = "\n".join(["code,email,idempotency_key,converted_at", *rows])
    sent = api("sales").post("/api/v1/referrals/conversions/import", {"csv": csv_text}, content_type="application/json")
    body = sent.json()
    assert body == {
        "recorded": 1,
        "flagged": 0,
        "errors": ["line 2: converted_at: give a time in ISO 8601, e.g. 2026-01-31T10:00:00Z"],
    }
    assert set(Referral.objects.values_list("friend__email", flat=True)) == {tom.email, ann.email}
