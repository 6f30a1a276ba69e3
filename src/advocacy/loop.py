"""The loop's cross-app rules, in one readable place. Each can be switched off on the loop page.

    detractor or low CSAT ──► a case owned by the customer's primary customer advocate
    case resolved         ──► a CSAT survey, within the contact-fatigue policy
    promoter answer       ──► an invitation to the advocate hub, within the contact-fatigue policy

Apps call these functions after their own writes commit; nothing here runs from signals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from advocacy.core.models import LoopRule, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    default: bool = True


DETRACTOR_OPENS_CASE = Rule(
    "detractor_opens_case",
    "A detractor answer (NPS 0–6) or low CSAT (1–2) opens a case owned by the customer's primary customer "
    "advocate, or joins their open case.",
)
RESOLVED_CASE_SENDS_CSAT = Rule(
    "resolved_case_sends_csat",
    "Resolving a case sends the customer a CSAT survey, within the contact policy.",
)
PROMOTER_INVITED_TO_HUB = Rule(
    "promoter_invited_to_hub",
    "A promoter answer (NPS 9–10) invites the customer to the advocate hub, unless they are a member already.",
)
RULES: list[Rule] = [DETRACTOR_OPENS_CASE, RESOLVED_CASE_SENDS_CSAT, PROMOTER_INVITED_TO_HUB]
AFTER_CASE_SURVEY = "CSAT after a case"


def enabled(rule: Rule) -> bool:
    row = LoopRule.objects.filter(key=rule.key).first()
    return rule.default if row is None else row.enabled


@transaction.atomic
def rule_switch(*, rule: Rule, on: bool, by: User | None) -> None:
    LoopRule.objects.update_or_create(key=rule.key, defaults={"enabled": on, "changed_by": by})


def is_unhappy(kind: str, score: int) -> bool:
    return (kind == "nps" and score <= 6) or (kind == "csat" and score <= 2)


def is_promoter(kind: str, score: int) -> bool:
    return kind == "nps" and score >= 9


def response_recorded(response_id: int, *, now: datetime | None = None) -> None:
    """Feedback calls this after an answer is stored or changed. `now` is when the rule acts (the
    demo replays answers that came in earlier); by default, now."""
    from advocacy.feedback.models import Response

    response = Response.objects.select_related("customer", "survey").filter(pk=response_id).first()
    if response is None or response.customer is None:
        return
    if is_unhappy(response.kind, response.score) and enabled(DETRACTOR_OPENS_CASE):
        from advocacy.casework.cases.services import case_from_feedback
        from advocacy.core.errors import ServiceError
        from advocacy.core.events import audit

        try:
            case_from_feedback(response=response, now=now)
        except ServiceError as refused:
            # The answer is the customer's and stays stored; the missed follow-up is left where an
            # admin will see it (the audit log) instead of failing the customer's click.
            logger.warning("response %s: no case opened: %s", response.pk, refused)
            audit(actor=None, verb="loop.case_not_opened", obj=response, data={"reason": str(refused)}, label="loop")
    elif is_promoter(response.kind, response.score) and enabled(PROMOTER_INVITED_TO_HUB):
        from advocacy.advocates.hub.services import hub_invite

        hub_invite(customer=response.customer, reason=f"promoter answer: NPS {response.score}")


def case_resolved(case_id: int) -> None:
    """Casework calls this after a case is resolved."""
    if not enabled(RESOLVED_CASE_SENDS_CSAT):
        return
    from advocacy.casework.models import Case
    from advocacy.feedback.surveys.services import after_case_survey, transactional_invite

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
