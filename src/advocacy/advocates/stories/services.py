"""Stories and quotes: consent with a scope and an expiry, nothing published beyond either, a verified mark
that only real orders earn, and a visible disclosure on anything tied to a reward.

Consent. The story form records the advocate's consent twice, on purpose: on the story (its scope,
named or anonymous, expiry — what this one story may be used for) and as a customer Consent row
(``public_story`` for the website and social media, ``testimonial`` for internal use and quotes), the
record the customer can withdraw from the portal at any time. A story is published only while both allow it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from advocacy.advocates.models import (
    Advocate,
    Story,
    StoryScope,
    StoryStatus,
    Submission,
)
from advocacy.advocates.stories.queries import rank
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.consent import consents_in_force
from advocacy.customers.models import ConsentPurpose, Customer
from advocacy.customers.records.services import consent_record

CONSENT_SOURCE = "story form"


class NotPublishable(ServiceError):
    """Publishing would go beyond the consent (scope, expiry, or a withdrawn consent)."""


def consent_purposes(*, scope: str, quote: str) -> list[str]:
    """Which customer consents a story form grants: public_story for public use, testimonial for the rest."""
    purposes: list[str] = [ConsentPurpose.PUBLIC_STORY] if rank(scope) > rank(StoryScope.INTERNAL) else []
    if quote.strip() or not purposes:
        purposes.append(ConsentPurpose.TESTIMONIAL)
    return purposes


# Submitting


def check_story(
    *,
    advocate: Advocate,
    title: str,
    body: str,
    consent_scope: str,
    consent_expires_on: date | None,
    submission: Submission | None,
    today: date,
) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "give the story a title"
    if not body.strip():
        errors["body"] = "tell the story"
    if consent_scope not in StoryScope.values:
        errors["consent_scope"] = f"one of: {', '.join(StoryScope.values)}"
    if consent_expires_on is not None and consent_expires_on <= today:
        errors["consent_expires_on"] = "an expiry date must be in the future"
    if submission is not None and submission.advocate_id != advocate.pk:
        errors["submission"] = "that challenge entry belongs to someone else"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def story_submit(
    *,
    advocate: Advocate,
    title: str,
    body: str,
    quote: str = "",
    consent_scope: str,
    named: bool,
    consent_expires_on: date | None,
    submission: Submission | None = None,
) -> Story:
    """Record the story and the consent that comes with it; a story tied to a challenge entry is incentivised."""
    now = timezone.now()
    check_story(
        advocate=advocate,
        title=title,
        body=body,
        consent_scope=consent_scope,
        consent_expires_on=consent_expires_on,
        submission=submission,
        today=timezone.localdate(now),
    )
    story = Story.objects.create(
        advocate=advocate,
        title=title.strip(),
        body=body.strip(),
        quote=quote.strip(),
        consent_scope=consent_scope,
        named=named,
        consent_expires_on=consent_expires_on,
        consent_recorded_at=now,
        submission=submission,
    )
    note = (
        f"story {story.pk}: {StoryScope(consent_scope).label}, {'named' if named else 'anonymous'}, "
        f"{'until ' + consent_expires_on.isoformat() if consent_expires_on else 'no expiry'}"
    )
    for purpose in consent_purposes(scope=consent_scope, quote=quote):
        consent_record(
            customer=advocate.customer,
            purpose=purpose,
            granted=True,
            source=CONSENT_SOURCE,
            by=None,
            note=note,
            recorded_at=now,
        )
    return story


# Publishing


def consent_in_force(customer: Customer, scope: str) -> bool:
    """The customer's consent in force allows this scope (it may have been withdrawn in the portal)."""
    wanted = scope_purposes(scope)
    state = consents_in_force([customer.pk], wanted)
    return any(state.get((customer.pk, p)) for p in wanted)


def scope_purposes(scope: str) -> list[str]:
    """Public use needs public_story; internal use is allowed by either public_story or testimonial."""
    if rank(scope) > 0:
        return [ConsentPurpose.PUBLIC_STORY]
    return [ConsentPurpose.PUBLIC_STORY, ConsentPurpose.TESTIMONIAL]


def check_publish(*, story: Story, scope: str, today: date) -> None:
    if scope not in StoryScope.values:
        raise InvalidInput({"scope": f"one of: {', '.join(StoryScope.values)}"})
    if story.status == StoryStatus.WITHDRAWN:
        raise NotPublishable("This story was withdrawn.")
    if rank(scope) > rank(story.consent_scope):
        agreed = StoryScope(story.consent_scope).label.lower().removesuffix(" only")
        raise NotPublishable(f"The advocate agreed to {agreed} only, not {StoryScope(scope).label.lower()}.")
    if story.consent_expires_on is not None and story.consent_expires_on < today:
        raise NotPublishable(f"The consent expired on {story.consent_expires_on:%Y-%m-%d}.")
    if not consent_in_force(story.advocate.customer, scope):
        raise NotPublishable("The customer has no consent in force for this use (it may have been withdrawn).")


def story_publish(*, story: Story, scope: str, by: User | None, today: date | None = None) -> Story:
    """Publish within the consent, or refuse with the reason. The database refuses a scope beyond it too."""
    check_publish(story=story, scope=scope, today=today or timezone.localdate())
    story.status, story.published_scope, story.published_at = StoryStatus.PUBLISHED, scope, timezone.now()
    with transaction.atomic():
        story.save(update_fields=["status", "published_scope", "published_at"])
        events.audit(actor=by, verb="story.published", obj=story, data={"scope": scope})
    return story


def story_withdraw(*, story: Story, by: User | None, reason: str = "") -> Story:
    story.status, story.published_scope, story.published_at = StoryStatus.WITHDRAWN, "", None
    with transaction.atomic():
        story.save(update_fields=["status", "published_scope", "published_at"])
        events.audit(actor=by, verb="story.withdrawn", obj=story, data={"reason": reason.strip()})
    return story


# Reads


# Export
