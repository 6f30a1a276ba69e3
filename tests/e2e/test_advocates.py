"""A promoter becomes an advocate, in a real browser: invited by the loop after a promoter answer, joins the
hub, completes a challenge, is approved, redeems a reward; a friend arrives through their referral link and
converts through the API; the referral reward is held, then released after the return window."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.ledger import balance, points_add
from advocacy.advocates.models import Advocate, ProgramSettings, Referral, ReferralReward
from advocacy.core.apikeys.services import apikey_create
from advocacy.feedback import links as feedback_links
from advocacy.feedback.models import Invitation
from advocacy.feedback.surveys import services as feedback
from advocacy.portal.signin.services import magic_link_create
from tests.e2e.test_casework import sign_in_staff
from tests.factories import CustomerFactory, OrderFactory
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Link previewers and headless browsers are deliberately not counted as clicks; the friend is a person.
PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def sign_in_customer(page, customer) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"/portal/sign-in/{magic_link_create(customer=customer)}/")
    page.get_by_role("button", name="Sign in").click()


def api_post(url: str, token: str, body: dict[str, object], key: str) -> tuple[int, dict[str, object]]:
    assert url.startswith(("http://127.0.0.1:", "http://localhost:")), "only the live test server"
    request = urllib.request.Request(  # noqa: S310 (the live test server, checked above)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the live test server)
        return response.status, json.loads(response.read())


def test_a_promoter_joins_earns_redeems_and_is_rewarded_for_a_referral(
    page, browser, staff, smtp, settings, live_server
):  # type: ignore[no-untyped-def]
    settings.SITE_URL = live_server.url
    pat = staff["program_manager"]
    ProgramSettings.objects.update_or_create(id=1, defaults={"landing_url": f"{live_server.url}/sign-in/"})
    priya = consenting_customer(first_name="Priya", last_name="Shah", email="priya@example.com")
    hub.challenge_create(
        by=pat,
        kind="review",
        title="Review us on G2",
        instructions="Write an honest review on G2 — positive or negative, it's your call.",
        points=100,
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    hub.reward_create(by=pat, name="Team lunch voucher", point_cost=80, stock=3, money_cost=Decimal("40.00"))

    # Priya answers 10 by the one-click link and confirms it; the loop invites her to the hub, by real mail.
    opened = feedback.wave_open(survey=nps_survey())
    token = feedback_links.invitation_token(Invitation.objects.get(wave=opened.wave, customer=priya))
    page.goto(f"/survey/a/{token}/10/")
    page.get_by_role("button", name="Record my score").click()
    expect(page).to_have_url(re.compile(r"/comment/$"))
    call_command("worker", "--batch")
    invitation = next(m for m in smtp.wait_for(2) if "advocate hub" in m["Subject"])
    assert invitation["To"] == "priya@example.com"
    assert f"{live_server.url}/portal/hub/" in smtp.body(invitation)

    # She joins on the recorded terms, and completes the challenge.
    sign_in_customer(page, priya)
    page.goto("/portal/hub/")
    page.get_by_label("I have read and agree to the programme terms").check()
    page.get_by_role("button", name="Join the advocate hub").click()
    expect(page.get_by_role("heading", name="Your advocate hub")).to_be_visible()
    page.get_by_role("link", name="Review us on G2").click()
    page.get_by_label("What you did").fill("https://g2.example/reviews/priya")
    page.get_by_role("button", name="I did it").click()
    expect(page.get_by_text("Waiting for approval").first).to_be_visible()

    # The program manager approves it; the points land.
    sign_in_staff(page, "pat")
    page.goto("/advocates/approvals/")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing waiting.")).to_be_visible()

    # She redeems a reward with them.
    sign_in_customer(page, priya)
    page.goto("/portal/hub/rewards/")
    page.get_by_role("link", name="Redeem Team lunch voucher").click()
    page.get_by_label("I confirm: spend my points on this reward").check()
    page.get_by_role("button", name="Confirm: spend 80 points").click()
    expect(page.get_by_text("Thank you! Your Team lunch voucher is on its way")).to_be_visible()
    page.goto("/portal/hub/")
    expect(page.locator(".big")).to_have_text("20")

    # A friend opens her referral link in a browser of their own, and is sent on with the code.
    page.goto("/portal/hub/referrals/")
    link = page.get_by_role("textbox", name="Your referral link").input_value()
    code = link.rstrip("/").rsplit("/", 1)[1]
    friend_context = browser.new_context(user_agent=PERSON)
    friend_page = friend_context.new_page()
    friend_page.goto(link)
    expect(friend_page).to_have_url(f"{live_server.url}/sign-in/?ref={code}")
    device = next(c["value"] for c in friend_context.cookies() if c["name"] == "adv_device")
    friend_context.close()

    # The shop reports the friend's first order through the API; a retry is the same conversion.
    tom = CustomerFactory(first_name="Tom", last_name="Berg", email="tom.berg@elsewhere.org")
    order = OrderFactory(customer=tom, ordered_on=timezone.localdate())
    _, api_token = apikey_create(name="shop", role="sales", by=staff["admin"])
    body = {"code": code, "friend_email": "tom.berg@elsewhere.org", "order_id": order.pk, "device_id": device}
    url = f"{live_server.url}/api/v1/referrals/conversions"
    status, first = api_post(url, api_token, body, key="order-9001")
    assert (status, first["status"], first["fraud_reasons"]) == (201, "converted", [])
    status, again = api_post(url, api_token, body, key="order-9001")
    assert (status, again) == (201, first), "the first answer, replayed"
    assert Referral.objects.count() == 1

    # The reward is held for the return window: Priya sees it waiting.
    held = ReferralReward.objects.get()
    page.goto("/portal/hub/referrals/")
    # The portal writes dates in the customer's own zone: near midnight it is another day than UTC's.
    held_until = held.release_after.astimezone(ZoneInfo(priya.time_zone))
    expect(page.get_by_text(f"held until {held_until.day} {held_until:%b %Y}")).to_be_visible()

    # The window passes; the review queue offers it and the program manager releases it.
    ReferralReward.objects.filter(pk=held.pk).update(release_after=timezone.now() - timedelta(minutes=1))
    sign_in_staff(page, "pat")
    page.goto("/advocates/referrals/")
    page.get_by_role("button", name="Release").click()
    expect(page.get_by_text("Reward released.")).to_be_visible()

    sign_in_customer(page, priya)
    page.goto("/portal/hub/")
    expect(page.locator(".big")).to_have_text("520")
    assert Advocate.objects.get(customer=priya).points.count() == 3  # challenge, reward, referral


def test_redeeming_a_physical_reward_asks_for_a_size_and_an_address_and_confirms(page, staff, live_server):  # type: ignore[no-untyped-def]
    pat = staff["program_manager"]
    maya = consenting_customer(first_name="Maya", last_name="Lind", email="maya@example.com")
    member = hub.hub_join(customer=maya)
    points_add(advocate=member, delta=1200, reason="Welcome", ref="e2e:welcome")
    hub.reward_create(
        by=pat,
        name="Team hoodie",
        kind="physical",
        option_label="Size",
        options=["S", "M", "L"],
        point_cost=800,
        stock=3,
        money_cost=Decimal("35.00"),
    )

    # Her hub shows the level she is at and how far the next one is.
    sign_in_customer(page, maya)
    page.goto("/portal/hub/")
    expect(page.get_by_role("heading", name="Your level: Silver")).to_be_visible()
    expect(page.locator("#level-next")).to_contain_text("3,800 points to Gold")

    # One click on the catalogue only opens the confirmation; nothing is spent yet.
    page.get_by_role("link", name="Rewards", exact=True).click()
    page.get_by_role("link", name="Redeem Team hoodie").click()
    expect(page.get_by_text("1,200 points now, 400 after")).to_be_visible()

    # A bad address is refused beside its field, and what she typed stays.
    page.get_by_label("Size").select_option("M")
    page.get_by_label("Name on the parcel").fill("Maya Lind")
    page.get_by_label("Street and number").fill("Torstraße 12")
    page.get_by_label("Town or city").fill("Berlin")
    page.get_by_label("Postcode").fill("10119")
    page.get_by_label("Country code").fill("Germany")
    page.get_by_label("I confirm: spend my points on this reward").check()
    page.get_by_role("button", name="Confirm: spend 800 points").click()
    expect(page.get_by_text("The country's two-letter code, e.g. US, GB, DE or FR.")).to_be_visible()
    expect(page.get_by_label("Town or city")).to_have_value("Berlin")
    assert balance(member) == 1200

    page.get_by_label("Country code").fill("DE")
    page.get_by_label("I confirm: spend my points on this reward").check()
    page.get_by_role("button", name="Confirm: spend 800 points").click()
    expect(page.get_by_text("Thank you! Your Team hoodie is on its way")).to_be_visible()
    expect(page.locator("address.ship")).to_contain_text("10119 Berlin")
    assert balance(member) == 400

    # The program team sees the size and the address to send it to.
    sign_in_staff(page, "pat")
    page.goto("/advocates/redemptions/")
    expect(page.locator("address.ship")).to_contain_text("Maya Lind")
    expect(page.get_by_text("Size: M")).to_be_visible()
