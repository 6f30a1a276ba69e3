"""The demo company's advocacy program: scores, hub members, challenges, points, badges, rewards and
redemptions, referral links with clicks and conversions, reference requests and stories.

Drawn from ``random.Random`` seeded with the demo's seed, so one seed gives one program. The order
matters and is deliberate:

1. Scores are computed first, from the customers' history only, so that precision at k on the
   advocates page measures what the score finds in the data — not the membership drawn below.
2. Members are mostly the planted natural advocates and the best-scored customers, each joined on the
   programme terms, with the hub invitation that brought them (which drew on their contact budget).
3. Conversions go through the real service (``referrals.conversion_record``), so attribution and the
   fraud rules decide as they would in production; one friend is an existing customer and is flagged.
4. The points ledger is written last, in time order per advocate, so every row's balance is the
   running sum and never below zero, as the database requires.

Rows are written in bulk wherever the services are only needed for their checks.
"""

from __future__ import annotations

import base64
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Min

from advocacy.advocates.hub import services as hub
from advocacy.advocates.models import (
    Advocate,
    AdvocateScore,
    AskStatus,
    Badge,
    Challenge,
    DealOutcome,
    HeldStatus,
    HubInvitation,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
    ReferenceStatus,
    Referral,
    ReferralClick,
    ReferralLink,
    ReferralReward,
    ReferralStatus,
    Reward,
    RewardKind,
    Story,
    StoryScope,
    StoryStatus,
    Submission,
    SubmissionStatus,
)
from advocacy.advocates.referrals import services as referrals
from advocacy.advocates.scoring import services as scoring
from advocacy.advocates.stories import services as stories
from advocacy.core.models import User
from advocacy.customers import consent
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Consent, ConsentPurpose, Customer, CustomerStatus, Order
from advocacy.outreach.budget import queries as budget
from advocacy.outreach.models import ContactAsk

NATURAL_MEMBER_SHARE = 0.65  # of the planted natural advocates, how many joined the hub
OTHER_MEMBER_SHARE = 0.15  # other top-scored customers, as a share of the natural members
LINK_SHARE = 0.5  # members who took their referral link
CONVERSIONS_PER_LINK = 0.6
TERMS_VERSION = "2026-1"


@dataclass
class Program:
    """What the steps hand on to each other."""

    rng: random.Random
    today: date
    now: datetime
    manager: User
    sales: list[User]
    showcase: int | None = None  # the customer the demo offers for the portal: shown every part of the hub
    members: list[Advocate] = field(default_factory=list)
    challenges: dict[str, Challenge] = field(default_factory=dict)
    # advocate id → (when, points, reason, ref): the ledger, written last in time order
    ledger: dict[int, list[tuple[datetime, int, str, str]]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=dict)


def write_advocate_program(
    *, staff: dict[str, User], natural_advocates: set[int], seed: int, today: date, showcase: int | None = None
) -> dict[str, int]:
    """The whole program for a freshly generated company; ``natural_advocates`` are customer ids.

    ``showcase`` is the customer the demo prints for the portal: a member with a referral link, friends
    who ordered through it (one reward still held) and a physical reward on its way, so the hub shows
    every part to whoever signs in as them.
    """
    program = Program(
        showcase=showcase,
        rng=random.Random(f"advocates-{seed}"),
        today=today,
        now=datetime.combine(today, time(12), tzinfo=UTC),
        manager=staff["pm"],
        sales=[staff[name] for name in ("sales", "sales2", "sales3") if name in staff],
    )
    clear_leftovers()
    program.counts["advocate_scores"] = scoring.scores_recompute(now=program.now)
    enrol_members(program, natural_advocates)
    write_challenges(program)
    write_submissions(program)
    write_referrals(program)
    write_stories(program)
    write_rewards_and_redemptions(program)
    write_ledger(program)
    write_badges(program)
    write_references(program)
    return program.counts


def clear_leftovers() -> None:
    """Program rows that outlive a wiped company (they hang off staff, not customers) go with it."""
    for model in (Challenge, Reward, Badge, ReferenceRequest):
        model.objects.all().delete()


# --- members ----------------------------------------------------------------------------------


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def enrol_members(program: Program, natural_advocates: set[int]) -> None:
    """Most natural advocates and a few other top-scored customers join, invited and on the terms."""
    rng = program.rng
    active = list(
        Customer.objects.filter(status=CustomerStatus.ACTIVE)
        .order_by("-advocate_score__score", "pk")
        .values_list("pk", "customer_since")
    )
    refused = consent.refusals([pk for pk, _ in active], AskKind.HUB_INVITATION)
    eligible = [(pk, since) for pk, since in active if pk not in refused]
    naturals = [row for row in eligible if row[0] in natural_advocates]
    others = [row for row in eligible if row[0] not in natural_advocates]
    chosen = rng.sample(naturals, round(NATURAL_MEMBER_SHARE * len(naturals)))
    extra = round(OTHER_MEMBER_SHARE * len(chosen))
    chosen += rng.sample(others[: 3 * extra], min(extra, len(others[: 3 * extra])))
    chosen += [row for row in eligible if row[0] == program.showcase and row not in chosen]
    chosen.sort()
    rows = [
        Advocate(
            customer_id=pk,
            terms_version=TERMS_VERSION,
            joined_at=at(
                day_between(
                    rng,
                    max(since or program.today, program.today - timedelta(days=420)),
                    program.today - timedelta(days=14),
                )
            ),
            leaderboard_opt_out=rng.random() < 0.1 and pk != program.showcase,
        )
        for pk, since in chosen
    ]
    Advocate.objects.bulk_create(rows)
    program.members = list(Advocate.objects.select_related("customer__account").order_by("pk"))
    members = {pk for pk, _ in chosen}
    write_invitations(program, not_members=[pk for pk, _ in eligible if pk not in members][:12])
    program.counts["advocates"] = len(program.members)


def write_invitations(program: Program, not_members: list[int]) -> None:
    """The invitation behind each membership, and some still open or waiting on the contact budget."""
    rng = program.rng
    invitations = [
        HubInvitation(
            customer_id=a.customer_id,
            reason=rng.choice(["promoter answer: NPS 10", "promoter answer: NPS 9", "top advocate score"]),
            status="joined",
            created_at=a.joined_at - timedelta(days=rng.randint(1, 6)),
        )
        for a in program.members
    ]
    for customer in Customer.objects.filter(pk__in=not_members).order_by("pk"):
        # The product's own check decides which wait: a withdrawn consent or a used-up contact budget.
        held_reason = budget.ask_hold_reason(customer=customer, kind=AskKind.HUB_INVITATION, now=program.now)
        invitations.append(
            HubInvitation(
                customer=customer,
                reason="top advocate score",
                status="held" if held_reason else "sent",
                held_reason=held_reason,
                created_at=program.now - timedelta(days=rng.randint(1, 20)),
            )
        )
    HubInvitation.objects.bulk_create(invitations)
    ContactAsk.objects.bulk_create(
        ContactAsk(customer_id=i.customer_id, kind=AskKind.OTHER, ref=f"hub-invitation:{i.pk}", asked_at=i.created_at)
        for i in HubInvitation.objects.exclude(status="held")
    )
    program.counts["hub_invitations"] = len(invitations)


# --- challenges and submissions -----------------------------------------------------------------

# key → (kind, title, instructions, points, starts days ago, ends in days (None: open), approval, audience)
CHALLENGES: dict[str, tuple[str, str, str, int, int, int | None, str, dict[str, Any]]] = {
    "review": (
        "review",
        "Review us on G2",
        "Write an honest review of your experience on G2 — positive or negative, it's your call. "
        "Paste the link to your review.",
        150,
        400,
        None,
        "manual",
        {},
    ),
    "share": (
        "share",
        "Share our spring release post",
        "Share the post about the spring release on LinkedIn, in your own words.",
        50,
        120,
        30,
        "automatic",
        {},
    ),
    "refer": (
        "refer",
        "Refer a friend",
        "Send your referral link to a colleague who might like us.",
        100,
        300,
        None,
        "manual",
        {},
    ),
    "story": (
        "story",
        "Tell your story",
        "Tell us how you use the product, on the Stories page of the hub. Say what did not work, too.",
        300,
        300,
        None,
        "manual",
        {},
    ),
    "survey": (
        "survey",
        "Answer the roadmap survey",
        "Ten questions about what we should build next.",
        30,
        200,
        -30,
        "automatic",
        {},
    ),
    "event": (
        "event",
        "Join the customer summit",
        "Attend the online customer summit and tell us one takeaway.",
        120,
        60,
        10,
        "manual",
        {},
    ),
    "beta": (
        "custom",
        "Beta-test the new reports",
        "Try the new reports for two weeks and send us your notes.",
        200,
        90,
        None,
        "manual",
        {"tiers": ["champion", "likely"]},
    ),
    "reference": (
        "reference",
        "Be a reference",
        "Take one call with a company like yours about how you use us.",
        250,
        300,
        None,
        "manual",
        {},
    ),
}
TAKE_UP = {"review": 0.45, "share": 0.5, "refer": 0.25, "story": 0.15, "survey": 0.4, "event": 0.2, "beta": 0.15}


def write_challenges(program: Program) -> None:
    """Through the service, so the FTC check passes on every one of them."""
    for key, (kind, title, text, points, ago, ends_in, approval, audience) in CHALLENGES.items():
        program.challenges[key] = hub.challenge_create(
            by=program.manager,
            kind=kind,
            title=title,
            instructions=text,
            points=points,
            starts_on=program.today - timedelta(days=ago),
            ends_on=program.today + timedelta(days=ends_in) if ends_in is not None else None,
            approval=approval,
            audience=audience,
        )
    program.counts["challenges"] = len(program.challenges)


def submission_status(rng: random.Random, challenge: Challenge, submitted: date, today: date) -> str:
    if challenge.approval == "automatic":
        return SubmissionStatus.APPROVED
    if (today - submitted).days < 21 and rng.random() < 0.4:
        return SubmissionStatus.PENDING
    return SubmissionStatus.REJECTED if rng.random() < 0.07 else SubmissionStatus.APPROVED


def draw_submissions(program: Program) -> list[Submission]:
    rng, rows = program.rng, []
    for member in program.members:
        joined = member.joined_at.date()
        for key, challenge in program.challenges.items():
            if key not in TAKE_UP or rng.random() >= TAKE_UP[key]:
                continue
            first = max(joined, challenge.starts_on)
            last = min(challenge.ends_on or program.today, program.today)
            if first > last:
                continue
            on = day_between(rng, first, last)
            status = submission_status(rng, challenge, on, program.today)
            reviewed = None if status == SubmissionStatus.PENDING else min(on + timedelta(days=2), program.today)
            rows.append(
                Submission(
                    challenge=challenge,
                    advocate=member,
                    evidence=f"https://evidence.example/{key}/{member.pk}",
                    status=status,
                    submitted_at=at(on, 9),
                    reviewed_by=program.manager if reviewed and challenge.approval == "manual" else None,
                    reviewed_at=at(reviewed, 11) if reviewed else None,
                    review_note="approved automatically" if challenge.approval == "automatic" else "",
                )
            )
    return rows


def ensure_one_pending(program: Program, rows: list[Submission]) -> None:
    """The approval queue always has something in it: the newest member's review waits."""
    if any(r.status == SubmissionStatus.PENDING for r in rows) or not program.members:
        return
    member, review = program.members[-1], program.challenges["review"]
    rows[:] = [r for r in rows if not (r.advocate is member and r.challenge is review)]
    rows.append(
        Submission(
            challenge=review,
            advocate=member,
            evidence="https://g2.example/reviews/new",
            submitted_at=program.now - timedelta(days=1),
        )
    )


def write_submissions(program: Program) -> None:
    rows = draw_submissions(program)
    ensure_one_pending(program, rows)
    Submission.objects.bulk_create(rows)
    for s in Submission.objects.filter(status=SubmissionStatus.APPROVED).select_related("challenge"):
        program.ledger[s.advocate_id].append(
            (
                s.reviewed_at or s.submitted_at,
                s.challenge.points,
                f"Challenge: {s.challenge.title}",
                f"submission:{s.pk}",
            )
        )
    program.counts["submissions"] = len(rows)


# --- referrals ------------------------------------------------------------------------------------


def referral_code(rng: random.Random) -> str:
    """12 URL-safe characters like the product's own, but drawn from the seed so the demo repeats."""
    return base64.urlsafe_b64encode(rng.getrandbits(72).to_bytes(9, "big")).decode()


def write_links_and_clicks(program: Program) -> list[ReferralLink]:
    rng = program.rng
    takers = [m for m in program.members if rng.random() < LINK_SHARE or m.customer_id == program.showcase]
    ReferralLink.objects.bulk_create(
        ReferralLink(advocate=m, code=referral_code(rng), created_at=m.joined_at + timedelta(days=1)) for m in takers
    )
    links = list(ReferralLink.objects.select_related("advocate").order_by("pk"))
    clicks = [
        ReferralClick(
            link=link,
            at=at(day_between(rng, link.created_at.date(), program.today), rng.randint(7, 22)),
            ip_hash=referrals.ip_hash(f"203.0.113.{rng.randint(1, 254)}"),
            device_hash=referrals.device_hash(f"demo-device-{link.pk}-{n}"),
        )
        for link in links
        for n in range(rng.randint(0, 6))
    ]
    ReferralClick.objects.bulk_create(clicks)
    program.counts["referral_links"], program.counts["referral_clicks"] = len(links), len(clicks)
    return links


def friend_candidates(program: Program) -> tuple[list[tuple[int, int, date]], list[tuple[int, int, date]]]:
    """(new customers with their first order, long-standing customers with their latest order), not members."""
    members = {m.customer_id for m in program.members}
    since = program.today - timedelta(days=360)
    firsts = (
        Order.objects.filter(customer__customer_since__gte=since, customer__status=CustomerStatus.ACTIVE)
        .exclude(customer_id__in=members)
        .values("customer_id")
        .annotate(first=Min("ordered_on"))
    )
    first_on = {row["customer_id"]: row["first"] for row in firsts}
    first_order: dict[int, int] = {}  # customer → their first order (the lowest id on their first day)
    for customer_id, order_id, on in (
        Order.objects.filter(customer_id__in=first_on).order_by("pk").values_list("customer_id", "pk", "ordered_on")
    ):
        if on == first_on[customer_id]:
            first_order.setdefault(customer_id, order_id)
    new = sorted((customer_id, order_id, first_on[customer_id]) for customer_id, order_id in first_order.items())
    old = list(
        Order.objects.filter(
            customer__customer_since__lt=since - timedelta(days=365), ordered_on__gte=program.today - timedelta(days=20)
        )
        .exclude(customer_id__in=members)
        .order_by("-ordered_on", "pk")
        .values_list("customer_id", "pk", "ordered_on")[:1]
    )
    return new, old


def convert(program: Program, link: ReferralLink, friend: tuple[int, int, date], n: int) -> None:
    """The friend clicks, then orders; the conversion goes through the product's own service."""
    customer_id, order_id, on = friend
    device = f"demo-friend-{customer_id}"
    ReferralClick.objects.create(
        link=link,
        at=at(on - timedelta(days=program.rng.randint(1, 6)), 10),
        ip_hash=referrals.ip_hash(f"198.51.100.{n % 250 + 1}"),
        device_hash=referrals.device_hash(device),
    )
    referrals.conversion_record(
        code=link.code,
        friend=Customer.objects.get(pk=customer_id),
        order=Order.objects.get(pk=order_id),
        idempotency_key=f"demo-order-{order_id}",
        device_id=device,
        now=at(on, 16),
    )


def write_referrals(program: Program) -> None:
    links = write_links_and_clicks(program)
    if not links:
        return
    new, old = friend_candidates(program)
    wanted = min(len(new), max(3, round(CONVERSIONS_PER_LINK * len(links))))
    # The most recent new customer is always among them, so one reward is still held in its window.
    friends = sorted({*program.rng.sample(new[:-1], max(wanted - 1, 0)), *new[-1:]}, key=lambda f: f[2])
    showcased = next((link for link in links if link.advocate.customer_id == program.showcase), None)
    # The showcase gets the two oldest friends (released by now) and the newest (still held in its window).
    theirs = {0, 1, len(friends) - 1} if showcased and len(friends) > 3 else set()
    for n, friend in enumerate([*friends, *old]):
        drawn = program.rng.choice(links)
        convert(program, showcased if showcased and n in theirs else drawn, friend, n)
    settle_rewards(program)
    program.counts["referrals"] = Referral.objects.count()


def settle_rewards(program: Program) -> None:
    """Rewards past their return window: a genuine one is released into the ledger, a flagged one rejected."""
    for reward in ReferralReward.objects.filter(release_after__lte=program.now).select_related("referral__link"):
        decided = min(reward.release_after + timedelta(days=1), program.now)
        if reward.referral.status == ReferralStatus.FLAGGED:
            reward.status, reward.note = HeldStatus.REJECTED, "Fraud rule confirmed on review."
            Referral.objects.filter(pk=reward.referral_id).update(status=ReferralStatus.REJECTED)
        else:
            reward.status = HeldStatus.RELEASED
            program.ledger[reward.referral.link.advocate_id].append(
                (decided, reward.points, "Referral of a friend", f"referral-reward:{reward.pk}")
            )
        reward.decided_by, reward.decided_at = program.manager, decided
        reward.save(update_fields=["status", "note", "decided_by", "decided_at"])


# --- rewards, redemptions, the ledger -------------------------------------------------------------

REWARDS = (
    ("Charity donation", "We give $10 to a charity you pick from our list.", 400, 500, "10.00"),
    ("Branded hoodie", "A warm hoodie with a small logo.", 800, 40, "35.00"),
    ("$25 gift card", "A gift card for a large online shop.", 1200, 100, "25.00"),
    ("Roadmap call with the product team", "One hour with the people who decide what we build.", 1500, 0, "0.00"),
    ("Customer summit ticket", "A ticket to the in-person summit, travel not included.", 5000, 3, "900.00"),
)
# Sent by post, with the choice it offers: its redemptions carry a size and an address.
PHYSICAL = {"Branded hoodie": ("Size", ["S", "M", "L", "XL"])}
# Made-up addresses for the demo's parcels: real towns and postcode formats, invented streets.
DEMO_ADDRESSES = (
    ("48 Alder Row", "Portland", "97205", "US"),
    ("12 Rue des Tanneurs", "Lyon", "69002", "FR"),
    ("Lindenweg 7\n2. OG", "Leipzig", "04109", "DE"),
    ("5 Quayside Mews", "Leeds", "LS1 4AP", "GB"),
    ("Keizersgracht 300-B", "Amsterdam", "1016 EZ", "NL"),
    ("2-3-1 Nishiki", "Nagoya", "460-0003", "JP"),
)
# Redemptions cycle through the states, so each one is on show however small the demo.
REDEMPTION_STATES = (
    RedemptionStatus.FULFILLED,
    RedemptionStatus.REQUESTED,
    RedemptionStatus.APPROVED,
    RedemptionStatus.FULFILLED,
    RedemptionStatus.CANCELLED,
)


def write_rewards_and_redemptions(program: Program) -> None:
    catalogue = [
        hub.reward_create(
            by=program.manager,
            name=name,
            description=text,
            point_cost=cost,
            stock=stock,
            money_cost=Decimal(money),
            **reward_kind(name),
        )
        for name, text, cost, stock, money in REWARDS
    ]
    redemptions: list[Redemption] = []
    stock = {r.pk: r.stock for r in catalogue}
    for member in program.members:
        earned = sorted(program.ledger.get(member.pk, []))
        if not earned:
            continue
        when = min(earned[-1][0] + timedelta(days=program.rng.randint(1, 20)), program.now - timedelta(hours=1))
        balance = sum(points for moment, points, _, _ in earned if moment <= when)  # only what was there by then
        affordable = [r for r in catalogue if r.point_cost <= balance and stock[r.pk] > 0]
        physical = [r for r in affordable if r.kind == RewardKind.PHYSICAL]
        if member.customer_id == program.showcase and physical:
            # The portal's demo customer has a parcel on its way: the confirmation, size and address show.
            redemptions.append(redemption(program, member, physical[0], when, RedemptionStatus.REQUESTED))
            stock[physical[0].pk] -= 1
            continue
        if not affordable or program.rng.random() < 0.4:
            continue
        reward = program.rng.choice(affordable)
        stock[reward.pk] -= 1
        redemptions.append(redemption(program, member, reward, when, REDEMPTION_STATES[len(redemptions) % 5]))
    Redemption.objects.bulk_create(redemptions)
    for row in redemptions:
        record_spend(program, row)
        if row.status == RedemptionStatus.CANCELLED:
            stock[row.reward_id] += 1
    for reward in catalogue:
        Reward.objects.filter(pk=reward.pk).update(stock=stock[reward.pk])
    program.counts["rewards"], program.counts["redemptions"] = len(catalogue), len(redemptions)


def reward_kind(name: str) -> dict[str, Any]:
    if name not in PHYSICAL:
        return {}
    label, options = PHYSICAL[name]
    return {"kind": RewardKind.PHYSICAL, "option_label": label, "options": options}


def parcel(program: Program, member: Advocate, reward: Reward) -> dict[str, str]:
    """The size and address a physical reward's redemption carries; nothing for a digital one."""
    if reward.kind != RewardKind.PHYSICAL:
        return {}
    street, city, postcode, country = program.rng.choice(DEMO_ADDRESSES)
    name = f"{member.customer.first_name} {member.customer.last_name}".strip() or "Demo customer"
    return {
        "choice": program.rng.choice(reward.options),
        "ship_name": name,
        "ship_street": street,
        "ship_city": city,
        "ship_postcode": postcode,
        "ship_country": country,
    }


def redemption(program: Program, member: Advocate, reward: Reward, when: datetime, status: str) -> Redemption:
    decided = None if status == RedemptionStatus.REQUESTED else min(when + timedelta(days=2), program.now)
    return Redemption(
        **parcel(program, member, reward),
        advocate=member,
        reward=reward,
        points=reward.point_cost,
        status=status,
        requested_at=when,
        decided_by=program.manager if decided else None,
        decided_at=decided,
        note="The advocate changed their mind." if status == RedemptionStatus.CANCELLED else "",
    )


def record_spend(program: Program, row: Redemption) -> None:
    entries = program.ledger[row.advocate_id]
    reward_name = row.reward.name
    entries.append((row.requested_at, -row.points, f"Reward: {reward_name}", f"redemption:{row.pk}"))
    if row.status == RedemptionStatus.CANCELLED and row.decided_at:
        entries.append((row.decided_at, row.points, f"Refund: {reward_name}", f"{hub.REFUND_PREFIX}{row.pk}"))


def write_ledger(program: Program) -> None:
    """Each advocate's rows in time order, numbered, each with the running balance (never below zero)."""
    rows = []
    for advocate_id, entries in sorted(program.ledger.items()):
        balance = 0
        for seq, (when, delta, reason, ref) in enumerate(sorted(entries, key=lambda e: (e[0], -e[1])), start=1):
            balance += delta
            rows.append(
                PointsEntry(
                    advocate_id=advocate_id, seq=seq, delta=delta, balance=balance, reason=reason, ref=ref, at=when
                )
            )
    PointsEntry.objects.bulk_create(rows, batch_size=2000)
    program.counts["points_entries"] = len(rows)


# --- badges -----------------------------------------------------------------------------------------

BADGES = (
    ("First steps", "Your first approved challenge.", {"approved_submissions": 1}),
    ("Honest reviewer", "Wrote a review, whatever it said.", {"kind": "review", "count": 1}),
    ("Regular", "Five approved challenges.", {"approved_submissions": 5}),
    ("Silver advocate", "Earned 1,000 points.", {"level": "Silver"}),
)


def write_badges(program: Program) -> None:
    for name, text, rule in BADGES:
        hub.badge_create(by=program.manager, name=name, description=text, rule=rule)
    for member in program.members:
        hub.badges_award(member)
    program.counts["badges"] = len(BADGES)


# --- references ---------------------------------------------------------------------------------------


def reference_members(program: Program) -> list[Advocate]:
    """Members whose latest reference-call consent is a grant, best scored first."""
    latest: dict[int, bool] = {}
    for customer_id, granted in (
        Consent.objects.filter(
            purpose=ConsentPurpose.REFERENCE_CALL, customer_id__in=[m.customer_id for m in program.members]
        )
        .order_by("recorded_at", "pk")
        .values_list("customer_id", "granted")
    ):
        latest[customer_id] = granted
    scores = dict(AdvocateScore.objects.values_list("customer_id", "score"))
    willing = [m for m in program.members if latest.get(m.customer_id)]
    return sorted(willing, key=lambda m: (-scores.get(m.customer_id, 0), m.pk))


# (prospect, created days ago, needed in days, value, stage of the first ask, deal outcome, deal amount)
REFERENCE_REQUESTS = (
    ("Northwind Traders", 120, -100, "84000.00", "call", DealOutcome.WON, "84000.00"),
    ("Contoso Health", 70, -50, "36000.00", "call", DealOutcome.LOST, None),
    ("Fabrikam Foods", 10, 12, "52000.00", AskStatus.ACCEPTED, None, None),
    ("Tailspin Air", 2, 21, "120000.00", AskStatus.ASKED, None, None),
)


def write_references(program: Program) -> None:
    willing = reference_members(program)
    for n, (prospect, ago, needed_in, value, stage, outcome, amount) in enumerate(REFERENCE_REQUESTS):
        if n >= len(willing) or not program.sales:
            break
        member = willing[n]
        account = member.customer.account
        request = ReferenceRequest.objects.create(
            requested_by=program.sales[n % len(program.sales)],
            prospect=prospect,
            industry=account.industry if account else "",
            region=account.region if account else "",
            size=account.size if account else "",
            use_case="Wants to hear how a team like theirs rolled it out.",
            opportunity_value=Decimal(value),
            needed_by=program.today + timedelta(days=needed_in),
            created_at=program.now - timedelta(days=ago),
            status=ReferenceStatus.DONE
            if stage == "call"
            else ReferenceStatus.MATCHED
            if stage == AskStatus.ACCEPTED
            else ReferenceStatus.OPEN,
        )
        reference_ask(program, request, member, stage, ago, outcome, amount)
    program.counts["reference_requests"] = ReferenceRequest.objects.count()


def reference_ask(
    program: Program, request: ReferenceRequest, member: Advocate, stage: str, ago: int, outcome: Any, amount: Any
) -> None:
    asked_at = program.now - timedelta(days=ago - 1)
    status = AskStatus.ACCEPTED if stage in ("call", AskStatus.ACCEPTED) else AskStatus.ASKED
    ask = ReferenceAsk.objects.create(
        request=request,
        advocate=member,
        fit=round(70 + 25 * program.rng.random(), 1),
        status=status,
        asked_at=asked_at,
        answered_at=asked_at + timedelta(days=1) if status == AskStatus.ACCEPTED else None,
    )
    ContactAsk.objects.create(
        customer_id=member.customer_id, kind=AskKind.REFERENCE, ref=f"reference-ask:{ask.pk}", asked_at=asked_at
    )
    if stage == "call":
        ReferenceCall.objects.create(
            ask=ask,
            held_on=(asked_at + timedelta(days=5)).date(),
            notes="Talked through the rollout and the first month.",
            deal_outcome=outcome,
            deal_amount=Decimal(amount) if amount else None,
        )


# --- stories --------------------------------------------------------------------------------------------

# (title, quote, consent scope, named, consent expires in days (None: no expiry), status, incentivised)
STORIES = (
    ("Month-end in a day", "A week of closing became a day.", StoryScope.SOCIAL, True, None, "published", True),
    (
        "One place for every customer",
        "Nobody asks 'who owns this?' any more.",
        StoryScope.WEBSITE,
        False,
        365,
        "published",
        False,
    ),
    ("How our support team got its evenings back", "", StoryScope.INTERNAL, True, None, "published", False),
    (
        "From spreadsheets to a real pipeline",
        "We stopped losing leads.",
        StoryScope.WEBSITE,
        True,
        -10,
        "approved",
        False,
    ),
    ("Rolling out to 400 people", "Training took an afternoon.", StoryScope.SOCIAL, False, 180, "submitted", False),
    (
        "What we would change",
        "The reports need work, but support is superb.",
        StoryScope.WEBSITE,
        True,
        None,
        "withdrawn",
        False,
    ),
)


def story_submission(program: Program, member: Advocate) -> Submission:
    """The approved 'Tell your story' entry an incentivised story answers (made, and paid, if missing)."""
    challenge = program.challenges["story"]
    found = Submission.objects.filter(challenge=challenge, advocate=member, status=SubmissionStatus.APPROVED).first()
    if found is not None:
        return found
    Submission.objects.filter(challenge=challenge, advocate=member).delete()  # a pending or rejected try
    reviewed = program.now - timedelta(days=28)
    made = Submission.objects.create(
        challenge=challenge,
        advocate=member,
        evidence="see the story",
        status=SubmissionStatus.APPROVED,
        submitted_at=program.now - timedelta(days=30),
        reviewed_at=reviewed,
        reviewed_by=program.manager,
    )
    program.ledger[member.pk].append(
        (reviewed, challenge.points, f"Challenge: {challenge.title}", f"submission:{made.pk}")
    )
    return made


def write_stories(program: Program) -> None:
    tellers = program.members[:: max(len(program.members) // len(STORIES), 1)][: len(STORIES)]
    for member, (title, quote, scope, named, expires_in, status, incentivised) in zip(tellers, STORIES, strict=False):
        told = program.now - timedelta(days=program.rng.randint(40, 200))
        story = Story.objects.create(
            advocate=member,
            title=title,
            body=f"{title}. {quote} We started small, with one team, and grew from there.",
            quote=quote,
            consent_scope=scope,
            named=named,
            consent_expires_on=program.today + timedelta(days=expires_in) if expires_in is not None else None,
            consent_recorded_at=told,
            submission=story_submission(program, member) if incentivised else None,
            status=status,
            published_scope=scope if status == StoryStatus.PUBLISHED else "",
            published_at=told + timedelta(days=7) if status == StoryStatus.PUBLISHED else None,
        )
        Consent.objects.bulk_create(
            Consent(
                customer_id=member.customer_id,
                purpose=purpose,
                granted=True,
                source=stories.CONSENT_SOURCE,
                recorded_at=told,
                note=f"story {story.pk}",
            )
            for purpose in stories.consent_purposes(scope=scope, quote=quote)
        )
    program.counts["stories"] = Story.objects.count()
