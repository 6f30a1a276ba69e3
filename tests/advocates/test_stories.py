"""Stories: nothing published beyond the consent's scope or expiry or after a withdrawal, a verified mark
from real orders only, and a disclosure on every incentivised story wherever it is shown."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from advocacy.advocates.hub import services as hub
from advocacy.advocates.models import ProgramSettings, Story
from advocacy.advocates.stories import queries as reads
from advocacy.advocates.stories import services as stories
from advocacy.customers.models import Consent
from advocacy.customers.records.services import consent_record
from tests.advocates.hub_data import challenge
from tests.advocates.program_data import advocate, portal_client
from tests.factories import AccountFactory, CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

DISCLOSURE = "This customer received a reward from us for sharing their experience."


def story(member=None, *, scope: str = "website", named: bool = False, expires_in: int | None = None, **fields):  # type: ignore[no-untyped-def]
    return stories.story_submit(
        advocate=member or advocate(),
        title=fields.pop("title", "Closing the books in a day"),
        body=fields.pop("body", "We used to spend a week on month-end."),
        quote=fields.pop("quote", "A week became a day."),
        consent_scope=scope,
        named=named,
        consent_expires_on=timezone.localdate() + timedelta(days=expires_in) if expires_in else None,
        **fields,
    )


def test_submitting_records_the_customers_consent_for_that_use():
    told = story(scope="social")
    purposes = set(
        Consent.objects.filter(customer=told.advocate.customer, granted=True).values_list("purpose", flat=True)
    )
    assert purposes == {"public_story", "testimonial"}


def test_a_story_is_published_within_its_scope_and_refused_beyond_it(alice):
    website_only = story(scope="website")

    with pytest.raises(stories.NotPublishable) as refused:
        stories.story_publish(story=website_only, scope="social", by=alice)
    assert str(refused.value) == "The advocate agreed to our website only, not our website and social media."

    stories.story_publish(story=website_only, scope="website", by=alice)
    assert list(reads.published_stories("website")) == [website_only]
    assert list(reads.published_stories("social")) == []


def test_the_database_itself_refuses_a_published_scope_beyond_the_consent():
    internal = story(scope="internal")
    with pytest.raises(IntegrityError):
        Story.objects.filter(pk=internal.pk).update(
            status="published", published_scope="website", published_at=timezone.now()
        )


def test_an_expired_consent_is_not_published_and_drops_out_of_the_export(alice):
    lasting = story(expires_in=10)
    stories.story_publish(story=lasting, scope="website", by=alice)

    later = timezone.localdate() + timedelta(days=11)
    assert list(reads.published_stories("website", today=later)) == []
    with pytest.raises(stories.NotPublishable, match="The consent expired on"):
        stories.story_publish(story=lasting, scope="website", by=alice, today=later)


def test_a_withdrawn_consent_takes_a_published_story_down_and_blocks_publishing(alice):
    told = story(scope="social")
    stories.story_publish(story=told, scope="social", by=alice)
    consent_record(customer=told.advocate.customer, purpose="public_story", granted=False, source="portal", by=None)

    assert list(reads.published_stories("website")) == []
    with pytest.raises(stories.NotPublishable, match="no consent in force"):
        stories.story_publish(story=told, scope="website", by=alice)


def test_an_incentivised_story_carries_the_disclosure_in_json_and_html_and_a_plain_one_does_not(alice):
    member = advocate(CustomerFactory(first_name="Lena", last_name="Park"))
    entry = hub.submission_create(
        challenge=challenge(alice, kind="story", title="Tell your story", approval="automatic"),
        advocate=member,
        evidence="my story",
    )
    rewarded = story(member, title="Rewarded", submission=entry)
    plain = story(title="Unprompted")
    for told in (rewarded, plain):
        stories.story_publish(story=told, scope="website", by=alice)

    exported = {s["title"]: s for s in json.loads(reads.story_export_json(reads.published_stories()))["stories"]}
    assert (exported["Rewarded"]["incentivised"], exported["Rewarded"]["disclosure"]) == (True, DISCLOSURE)
    assert (exported["Unprompted"]["incentivised"], exported["Unprompted"]["disclosure"]) == (False, "")
    html = reads.story_export_html(reads.published_stories())
    assert html.count("advocacy-disclosure") == 2  # one in the style, one on the rewarded story
    assert f"<strong>Incentivised.</strong> {DISCLOSURE}" in html


def test_the_disclosure_text_comes_from_the_program_settings(alice):
    ProgramSettings.objects.update_or_create(id=1, defaults={"disclosure_text": "Paid with a $20 voucher."})
    member = advocate()
    entry = hub.submission_create(
        challenge=challenge(alice, kind="story", title="Story", approval="automatic"), advocate=member, evidence="x"
    )
    stories.story_publish(story=story(member, submission=entry), scope="website", by=alice)
    assert "Paid with a $20 voucher." in reads.story_export_html(reads.published_stories())


def test_verified_customer_needs_a_real_order_of_our_own_product(alice):
    buyer, competitor_buyer = advocate(), advocate()
    OrderFactory(customer=buyer.customer)
    OrderFactory(customer=competitor_buyer.customer, product=ProductFactory(competitor="Rival Inc"))
    for member in (buyer, competitor_buyer):
        stories.story_publish(story=story(member, title=f"by {member.pk}"), scope="website", by=alice)

    cards = {card.title: card.verified_customer for card in reads.story_cards(reads.published_stories())}
    assert cards == {f"by {buyer.pk}": True, f"by {competitor_buyer.pk}": False}


def test_an_anonymous_story_does_not_show_the_name(alice):
    account = AccountFactory(industry="Retail", region="EMEA", name="Hidden GmbH")
    anonymous = story(advocate(CustomerFactory(first_name="Jo", last_name="Secret", account=account)), named=False)
    stories.story_publish(story=anonymous, scope="website", by=alice)
    html = reads.story_export_html(reads.published_stories())
    assert "— A customer in Retail, EMEA" in html and "Secret" not in html and "Hidden" not in html


def test_the_portal_form_records_scope_and_expiry_and_the_staff_page_refuses_beyond_scope(client_as):
    member = advocate()
    until = (timezone.localdate() + timedelta(days=90)).isoformat()
    client = portal_client(member.customer)
    sent = client.post(
        "/portal/hub/stories/",
        {"title": "Fewer late nights", "body": "Month-end is calm now.", "consent_scope": "internal", "named": "no",
         "consent_expires_on": until},
    )  # fmt: skip
    assert sent.status_code == 302
    told = Story.objects.get()
    assert (told.consent_scope, told.consent_expires_on.isoformat(), told.named) == ("internal", until, False)

    page = client_as("program_manager")
    refused = page.post("/advocates/stories/", {"story_id": told.pk, "scope": "website"}, follow=True).text
    assert "Not published: The advocate agreed to internal use only, not our website." in refused
    told.refresh_from_db()
    assert told.status == "submitted"


def test_the_api_refuses_publishing_beyond_consent_with_409(api):
    told = story(scope="internal")
    refused = api("program_manager").post(
        f"/api/v1/stories/{told.pk}/publish", {"scope": "social"}, content_type="application/json"
    )
    assert refused.status_code == 409


def test_a_story_withdrawn_through_the_api_leaves_every_export(alice, api):
    told = story(scope="website")
    stories.story_publish(story=told, scope="website", by=alice)

    withdrawn = api("program_manager").post(
        f"/api/v1/stories/{told.pk}/withdraw", {"reason": "the customer asked"}, content_type="application/json"
    )

    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert api("program_manager").get("/api/v1/stories/export.json?scope=internal").json() == {"stories": []}
