"""Reads of stories: what is published within its consent, the staff list, an advocate's own, and exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks

from advocacy.advocates.disclosure import connected
from advocacy.advocates.models import (
    SCOPE_RANK,
    Advocate,
    Story,
    StoryScope,
    StoryStatus,
)
from advocacy.advocates.program.services import program_settings
from advocacy.customers.consent import in_force
from advocacy.customers.models import AccountKind, ConsentPurpose, Customer, Order


def own_orders() -> QuerySet[Order]:
    # An order of one of our own products: competitors' products are in the catalogue for recommendations.
    return Order.objects.filter(product__competitor="")


def verified_customer(customer: Customer) -> bool:
    """A verified customer has at least one real order on record — never a self-declaration."""
    return own_orders().filter(customer=customer).exists()


def latest_grant(purpose: str) -> Subquery:
    return in_force(purpose, "advocate__customer_id")


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
            materially_connected=connected("advocate__customer_id", "consent_recorded_at"),
        )
        .filter(Q(public_now=True) | Q(published_scope=StoryScope.INTERNAL, testimonial_now=True))
        .select_related("advocate__customer__account")
        .order_by("-published_at", "-id")
    )


def stories_matching(*, status: str = "") -> QuerySet[Story]:
    stories = Story.objects.select_related("advocate__customer__account", "submission").annotate(
        verified=Exists(own_orders().filter(customer=OuterRef("advocate__customer_id"))),
        materially_connected=connected("advocate__customer_id", "consent_recorded_at"),
    )
    if status:
        stories = stories.filter(status=status)
    return stories.order_by("-consent_recorded_at", "-id")


def stories_of(advocate: Advocate) -> QuerySet[Story]:
    return Story.objects.filter(advocate=advocate).order_by("-consent_recorded_at", "-id")


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


def rank(scope: str) -> int:
    return SCOPE_RANK[StoryScope(scope)]
