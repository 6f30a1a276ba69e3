"""Authenticity: undisclosed posts by rewarded customers, astroturf groups, the same rule for stories,
and review asks that reach members whatever their scores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.advocates.models import Advocate, PointsEntry, Story, StoryScope
from advocacy.customers.models import SocialHandle
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Flag, FlagKind, Source, SourceKind
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def source(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="social", kind=SourceKind.IMPORT)


def rewarded(handle: str, *, at: datetime) -> Advocate:
    customer = CustomerFactory()
    SocialHandle.objects.create(customer=customer, handle=handle)
    advocate = Advocate.objects.create(customer=customer, terms_version="2026-1", joined_at=at - timedelta(days=30))
    PointsEntry.objects.create(advocate=advocate, seq=1, delta=100, balance=100, reason="challenge", ref="s:1", at=at)
    return advocate


def test_a_rewarded_customer_s_post_without_disclosure_is_flagged(source, acme):
    rewarded("rae", at=T0 - timedelta(days=40))
    rewarded("ray", at=T0 - timedelta(days=40))
    rewarded("old", at=T0 - timedelta(days=400))  # outside the 12 months
    mentions_ingest(
        source=source,
        items=[
            Incoming(text="Acme is the best tool we use", published_at=T0, handle="rae", author="Rae"),
            Incoming(text="Acme is the best tool we use #ad", published_at=T0, handle="ray", author="Ray"),
            Incoming(text="Acme made our year", published_at=T0, handle="old", author="Old"),
        ],
    )
    flagged = Flag.objects.filter(kind=FlagKind.UNDISCLOSED)
    assert [f.mention.handle for f in flagged] == ["rae"]


def test_a_story_by_a_rewarded_customer_is_incentivised_without_a_challenge(db):
    advocate = rewarded("sam", at=T0 - timedelta(days=10))
    story = Story.objects.create(
        advocate=advocate, title="t", body="b", consent_scope=StoryScope.INTERNAL, consent_recorded_at=T0
    )
    assert story.incentivised
    plain = Story.objects.create(
        advocate=advocate,
        title="t",
        body="b",
        consent_scope=StoryScope.INTERNAL,
        consent_recorded_at=T0 - timedelta(days=30),
    )  # told before the reward
    assert not plain.incentivised
    from advocacy.advocates.stories.queries import stories_matching, story_cards

    assert sorted(c.incentivised for c in story_cards(stories_matching())) == [False, True]


def test_near_identical_posts_by_different_authors_in_a_short_window_are_flagged_with_evidence(source, acme):
    line = "Acme Cloud is hands down the best analytics platform I have ever used, five stars"
    mentions_ingest(
        source=source,
        items=[
            Incoming(text=line + tail, published_at=T0 + timedelta(hours=h), author=f"bot{h}", handle=f"bot{h}")
            for h, tail in enumerate(["", "!", "!!", " 100%"])
        ],
    )
    mentions_ingest(
        source=source,
        items=[  # the same words a month later, by one author: no campaign
            Incoming(text=line + " truly", published_at=T0 + timedelta(days=30), author="late", handle="late")
        ],
    )
    flags = Flag.objects.filter(kind=FlagKind.ASTROTURF)
    assert sorted(f.mention.handle for f in flags) == ["bot0", "bot1", "bot2", "bot3"]
    assert flags[0].evidence["authors"] == ["bot0", "bot1", "bot2", "bot3"]


def test_review_challenges_reach_members_whatever_their_scores(staff):
    """No review gating: a review challenge's audience is every member, detractors included."""
    from advocacy.advocates.hub.audience import audience_advocates
    from advocacy.advocates.hub.services import challenge_create
    from advocacy.advocates.models import ChallengeKind
    from advocacy.core.errors import InvalidInput

    happy, unhappy = CustomerFactory(), CustomerFactory()
    members = [Advocate.objects.create(customer=c, terms_version="2026-1") for c in (happy, unhappy)]
    challenge = challenge_create(
        by=staff["admin"],
        kind=ChallengeKind.REVIEW,
        title="Review us on G2",
        instructions="Any honest review",
        points=50,
        starts_on=date(2026, 1, 1),
    )
    assert set(audience_advocates(challenge)) == set(members)
    with pytest.raises(InvalidInput):  # an audience by score or sentiment is refused
        challenge_create(
            by=staff["admin"],
            kind=ChallengeKind.REVIEW,
            title="Happy only",
            instructions="x",
            points=50,
            starts_on=date(2026, 1, 1),
            audience={"nps_min": ["9"]},
        )


def test_a_burst_of_first_time_authors_is_flagged_with_the_day_s_figures(source, acme):
    from advocacy.listening.authenticity.services import new_author_flags

    regulars = [f"reg{i}" for i in range(6)]
    items = [
        Incoming(text=f"Acme day {d} by {who}", published_at=T0 + timedelta(days=d, hours=i), author=who, handle=who)
        for d in range(40)
        for i, who in enumerate(regulars[: 3 + d % 3])
    ]
    burst_day = T0 + timedelta(days=40)
    items += [
        Incoming(
            text=f"Acme is superb, says newcomer {i}",
            published_at=burst_day + timedelta(minutes=i),
            author=f"n{i}",
            handle=f"n{i}",
        )
        for i in range(20)
    ]
    mentions_ingest(source=source, items=items)
    flags = new_author_flags(until=burst_day.date())
    assert sorted(f.mention.handle for f in Flag.objects.filter(kind=FlagKind.NEW_AUTHORS)) == sorted(
        f"n{i}" for i in range(20)
    )
    assert flags[0].evidence["new_authors"] == 20
