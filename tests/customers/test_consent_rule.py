"""The one consent rule (customers/consent.py): which consent each kind of ask needs, which withdrawal
stops it, and that the unsubscribe link in any mail stops every ask but not the mail a customer asked for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.advocates.hub import services as hub
from advocacy.advocates.models import HubInvitation
from advocacy.advocates.references import matching
from advocacy.advocates.references import services as references
from advocacy.advocates.stories import services as stories
from advocacy.casework.cases import services as cases
from advocacy.customers.consent import AskKind, refusal
from advocacy.customers.models import Customer
from advocacy.customers.records.services import consent_record
from advocacy.feedback.models import Schedule
from advocacy.feedback.surveys import services as surveys
from advocacy.outreach.budget.queries import ask_hold_reason
from advocacy.outreach.models import OutboundMail
from advocacy.outreach.unsubscribe.services import unsubscribe_url
from tests.advocates.hub_data import advocate, challenge
from tests.factories import ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def withdraw(customer: Customer, purpose: str) -> None:
    consent_record(customer=customer, purpose=purpose, granted=False, source="phone", by=None)


def grant(customer: Customer, purpose: str) -> None:
    consent_record(customer=customer, purpose=purpose, granted=True, source="phone", by=None)


def unsubscribe(customer: Customer) -> None:
    path = "/" + unsubscribe_url(customer).split("://", 1)[1].split("/", 1)[1]
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200


def transactional_survey():  # type: ignore[no-untyped-def]
    return surveys.survey_create(
        name="After a delivery", kind="csat", schedule=Schedule.TRANSACTIONAL, by=None, recontact_days=0
    )


# Surveys need a grant of survey consent, and a withdrawal of it stops them.


def test_a_survey_needs_consent_to_surveys_on_record():
    survey = transactional_survey()
    never_asked = CustomerFactory()

    invitation = surveys.transactional_invite(survey=survey, customer=never_asked, trigger="order:1")

    assert (invitation.status, invitation.held_reason) == ("held", "no consent to surveys on record")


def test_a_survey_goes_to_a_customer_who_agreed_and_stops_once_they_withdraw():
    survey = transactional_survey()
    customer = CustomerFactory()
    grant(customer, "surveys")
    assert surveys.transactional_invite(survey=survey, customer=customer, trigger="order:1").status != "held"

    withdraw(customer, "surveys")
    later = surveys.transactional_invite(survey=survey, customer=customer, trigger="order:2")

    assert later.held_reason == "withdrew consent to surveys (or unsubscribed)"


# Hub and challenge invitations need no grant (joining records the terms) but stop at a marketing withdrawal.


def test_a_hub_invitation_needs_no_grant_and_stops_at_a_marketing_withdrawal():
    welcome, refusing = CustomerFactory(), CustomerFactory()
    withdraw(refusing, "marketing")

    assert hub.hub_invite(customer=welcome, reason="promoter").status == "sent"  # type: ignore[union-attr]
    held = hub.hub_invite(customer=refusing, reason="promoter")
    assert held is not None and held.held_reason == "withdrew consent to marketing (or unsubscribed)"


def test_a_survey_withdrawal_alone_does_not_stop_a_hub_invitation():
    customer = CustomerFactory()
    withdraw(customer, "surveys")  # "no more surveys, please" is not "never invite me"

    assert hub.hub_invite(customer=customer, reason="promoter").status == "sent"  # type: ignore[union-attr]


def test_a_challenge_invitation_stops_at_a_marketing_withdrawal(alice):
    asked, refusing = advocate(), advocate()
    withdraw(refusing.customer, "marketing")

    outcome = hub.challenge_invite(challenge=challenge(alice))

    assert [a.pk for a in outcome.asked] == [asked.pk]
    assert outcome.held == [(refusing, "withdrew consent to marketing (or unsubscribed)")]


# Reference calls need their own grant and stop at its withdrawal or a marketing withdrawal.


def test_a_reference_call_needs_a_grant_and_stops_at_a_reference_or_marketing_withdrawal(staff):
    agreed, never, took_back, no_marketing = advocate(), advocate(), advocate(), advocate()
    for member in (agreed, took_back, no_marketing):
        grant(member.customer, "reference_call")
    withdraw(took_back.customer, "reference_call")
    withdraw(no_marketing.customer, "marketing")
    request = references.reference_request_create(
        by=staff["sales"],
        prospect="Globex",
        opportunity_value=Decimal("1000.00"),
        needed_by=timezone.localdate() + dt.timedelta(days=10),
    )

    matches = {m.advocate.pk: m for m in matching.reference_matches(request)}

    assert set(matches) == {agreed.pk, no_marketing.pk}  # without a grant in force, not a candidate at all
    assert matches[agreed.pk].available
    assert "contact budget: withdrew consent to marketing (or unsubscribed)" in matches[no_marketing.pk].excluded
    assert never.pk not in matches


# Stories need consent for their scope; a withdrawal takes them down.


def test_a_story_is_published_only_within_the_consent_in_force(alice):
    member = advocate()
    told = stories.story_submit(
        advocate=member,
        title="A day",
        body="Month-end in a day.",
        consent_scope="website",
        named=False,
        consent_expires_on=None,
    )
    stories.story_publish(story=told, scope="website", by=alice)
    withdraw(member.customer, "public_story")

    with pytest.raises(stories.NotPublishable, match="no consent in force"):
        stories.story_publish(story=told, scope="website", by=alice)


# A disclosure reminder (listening) needs no grant and stops at a marketing withdrawal.


def test_a_disclosure_reminder_stops_at_a_marketing_withdrawal():
    reminded, refusing = CustomerFactory(), CustomerFactory()
    withdraw(refusing, "marketing")

    assert ask_hold_reason(customer=reminded, kind=AskKind.DISCLOSURE) == ""
    assert ask_hold_reason(customer=refusing, kind=AskKind.DISCLOSURE) == (
        "withdrew consent to marketing (or unsubscribed)"
    )


def test_the_rule_is_one_table_read_the_same_for_every_kind():
    assert refusal(AskKind.SURVEY, {}) == "no consent to surveys on record"
    assert refusal(AskKind.REFERENCE, {"reference_call": True, "marketing": False}).startswith("withdrew")
    assert refusal(AskKind.CHALLENGE, {"surveys": False}) == ""


# The unsubscribe link in any mail is global: every ask stops, the mail the customer asked for still goes.


def test_unsubscribing_from_any_mail_stops_every_ask_but_not_mail_about_their_own_case(
    carol, django_capture_on_commit_callbacks
):
    member = advocate()
    customer = member.customer
    ConsentFactory(customer=customer, purpose="surveys", granted=True)
    ConsentFactory(customer=customer, purpose="reference_call", granted=True)
    hub.hub_invite(customer=CustomerFactory(), reason="warm-up")  # an invitation mail exists to click from
    unsubscribe(customer)

    for kind in (AskKind.SURVEY, AskKind.HUB_INVITATION, AskKind.CHALLENGE, AskKind.REFERENCE, AskKind.DISCLOSURE):
        assert ask_hold_reason(customer=customer, kind=kind).startswith("withdrew consent"), kind
    survey_invitation = surveys.transactional_invite(survey=transactional_survey(), customer=customer, trigger="x:1")
    assert survey_invitation.status == "held"
    assert not HubInvitation.objects.filter(customer=customer, status="sent").exists()

    with django_capture_on_commit_callbacks(execute=True):
        case = cases.case_open(customer=customer, by=carol, subject="Invoice is wrong", description="Twice billed")
    assert OutboundMail.objects.filter(to=customer.email, key=f"case-opened:{case.pk}").exists()


def test_a_second_unsubscribe_records_nothing_more():
    customer = CustomerFactory()
    unsubscribe(customer)
    unsubscribe(customer)

    rows = customer.consents.values_list("purpose", "granted", "source")
    assert sorted(rows) == [("marketing", False, "unsubscribe link"), ("surveys", False, "unsubscribe link")]
