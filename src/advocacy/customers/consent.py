"""Consent in force, and the one rule for which consent each kind of ask of a customer needs.

A customer's consent is a history of grants and withdrawals per purpose; rows are never changed and
the latest row per purpose is in force. Every ask the company makes of a customer is checked here,
whatever app makes it:

| ask                      | needs a grant of                  | refused after a withdrawal of      |
| ------------------------ | --------------------------------- | ---------------------------------- |
| survey invitation        | surveys                           | surveys                            |
| hub invitation           | nothing (joining records terms)   | marketing                          |
| challenge invitation     | nothing (a member agreed to terms)| marketing                          |
| reference call request   | reference_call                    | reference_call, marketing          |
| story (asked, published) | testimonial or public_story       | the same (by the story's scope)    |
| disclosure reminder      | nothing (about their own posts)   | marketing                          |

The unsubscribe link in every mail (RFC 8058 one-click) is global: it records a withdrawal of both
surveys and marketing, so it stops every ask above. Mail the customer asked for (updates on their
own case, their appointments, their sign-in links, their redemptions) is not an ask and still goes.
A story needs consent for its scope and is checked again when it is published (stories/services).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery

from advocacy.customers.models import Consent, ConsentPurpose, Customer


class AskKind(models.TextChoices):
    """Each kind of ask, for the consent rule and the contact ledger (which records a hub invitation as
    "other", as it always has)."""

    SURVEY = "survey", "Survey invitation"
    HUB_INVITATION = "hub_invitation", "Hub invitation"
    CHALLENGE = "challenge", "Advocate challenge"
    REFERENCE = "reference", "Reference request"
    STORY = "story", "Story request"
    DISCLOSURE = "disclosure", "Disclosure reminder"
    OTHER = "other", "Other ask"


@dataclass(frozen=True)
class AskConsent:
    needs: tuple[str, ...]  # a grant of one of these must be in force
    refused_by: tuple[str, ...]  # a withdrawal of any of these refuses the ask


ASK_CONSENT: dict[str, AskConsent] = {
    AskKind.SURVEY: AskConsent(needs=(ConsentPurpose.SURVEYS,), refused_by=(ConsentPurpose.SURVEYS,)),
    AskKind.HUB_INVITATION: AskConsent(needs=(), refused_by=(ConsentPurpose.MARKETING,)),
    AskKind.CHALLENGE: AskConsent(needs=(), refused_by=(ConsentPurpose.MARKETING,)),
    AskKind.REFERENCE: AskConsent(
        needs=(ConsentPurpose.REFERENCE_CALL,), refused_by=(ConsentPurpose.REFERENCE_CALL, ConsentPurpose.MARKETING)
    ),
    AskKind.STORY: AskConsent(
        needs=(ConsentPurpose.PUBLIC_STORY, ConsentPurpose.TESTIMONIAL),
        refused_by=(),  # a story's scope decides which withdrawal takes it down: stories/services
    ),
    AskKind.DISCLOSURE: AskConsent(needs=(), refused_by=(ConsentPurpose.MARKETING,)),
    AskKind.OTHER: AskConsent(needs=(), refused_by=(ConsentPurpose.MARKETING,)),
}
UNSUBSCRIBE_WITHDRAWS: tuple[str, ...] = (ConsentPurpose.SURVEYS, ConsentPurpose.MARKETING)


def purposes_for(kind: str) -> tuple[str, ...]:
    rule = ASK_CONSENT[kind]
    return tuple(dict.fromkeys((*rule.needs, *rule.refused_by)))


def in_force(purpose: str, customer_ref: str = "pk") -> Subquery:
    """The granted flag of the latest row for this purpose (None when there is none), for annotations."""
    latest = Consent.objects.filter(customer=OuterRef(customer_ref), purpose=purpose).order_by("-recorded_at", "-id")
    return Subquery(latest.values("granted")[:1])


def annotation(purpose: str) -> str:
    return f"consent_{purpose}"


def with_consent(customers: QuerySet[Customer], purposes: Iterable[str]) -> QuerySet[Customer]:
    """Annotate ``consent_<purpose>`` (True, False or None) for each purpose, in the same query."""
    return customers.annotate(**{annotation(p): in_force(p) for p in purposes})


def customers_consenting(purpose: str) -> QuerySet[Customer]:
    """Customers whose latest consent row for the purpose is a grant: one query, any size."""
    return with_consent(Customer.objects.all(), [purpose]).filter(**{annotation(purpose): True})


def consents_in_force(
    customer_ids: Iterable[int], purposes: Iterable[str] | None = None
) -> dict[tuple[int, str], bool]:
    """(customer id, purpose) → granted, for the latest row of each; pairs without a row are absent."""
    ids = list(customer_ids)
    state: dict[tuple[int, str], bool] = {}
    if not ids:
        return state
    rows = Consent.objects.filter(customer_id__in=ids)
    if purposes is not None:
        rows = rows.filter(purpose__in=list(purposes))
    ordered = rows.order_by("customer_id", "purpose", "-recorded_at", "-id")
    for customer_id, purpose, granted in ordered.values_list("customer_id", "purpose", "granted"):
        state.setdefault((customer_id, purpose), granted)
    return state


def in_force_among(history: Iterable[Consent]) -> dict[str, Consent]:
    """purpose → the row in force, from one customer's rows given newest first (as the 360 loads them)."""
    latest: dict[str, Consent] = {}
    for row in history:
        latest.setdefault(row.purpose, row)
    return latest


def label(purpose: str) -> str:
    return str(ConsentPurpose(purpose).label).lower()


def refusal(kind: str, state: Mapping[str, bool | None]) -> str:
    """Why consent refuses this ask, given purpose → granted in force (None or absent: no row); "" if it may go."""
    rule = ASK_CONSENT[kind]
    for purpose in rule.refused_by:
        if state.get(purpose) is False:
            return f"withdrew consent to {label(purpose)} (or unsubscribed)"
    if rule.needs and not any(state.get(p) for p in rule.needs):
        if len(rule.needs) == 1:
            return f"no consent to {label(rule.needs[0])} on record"
        return f"no consent to {' or '.join(label(p) for p in rule.needs)} on record"
    return ""


def refusal_of(customer: Customer, kind: str) -> str:
    """The refusal for a customer annotated by ``with_consent`` with this ask's purposes."""
    return refusal(kind, {p: getattr(customer, annotation(p)) for p in purposes_for(kind)})


def refusals(customer_ids: Iterable[int], kind: str) -> dict[int, str]:
    """customer id → why consent refuses this ask, for those it refuses; one query for any number."""
    ids = list(customer_ids)
    state = consents_in_force(ids, purposes_for(kind))
    reasons = {}
    for customer_id in ids:
        reason = refusal(kind, {p: state.get((customer_id, p)) for p in purposes_for(kind)})
        if reason:
            reasons[customer_id] = reason
    return reasons


# --- who is told when consent changes ------------------------------------------------------------
# Apps above customers (outreach publishes ``consent.changed`` webhooks) cannot be imported here, so
# they register a listener from their ready(). Every write of consent calls ``consent_changed``
# inside its transaction; a listener only writes (it queues work that runs after commit).

ConsentListener = Callable[[list[Consent]], None]
CONSENT_LISTENERS: dict[str, ConsentListener] = {}


def listen_to_consent(name: str, listener: ConsentListener) -> None:
    CONSENT_LISTENERS[name] = listener


def consent_changed(consents: list[Consent]) -> None:
    if consents:
        for listener in CONSENT_LISTENERS.values():
            listener(consents)
