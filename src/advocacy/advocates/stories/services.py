"""Stories and quotes: consent with a scope and an expiry, nothing published beyond either, a verified mark
that only real orders earn, and a visible disclosure on anything tied to a reward.

Consent. The story form records the advocate's consent twice, on purpose: on the story (its scope,
named or anonymous, expiry — what this one story may be used for) and as a customer Consent row
(``public_story`` for the website and social media, ``testimonial`` for internal use and quotes), the
record the customer can withdraw from the portal at any time. A story is published only while both allow it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks

from advocacy.advocates.models import (
    SCOPE_RANK,
    Advocate,
    Story,
    StoryScope,
    StoryStatus,
    Submission,
)
from advocacy.advocates.program.services import program_settings
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import AccountKind, Consent, ConsentPurpose, Customer, Order
from advocacy.customers.records.services import consent_record

CONSENT_SOURCE = "story form"


class NotPublishable(ServiceError):
    """Publishing would go beyond the consent (scope, expiry, or a withdrawn consent)."""


def rank(scope: str) -> int:
    return SCOPE_RANK[StoryScope(scope)]


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
    """The customer's latest consent row allows this scope (it may have been withdrawn in the portal)."""
    wanted = (
        [ConsentPurpose.PUBLIC_STORY] if rank(scope) > 0 else [ConsentPurpose.PUBLIC_STORY, ConsentPurpose.TESTIMONIAL]
    )
    latest = {}
    for purpose, granted in (
        Consent.objects.filter(customer=customer, purpose__in=wanted)
        .order_by("recorded_at", "id")
        .values_list("purpose", "granted")
    ):
        latest[purpose] = granted  # later rows overwrite earlier ones: the last is in force
    return any(latest.get(p) for p in wanted)


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


def own_orders() -> QuerySet[Order]:
    # An order of one of our own products: competitors' products are in the catalogue for recommendations.
    return Order.objects.filter(product__competitor="")


def verified_customer(customer: Customer) -> bool:
    """A verified customer has at least one real order on record — never a self-declaration."""
    return own_orders().filter(customer=customer).exists()


def latest_grant(purpose: str) -> Subquery:
    latest = Consent.objects.filter(customer=OuterRef("advocate__customer_id"), purpose=purpose).order_by(
        "-recorded_at", "-id"
    )
    return Subquery(latest.values("granted")[:1])


def published_stories(scope: str = StoryScope.WEBSITE, today: date | None = None) -> QuerySet[Story]:
    """Stories published at this scope or wider, whose consent has neither expired nor been withdrawn."""
    today = today or timezone.localdate()
    wider = [s for s in StoryScope.values if rank(s) >= rank(scope)]
    return (
        Story.objects.filter(status=StoryStatus.PUBLISHED, published_scope__in=wider)
        .filter(Q(consent_expires_on__isnull=True) | Q(consent_expires_on__gte=today))
        .annotate(
            public_now=latest_grant(ConsentPurpose.PUBLIC_STORY),
            testimonial_now=latest_grant(ConsentPurpose.TESTIMONIAL),
            verified=Exists(own_orders().filter(customer=OuterRef("advocate__customer_id"))),
        )
        .filter(Q(public_now=True) | Q(published_scope=StoryScope.INTERNAL, testimonial_now=True))
        .select_related("advocate__customer__account")
        .order_by("-published_at", "-id")
    )


def stories_matching(*, status: str = "") -> QuerySet[Story]:
    stories = Story.objects.select_related("advocate__customer__account", "submission").annotate(
        verified=Exists(own_orders().filter(customer=OuterRef("advocate__customer_id")))
    )
    if status:
        stories = stories.filter(status=status)
    return stories.order_by("-consent_recorded_at", "-id")


def stories_of(advocate: Advocate) -> QuerySet[Story]:
    return Story.objects.filter(advocate=advocate).order_by("-consent_recorded_at", "-id")


# Export


def attribution(story: Story) -> str:
    """The name when the advocate agreed to be named; otherwise who they are without saying who."""
    customer = story.advocate.customer
    account = customer.account
    if story.named:
        company = account.name if account and account.kind == AccountKind.BUSINESS else ""
        return ", ".join(part for part in [customer.full_name or "A customer", company] if part)
    where = ", ".join(part for part in [account.industry if account else "", account.region if account else ""] if part)
    return f"A customer in {where}" if where else "A customer"


@dataclass
class StoryCard:
    """One story as the outside world may see it."""

    id: int
    title: str
    body: str
    quote: str
    by: str
    verified_customer: bool
    incentivised: bool
    disclosure: str
    scope: str
    published_at: datetime | None


def is_verified(story: Story) -> bool:
    # published_stories() annotates it in the same query; other lists ask per story.
    verified = getattr(story, "verified", None)
    return bool(verified) if verified is not None else verified_customer(story.advocate.customer)


def story_cards(stories: QuerySet[Story] | list[Story]) -> list[StoryCard]:
    disclosure = program_settings().disclosure_text
    return [
        StoryCard(
            id=s.pk,
            title=s.title,
            body=s.body,
            quote=s.quote,
            by=attribution(s),
            verified_customer=is_verified(s),
            incentivised=s.incentivised,
            disclosure=disclosure if s.incentivised else "",
            scope=s.published_scope,
            published_at=s.published_at,
        )
        for s in stories
    ]


def story_export_json(stories: QuerySet[Story] | list[Story]) -> str:
    cards = [
        {**card.__dict__, "published_at": card.published_at.isoformat() if card.published_at else None}
        for card in story_cards(stories)
    ]
    return json.dumps({"stories": cards}, ensure_ascii=False, indent=2)


SNIPPET_STYLE = (
    ".advocacy-stories{font:inherit;display:grid;gap:1rem}"
    ".advocacy-story{border:1px solid #ddd;border-radius:6px;padding:1rem}"
    ".advocacy-story blockquote{margin:0 0 .5rem;font-style:italic}"
    ".advocacy-story .advocacy-by{color:#444}"
    ".advocacy-story .advocacy-verified{color:#1a7f37;font-weight:600}"
    ".advocacy-story .advocacy-disclosure{color:#555;font-size:.85em;border-top:1px solid #eee;padding-top:.5rem}"
)


def story_html(card: StoryCard) -> str:
    quote = format_html("<blockquote><p>{}</p></blockquote>", card.quote) if card.quote else ""
    verified = (
        format_html(' <span class="advocacy-verified">{}</span>', "Verified customer") if card.verified_customer else ""
    )
    disclosure = (
        format_html('<p class="advocacy-disclosure"><strong>Incentivised.</strong> {}</p>', card.disclosure)
        if card.incentivised
        else ""
    )
    return format_html(
        '<article class="advocacy-story" id="story-{}"><h3>{}</h3>{}{}<p class="advocacy-by">— {}{}</p>{}</article>',
        card.id,
        card.title,
        quote,
        linebreaks(card.body, autoescape=True),
        card.by,
        verified,
        disclosure,
    )


def story_export_html(stories: QuerySet[Story] | list[Story]) -> str:
    """A self-contained snippet to paste into a web page: its own small style, every text escaped."""
    articles = format_html_join("\n", "{}", ((story_html(card),) for card in story_cards(stories)))
    return format_html(
        '<section class="advocacy-stories">\n<style>{}</style>\n{}\n</section>\n', SNIPPET_STYLE, articles
    )  # the style has no character that escaping changes
