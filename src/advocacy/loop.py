"""The loop's cross-app rules, in one readable place. Each can be switched off on the case settings page.

    detractor or low CSAT  ──► a case owned by the customer's primary customer advocate
    (its comment)          ──► a note on the case the answer opened
    case resolved          ──► a CSAT survey, within the contact policy
    promoter answer        ──► an invitation to the advocate hub, within the contact policy
    negative mention       ──► a case for the known customer's customer advocate (listening)
    positive mention       ──► a hub invitation for a known non-member, within the contact policy
    member's mention       ──► a submission to an open "share a post" challenge, for review
    undisclosed post       ──► one polite disclosure reminder to the rewarded advocate
    a changed answer       ──► the follow-up the earlier score caused is updated or withdrawn

The answer rules act on settled answers only (a person's confirmed click; a change once it has stood
for ANSWER_SETTLE_SECONDS), and on the difference from the score they acted on before. A one-click
answer reaches them in the worker, by the follow-up run its click wakes (``follow_up_answers``; the
click only stores the answer), with the answer locked while they act, so a run that goes twice acts once.

Apps call these functions after their own writes commit (the only calls that go up the floors);
nothing here runs from signals.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from advocacy.advocates.holdout.services import held_out
from advocacy.advocates.hub.queries import active_advocate, open_challenges
from advocacy.advocates.hub.services import hub_invitation_withdraw, hub_invite, submission_create
from advocacy.advocates.models import Advocate, Approval, ChallengeKind
from advocacy.casework.cases.services import (
    case_add_feedback_comment,
    case_feedback_changed,
    case_from_feedback,
    case_from_mention,
    primary_advocate_of,
)
from advocacy.casework.models import OPEN_STATUSES, Case
from advocacy.core import switches
from advocacy.core.errors import ServiceError
from advocacy.core.events import audit
from advocacy.core.switches import Rule, enabled, register_rule, rule_switch
from advocacy.feedback import scales
from advocacy.feedback.answers.follow_up import FollowUp, register_follow_up
from advocacy.feedback.answers.services import answer_acted
from advocacy.feedback.models import Response
from advocacy.feedback.scales import is_promoter, is_unhappy
from advocacy.feedback.surveys.services import after_case_survey, transactional_invite
from advocacy.listening.authenticity.services import disclosure_remind
from advocacy.listening.mentions.queries import NEGATIVE_BELOW, POSITIVE_ABOVE
from advocacy.listening.models import Mention

__all__ = ["RULES", "Rule", "enabled", "rule_switch"]

logger = logging.getLogger(__name__)

DETRACTOR_OPENS_CASE = register_rule(
    Rule(
        "detractor_opens_case",
        f"A detractor answer (NPS 0–{scales.DETRACTOR_MAX}) or low CSAT (1–{scales.CSAT_UNHAPPY_MAX}) opens a case "
        "owned by the customer's primary customer advocate, or joins their open case.",
    )
)
RESOLVED_CASE_SENDS_CSAT = register_rule(
    Rule(
        "resolved_case_sends_csat",
        "Resolving a case sends the customer a CSAT survey, within the contact policy.",
    )
)
PROMOTER_INVITED_TO_HUB = register_rule(
    Rule(
        "promoter_invited_to_hub",
        f"A promoter answer (NPS {scales.PROMOTER_MIN}–10) invites the customer to the advocate hub, unless they "
        "are a member already.",
    )
)
RULES = switches.RULES
AFTER_CASE_SURVEY = "CSAT after a case"


def response_recorded(response_id: int, *, now: datetime | None = None) -> None:
    """Feedback calls this once an answer is settled: for a one-click answer from the worker, by the task
    queued with its confirmation (``answer_follow_up``, the answer locked); for the web survey and the API
    after the answer commits; and after a change once it has stood unchanged for ANSWER_SETTLE_SECONDS. The loop
    acts on the difference between the score it acted on before and the score now, so calling it twice
    does nothing more. `now` is when the rule acts (the demo replays answers that came in earlier)."""
    response = Response.objects.select_related("customer", "survey").filter(pk=response_id).first()
    if response is not None:
        response_settled(response, now=now)


def response_settled(response: Response, *, now: datetime | None = None) -> None:
    """``response_recorded`` for an answer its caller has read already (the worker's follow-up, which
    holds the answer's row locked), with its customer and survey."""
    before, after = response.acted_score, response.score
    if before != after and response.customer is not None:
        case_follow_up(response, before, now=now)
        hub_follow_up(response, before, now=now)
    answer_acted(response_id=response.pk, score=after)


def case_follow_up(response: Response, before: int | None, *, now: datetime | None) -> None:
    """An unhappy score opens (or joins) a case; a score changed away from unhappy withdraws it."""
    if before is not None and is_unhappy(response.kind, before):
        # The case (or the note on an open case) the earlier score caused learns of the change; if the
        # answer is no longer unhappy the follow-up is withdrawn there, for its owner to close.
        case_feedback_changed(response=response, before=before, withdrawn=not is_unhappy(response.kind, response.score))
        return
    if not is_unhappy(response.kind, response.score) or not enabled(DETRACTOR_OPENS_CASE):
        return
    try:
        case_from_feedback(response=response, now=now)
        if before is not None:  # a withdrawn follow-up that stands again
            case_feedback_changed(response=response, before=before, withdrawn=False)
    except ServiceError as refused:
        # The answer is the customer's and stays stored; the missed follow-up is left where an
        # admin will see it (the audit log) instead of failing the customer's click.
        logger.warning("response %s: no case opened: %s", response.pk, refused)
        audit(actor=None, verb="loop.case_not_opened", obj=response, data={"reason": str(refused)}, label="loop")


def hub_follow_up(response: Response, before: int | None, *, now: datetime | None) -> None:
    """A promoter score invites to the hub; a score changed away from promoter withdraws an invitation
    that has not reached the customer yet."""
    assert response.customer is not None
    was_promoter = before is not None and is_promoter(response.kind, before)
    promoter = is_promoter(response.kind, response.score)
    if was_promoter and not promoter:
        hub_invitation_withdraw(
            customer=response.customer,
            reason=promoter_reason(before),
            since=response.answered_at,
            why=f"the customer changed their answer from {response.kind.upper()} {before} to {response.score}",
        )
    elif promoter and not was_promoter and enabled(PROMOTER_INVITED_TO_HUB):
        if held_out(customer=response.customer, selected_by="promoter answer", now=now):
            return  # the randomized holdout keeps this customer back, to measure what the invitation causes
        hub_invite(customer=response.customer, reason=promoter_reason(response.score), now=now)


def follow_up_of(response: Response) -> FollowUp | None:
    """The open case this answer opened (or joined): its owner follows up, by its first-response promise."""
    case = (
        Case.objects.filter(origin=f"response:{response.pk}").select_related("owner").first()
        or Case.objects.filter(events__data__response=response.pk)
        .select_related("owner")
        .order_by("-created_at")
        .first()
    )
    if case is None:
        return pending_follow_up(response)
    return follow_up_by(case) if case.is_open else None


def follow_up_by(case: Case) -> FollowUp:
    """The case's owner, by the promise the customer waits on: the first response, then the next update."""
    promised = case.first_response_due if case.first_response_at is None else case.next_update_due
    return FollowUp(who=case.owner.display_name, by=promised, case_id=case.pk)


def pending_follow_up(response: Response) -> FollowUp | None:
    """Right after a one-click answer the worker has not opened the case yet (it does within seconds).
    Name who will follow up only where that is already certain: the owner of the customer's open case,
    which the answer will join, or the customer's own primary customer advocate."""
    customer = response.customer
    if customer is None or not is_unhappy(response.kind, response.score) or not enabled(DETRACTOR_OPENS_CASE):
        return None
    joined = (
        Case.objects.filter(customer=customer, status__in=OPEN_STATUSES)
        .select_related("owner")
        .order_by("-created_at")
        .first()
    )
    if joined is not None:
        return follow_up_by(joined)
    primary = primary_advocate_of(customer)
    return FollowUp(who=primary.display_name, by=None, case_id=None) if primary is not None else None


register_follow_up(follow_up_of)


def promoter_reason(score: int | None) -> str:
    return f"promoter answer: NPS {score}"


def comment_added(response_id: int) -> None:
    """Feedback calls this after a comment is stored on an answer: part of the detractor rule, the comment
    reaches the case the score opened."""
    if not enabled(DETRACTOR_OPENS_CASE):
        return
    response = Response.objects.filter(pk=response_id).first()
    if response is not None:
        case_add_feedback_comment(response=response)


def case_resolved(case_id: int) -> None:
    """Casework calls this after a case is resolved."""
    if not enabled(RESOLVED_CASE_SENDS_CSAT):
        return
    case = Case.objects.select_related("customer").get(pk=case_id)
    invitation = transactional_invite(
        survey=after_case_survey(AFTER_CASE_SURVEY), customer=case.customer, trigger=f"case:{case.pk}"
    )
    logger.info(
        "case %s resolved: CSAT invitation %s is %s %s",
        case.pk,
        invitation.pk,
        invitation.status,
        invitation.held_reason,
    )


# Listening (issue 10): what a public mention sets going.

NEGATIVE_MENTION_OPENS_CASE = register_rule(
    Rule(
        "negative_mention_opens_case",
        "A negative mention or review by a known customer opens a case owned by their customer advocate, or "
        "joins their open case.",
    )
)
POSITIVE_MENTION_INVITED_TO_HUB = register_rule(
    Rule(
        "positive_mention_invited_to_hub",
        "A positive mention by a known customer who is not a hub member invites them to the hub, within the "
        "contact budget.",
    )
)
MENTION_ANSWERS_SHARE_CHALLENGE = register_rule(
    Rule(
        "mention_answers_share_challenge",
        "A hub member's mention that matches an open “share a post” challenge becomes a submission awaiting review.",
    )
)
UNDISCLOSED_POST_REMINDER = register_rule(
    Rule(
        "undisclosed_post_reminder",
        "A rewarded advocate's post without a disclosure brings them one polite reminder, within the contact budget.",
    )
)


def mention_recorded(mention_id: int) -> None:
    """Listening calls this after a new mention is stored."""
    mention = Mention.objects.select_related("customer", "source").filter(pk=mention_id).first()
    if mention is None or mention.customer is None:
        return
    if mention.sentiment < NEGATIVE_BELOW and enabled(NEGATIVE_MENTION_OPENS_CASE):
        try:
            case_from_mention(
                customer=mention.customer,
                mention_id=mention.pk,
                text=mention.text,
                url=mention.canonical_url,
                where=mention.source.name,
                now=None,
            )
        except ServiceError as refused:
            logger.warning("mention %s: no case opened: %s", mention.pk, refused)
            audit(actor=None, verb="loop.case_not_opened", obj=mention, data={"reason": str(refused)}, label="loop")
    advocate = active_advocate(mention.customer.pk)
    invite = mention.sentiment > POSITIVE_ABOVE and advocate is None and enabled(POSITIVE_MENTION_INVITED_TO_HUB)
    # The same randomized holdout as the promoter rule: a held-out customer is invited by no rule.
    if invite and not held_out(customer=mention.customer, selected_by="positive mention"):
        hub_invite(customer=mention.customer, reason=f"positive mention: {mention.source.name}")
    if advocate is not None and enabled(MENTION_ANSWERS_SHARE_CHALLENGE):
        share_submission(mention, advocate)
    if enabled(UNDISCLOSED_POST_REMINDER):
        disclosure_remind(mention=mention)


def share_submission(mention: Mention, advocate: Advocate) -> None:
    """The first open share challenge (manual approval, so a person reviews it) the mention answers."""
    for challenge in open_challenges(advocate, timezone.localdate()):
        if challenge.kind != ChallengeKind.SHARE or challenge.approval != Approval.MANUAL:
            continue
        try:
            submission_create(
                challenge=challenge, advocate=advocate, evidence=mention.canonical_url or mention.text[:500]
            )
        except ServiceError:
            continue  # already entered, or not theirs to enter
        return
