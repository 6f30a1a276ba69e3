"""The loop rules listening sets going, and their switches."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from advocacy import loop
from advocacy.advocates.models import Advocate, Approval, ChallengeKind, HubInvitation, Submission
from advocacy.casework.models import Case
from advocacy.core.switches import rule_switch
from advocacy.customers.models import SocialHandle
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Source, SourceKind
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="social", kind=SourceKind.IMPORT)


def known(handle: str, owner):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(primary_advocate=owner)
    SocialHandle.objects.create(customer=customer, handle=handle)
    return customer


def say(source, handle: str, text: str, capture) -> None:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        mentions_ingest(
            source=source, items=[Incoming(text=text, published_at=timezone.now(), handle=handle, author=handle)]
        )


def test_a_negative_mention_by_a_known_customer_opens_a_case_for_their_advocate(
    source, acme, carol, django_capture_on_commit_callbacks
):
    customer = known("gus", carol)
    say(source, "gus", "Acme support is terrible and slow, awful experience", django_capture_on_commit_callbacks)
    case = Case.objects.get(customer=customer)
    assert (case.owner, case.source) == (carol, "social")
    say(source, "gus", "Acme still broken, horrible", django_capture_on_commit_callbacks)
    assert Case.objects.filter(customer=customer).count() == 1  # joined the open case
    assert case.events.filter(kind="note").count() == 1


def test_switched_off_a_negative_mention_opens_nothing(source, acme, carol, alice, django_capture_on_commit_callbacks):
    rule_switch(rule=loop.NEGATIVE_MENTION_OPENS_CASE, on=False, by=alice)
    known("hal", carol)
    say(source, "hal", "Acme support is terrible and slow, awful experience", django_capture_on_commit_callbacks)
    assert not Case.objects.exists()


def test_a_positive_mention_by_a_non_member_invites_them_to_the_hub(
    source, acme, carol, django_capture_on_commit_callbacks
):
    customer = known("ida", carol)
    say(source, "ida", "Acme is wonderful, love it, great support", django_capture_on_commit_callbacks)
    assert HubInvitation.objects.get(customer=customer).reason == "positive mention: social"


def test_a_member_s_mention_answers_an_open_share_challenge_for_review(
    source, acme, carol, alice, django_capture_on_commit_callbacks
):
    from advocacy.advocates.hub.services import challenge_create

    customer = known("jo", carol)
    advocate = Advocate.objects.create(customer=customer, terms_version="2026-1")
    challenge_create(
        by=alice,
        kind=ChallengeKind.SHARE,
        title="Share a post",
        instructions="Post about us",
        points=20,
        starts_on=date(2026, 1, 1),
        approval=Approval.MANUAL,
    )
    say(source, "jo", "Acme makes my Mondays easier", django_capture_on_commit_callbacks)
    assert Submission.objects.get(advocate=advocate).status == "pending"


def test_an_undisclosed_post_brings_one_polite_reminder(source, acme, carol, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from advocacy.advocates.models import PointsEntry
    from advocacy.listening.models import Flag
    from advocacy.outreach.models import ContactAsk, OutboundMail

    customer = known("pat", carol)
    advocate = Advocate.objects.create(customer=customer, terms_version="2026-1")
    PointsEntry.objects.create(
        advocate=advocate,
        seq=1,
        delta=50,
        balance=50,
        reason="challenge",
        ref="s:9",
        at=timezone.now() - timedelta(days=5),
    )
    say(source, "pat", "Acme is my favourite tool", django_capture_on_commit_callbacks)
    say(source, "pat", "Acme again, still my favourite", django_capture_on_commit_callbacks)
    assert Flag.objects.filter(kind="undisclosed").count() == 2
    assert OutboundMail.objects.filter(to=customer.email, subject="A small request about your post").count() == 1
    assert ContactAsk.objects.filter(customer=customer, kind="disclosure").count() == 1
