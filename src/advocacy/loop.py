"""The loop's cross-app rules, in one readable place. Each can be switched off on the case settings page.

    detractor or low CSAT  ──► a case owned by the customer's primary customer advocate
    (its comment)          ──► a note on the case the answer opened
    case resolved          ──► a CSAT survey, within the contact policy
    promoter answer        ──► an invitation to the advocate hub, within the contact policy

Apps call these functions after their own writes commit (the only calls that go up the floors);
nothing here runs from signals.
"""

from __future__ import annotations

import logging
from datetime import datetime

from advocacy.advocates.hub.services import hub_invite
from advocacy.casework.cases.services import case_add_feedback_comment, case_from_feedback
from advocacy.casework.models import Case
from advocacy.core import switches
from advocacy.core.errors import ServiceError
from advocacy.core.events import audit
from advocacy.core.switches import Rule, enabled, register_rule, rule_switch
from advocacy.feedback import scales
from advocacy.feedback.models import Response
from advocacy.feedback.scales import is_promoter, is_unhappy
from advocacy.feedback.surveys.services import after_case_survey, transactional_invite

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
    """Feedback calls this after an answer is stored or changed. `now` is when the rule acts (the
    demo replays answers that came in earlier); by default, now."""
    response = Response.objects.select_related("customer", "survey").filter(pk=response_id).first()
    if response is None or response.customer is None:
        return
    if is_unhappy(response.kind, response.score) and enabled(DETRACTOR_OPENS_CASE):
        try:
            case_from_feedback(response=response, now=now)
        except ServiceError as refused:
            # The answer is the customer's and stays stored; the missed follow-up is left where an
            # admin will see it (the audit log) instead of failing the customer's click.
            logger.warning("response %s: no case opened: %s", response.pk, refused)
            audit(actor=None, verb="loop.case_not_opened", obj=response, data={"reason": str(refused)}, label="loop")
    elif is_promoter(response.kind, response.score) and enabled(PROMOTER_INVITED_TO_HUB):
        hub_invite(customer=response.customer, reason=f"promoter answer: NPS {response.score}")


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
