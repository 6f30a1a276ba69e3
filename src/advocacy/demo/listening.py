"""Two years of public mentions of the demo company (Beacon) and its competitors (Contoso, Northwind),
from the demo's feeds, with planted truths the listening features should recover:

- every mention's sentiment label (what its author meant: the text is drawn from praise or complaint);
- one outage day whose complaints are a volume (and negative-share) spike on the brand query;
- an astroturf cluster: near-identical praise from new accounts within a few hours;
- posts by rewarded advocates, some with a disclosure and some without;
- mentions by known customers (their social handles are on their customer records).

The demo's feeds are recordings: their sources are switched off, so nothing is ever fetched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from advocacy.advocates.models import Advocate, PointsEntry
from advocacy.customers.models import Customer, SocialHandle
from advocacy.demo import surveys as surveys_demo
from advocacy.feedback.learned.services import sentiment_model_train
from advocacy.feedback.models import SentimentModel
from advocacy.listening.alerts.services import alerts_scan
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, Query, QueryKind, Source, SourceKind

HISTORY_DAYS = 730
SPIKE_DAYS_AGO = 200
ASTROTURF_DAYS_AGO = 120
ASTROTURF_POSTS = 5
KNOWN_CUSTOMER_SHARE = 0.04  # of customers who are not members get a social handle
BATCH_DAYS = 30

FEEDS = (
    ("News alerts", "https://news.example.com/alerts/beacon.rss"),
    ("Reddit r/saas", "https://www.reddit.example/r/saas/search.rss?q=beacon"),
    ("Mastodon #beacon", "https://mastodon.example/tags/beacon.rss"),
    ("App store reviews", "https://apps.example.com/beacon/reviews.atom"),
    ("G2 reviews", "https://g2.example.com/products/beacon/reviews.rss"),
)
OPENERS = [
    "Honestly,",
    "Quick note:",
    "After a month,",
    "Week three update:",
    "For anyone asking,",
    "PSA:",
    "Hot take:",
    "Small team here,",
    "Update from our ops team:",
    "Two cents:",
    "Real talk,",
    "FYI",
]
# What customers say in public is what they say in surveys (the demo's comment phrases), said their way.
PRAISE = [phrase for phrases in surveys_demo.PRAISE.values() for phrase in phrases]
COMPLAINTS = [phrase for phrases in surveys_demo.COMPLAINTS.values() for phrase in phrases]
DETAILS = [
    "on the {n}th of the month",
    "with {n} seats",
    "across {n} projects",
    "for our {n} clients",
    "after {n} weeks",
    "in {n} regions",
    "with {n} people on the team",
    "in sprint {n}",
]
OUTAGE = [
    "{brand} is down again, cannot log in",
    "{brand} outage is killing our morning, nothing loads",
    "Is {brand} down? Dashboards broken for {n} minutes",
    "{brand} outage: terrible, we lost a demo",
]
ASIDES = [
    "our finance lead noticed first",
    "the interns found it too",
    "we compared three tools before",
    "the new hire said the same",
    "our CTO was sceptical at first",
    "we run it for the whole EU team",
    "the Friday demo went fine",
    "we moved from spreadsheets",
    "our auditors asked about it",
    "we are a nonprofit",
    "our board saw the numbers",
    "the night shift uses it most",
    "my manager asked me to post this",
    "we are two years in",
    "we tried the trial first",
]
ASTROTURF = "{brand} is hands down the best analytics platform I have ever used, five stars from our whole team"


@dataclass
class Planted:
    labels: dict[str, str] = field(default_factory=dict)  # url -> positive | negative
    astroturf: list[str] = field(default_factory=list)
    undisclosed: list[str] = field(default_factory=list)
    disclosed: list[str] = field(default_factory=list)
    known_customers: dict[str, str] = field(default_factory=dict)  # url -> customer external id


def wipe_listening() -> None:
    """The demo's mentions, sources, queries and sentiment models hang off no customer."""
    for model in (Mention, Source, Query, SentimentModel):
        model.objects.all().delete()


def text_of(rng: random.Random, subject: str, positive: bool) -> str:
    reason = rng.choice(PRAISE if positive else COMPLAINTS).lower()
    detail = rng.choice(DETAILS).format(n=rng.randint(2, 99))
    aside = rng.choice(ASIDES)
    if rng.random() < 0.5:
        return f"{rng.choice(OPENERS)} {subject}: {reason} {detail}; {aside}."
    return f"{aside.capitalize()}, and with {subject} {reason}. That is {detail}. {rng.choice(OPENERS)}"


def write_listening(*, seed: int, today: date) -> tuple[dict[str, int], dict[str, Any]]:
    rng = random.Random(f"listening-{seed}")
    sentiment_model_train()  # learned from the demo's survey comments (VADER stays if too few)
    sources = [
        Source.objects.create(name=name, kind=SourceKind.FEED, url=url, interval_minutes=60, enabled=False)
        for name, url in FEEDS
    ]
    Query.objects.create(
        name="Beacon",
        kind=QueryKind.BRAND,
        terms=["Beacon"],
        misspellings=["Beakon", "Becon"],
        exclusions=["beacon hill", "beacon light"],
    )
    Query.objects.create(name="Contoso", kind=QueryKind.COMPETITOR, terms=["Contoso"])
    Query.objects.create(name="Northwind", kind=QueryKind.COMPETITOR, terms=["Northwind"])
    planted = Planted()
    start = today - timedelta(days=HISTORY_DAYS)
    people = people_with_handles(rng, planted)
    items: list[Incoming] = []
    for d in range(HISTORY_DAYS):
        day = start + timedelta(days=d)
        items += daily_mentions(rng, day, d, people, planted)
        if day == today - timedelta(days=SPIKE_DAYS_AGO):
            items += outage(rng, day, planted)
        if day == today - timedelta(days=ASTROTURF_DAYS_AGO):
            items += astroturf(rng, day, planted)
    items += advocate_posts(rng, today, planted)
    items.sort(key=lambda item: item.published_at)
    stored = 0
    for i in range(0, len(items), 2000):
        batch = items[i : i + 2000]
        by_source: dict[int, list[Incoming]] = {}
        for item in batch:
            by_source.setdefault(rng.randrange(len(sources)), []).append(item)
        for index, group in by_source.items():
            stored += len(mentions_ingest(source=sources[index], items=group, after_commit=False).stored)
    alerts = alerts_scan(until=today - timedelta(days=1), mail=False)
    truth = {
        "brand_query": "Beacon",
        "spike_day": (today - timedelta(days=SPIKE_DAYS_AGO)).isoformat(),
        "astroturf_day": (today - timedelta(days=ASTROTURF_DAYS_AGO)).isoformat(),
        "sentiment_labels": planted.labels,
        "astroturf": planted.astroturf,
        "undisclosed": planted.undisclosed,
        "disclosed": planted.disclosed,
        "known_customer_mentions": planted.known_customers,
    }
    return {"mentions": stored, "listening_alerts": len(alerts)}, truth


def people_with_handles(rng: random.Random, planted: Planted) -> list[tuple[str, str]]:
    """Handles for a few customers who are not members: (handle, external id)."""
    members = set(Advocate.objects.values_list("customer_id", flat=True))
    chosen = [c for c in Customer.objects.order_by("pk").values_list("pk", "external_id") if c[0] not in members]
    chosen = [c for c in chosen if rng.random() < KNOWN_CUSTOMER_SHARE]
    SocialHandle.objects.bulk_create(SocialHandle(customer_id=pk, handle=f"cust{pk}") for pk, _ in chosen)
    return [(f"cust{pk}", external_id or "") for pk, external_id in chosen]


def at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=UTC)


def daily_mentions(
    rng: random.Random, day: date, d: int, people: list[tuple[str, str]], planted: Planted
) -> list[Incoming]:
    made = []
    for subject, count, negative_rate in (
        ("Beacon", rng.randint(3, 8), 0.25),
        ("Contoso", rng.randint(1, 4), 0.35),
        ("Northwind", rng.randint(0, 3), 0.4),
    ):
        for i in range(count):
            positive = rng.random() >= negative_rate
            url = f"https://social.example/{subject.lower()}/{d}-{i}"
            handle, author = f"user{rng.randint(1, 50_000)}", ""
            if subject == "Beacon" and people and rng.random() < 0.05:
                handle, external_id = rng.choice(people)
                planted.known_customers[url] = external_id
            planted.labels[url] = "positive" if positive else "negative"
            made.append(
                Incoming(
                    text=text_of(rng, subject, positive),
                    published_at=at(day, rng),
                    url=url,
                    author=author or handle,
                    handle=handle,
                    language="en",
                )
            )
    return made


def outage(rng: random.Random, day: date, planted: Planted) -> list[Incoming]:
    made = []
    for i in range(60):
        url = f"https://social.example/outage/{i}"
        planted.labels[url] = "negative"
        # People in an outage all say "it is down", each in their own words: similar, not near-identical.
        text = (
            f"{rng.choice(OPENERS)} {rng.choice(OUTAGE).format(brand='Beacon', n=rng.randint(5, 90))}; "
            f"{rng.choice(ASIDES)}, {rng.choice(DETAILS).format(n=rng.randint(2, 99))}."
        )
        made.append(Incoming(text=text, published_at=at(day, rng), url=url, author=f"ops{i}", handle=f"ops{i}"))
    return made


def astroturf(rng: random.Random, day: date, planted: Planted) -> list[Incoming]:
    made = []
    for i in range(ASTROTURF_POSTS):
        url = f"https://reviews.example/astro/{i}"
        planted.astroturf.append(url)
        planted.labels[url] = "positive"
        text = ASTROTURF.format(brand="Beacon") + ["", "!", "!!", " 10/10", " :)"][i]
        # Spread over a day and a half, as a campaign that wants to look organic would be.
        when = datetime.combine(day, time(9), tzinfo=UTC) + timedelta(hours=7 * i, minutes=5 * i)
        made.append(Incoming(text=text, published_at=when, url=url, author=f"newacct{i}", handle=f"newacct{i}"))
    return made


def advocate_posts(rng: random.Random, today: date, planted: Planted) -> list[Incoming]:
    """Posts by members who earned points: most without a disclosure, some with one."""
    rewarded = list(
        PointsEntry.objects.filter(delta__gt=0, at__date__lt=today - timedelta(days=10))
        .values_list("advocate__customer_id", "at")
        .order_by("advocate__customer_id", "-at")
    )
    latest: dict[int, datetime] = {}
    for customer_id, when in rewarded:
        latest.setdefault(customer_id, when)
    made = []
    for n, (customer_id, when) in enumerate(sorted(latest.items())[:12]):
        handle = f"adv{customer_id}"
        SocialHandle.objects.get_or_create(customer_id=customer_id, defaults={"handle": handle})
        posted = min(when + timedelta(days=rng.randint(1, 30)), datetime.combine(today, time(8), tzinfo=UTC))
        url = f"https://social.example/advocates/{customer_id}"
        disclosed = n % 3 == 2
        text = text_of(rng, "Beacon", True) + (" #ad" if disclosed else "")
        (planted.disclosed if disclosed else planted.undisclosed).append(url)
        planted.labels[url] = "positive"
        made.append(Incoming(text=text, published_at=posted, url=url, author=handle, handle=handle))
    return made
