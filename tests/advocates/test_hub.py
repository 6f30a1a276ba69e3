"""The advocate hub: joining on recorded terms, challenges within the FTC rule and the contact budget,
approvals that pay once, badges and levels, the leaderboard, rewards and redemptions, and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.advocates.hub import queries as hub_queries
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.ledger import InsufficientPoints, balance, points_add
from advocacy.advocates.hub.levels import level_for
from advocacy.advocates.hub.services import OutOfStock
from advocacy.advocates.models import (
    Advocate,
    AdvocateBadge,
    AdvocateScore,
    Badge,
    Challenge,
    HubInvitation,
    PointsEntry,
    ProgramSettings,
    Redemption,
    Reward,
    Submission,
)
from advocacy.advocates.review_rule import SentimentCondition
from advocacy.core.errors import ServiceError
from advocacy.core.models import AuditEvent
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer
from advocacy.outreach.budget.services import ask_record
from advocacy.outreach.models import ContactAsk, FatiguePolicy, OutboundMail
from advocacy.portal.signin.services import magic_link_create
from tests.advocates.hub_data import advocate, challenge, reward
from tests.factories import AccountFactory, ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def portal_client(customer: Customer) -> Client:
    client = Client()
    token = magic_link_create(customer=customer)
    assert client.post(f"/portal/sign-in/{token}/").status_code == 302
    return client


# The FTC rule: points never depend on what a review says


@pytest.mark.parametrize(
    "instructions",
    [
        "Leave us a 5-star review on G2.",
        "Rate us five stars on Trustpilot.",
        "Post a positive review and earn points.",
        "Points only if you love the product.",
        "Reviews must be positive to count.",
        "Give us a rating of at least 4 on Capterra.",
    ],
)
def test_the_challenge_editor_refuses_points_that_depend_on_a_reviews_sentiment(alice, instructions):
    with pytest.raises(SentimentCondition) as refused:
        challenge(alice, instructions=instructions)

    message = refused.value.errors["instructions"]
    assert message.startswith(
        "Refused under the FTC rule on consumer reviews and testimonials (16 CFR Part 465, 2024): "
        "a reward may not depend on what a review says or how it rates us."
    )
    assert Challenge.objects.count() == 0


def test_a_rating_condition_in_the_audience_is_refused_and_names_the_key(alice):
    with pytest.raises(SentimentCondition) as refused:
        challenge(alice, audience={"tiers": ["champion"], "min_rating": 4})

    assert "the condition 'min_rating' in the audience" in refused.value.errors["audience"]


def test_an_update_cannot_sneak_a_sentiment_condition_in(alice):
    review = challenge(alice)
    with pytest.raises(SentimentCondition, match="“5 star”"):
        hub.challenge_update(challenge=review, by=alice, title="Our 5 star challenge")
    review.refresh_from_db()
    assert review.title == "Review us on G2"


def test_a_neutral_review_challenge_is_accepted(alice):
    review = challenge(alice, instructions="Write an honest review on G2 — positive or negative, it's your call.")
    assert (review.kind, review.points, review.created_by) == ("review", 100, alice)


def test_a_reward_cannot_be_offered_for_a_glowing_review(alice):
    with pytest.raises(SentimentCondition, match="“glowing review”"):
        reward(alice, name="Gift card", description="For a glowing review on our app store page")


def test_the_challenge_page_shows_the_rule_when_it_refuses(client_as):
    response = client_as("program_manager").post(
        reverse("advocates:challenge_list"),
        {
            "kind": "review",
            "title": "Review",
            "instructions": "Leave a 5-star review",
            "points": 50,
            "starts_on": "2026-01-01",
            "approval": "manual",
            "active": "on",
        },
        follow=True,
    )
    assert "16 CFR Part 465" in response.text
    assert Challenge.objects.count() == 0


# Joining


def test_joining_records_the_terms_version_and_an_audit_row():
    ProgramSettings.objects.update_or_create(id=1, defaults={"terms_version": "2026-2"})
    customer = CustomerFactory()

    member = hub.hub_join(customer=customer, leaderboard_opt_out=True)

    assert (member.terms_version, member.leaderboard_opt_out, member.active) == ("2026-2", True, True)
    event = AuditEvent.objects.get(verb="advocate.joined")
    assert (event.object_id, event.actor_label) == (str(customer.pk), f"customer:{customer.pk}")
    assert event.data["terms_version"] == "2026-2"
    assert hub.hub_join(customer=customer).pk == member.pk, "joining twice changes nothing"


def test_the_portal_join_needs_the_consent_box_ticked():
    customer = CustomerFactory()
    client = portal_client(customer)

    page = client.get(reverse("hub:home"))
    assert "Programme terms" in page.text and "Rewarded content is labelled" in page.text
    refused = client.post(reverse("hub:join"), {}, follow=True)
    assert "Tick the box to agree" in refused.text
    assert not Advocate.objects.exists()

    client.post(reverse("hub:join"), {"agree": "on"})
    assert Advocate.objects.get().customer == customer


def test_joining_marks_the_sent_invitation_joined():
    customer = CustomerFactory()
    invitation = hub.hub_invite(customer=customer, reason="promoter answer: NPS 10")
    hub.hub_join(customer=customer)
    assert invitation is not None
    invitation.refresh_from_db()
    assert invitation.status == "joined"


# Hub invitations and the contact budget


def test_a_hub_invitation_is_sent_once_with_a_link_to_the_hub_and_draws_on_the_budget():
    customer = CustomerFactory(email="ines@example.com")

    first = hub.hub_invite(customer=customer, reason="promoter answer: NPS 10")
    again = hub.hub_invite(customer=customer, reason="top score")

    assert first is not None and again is not None and again.pk == first.pk
    assert first.status == "sent"
    mail = OutboundMail.objects.get()
    assert mail.to == "ines@example.com"
    assert "http://127.0.0.1:8000/portal/hub/" in mail.text
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert list(ContactAsk.objects.values_list("kind", "ref")) == [("other", f"hub-invitation:{first.pk}")]


def test_over_budget_the_hub_invitation_waits_with_the_reason():
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    customer = CustomerFactory()
    ask_record(customer=customer, kind=AskKind.SURVEY, ref="invitation:1")

    held = hub.hub_invite(customer=customer, reason="promoter answer: NPS 9")

    assert held is not None
    assert (held.status, held.held_reason) == ("held", "quarterly budget used: 1 asks this quarter (limit 1)")
    assert not OutboundMail.objects.exists()
    hub.hub_invite(customer=customer, reason="promoter answer: NPS 10")
    assert HubInvitation.objects.count() == 1, "a second trigger refreshes the waiting invitation"


def test_a_held_hub_invitation_goes_out_once_the_budget_allows_and_only_once():
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    customer = CustomerFactory()
    ask_record(customer=customer, kind=AskKind.SURVEY, ref="invitation:1")
    held = hub.hub_invite(customer=customer, reason="promoter answer: NPS 9")
    assert held is not None and held.status == "held"

    assert hub.held_invitations_retry() == {"sent": 0, "held": 1}, "still over budget this quarter"
    next_quarter = timezone.now() + dt.timedelta(days=100)
    assert hub.held_invitations_retry(now=next_quarter) == {"sent": 1, "held": 0}
    assert hub.held_invitations_retry(now=next_quarter) == {"sent": 0, "held": 0}
    held.refresh_from_db()
    assert held.status == "sent" and OutboundMail.objects.filter(to=customer.email).count() == 1


def test_a_customer_who_withdrew_marketing_consent_is_not_invited():
    customer = CustomerFactory()
    ConsentFactory(customer=customer, purpose="marketing", granted=False)

    held = hub.hub_invite(customer=customer, reason="top score")

    assert held is not None and held.held_reason == "withdrew consent to marketing (or unsubscribed)"


def test_an_advocate_is_not_invited_again():
    member = advocate()
    assert hub.hub_invite(customer=member.customer, reason="promoter") is None


def test_over_budget_a_challenge_invitation_waits_with_its_reason_and_goes_later(alice):
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    busy, free = advocate(), advocate()
    ask_record(customer=busy.customer, kind=AskKind.SURVEY, ref="invitation:7")
    share = challenge(alice, kind="share", title="Share our launch post", instructions="Share the post on LinkedIn.")

    outcome = hub.challenge_invite(challenge=share)

    assert [a.pk for a in outcome.asked] == [free.pk]
    assert [(a.pk, reason) for a, reason in outcome.held] == [
        (busy.pk, "quarterly budget used: 1 asks this quarter (limit 1)")
    ]
    assert ContactAsk.objects.filter(kind="challenge").count() == 1
    assert OutboundMail.objects.get().to == free.customer.email

    again = hub.challenge_invite(challenge=share)
    assert (again.asked, len(again.held)) == ([], 1), "nobody is asked twice"


def test_the_challenge_page_lists_who_waits_and_why(alice, client_as):
    FatiguePolicy.objects.update_or_create(id=1, defaults={"max_asks_per_quarter": 1})
    busy = advocate(CustomerFactory(first_name="Bea", last_name="Busy"))
    ask_record(customer=busy.customer, kind=AskKind.SURVEY, ref="invitation:8")
    share = challenge(alice, kind="share", title="Share", instructions="Share the post.")

    page = client_as("program_manager").get(reverse("advocates:challenge_edit", args=[share.pk]))

    assert "Bea Busy" in page.text or busy.customer.email in page.text
    assert "quarterly budget used: 1 asks this quarter (limit 1)" in page.text


def test_the_audience_picks_advocates_by_tier(alice):
    champion, other = advocate(), advocate()
    AdvocateScore.objects.create(customer=champion.customer, score=90, tier="champion", computed_at=timezone.now())
    AdvocateScore.objects.create(customer=other.customer, score=40, tier="potential", computed_at=timezone.now())
    story = challenge(
        alice,
        kind="story",
        title="Tell your story",
        instructions="Tell us how you use it.",
        audience={"tiers": ["champion"]},
    )

    assert [a.pk for a in hub.challenge_invite(challenge=story).asked] == [champion.pk]
    with pytest.raises(ServiceError, match="not open to you"):
        hub.submission_create(challenge=story, advocate=other, evidence="my story")


# Submissions and approvals


def test_an_automatic_challenge_pays_at_once(alice):
    member = advocate()
    survey = challenge(
        alice, kind="survey", title="Answer our survey", instructions="Answer it.", points=30, approval="automatic"
    )

    submission = hub.submission_create(challenge=survey, advocate=member, evidence="done")

    assert submission.status == "approved"
    assert balance(member) == 30
    assert PointsEntry.objects.get(advocate=member).ref == f"submission:{submission.pk}"


def test_a_manual_challenge_pays_on_approval_and_only_once(alice, staff):
    pat = staff["program_manager"]
    member = advocate()
    review = challenge(alice)

    submission = hub.submission_create(challenge=review, advocate=member, evidence="https://g2.com/r/1")
    assert (submission.status, balance(member)) == ("pending", 0)

    hub.submission_review(submission=submission, by=pat, approve=True, note="Thanks!")
    assert balance(member) == 100
    with pytest.raises(ServiceError, match="already decided"):
        hub.submission_review(submission=submission, by=pat, approve=True)
    assert balance(member) == 100
    assert PointsEntry.objects.get(advocate=member).ref == f"submission:{submission.pk}"


def test_a_rejected_submission_pays_nothing_and_may_be_tried_again(alice):
    member = advocate()
    review = challenge(alice)
    first = hub.submission_create(challenge=review, advocate=member, evidence="link")
    with pytest.raises(ServiceError, match="already taken part"):
        hub.submission_create(challenge=review, advocate=member, evidence="again")

    hub.submission_review(submission=first, by=alice, approve=False, note="The link is broken")

    assert balance(member) == 0
    assert hub.submission_create(challenge=review, advocate=member, evidence="fixed link").status == "pending"


def test_a_closed_challenge_takes_no_submissions(alice):
    member = advocate()
    past = challenge(alice, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 2, 1))
    with pytest.raises(ServiceError, match="not open"):
        hub.submission_create(challenge=past, advocate=member, evidence="late")


def test_the_approval_page_approves_and_pays(alice, client_as):
    member = advocate()
    submission = hub.submission_create(challenge=challenge(alice), advocate=member, evidence="https://g2.com/r/9")

    client_as("program_manager").post(
        reverse("advocates:approvals"), {"submission_id": submission.pk, "decision": "approve", "note": "ok"}
    )

    submission.refresh_from_db()
    assert (submission.status, submission.review_note, balance(member)) == ("approved", "ok", 100)


# Badges and levels


@pytest.mark.parametrize(
    ("points", "name", "next_name", "next_at"),
    [
        (0, "Bronze", "Silver", 1000),
        (999, "Bronze", "Silver", 1000),
        (1000, "Silver", "Gold", 5000),
        (5000, "Gold", "Platinum", 15000),
        (15000, "Platinum", "", None),
        (40000, "Platinum", "", None),
    ],
)
def test_levels_follow_lifetime_points(points, name, next_name, next_at):
    level = level_for(points)
    assert (level.name, level.next_name, level.next_at) == (name, next_name, next_at)


def test_badges_are_awarded_once_when_their_rule_is_met(alice):
    first = Badge.objects.create(
        name="First step", description="A first approved challenge", rule={"approved_submissions": 1}
    )
    Badge.objects.create(name="Critic", description="Two reviews", rule={"kind": "review", "count": 2})
    Badge.objects.create(name="Silver", description="Reached Silver", rule={"level": "Silver"})
    member = advocate()
    survey = challenge(alice, kind="survey", title="Survey", instructions="Answer it.", approval="automatic")

    hub.submission_create(challenge=survey, advocate=member, evidence="done")
    assert list(AdvocateBadge.objects.filter(advocate=member).values_list("badge__name", flat=True)) == [first.name]

    points_add(advocate=member, delta=900, reason="Referral", ref="referral:1")
    assert [b.badge.name for b in hub.badges_award(member)] == ["Silver"]
    assert hub.badges_award(member) == []
    assert AdvocateBadge.objects.filter(advocate=member).count() == 2


def test_a_refund_does_not_count_as_points_earned(alice):
    member = advocate()
    points_add(advocate=member, delta=1000, reason="Referral", ref="referral:1")
    redemption = hub.redemption_request(advocate=member, reward=reward(alice, point_cost=500))
    hub.redemption_decide(redemption=redemption, by=alice, action="cancel")

    assert (balance(member), hub.lifetime_points(member)) == (1000, 1000)


def test_a_badge_rule_with_an_unknown_key_is_refused(alice):
    with pytest.raises(ServiceError, match="unknown key"):
        hub.badge_create(by=alice, name="Fan", description="", rule={"positive_reviews": 1})


# The leaderboard


def test_the_leaderboard_leaves_out_those_who_opted_out_in_one_query(django_assert_num_queries):
    ana = advocate(CustomerFactory(first_name="Ana", last_name="Lima"))
    ben = advocate(CustomerFactory(first_name="Ben", last_name="Okafor"), leaderboard_opt_out=True)
    cy = advocate(CustomerFactory(first_name="Cy", last_name="Ng"))
    for member, points in ((ana, 300), (ben, 900), (cy, 1200)):
        points_add(advocate=member, delta=points, reason="Challenge", ref="submission:x")
    points_add(advocate=cy, delta=-1000, reason="Reward", ref="redemption:1")

    with django_assert_num_queries(1):
        board = hub_queries.leaderboard()

    assert [(r.rank, r.name, r.points, r.level) for r in board] == [
        (1, "Cy N.", 1200, "Silver"),
        (2, "Ana L.", 300, "Bronze"),
    ]


def test_an_advocate_can_leave_the_leaderboard_from_the_portal():
    member = advocate(CustomerFactory(first_name="Dee"))
    points_add(advocate=member, delta=10, reason="Challenge", ref="submission:1")
    client = portal_client(member.customer)

    client.post(reverse("hub:leaderboard_opt_out"), {"opt_out": "yes"})

    member.refresh_from_db()
    assert member.leaderboard_opt_out is True
    assert hub_queries.leaderboard() == []


# Rewards and redemptions


def test_a_redemption_spends_the_points_and_takes_one_from_stock(alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    hoodie = reward(alice, point_cost=80, stock=2)

    redemption = hub.redemption_request(advocate=member, reward=hoodie)

    hoodie.refresh_from_db()
    assert (redemption.status, redemption.points, hoodie.stock, balance(member)) == ("requested", 80, 1, 20)
    assert PointsEntry.objects.get(ref=f"redemption:{redemption.pk}").delta == -80


def test_short_of_points_nothing_is_written(alice):
    member = advocate()
    points_add(advocate=member, delta=50, reason="Challenge", ref="submission:1")
    hoodie = reward(alice, point_cost=80, stock=2)

    with pytest.raises(InsufficientPoints, match="needs 80 and the balance is 50"):
        hub.redemption_request(advocate=member, reward=hoodie)

    hoodie.refresh_from_db()
    assert (Redemption.objects.count(), hoodie.stock, balance(member)) == (0, 2, 50)


def test_out_of_stock_is_refused_and_the_points_stay(alice):
    member = advocate()
    points_add(advocate=member, delta=500, reason="Challenge", ref="submission:1")
    last_one = reward(alice, name="Signed book", point_cost=100, stock=1)

    hub.redemption_request(advocate=member, reward=last_one)
    with pytest.raises(OutOfStock, match="“Signed book” is out of stock"):
        hub.redemption_request(advocate=member, reward=Reward.objects.get(pk=last_one.pk))

    assert (Redemption.objects.count(), balance(member)) == (1, 400)


def test_the_conditional_stock_update_refuses_the_last_item_twice(alice):
    """Even with a stale reward object that still says 1 left, the database has the last word."""
    member = advocate()
    points_add(advocate=member, delta=500, reason="Challenge", ref="submission:1")
    last_one = reward(alice, point_cost=100, stock=1)
    stale = Reward.objects.get(pk=last_one.pk)

    hub.redemption_request(advocate=member, reward=last_one)
    with pytest.raises(OutOfStock):
        hub.redemption_request(advocate=member, reward=stale)
    assert (Redemption.objects.count(), balance(member)) == (1, 400)


def test_cancelling_refunds_the_points_and_restores_stock_once(alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    hoodie = reward(alice, point_cost=80, stock=1)
    redemption = hub.redemption_request(advocate=member, reward=hoodie)

    hub.redemption_decide(redemption=redemption, by=alice, action="cancel", note="Size not available")

    hoodie.refresh_from_db()
    assert (redemption.status, hoodie.stock, balance(member)) == ("cancelled", 1, 100)
    assert list(PointsEntry.objects.filter(advocate=member).values_list("delta", "balance", "ref")) == [
        (100, 100, "submission:1"),
        (-80, 20, f"redemption:{redemption.pk}"),
        (80, 100, f"redemption-refund:{redemption.pk}"),
    ]
    with pytest.raises(ServiceError, match="is cancelled; it cannot be cancelled"):
        hub.redemption_decide(redemption=redemption, by=alice, action="cancel")
    assert balance(member) == 100


def test_a_redemption_is_approved_then_fulfilled_and_cannot_be_cancelled_after(alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    redemption = hub.redemption_request(advocate=member, reward=reward(alice))

    hub.redemption_decide(redemption=redemption, by=alice, action="approve")
    hub.redemption_decide(redemption=redemption, by=alice, action="fulfil", note="Shipped")

    assert (redemption.status, redemption.note, redemption.decided_by) == ("fulfilled", "Shipped", alice)
    with pytest.raises(ServiceError, match="cannot be cancelled"):
        hub.redemption_decide(redemption=redemption, by=alice, action="cancel")


def test_reward_money_cost_is_kept_as_a_decimal(alice):
    gift = reward(alice, money_cost="12.50", currency="eur")
    gift.refresh_from_db()
    assert (gift.money_cost, gift.currency) == (Decimal("12.50"), "EUR")


# The portal: the signed-in customer's own hub only


def test_the_portal_hub_shows_my_balance_level_and_open_challenges(alice):
    member = advocate(CustomerFactory(first_name="Maya"))
    points_add(advocate=member, delta=1200, reason="Referral", ref="referral:1")
    challenge(alice, kind="event", title="Join our user day", instructions="Come along.")

    page = portal_client(member.customer).get(reverse("hub:home"))

    assert page.status_code == 200
    assert "1,200" in page.text and "Silver" in page.text
    assert "Join our user day" in page.text
    assert "Maya" in page.text


def test_a_customer_submits_evidence_and_redeems_from_the_portal(alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Referral", ref="referral:1")
    share = challenge(
        alice, kind="share", title="Share", instructions="Share the post.", approval="automatic", points=20
    )
    hoodie = reward(alice, point_cost=80)
    client = portal_client(member.customer)

    done = client.post(reverse("hub:challenge", args=[share.pk]), {"evidence": "https://linkedin.com/p/1"})
    submission = Submission.objects.get()
    assert done["Location"] == reverse("hub:submission", args=[submission.pk])
    redeemed = client.post(reverse("hub:redeem", args=[hoodie.pk]), {"confirm": "on"})
    redemption = Redemption.objects.get()
    assert redeemed["Location"] == reverse("hub:redemption", args=[redemption.pk]) + "?confirmed=1"
    assert balance(member) == 40


def test_another_customers_submission_redemption_and_closed_challenges_are_404(alice):
    mine, theirs = advocate(), advocate()
    points_add(advocate=theirs, delta=100, reason="Referral", ref="referral:1")
    review = challenge(alice)
    their_submission = hub.submission_create(challenge=review, advocate=theirs, evidence="theirs")
    their_redemption = hub.redemption_request(advocate=theirs, reward=reward(alice))
    AdvocateScore.objects.create(customer=theirs.customer, score=90, tier="champion", computed_at=timezone.now())
    champions_only = challenge(alice, title="Champions", instructions="Tell us.", audience={"tiers": ["champion"]})
    client = portal_client(mine.customer)

    assert client.get(reverse("hub:submission", args=[their_submission.pk])).status_code == 404
    assert client.get(reverse("hub:redemption", args=[their_redemption.pk])).status_code == 404
    assert client.get(reverse("hub:challenge", args=[champions_only.pk])).status_code == 404
    assert client.get(reverse("hub:challenge", args=[review.pk])).status_code == 200


def test_member_pages_are_404_before_joining_and_the_hub_needs_a_portal_sign_in(alice):
    outsider = portal_client(CustomerFactory())
    assert outsider.get(reverse("hub:rewards")).status_code == 404
    assert Client().get(reverse("hub:home"))["Location"] == reverse("portal:sign_in")


# Staff pages by role

STAFF_PAGES = ["challenge_list", "approvals", "rewards", "redemptions", "hub_invitations"]


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("program_manager", 200), ("analyst", 403), ("customer_advocate", 403), ("sales", 403)],
)
def test_staff_hub_pages_serve_admins_and_program_managers_only(client_as, name, role, status):
    assert client_as(role).get(reverse(f"advocates:{name}")).status_code == status


def test_the_challenge_editor_serves_program_managers_only(alice, client_as):
    review = challenge(alice)
    url = reverse("advocates:challenge_edit", args=[review.pk])
    assert client_as("program_manager").get(url).status_code == 200
    assert client_as("analyst").get(url).status_code == 403


def test_staff_pages_show_their_rows(alice, client_as):
    member = advocate(CustomerFactory(first_name="Omar", last_name="Diaz"))
    points_add(advocate=member, delta=100, reason="Referral", ref="referral:1")
    hoodie = reward(alice, name="Team hoodie")
    hub.redemption_request(advocate=member, reward=hoodie)
    hub.hub_invite(customer=CustomerFactory(email="pia@example.com", account=AccountFactory()), reason="top score")
    pat = client_as("program_manager")

    assert "Team hoodie" in pat.get(reverse("advocates:rewards")).text
    assert (
        "Omar Diaz" in pat.get(reverse("advocates:redemptions")).text
        or member.customer.email in pat.get(reverse("advocates:redemptions")).text
    )
    assert "top score" in pat.get(reverse("advocates:hub_invitations")).text
