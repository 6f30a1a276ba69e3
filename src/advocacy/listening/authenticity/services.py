"""Authenticity flags on new mentions: a material connection without disclosure, and astroturf groups.
Flags are unique per mention and kind, so running the checks twice adds nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from advocacy.advocates.disclosure import connected, disclosure_markers, is_disclosed
from advocacy.listening.alerts.spikes import MIN_SPREAD_COUNT, spikes
from advocacy.listening.authenticity.astroturf import ASTROTURF_WINDOW, Post, coordinated
from advocacy.listening.models import Flag, FlagKind, Mention


@transaction.atomic
def flags_for_new_mentions(*, mention_ids: list[int], now: datetime | None = None) -> list[Flag]:
    now = now or timezone.now()
    flags = undisclosed_flags(mention_ids, now) + astroturf_flags(mention_ids, now)
    return Flag.objects.bulk_create(flags, ignore_conflicts=True)


def undisclosed_flags(mention_ids: list[int], now: datetime) -> list[Flag]:
    """Posts by customers rewarded in the window before they posted, that carry no disclosure marker."""
    markers = disclosure_markers()
    rows = (
        Mention.objects.filter(pk__in=mention_ids, customer__isnull=False)
        .annotate(connected=connected("customer_id", "published_at"))
        .filter(connected=True)
        .values_list("pk", "customer_id", "text")
    )
    evidence = {
        "rule": f"rewarded in the {settings.LISTENING_MATERIAL_CONNECTION_MONTHS} months before posting",
        "markers_looked_for": list(markers),
    }
    return [
        Flag(mention_id=pk, kind=FlagKind.UNDISCLOSED, raised_at=now, evidence={**evidence, "customer_id": customer_id})
        for pk, customer_id, text in rows
        if not is_disclosed(text, markers)
    ]


def astroturf_flags(mention_ids: list[int], now: datetime) -> list[Flag]:
    """Every group the new mentions joined, checked whole: its densest window of different authors."""
    roots = set(
        Mention.objects.filter(pk__in=mention_ids, duplicate_of__isnull=False).values_list("duplicate_of_id", flat=True)
    )
    if not roots:
        return []
    members = Mention.objects.filter(Q(pk__in=roots) | Q(duplicate_of_id__in=roots)).values_list(
        "pk", "duplicate_of_id", "handle", "author", "published_at"
    )
    groups: dict[int, list[Post]] = {}
    for pk, root, handle, author, published_at in members:
        groups.setdefault(root or pk, []).append(Post(pk, handle or author.lower(), published_at))
    flags = []
    for root, posts in groups.items():
        found = coordinated(posts)
        evidence = {
            "group": root,
            "authors": sorted({p.author for p in found}),
            "mentions": [p.id for p in found],
            "window_hours": ASTROTURF_WINDOW.total_seconds() / 3600,
        }
        flags += [Flag(mention_id=p.id, kind=FlagKind.ASTROTURF, raised_at=now, evidence=evidence) for p in found]
    return flags


REMINDER_TEXT = (
    "Hello {name},\n\nthank you for writing about us. Because you received points or a reward from our "
    "advocacy programme, the law in many countries asks that posts like yours say so, for example with "
    '#ad or "I received a reward for this". Could you add that to your post?\n{url}\n\n'
    "Thank you, and thank you again for sharing your experience."
)


@transaction.atomic
def disclosure_remind(*, mention: Mention, now: datetime | None = None) -> bool:
    """One polite reminder per customer for an undisclosed post, within their contact budget.
    Returns whether a reminder went out now."""
    from advocacy.customers.consent import AskKind
    from advocacy.outreach.budget.queries import ask_hold_reason
    from advocacy.outreach.budget.services import ask_record
    from advocacy.outreach.mail.services import mail_customer

    now = now or timezone.now()
    flag = Flag.objects.select_for_update().filter(mention=mention, kind=FlagKind.UNDISCLOSED).first()
    if flag is None or flag.reminder_sent_at is not None or mention.customer is None:
        return False
    customer = mention.customer
    if Flag.objects.filter(
        mention__customer=customer, kind=FlagKind.UNDISCLOSED, reminder_sent_at__isnull=False
    ).exists():
        return False  # one reminder per customer: a second would nag
    if ask_hold_reason(customer=customer, kind=AskKind.DISCLOSURE, now=now):
        return False
    mail_customer(
        customer=customer,
        key=f"disclosure-reminder:{customer.pk}",
        subject="A small request about your post",
        text=REMINDER_TEXT.format(name=customer.first_name or "there", url=mention.canonical_url or ""),
    )
    ask_record(customer=customer, kind=AskKind.DISCLOSURE, ref=f"mention:{mention.pk}", at=now)
    flag.reminder_sent_at = now
    flag.save(update_fields=["reminder_sent_at"])
    return True


def author_key() -> Coalesce:
    return Coalesce(NullIf("handle", Value("")), Lower("author"))


@transaction.atomic
def new_author_flags(*, until: date | None = None, now: datetime | None = None) -> list[Flag]:
    """Days on which unusually many authors posted for the first time (the volume test of alerts/spikes.py
    on first posts a day), each first post of such a day flagged with the day's figures as evidence.
    Safe to rerun: a flag is unique per mention and kind."""
    now = now or timezone.now()
    until = until or timezone.localdate(now)
    firsts = list(
        Mention.objects.exclude(author="", handle="")
        .annotate(who=author_key())
        .values("who")
        .annotate(first=Min("published_at"))
    )
    per_day: dict[date, int] = {}
    for row in firsts:
        day = row["first"].date()
        per_day[day] = per_day.get(day, 0) + 1
    if not per_day:
        return []
    start = min(per_day)
    days = [start + timedelta(days=i) for i in range((until - start).days + 1)]
    counts = [per_day.get(d, 0) for d in days]
    bursts = spikes(days, counts, [float(c) for c in counts], floor=MIN_SPREAD_COUNT, last_alert=None)
    flags: list[Flag] = []
    for burst in bursts:
        newcomers = {row["who"] for row in firsts if row["first"].date() == burst.day}
        first_posts = (
            Mention.objects.annotate(who=author_key())
            .filter(who__in=newcomers, published_at__date=burst.day)
            .values_list("pk", flat=True)
        )
        evidence = {
            "day": burst.day.isoformat(),
            "new_authors": burst.mentions,
            "usual": burst.baseline,
            "robust_z": round(burst.score, 1),
        }
        flags += [
            Flag(mention_id=pk, kind=FlagKind.NEW_AUTHORS, raised_at=now, evidence=evidence) for pk in first_posts
        ]
    return Flag.objects.bulk_create(flags, ignore_conflicts=True)
