"""The advocate hub's writes: invitations and joining, challenges and submissions, badges, rewards, redemptions.

Every service runs in one transaction. Points move only through ``ledger.points_add`` with a ref that
names the cause, so a retried approval or redemption never pays twice. Every ask of a customer (a hub
invitation, a challenge invitation) goes through the contact layer (``outreach.budget``): consent and
the one contact budget; over budget the ask waits, with the reason shown to the program manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from advocacy.advocates.holdout.services import held_out
from advocacy.advocates.hub.audience import check_audience, in_audience
from advocacy.advocates.hub.ledger import points_add
from advocacy.advocates.hub.levels import LEVELS, REFUND_PREFIX, lifetime_points
from advocacy.advocates.hub.mail import challenge_invitation_mail, hub_invitation_mail
from advocacy.advocates.hub.queries import (
    challenge_waiting,
    hold_reasons,
    invitation_in_force,
    is_open,
    top_scored_not_invited,
)
from advocacy.advocates.hub.shipping import Shipping, check_redemption_details
from advocacy.advocates.models import (
    Advocate,
    AdvocateBadge,
    Approval,
    Badge,
    Challenge,
    ChallengeKind,
    HoldoutGroup,
    HubInvitation,
    HubInvitationStatus,
    Redemption,
    RedemptionStatus,
    Reward,
    RewardKind,
    Submission,
    SubmissionStatus,
    Tier,
)
from advocacy.advocates.program.services import program_settings
from advocacy.advocates.review_rule import check_sentiment_neutral
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer
from advocacy.outreach.budget.queries import ask_hold_reason
from advocacy.outreach.budget.services import ask_cancel, ask_record
from advocacy.outreach.mail.services import mail_cancel
from advocacy.outreach.webhooks.services import webhook_emit

# Invitation and joining


def invitation_hold(*, customer: Customer, reason: str, held_reason: str, now: dt.datetime) -> HubInvitation:
    """Record (or refresh) the one waiting invitation, so repeated triggers do not pile up rows."""
    held = HubInvitation.objects.filter(customer=customer, status=HubInvitationStatus.HELD).order_by("-id").first()
    if held is None:
        return HubInvitation.objects.create(
            customer=customer,
            reason=reason[:200],
            status=HubInvitationStatus.HELD,
            held_reason=held_reason[:300],
            created_at=now,
        )
    held.reason, held.held_reason, held.created_at = reason[:200], held_reason[:300], now
    held.save(update_fields=["reason", "held_reason", "created_at"])
    return held


def invitation_send(*, customer: Customer, reason: str, now: dt.datetime) -> HubInvitation:
    held = HubInvitation.objects.filter(customer=customer, status=HubInvitationStatus.HELD).order_by("-id").first()
    invitation = held or HubInvitation(customer=customer)
    invitation.reason, invitation.status, invitation.held_reason = reason[:200], HubInvitationStatus.SENT, ""
    invitation.created_at = now
    try:
        with transaction.atomic():  # the partial unique key says "never twice" should two triggers race
            invitation.save()
    except IntegrityError:
        return HubInvitation.objects.get(customer=customer, status=HubInvitationStatus.SENT)
    # The ledger has always recorded a hub invitation as "other"; consent judges it as a hub invitation.
    ask_record(customer=customer, kind=AskKind.OTHER, ref=f"hub-invitation:{invitation.pk}", at=now)
    hub_invitation_mail(invitation)
    return invitation


@transaction.atomic
def hub_invite(*, customer: Customer, reason: str, now: dt.datetime | None = None) -> HubInvitation | None:
    """Invite a customer to the hub once; over the fatigue budget the invitation is held with the reason.

    Returns None for a customer who is already an advocate: there is nothing to invite them to.
    """
    now = now or timezone.now()
    if Advocate.objects.filter(customer=customer, active=True).exists():
        return None
    existing = invitation_in_force(customer)
    if existing is not None:
        return existing
    held_reason = ask_hold_reason(customer=customer, kind=AskKind.HUB_INVITATION, now=now)
    if held_reason:
        return invitation_hold(customer=customer, reason=reason, held_reason=held_reason, now=now)
    invitation = invitation_send(customer=customer, reason=reason, now=now)
    events.audit(actor=None, verb="hub.invited", obj=customer, data={"reason": reason}, label="advocacy program")
    return invitation


@transaction.atomic
def hub_invitation_withdraw(*, customer: Customer, reason: str, since: dt.datetime, why: str) -> str:
    """Withdraw the invitation a trigger (``reason``, e.g. a promoter answer) caused since ``since``, as far
    as it has not reached the customer: a held one is removed, a sent one whose mail still waits in the
    outbox is cancelled with its mail and its ask. A mailed one stays (a mail cannot be unsent) and the
    audit log says so. Returns what happened: "withdrawn", "cancelled", "already mailed" or "none".
    """
    invitation = (
        HubInvitation.objects.select_for_update()
        .filter(
            customer=customer,
            reason=reason[:200],
            created_at__gte=since,
            status__in=[HubInvitationStatus.HELD, HubInvitationStatus.SENT],
        )
        .order_by("-id")
        .first()
    )
    if invitation is None:
        return "none"
    data = {"reason": invitation.reason, "why": why, "was": invitation.status}
    if invitation.status == HubInvitationStatus.HELD:
        outcome = "withdrawn"
    elif mail_cancel(key=f"hub-invitation:{invitation.pk}"):
        ask_cancel(kind=AskKind.OTHER, ref=f"hub-invitation:{invitation.pk}")
        outcome = "cancelled"
    else:
        events.audit(actor=None, verb="hub.invitation_kept", obj=customer, data=data, label="advocacy program")
        return "already mailed"
    invitation.delete()
    events.audit(actor=None, verb="hub.invitation_withdrawn", obj=customer, data=data, label="advocacy program")
    return outcome


def held_invitations_retry(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Try every held hub invitation again: sent once the customer's budget allows, else still held.

    Safe to run twice: a sent invitation is no longer held, and hub_invite refreshes a held one in place.
    """
    now = now or timezone.now()
    outcome = {HubInvitationStatus.SENT.value: 0, HubInvitationStatus.HELD.value: 0}
    held = (
        HubInvitation.objects.filter(status=HubInvitationStatus.HELD)
        .exclude(customer__advocate__active=True)  # joined meanwhile: nothing left to invite them to
        .select_related("customer")
        .order_by("id")
    )
    for invitation in list(held):
        with transaction.atomic():
            result = hub_invite(customer=invitation.customer, reason=invitation.reason, now=now)
        if result is not None and result.status in outcome:
            outcome[result.status] += 1
    return outcome


MAX_TOP_INVITES = 200


def check_top_invite(tiers: list[str], limit: int) -> None:
    errors = {}
    if not tiers or set(tiers) - set(Tier.values):
        errors["tiers"] = f"one or more of {', '.join(Tier.values)}"
    if not 1 <= limit <= MAX_TOP_INVITES:
        errors["limit"] = f"from 1 to {MAX_TOP_INVITES} at a time"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def hub_invite_top(*, tiers: list[str], limit: int, by: User | None, now: dt.datetime | None = None) -> dict[str, int]:
    """Invite the best-scored customers of these tiers who were not invited yet, each within their own
    contact budget; those over it wait with the reason (and go when invited again). Returns the counts."""
    check_top_invite(tiers, limit)
    now = now or timezone.now()
    outcome = {HubInvitationStatus.SENT.value: 0, HubInvitationStatus.HELD.value: 0}
    for customer in top_scored_not_invited(tiers=tiers, limit=limit).select_related("advocate_score"):
        if held_out(customer=customer, selected_by="top score", now=now):
            outcome[HoldoutGroup.HOLDOUT] = (
                outcome.get(HoldoutGroup.HOLDOUT, 0) + 1
            )  # kept back at random to measure what the invitation causes
            continue
        tier = Tier(customer.advocate_score.tier).label.lower()
        invitation = hub_invite(customer=customer, reason=f"top advocate score ({tier})", now=now)
        if invitation is not None:
            outcome[invitation.status] = outcome.get(invitation.status, 0) + 1
    # The program is what was acted on: its settings row stands for it in the audit log.
    data = {"tiers": tiers, "limit": limit, **outcome}
    events.audit(actor=by, verb="hub.invited_top", obj=program_settings(), data=data)
    return outcome


@transaction.atomic
def hub_join(*, customer: Customer, leaderboard_opt_out: bool = False) -> Advocate:
    """Enrol the customer, recording the version of the programme terms they agreed to."""
    terms_version = program_settings().terms_version
    advocate, created = Advocate.objects.get_or_create(
        customer=customer, defaults={"terms_version": terms_version, "leaderboard_opt_out": leaderboard_opt_out}
    )
    if not created and advocate.active:
        return advocate
    if not created:  # a returning advocate agrees to the terms in force today
        advocate.active, advocate.terms_version, advocate.leaderboard_opt_out = True, terms_version, leaderboard_opt_out
        advocate.save(update_fields=["active", "terms_version", "leaderboard_opt_out"])
    HubInvitation.objects.filter(customer=customer, status=HubInvitationStatus.SENT).update(
        status=HubInvitationStatus.JOINED
    )
    events.audit(
        actor=None,
        verb="advocate.joined",
        obj=customer,
        label=f"customer:{customer.pk}",
        data={"terms_version": terms_version, "leaderboard_opt_out": leaderboard_opt_out, "source": "portal"},
    )
    return advocate


@transaction.atomic
def leaderboard_opt_out_set(*, advocate: Advocate, opt_out: bool) -> Advocate:
    advocate.leaderboard_opt_out = opt_out
    advocate.save(update_fields=["leaderboard_opt_out"])
    events.audit(
        actor=None,
        verb="advocate.leaderboard_opt_out",
        obj=advocate.customer,
        label=f"customer:{advocate.customer_id}",
        data={"opt_out": opt_out},
    )
    return advocate


# Challenges

CHALLENGE_FIELDS = {"kind", "title", "instructions", "points", "starts_on", "ends_on", "audience", "approval", "active"}
REQUIRED_CHALLENGE_FIELDS = {"kind", "title", "instructions", "points", "starts_on"}


def check_challenge(fields: dict[str, Any], *, creating: bool) -> None:
    """Field errors first, then the FTC rule, so the editor sees the rule's own message."""
    errors: dict[str, str] = {}
    for name in sorted(set(fields) - CHALLENGE_FIELDS):
        errors[name] = f"a challenge has no field {name!r}"
    for name in sorted(REQUIRED_CHALLENGE_FIELDS - set(fields) if creating else set()):
        errors[name] = "required"
    if "kind" in fields and fields["kind"] not in ChallengeKind.values:
        errors["kind"] = f"use one of {', '.join(ChallengeKind.values)}"
    if "approval" in fields and fields["approval"] not in Approval.values:
        errors["approval"] = f"use one of {', '.join(Approval.values)}"
    if "title" in fields and not str(fields["title"] or "").strip():
        errors["title"] = "give the challenge a title"
    if "instructions" in fields and not str(fields["instructions"] or "").strip():
        errors["instructions"] = "say what the advocate should do"
    if "points" in fields and (not isinstance(fields["points"], int) or fields["points"] <= 0):
        errors["points"] = "a challenge earns a whole number of points, more than 0"
    if errors:
        raise InvalidInput(errors)
    check_sentiment_neutral({k: fields[k] for k in ("title", "instructions", "audience") if k in fields})
    if "audience" in fields:
        check_audience(fields["audience"])


def check_dates(challenge: Challenge) -> None:
    if challenge.ends_on is not None and challenge.ends_on < challenge.starts_on:
        raise InvalidInput({"ends_on": "the challenge cannot end before it starts"})


@transaction.atomic
def challenge_create(*, by: User, **fields: Any) -> Challenge:
    """A new challenge; refused if it lets points depend on a review's sentiment (16 CFR Part 465)."""
    check_challenge(fields, creating=True)
    challenge = Challenge(created_by=by, audience=fields.pop("audience", None) or {}, **fields)
    check_dates(challenge)
    challenge.save()
    events.audit(actor=by, verb="challenge.created", obj=challenge, data={"title": challenge.title})
    return challenge


@transaction.atomic
def challenge_update(*, challenge: Challenge, by: User, **fields: Any) -> Challenge:
    check_challenge(fields, creating=False)
    for name, value in fields.items():
        setattr(challenge, name, value if name != "audience" else value or {})
    check_dates(challenge)
    challenge.save()
    events.audit(actor=by, verb="challenge.updated", obj=challenge, data={"fields": sorted(fields)})
    return challenge


@dataclass
class InviteOutcome:
    asked: list[Advocate] = field(default_factory=list)
    held: list[tuple[Advocate, str]] = field(default_factory=list)


def challenge_ask_ref(challenge: Challenge, advocate: Advocate) -> str:
    return f"challenge:{challenge.pk}:advocate:{advocate.pk}"


@transaction.atomic
def challenge_invite(*, challenge: Challenge, now: dt.datetime | None = None) -> InviteOutcome:
    """Ask the audience who were not asked yet, within each one's budget; the others wait, with the reason.

    Safe to run again: those already asked are skipped, and those held are asked once their budget allows.
    """
    now = now or timezone.now()
    if not is_open(challenge, timezone.localdate(now)):
        raise ServiceError("Only an active challenge within its dates can be sent out.")
    waiting = list(challenge_waiting(challenge))
    reasons = hold_reasons(waiting, now=now)
    outcome = InviteOutcome()
    for advocate in waiting:
        if reasons[advocate.pk]:
            outcome.held.append((advocate, reasons[advocate.pk]))
            continue
        ask_record(
            customer=advocate.customer, kind=AskKind.CHALLENGE, ref=challenge_ask_ref(challenge, advocate), at=now
        )
        challenge_invitation_mail(challenge, advocate)
        outcome.asked.append(advocate)
    events.audit(
        actor=None,
        verb="challenge.invited",
        obj=challenge,
        label="advocacy program",
        data={"asked": len(outcome.asked), "held": len(outcome.held)},
    )
    return outcome


# Submissions


def check_submission(challenge: Challenge, advocate: Advocate, evidence: str, today: dt.date) -> None:
    if not advocate.active:
        raise ServiceError("Only an active advocate can take part in challenges.")
    if not is_open(challenge, today):
        raise ServiceError("This challenge is not open.")
    if not in_audience(challenge, advocate):
        raise ServiceError("This challenge is not open to you.")
    if not evidence.strip():
        raise InvalidInput({"evidence": "add a link or a few words that show what you did"})


def points_for_submission(submission: Submission) -> None:
    challenge = submission.challenge
    points_add(
        advocate=submission.advocate,
        delta=challenge.points,
        reason=f"Challenge: {challenge.title}",
        ref=f"submission:{submission.pk}",
    )


@transaction.atomic
def submission_create(
    *, challenge: Challenge, advocate: Advocate, evidence: str, now: dt.datetime | None = None
) -> Submission:
    """Record a completed challenge; an automatic challenge is approved and paid at once."""
    now = now or timezone.now()
    check_submission(challenge, advocate, evidence, timezone.localdate(now))
    automatic = challenge.approval == Approval.AUTOMATIC
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                challenge=challenge,
                advocate=advocate,
                evidence=evidence.strip(),
                submitted_at=now,
                status=SubmissionStatus.APPROVED if automatic else SubmissionStatus.PENDING,
                reviewed_at=now if automatic else None,
                review_note="approved automatically" if automatic else "",
            )
    except IntegrityError as exc:
        raise ServiceError("You have already taken part in this challenge.") from exc
    if automatic:
        points_for_submission(submission)
        badges_award(advocate)
    events.audit(
        actor=None,
        verb="submission.created",
        obj=submission,
        label=f"customer:{advocate.customer_id}",
        data={"challenge": challenge.pk, "status": submission.status},
    )
    return submission


@transaction.atomic
def submission_review(*, submission: Submission, by: User, approve: bool, note: str = "") -> Submission:
    """Approve (and pay) or reject a waiting submission; a second decision is refused."""
    status = SubmissionStatus.APPROVED if approve else SubmissionStatus.REJECTED
    decided = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.PENDING).update(
        status=status, reviewed_by=by, reviewed_at=timezone.now(), review_note=note.strip()[:300]
    )
    if decided != 1:
        raise ServiceError("This submission was already decided.")
    submission.refresh_from_db()
    if approve:
        points_for_submission(submission)
        badges_award(submission.advocate)
    events.audit(actor=by, verb=f"submission.{status}", obj=submission, data={"note": note.strip()[:300]})
    return submission


# Badges. Badge.rule is a JSON object; every key must hold (AND). Supported keys:
#   "approved_submissions": N   at least N approved submissions, any kind
#   "kind": "<challenge kind>", "count": N   at least N (default 1) approved submissions of that kind
#   "lifetime_points": N        at least N points earned (refunds do not count)
#   "level": "<level name>"     reached that level or a higher one
BADGE_RULE_KEYS = {"approved_submissions", "kind", "count", "lifetime_points", "level"}


def check_badge_rule(rule: Any) -> None:
    if not isinstance(rule, dict) or not rule:
        raise InvalidInput({"rule": 'give an object such as {"approved_submissions": 5}'})
    unknown = sorted(set(rule) - BADGE_RULE_KEYS)
    if unknown:
        raise InvalidInput({"rule": f"unknown key(s) {', '.join(unknown)}; use {', '.join(sorted(BADGE_RULE_KEYS))}"})
    if "kind" in rule and rule["kind"] not in ChallengeKind.values:
        raise InvalidInput({"rule": f"kind must be one of {', '.join(ChallengeKind.values)}"})
    if "level" in rule and rule["level"] not in [name for name, _ in LEVELS]:
        raise InvalidInput({"rule": f"level must be one of {', '.join(name for name, _ in LEVELS)}"})
    for key in ("approved_submissions", "count", "lifetime_points"):
        if key in rule and (not isinstance(rule[key], int) or rule[key] < 0):
            raise InvalidInput({"rule": f"{key} takes a whole number, 0 or more"})


@dataclass(frozen=True)
class BadgeFacts:
    approved: int
    approved_by_kind: dict[str, int]
    lifetime_points: int


def badge_facts(advocate: Advocate) -> BadgeFacts:
    by_kind = dict(
        Submission.objects.filter(advocate=advocate, status=SubmissionStatus.APPROVED)
        .values_list("challenge__kind")
        .annotate(n=Count("id"))
        .values_list("challenge__kind", "n")
    )
    return BadgeFacts(sum(by_kind.values()), by_kind, lifetime_points(advocate))


def rule_met(rule: dict[str, Any], facts: BadgeFacts) -> bool:
    """Whether the facts satisfy every key of a badge rule; an unknown key is never met."""
    if set(rule) - BADGE_RULE_KEYS:
        return False
    level_floors = dict(LEVELS)
    checks = [
        facts.approved >= rule.get("approved_submissions", 0),
        facts.lifetime_points >= rule.get("lifetime_points", 0),
        "level" not in rule or facts.lifetime_points >= level_floors.get(rule["level"], 10**12),
        "kind" not in rule or facts.approved_by_kind.get(rule["kind"], 0) >= rule.get("count", 1),
    ]
    return all(checks)


def badges_award(advocate: Advocate) -> list[AdvocateBadge]:
    """Award every badge whose rule the advocate now meets and which they do not hold yet; returns the new ones."""
    facts = badge_facts(advocate)
    held = set(AdvocateBadge.objects.filter(advocate=advocate).values_list("badge_id", flat=True))
    due = [badge for badge in Badge.objects.exclude(pk__in=held) if rule_met(badge.rule, facts)]
    new = [AdvocateBadge(advocate=advocate, badge=badge) for badge in due]
    AdvocateBadge.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent award of the same badge is fine
    return new


@transaction.atomic
def badge_create(*, by: User, name: str, description: str, rule: dict[str, Any]) -> Badge:
    check_badge_rule(rule)
    if not name.strip():
        raise InvalidInput({"name": "give the badge a name"})
    badge = Badge.objects.create(name=name.strip(), description=description.strip(), rule=rule)
    events.audit(actor=by, verb="badge.created", obj=badge, data={"rule": rule})
    return badge


# Rewards

REWARD_FIELDS = {
    "name",
    "description",
    "kind",
    "option_label",
    "options",
    "point_cost",
    "stock",
    "money_cost",
    "currency",
    "active",
}
REQUIRED_REWARD_FIELDS = {"name", "point_cost", "stock", "money_cost"}


def money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def option_errors(fields: dict[str, Any]) -> dict[str, str]:
    """The kind is one we know; the options a short list of distinct, non-empty names."""
    errors: dict[str, str] = {}
    if "kind" in fields and fields["kind"] not in RewardKind.values:
        errors["kind"] = f"use one of {', '.join(RewardKind.values)}"
    if "option_label" in fields and len(str(fields["option_label"] or "")) > 50:
        errors["option_label"] = "at most 50 characters, e.g. Size"
    if "options" in fields:
        options = fields["options"]
        names = (
            [o.strip() for o in options]
            if isinstance(options, list) and all(isinstance(o, str) for o in options)
            else None
        )
        if names is None or not all(names) or len(set(names)) != len(names) or len(names) > 30:
            errors["options"] = "a list of up to 30 distinct names, e.g. S, M, L; or none"
        elif any(len(name) > 100 for name in names):
            errors["options"] = "each option at most 100 characters"
    return errors


def check_reward(fields: dict[str, Any], *, creating: bool) -> None:
    errors: dict[str, str] = {}
    for name in sorted(set(fields) - REWARD_FIELDS):
        errors[name] = f"a reward has no field {name!r}"
    for name in sorted(REQUIRED_REWARD_FIELDS - set(fields) if creating else set()):
        errors[name] = "required"
    if "name" in fields and not str(fields["name"] or "").strip():
        errors["name"] = "give the reward a name"
    if "point_cost" in fields and (not isinstance(fields["point_cost"], int) or fields["point_cost"] <= 0):
        errors["point_cost"] = "a reward costs a whole number of points, more than 0"
    if "stock" in fields and (not isinstance(fields["stock"], int) or fields["stock"] < 0):
        errors["stock"] = "stock is a whole number, 0 or more"
    if "money_cost" in fields:
        amount = money(fields["money_cost"])
        if amount is None or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            errors["money_cost"] = "give an amount of 0 or more with at most two decimals, e.g. 25.00"
    errors.update(option_errors(fields))
    if "currency" in fields and not (
        isinstance(fields["currency"], str) and len(fields["currency"]) == 3 and fields["currency"].isalpha()
    ):
        errors["currency"] = "a three-letter currency code, e.g. USD"
    if errors:
        raise InvalidInput(errors)
    check_sentiment_neutral({k: fields[k] for k in ("name", "description") if k in fields})


def reward_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "money_cost" in values:
        values["money_cost"] = money(values["money_cost"])
    if "currency" in values:
        values["currency"] = values["currency"].upper()
    if "options" in values:
        values["options"] = [option.strip() for option in values["options"] or []]
    if "option_label" in values:
        values["option_label"] = str(values["option_label"] or "").strip()
    return values


@transaction.atomic
def reward_create(*, by: User, **fields: Any) -> Reward:
    check_reward(fields, creating=True)
    reward = Reward.objects.create(**reward_values(fields))
    events.audit(actor=by, verb="reward.created", obj=reward, data={"name": reward.name})
    return reward


@transaction.atomic
def reward_update(*, reward: Reward, by: User, **fields: Any) -> Reward:
    check_reward(fields, creating=False)
    for name, value in reward_values(fields).items():
        setattr(reward, name, value)
    reward.save(update_fields=list(fields) or None)
    events.audit(actor=by, verb="reward.updated", obj=reward, data={"fields": sorted(fields)})
    return reward


# Redemptions


class OutOfStock(ServiceError):
    def __init__(self, reward: Reward) -> None:
        super().__init__(f"“{reward.name}” is out of stock.")


def stock_take(reward: Reward) -> None:
    # A conditional UPDATE: of two requests for the last one, the database lets exactly one through.
    if Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1) != 1:
        raise OutOfStock(reward)


@transaction.atomic
def redemption_request(
    *, advocate: Advocate, reward: Reward, choice: str = "", shipping: Shipping | None = None, by: User | None = None
) -> Redemption:
    """Spend the reward's points and take one from stock; refused whole when short of either.

    The advocate's choice (a size, a colour) must be one the reward offers, and a physical reward needs
    a postal address (``shipping.check_redemption_details``); both are kept on the redemption for the
    program team who send it.
    """
    if not advocate.active:
        raise ServiceError("Only an active advocate can redeem rewards.")
    if not reward.active:
        raise ServiceError(f"“{reward.name}” is no longer offered.")
    choice = choice.strip()
    check_redemption_details(reward=reward, choice=choice, shipping=shipping)
    if reward.stock <= 0:
        raise OutOfStock(reward)
    address = shipping.values() if shipping and reward.kind == RewardKind.PHYSICAL else {}
    redemption = Redemption.objects.create(
        advocate=advocate, reward=reward, points=reward.point_cost, choice=choice, **address
    )
    # The ledger goes first: it is what decides between two concurrent spends; any refusal below
    # rolls the redemption row back with it, so nothing is half-written.
    points_add(
        advocate=advocate, delta=-reward.point_cost, reason=f"Reward: {reward.name}", ref=f"redemption:{redemption.pk}"
    )
    stock_take(reward)
    events.audit(
        actor=by,
        verb="redemption.requested",
        obj=redemption,
        label=None if by else f"customer:{advocate.customer_id}",
        data={"reward": reward.pk, "points": reward.point_cost, "choice": choice, "ships": bool(address)},
    )
    webhook_emit(
        event_type="reward.redeemed",
        payload={
            "redemption_id": redemption.pk,
            "advocate_id": advocate.pk,
            "customer_id": advocate.customer_id,
            "reward_id": reward.pk,
            "reward": reward.name,
            "choice": choice,
            "ships": bool(address),
            "points": redemption.points,
            "requested_at": redemption.requested_at,
        },
        key=f"reward.redeemed:{redemption.pk}",
    )
    return redemption


# action → (the statuses it may start from, the status it leads to)
REDEMPTION_ACTIONS: dict[str, tuple[list[str], str]] = {
    "approve": ([RedemptionStatus.REQUESTED], RedemptionStatus.APPROVED),
    "fulfil": ([RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED], RedemptionStatus.FULFILLED),
    "cancel": ([RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED], RedemptionStatus.CANCELLED),
}
DONE = {"approve": "approved", "fulfil": "fulfilled", "cancel": "cancelled"}


def redemption_refund(redemption: Redemption) -> None:
    points_add(
        advocate=redemption.advocate,
        delta=redemption.points,
        reason=f"Refund: {redemption.reward.name}",
        ref=f"{REFUND_PREFIX}{redemption.pk}",
    )
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)


@transaction.atomic
def redemption_decide(*, redemption: Redemption, by: User, action: str, note: str = "") -> Redemption:
    """Approve, fulfil or cancel a redemption; cancelling refunds the points and puts the item back in stock."""
    if action not in REDEMPTION_ACTIONS:
        raise InvalidInput({"action": f"use one of {', '.join(REDEMPTION_ACTIONS)}"})
    sources, target = REDEMPTION_ACTIONS[action]
    # Conditional on the current status, so two managers clicking at once cannot refund twice.
    moved = Redemption.objects.filter(pk=redemption.pk, status__in=sources).update(
        status=target, decided_by=by, decided_at=timezone.now(), note=note.strip()[:300]
    )
    if moved != 1:
        redemption.refresh_from_db()
        raise ServiceError(f"This redemption is {redemption.status}; it cannot be {DONE[action]}.")
    redemption.refresh_from_db()
    if target == RedemptionStatus.CANCELLED:
        redemption_refund(redemption)
    events.audit(actor=by, verb=f"redemption.{target}", obj=redemption, data={"note": note.strip()[:300]})
    return redemption
