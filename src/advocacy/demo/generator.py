"""The synthetic company behind ``advocacy demo``: staff, products, customers, two years of history.

Everything is drawn from ``random.Random(seed)``, so one seed gives one company. Planning happens
in memory first (accounts, customers and their latent traits, see ``truth.py``); activity (orders,
engagement, consent, contact windows) is then drawn customer by customer from a random stream of
its own and written in batches, so memory stays flat however many customers are asked for.

The planted truths (each customer's latent satisfaction, who is a natural advocate, who will churn,
the drivers and each segment's expected NPS) go to a JSON manifest next to the database.
"""

from __future__ import annotations

import json
import math
import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from advocacy.advocates.models import PointsEntry
from advocacy.casework.models import Problem, ReplyTemplate
from advocacy.core.append_only import purging
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.core.staff.services import user_create
from advocacy.customers.models import (
    Account,
    AccountKind,
    Consent,
    ConsentPurpose,
    ContactWindow,
    Customer,
    CustomerStatus,
    EngagementEvent,
    EngagementKind,
    Order,
    OrderKind,
    Product,
    ProductInUse,
)
from advocacy.demo import advocates as advocates_demo
from advocacy.demo import casework as casework_demo
from advocacy.demo import impact as impact_demo
from advocacy.demo import listening as listening_demo
from advocacy.demo import reference as ref
from advocacy.demo import retention as retention_demo
from advocacy.demo import surveys as surveys_demo
from advocacy.demo import truth
from advocacy.feedback import scales
from advocacy.feedback.models import Survey, Theme

DEFAULT_CUSTOMERS = 5000
DEFAULT_SEED = 2024
HISTORY_DAYS = 730
ADVOCATE_SHARE = 0.06
BATCH_SIZE = 2000
CUSTOMERS_PER_CHUNK = 250

ProgressFn = Callable[[str, int, int], None]
M = TypeVar("M", bound=models.Model)


class DemoAlreadyExists(Exception):
    """The database already holds customers; the demo only writes into an empty one."""


@dataclass
class AccountPlan:
    index: int
    external_id: str
    name: str
    kind: str
    industry: str
    size: str
    country: ref.Country
    owner: str | None
    pk: int = 0  # set once written


@dataclass
class CustomerPlan:
    index: int
    external_id: str
    account: AccountPlan
    first_name: str
    last_name: str
    email: str
    phone: str
    time_zone: str
    advocate: str
    customer_since: date
    plan_sku: str
    seats: int
    features: frozenset[str]
    competitor_skus: tuple[str, ...]
    support_rate: float
    engagement: float
    satisfaction: float = 0.0
    churn_on: date | None = None  # the day they leave; may lie after today (at risk, not gone)
    churned_on: date | None = None  # churn_on once it has passed
    natural_advocate: bool = False
    pk: int = 0  # set once written


@dataclass
class CompanyPlan:
    seed: int
    today: date
    accounts: list[AccountPlan]
    customers: list[CustomerPlan]


@dataclass
class DemoSummary:
    counts: dict[str, int]
    manifest_path: Path
    portal_email: str
    staff: list[tuple[str, str]]  # (role, username)


# --- entry points -----------------------------------------------------------------------------


def generate_company(
    *,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    manifest_path: Path | None = None,
    progress: ProgressFn | None = None,
) -> DemoSummary:
    """Write the demo company into an empty database and its planted truths to a manifest."""
    if Customer.objects.exists():
        raise DemoAlreadyExists("the database already has customers; use --reset to start over")
    report = progress or (lambda stage, done, total: None)
    plan = plan_company(customers=customers, seed=seed, today=today or timezone.localdate())
    with transaction.atomic():
        staff = ensure_staff()
        products = write_products()
        write_accounts(plan.accounts, staff, report)
        write_customers(plan.customers, staff, report)
        counts = write_activity(plan, staff, products, report)
        report("Surveys", 0, 1)
        counts |= surveys_demo.write_surveys(plan, staff)
        report("Surveys", 1, 1)
        natural_advocates = {p.pk for p in plan.customers if p.natural_advocate}
        counts |= advocates_demo.write_advocate_program(
            staff=staff,
            natural_advocates=natural_advocates,
            seed=seed,
            today=plan.today,
            showcase=portal_person(plan).pk,
        )
        report("Cases", 0, 1)
        counts |= casework_demo.write_casework(plan, staff)
        report("Cases", 1, 1)
        impact_truths = impact_demo.write_impact(people=plan.customers, staff=staff, seed=seed, today=plan.today)
        report("Mentions", 0, 1)
        listening_counts, listening_truth = listening_demo.write_listening(seed=seed, today=plan.today)
        counts |= listening_counts
        report("Mentions", 1, 1)
    counts = {
        "accounts": len(plan.accounts),
        "customers": len(plan.customers),
        "products": len(products),
        **counts,
    }
    path = manifest_path or settings.VAR_DIR / "demo-manifest.json"
    manifest = build_manifest(plan, counts)
    manifest["survey_audience_nps"] = surveys_demo.audience_truth(plan)
    manifest["impact"] = impact_truths
    manifest["listening"] = listening_truth
    manifest["retention"] = retention_demo.retention_truth(plan)
    write_manifest(manifest, path)
    return DemoSummary(
        counts=counts,
        manifest_path=path,
        portal_email=manifest["portal_example_email"],
        staff=[(role, username) for username, role, *_ in ref.STAFF],
    )


@transaction.atomic
def wipe_company() -> None:
    """Delete customers, accounts, products and everything hanging off them; staff stay.

    The points ledger and the audit log are append-only; wiping the demo company is the one purge
    they allow (see core/append_only.py).
    """
    with purging():
        _wipe_company()


def _wipe_company() -> None:
    # Children first, each as one DELETE: orders protect products, the points ledger protects its
    # members, and cascading through the ORM one customer at a time would be slow.
    for model in (PointsEntry, EngagementEvent, Order, Consent, ContactWindow):
        model.objects.all().delete()
    # The demo's surveys, themes and problems hang off no customer, so they would outlive them.
    for company_wide in (Survey, Theme, Problem, ReplyTemplate):
        company_wide.objects.all().delete()
    impact_demo.wipe_costs()
    listening_demo.wipe_listening()
    Customer.objects.all().delete()
    Account.objects.all().delete()
    Product.objects.all().delete()


def demo_exists() -> bool:
    return Customer.objects.exists()


# --- planning: accounts, customers, latent traits ---------------------------------------------


def plan_company(*, customers: int, seed: int, today: date) -> CompanyPlan:
    rng = random.Random(seed)
    accounts, people = plan_accounts_and_customers(rng, customers, today)
    for person in people:
        person.satisfaction = truth.draw_satisfaction(traits_of(person, today), rng)
        person.churn_on = draw_churn(rng, person, today)
        person.churned_on = person.churn_on if person.churn_on and person.churn_on <= today else None
    mark_natural_advocates(rng, people, today)
    return CompanyPlan(seed=seed, today=today, accounts=accounts, customers=people)


def plan_accounts_and_customers(
    rng: random.Random, wanted: int, today: date
) -> tuple[list[AccountPlan], list[CustomerPlan]]:
    accounts: list[AccountPlan] = []
    people: list[CustomerPlan] = []
    names = UniqueNames()
    sales = [username for username, role, *_ in ref.STAFF if role == Role.SALES]
    advocates = [username for username, role, *_ in ref.STAFF if role == Role.CUSTOMER_ADVOCATE]
    while len(people) < wanted:
        size = weighted_choice(rng, {name: spec[0] for name, spec in ref.SIZES.items()})
        country = weighted_choice(rng, {c: c.weight for c in ref.COUNTRIES})
        account = plan_account(rng, len(accounts), size, country, names, sales)
        low, high = ref.SIZES[size][1]
        for _ in range(min(rng.randint(low, high), wanted - len(people))):
            people.append(plan_customer(rng, len(people), account, names, advocates, today))
        if account.kind == AccountKind.HOUSEHOLD:
            account.name = names.account(f"The {people[-1].last_name} household")
        accounts.append(account)
    return accounts, people


def plan_account(
    rng: random.Random,
    index: int,
    size: str,
    country: ref.Country,
    names: UniqueNames,
    sales: Sequence[str],
) -> AccountPlan:
    if size == "consumer":
        return AccountPlan(
            index=index,
            external_id=f"A{index + 1:06d}",
            name="",
            kind=AccountKind.HOUSEHOLD,
            industry="",
            size=size,
            country=country,
            owner=None,
        )
    industry = weighted_choice(rng, dict(ref.INDUSTRIES))
    name = names.account(f"{rng.choice(ref.COMPANY_WORDS)} {rng.choice(ref.INDUSTRY_SUFFIXES[industry])}")
    return AccountPlan(
        index=index,
        external_id=f"A{index + 1:06d}",
        name=name,
        kind=AccountKind.BUSINESS,
        industry=industry,
        size=size,
        country=country,
        owner=sales[index % len(sales)],
    )


def plan_customer(
    rng: random.Random,
    index: int,
    account: AccountPlan,
    names: UniqueNames,
    advocates: Sequence[str],
    today: date,
) -> CustomerPlan:
    country = account.country
    pool = country.names if rng.random() < 0.8 else rng.choice(sorted(ref.NAME_POOLS))
    first_names, last_names = ref.NAME_POOLS[pool]
    first, last = rng.choice(first_names), rng.choice(last_names)
    plan_sku = draw_plan(rng, account.size)
    return CustomerPlan(
        index=index,
        external_id=f"C{index + 1:06d}",
        account=account,
        first_name=first,
        last_name=last,
        email=names.email(first, last, account_domain(account, rng)),
        phone=draw_phone(rng, country),
        time_zone=rng.choice(country.time_zones),
        advocate=advocates[index % len(advocates)],
        customer_since=draw_customer_since(rng, today),
        plan_sku=plan_sku,
        seats=rng.randint(*ref.SIZES[account.size][2]),
        features=draw_features(rng, plan_sku, account.size),
        competitor_skus=(rng.choice(ref.COMPETITOR_SKUS),) if rng.random() < 0.18 else (),
        support_rate=draw_support_rate(rng, account),
        engagement=rng.lognormvariate(-0.1, 0.5),
    )


class UniqueNames:
    """Hands out account names and e-mail addresses that have not been used yet."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()
        self.emails: set[str] = set()

    def account(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.accounts:
            n += 1
            candidate = f"{name} {roman(n)}"
        self.accounts.add(candidate)
        return candidate

    def email(self, first: str, last: str, domain: str) -> str:
        local = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}"
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate


def account_domain(account: AccountPlan, rng: random.Random) -> str:
    if account.kind == AccountKind.HOUSEHOLD:
        return rng.choice(ref.PERSONAL_MAIL_DOMAINS)
    return f"{ascii_slug(account.name, '')}.example"


def draw_plan(rng: random.Random, size: str) -> str:
    shares = {
        "consumer": (100, 0, 0),
        "small": (70, 28, 2),
        "mid": (15, 70, 15),
        "enterprise": (0, 20, 80),
    }[size]
    return weighted_choice(rng, dict(zip(ref.PLANS, shares, strict=True)))


def draw_features(rng: random.Random, plan_sku: str, size: str) -> frozenset[str]:
    """The capabilities a customer really uses: mostly what the plan includes, some as add-ons."""
    included = set(product_spec(plan_sku).capability_tags)
    used = {
        tag
        for tag in ("reporting", "mobile", "integrations", "api", "sso", "analytics")
        if rng.random() < (0.6 if tag in included else 0.12)
    }
    if size != "consumer" and rng.random() < (0.3 if size == "enterprise" else 0.08):
        used.add("support_24x7")
    return frozenset(used)


def draw_phone(rng: random.Random, country: ref.Country) -> str:
    if country.phone_prefix == "1":
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(100, 199):04d}"
    digits = f"{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+{country.phone_prefix} {digits}"


def draw_customer_since(rng: random.Random, today: date) -> date:
    # A third were customers before the two years of history; the rest joined during them.
    if rng.random() < 0.35:
        return today - timedelta(days=rng.randint(HISTORY_DAYS + 1, HISTORY_DAYS + 4 * 365))
    return today - timedelta(days=rng.randint(14, HISTORY_DAYS))


def draw_support_rate(rng: random.Random, account: AccountPlan) -> float:
    """Support contacts per month; big accounts and regulated industries ask more."""
    rate = rng.gammavariate(1.6, 0.28)
    if account.size == "enterprise":
        rate *= 1.3
    if account.industry in {"Healthcare", "Finance"}:
        rate *= 1.25
    return round(rate, 3)


def traits_of(person: CustomerPlan, today: date) -> truth.Traits:
    return truth.Traits(
        region=person.account.country.region,
        size=person.account.size,
        industry=person.account.industry,
        features=person.features,
        owns_competitor_product=bool(person.competitor_skus),
        support_contacts_per_month=person.support_rate,
        tenure_years=tenure_years(person, today),
    )


def draw_churn(rng: random.Random, person: CustomerPlan, today: date) -> date | None:
    """Unhappy customers leave: the chance rises steeply below a satisfaction of about 6."""
    chance = retention_demo.churn_chance(person.satisfaction)
    if rng.random() >= chance:
        return None
    earliest = max(person.customer_since + timedelta(days=90), today - timedelta(days=HISTORY_DAYS - 30))
    latest = today + timedelta(days=90)  # some have not left yet: at risk, engagement already falling
    if earliest >= latest:
        return None
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def mark_natural_advocates(rng: random.Random, people: list[CustomerPlan], today: date) -> None:
    """The ~6% most likely to advocate: satisfied, engaged, long-standing, and staying."""
    staying = [p for p in people if p.churn_on is None]
    propensity = {
        p.index: (p.satisfaction - 8.0)
        + 0.8 * math.log(p.engagement)
        + 0.3 * min(tenure_years(p, today), 5.0)
        + rng.gauss(0.0, 0.5)
        for p in staying
    }
    wanted = round(ADVOCATE_SHARE * len(people))
    for person in sorted(staying, key=lambda p: propensity[p.index], reverse=True)[:wanted]:
        person.natural_advocate = True


def tenure_years(person: CustomerPlan, today: date) -> float:
    return max((today - person.customer_since).days, 0) / 365.25


# --- writing ----------------------------------------------------------------------------------


def ensure_staff() -> dict[str, User]:
    """One user per role, plus a team of customer advocates and sales reps; one shared password."""
    existing = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in ref.STAFF])}
    created = []
    for username, role, first, last, zone in ref.STAFF:
        if username not in existing:
            existing[username] = user_create(
                username=username,
                email=f"{username}@beacon.example",
                role=role,
                password=None,
                first_name=first,
                last_name=last,
                time_zone=zone,
            )
            created.append(existing[username].pk)
    # Hashing is deliberately slow (~0.3 s each); the demo password is public, so hash it once.
    User.objects.filter(pk__in=created).update(password=make_password(ref.DEMO_PASSWORD))
    return existing


def write_products() -> dict[str, Product]:
    products = [
        Product(
            external_id=p.sku,
            name=p.name,
            competitor=p.competitor,
            category=p.category,
            price=p.price,
            currency="USD",
            margin_pct=p.margin_pct,
            capability_tags=list(p.capability_tags),
        )
        for p in ref.PRODUCTS
    ]
    Product.objects.bulk_create(products)
    return {p.external_id: p for p in Product.objects.all()}


def write_accounts(accounts: list[AccountPlan], staff: dict[str, User], report: ProgressFn) -> None:
    rows = [
        Account(
            external_id=a.external_id,
            name=a.name,
            kind=a.kind,
            industry=a.industry,
            region=a.country.region,
            size=a.size,
            owner_id=staff[a.owner].pk if a.owner else None,
        )
        for a in accounts
    ]
    bulk_write(Account, rows, "Accounts", report)
    pks = dict(Account.objects.values_list("external_id", "pk"))
    for account in accounts:
        account.pk = pks[account.external_id]


def write_customers(people: list[CustomerPlan], staff: dict[str, User], report: ProgressFn) -> None:
    rows = [customer_row(p, staff) for p in people]
    bulk_write(Customer, rows, "Customers", report)
    pks = dict(Customer.objects.values_list("external_id", "pk"))
    for person in people:
        person.pk = pks[person.external_id]


def customer_row(person: CustomerPlan, staff: dict[str, User]) -> Customer:
    churned_on = person.churned_on
    return Customer(
        external_id=person.external_id,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        phone=person.phone,
        time_zone=person.time_zone,
        locale=person.account.country.locale,
        account_id=person.account.pk,
        primary_advocate_id=staff[person.advocate].pk,
        status=CustomerStatus.CHURNED if churned_on else CustomerStatus.ACTIVE,
        customer_since=person.customer_since,
        churned_on=churned_on,
    )


def write_activity(
    plan: CompanyPlan, staff: dict[str, User], products: dict[str, Product], report: ProgressFn
) -> dict[str, int]:
    """Orders, events, consents and windows, drawn and written a chunk of customers at a time."""
    counts: dict[str, int] = defaultdict(int)
    total = len(plan.customers)
    for start in range(0, total, CUSTOMERS_PER_CHUNK):
        chunk = plan.customers[start : start + CUSTOMERS_PER_CHUNK]
        rows = activity_rows(chunk, plan, staff, products)
        for model, key in (
            (Order, "orders"),
            (EngagementEvent, "engagement_events"),
            (Consent, "consents"),
            (ContactWindow, "contact_windows"),
            (ProductInUse, "products_in_use"),
        ):
            model.objects.bulk_create(rows[key], batch_size=BATCH_SIZE)
            counts[key] += len(rows[key])
        report("History", min(start + CUSTOMERS_PER_CHUNK, total), total)
    return dict(counts)


def activity_rows(
    chunk: Iterable[CustomerPlan],
    plan: CompanyPlan,
    staff: dict[str, User],
    products: dict[str, Product],
) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = defaultdict(list)
    for person in chunk:
        # Each customer's history has a random stream of its own, so it does not depend on how
        # the customers are chunked.
        rng = random.Random(plan.seed * 1_000_003 + person.index)
        consents = draw_consents(rng, person, plan.today, staff)
        marketing = any(c.purpose == ConsentPurpose.MARKETING and c.granted for c in consents)
        rows["consents"].extend(consents)
        rows["contact_windows"].extend(draw_contact_windows(rng, person))
        rows["orders"].extend(draw_orders(rng, person, plan.today, products))
        rows["engagement_events"].extend(draw_events(rng, person, plan.today, marketing))
        rows["products_in_use"].extend(
            ProductInUse(customer_id=person.pk, product_id=products[sku].pk, since=person.customer_since)
            for sku in person.competitor_skus
        )
    return rows


def bulk_write(model: type[M], rows: list[M], label: str, report: ProgressFn) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        model._default_manager.bulk_create(rows[start : start + BATCH_SIZE])
        report(label, min(start + BATCH_SIZE, len(rows)), len(rows))


# --- activity: orders -------------------------------------------------------------------------


def draw_orders(rng: random.Random, person: CustomerPlan, today: date, products: dict[str, Product]) -> list[Order]:
    """New business, yearly renewals, one possible upgrade and add-ons for what they use."""
    end = person.churned_on or today
    orders: list[tuple[date, str, str, Decimal]] = []
    upgrade_on, upgraded_to = draw_upsell(rng, person, end)
    if upgrade_on and upgraded_to:
        gap = product_spec(upgraded_to).price - product_spec(person.plan_sku).price
        orders.append((upgrade_on, OrderKind.UPSELL, upgraded_to, gap))
    for year, on in enumerate(anniversaries(person.customer_since, end)):
        plan = upgraded_to if upgrade_on and upgraded_to and on >= upgrade_on else person.plan_sku
        orders.append((on, OrderKind.RENEWAL if year else OrderKind.NEW, plan, product_spec(plan).price))
    for sku in addons_bought(person):
        bought_on = random_day(rng, person.customer_since + timedelta(days=30), end)
        if bought_on:
            orders.append((bought_on, OrderKind.CROSS_SELL, sku, product_spec(sku).price))
    first_day = today - timedelta(days=HISTORY_DAYS)
    currency = person.account.country.currency
    return [
        Order(
            external_id=f"O{person.index + 1:06d}-{n:02d}",
            customer_id=person.pk,
            product_id=products[sku].pk,
            amount=money(unit * person.seats * ref.FX_PER_USD[currency]),
            currency=currency,
            kind=kind,
            ordered_on=on,
        )
        for n, (on, kind, sku, unit) in enumerate(sorted(orders))
        if first_day <= on < end
    ]


def draw_upsell(rng: random.Random, person: CustomerPlan, end: date) -> tuple[date | None, str | None]:
    position = ref.PLANS.index(person.plan_sku)
    if position == len(ref.PLANS) - 1:
        return None, None
    chance = truth.clamp(0.05 + 0.07 * (person.satisfaction - 6.0), 0.0, 0.45)
    if rng.random() >= chance:
        return None, None
    return random_day(rng, person.customer_since + timedelta(days=60), end), ref.PLANS[position + 1]


def addons_bought(person: CustomerPlan) -> list[str]:
    included = set(product_spec(person.plan_sku).capability_tags)
    return sorted(
        {ref.ADDON_FOR_FEATURE[f] for f in person.features - included if f in ref.ADDON_FOR_FEATURE}
        | ({"BCN-API"} if "integrations" in person.features - included else set())
    )


def anniversaries(since: date, end: date) -> Iterator[date]:
    year = 0
    while (on := add_years(since, year)) < end:
        yield on
        year += 1


# --- activity: engagement ---------------------------------------------------------------------

# Monthly base rates: (kind, base rate, scales with engagement and satisfaction, advocate extra)
EVENT_RATES: tuple[tuple[str, float, bool, float], ...] = (
    (EngagementKind.LOGIN, 1.0, True, 0.8),
    (EngagementKind.FEATURE_USE, 0.6, True, 0.5),
    (EngagementKind.EVENT_ATTENDED, 0.02, False, 0.08),
    (EngagementKind.COMMUNITY_POST, 0.03, True, 0.3),
    (EngagementKind.REVIEW, 0.006, False, 0.1),
    (EngagementKind.REFERRAL, 0.002, False, 0.06),
    (EngagementKind.WEBINAR, 0.03, True, 0.08),
)


def draw_events(rng: random.Random, person: CustomerPlan, today: date, marketing: bool) -> list[EngagementEvent]:
    first_day = max(person.customer_since, today - timedelta(days=HISTORY_DAYS))
    end = person.churned_on or today
    seen: set[tuple[str, datetime]] = set()
    events: list[EngagementEvent] = []
    for month_start in month_starts(first_day, end):
        month_end = min(month_start + timedelta(days=30), end)
        for kind, rate in monthly_rates(person, month_start, marketing):
            for _ in range(poisson(rng, rate * (month_end - month_start).days / 30)):
                moment = random_moment(rng, month_start, month_end)
                if (kind, moment) not in seen:
                    seen.add((kind, moment))
                    events.append(
                        EngagementEvent(
                            customer_id=person.pk,
                            kind=kind,
                            occurred_at=moment,
                            value=event_value(rng, person, kind),
                        )
                    )
    name_features(events, person)
    return events


def name_features(events: list[EngagementEvent], person: CustomerPlan) -> None:
    """Each "used a feature" event names one of the features the customer really uses. A stream of
    its own keeps every other draw of the demo where it was."""
    if not person.features:
        return
    rng = random.Random(f"features-{person.index}")
    features = sorted(person.features)
    for event in events:
        if event.kind == EngagementKind.FEATURE_USE:
            event.detail = rng.choice(features)


def monthly_rates(person: CustomerPlan, month_start: date, marketing: bool) -> list[tuple[str, float]]:
    """How often each thing happens this month, for this customer and their churn stage."""
    mood = 0.4 + 0.12 * person.satisfaction  # happier customers use the product more
    fading = churn_fade(person, month_start)
    rates = []
    for kind, base, scaled, advocate_extra in EVENT_RATES:
        rate = base * (person.engagement * mood if scaled else 1.0)
        if person.natural_advocate:
            rate += advocate_extra
        if kind == EngagementKind.REVIEW and person.satisfaction < 5:
            rate += 0.02  # unhappy customers write reviews too, and low ones
        if kind == EngagementKind.REFERRAL and person.satisfaction >= scales.PROMOTER_MIN:
            rate += 0.01
        rates.append((kind, rate * fading))
    # Customers about to leave ask support more, not less.
    rates.append((EngagementKind.SUPPORT_CONTACT, person.support_rate * (2.0 - fading)))
    if marketing:
        rates.append((EngagementKind.EMAIL_CLICK, 0.25 * person.engagement * mood * fading))
    return rates


def churn_fade(person: CustomerPlan, month_start: date) -> float:
    """1.0 normally; falls towards 0.15 over the four months before the customer leaves."""
    if person.churn_on is None:
        return 1.0
    days_left = (person.churn_on - month_start).days
    return 1.0 if days_left >= 120 else 0.15 + 0.85 * max(days_left, 0) / 120


def event_value(rng: random.Random, person: CustomerPlan, kind: str) -> Decimal | None:
    if kind == EngagementKind.REVIEW:  # the star rating follows satisfaction
        return Decimal(int(truth.clamp(round(person.satisfaction / 2 + rng.gauss(0, 0.6)), 1, 5)))
    return None


# --- activity: consent and contact windows ----------------------------------------------------


def draw_consents(rng: random.Random, person: CustomerPlan, today: date, staff: dict[str, User]) -> list[Consent]:
    rows: list[Consent] = []
    end = person.churned_on or today
    since = person.customer_since
    if rng.random() < 0.85:
        withdraw = 0.04 + (0.12 if person.satisfaction < 5 else 0.0)
        rows += grant_maybe_withdraw(rng, person, ConsentPurpose.SURVEYS, since, end, withdraw, staff)
    if rng.random() < 0.5:
        withdraw = 0.15 + (0.35 if person.churned_on else 0.0)
        rows += grant_maybe_withdraw(rng, person, ConsentPurpose.MARKETING, since, end, withdraw, staff)
    for purpose, advocate_chance, other_chance in (
        (ConsentPurpose.TESTIMONIAL, 0.75, 0.05),
        (ConsentPurpose.REFERENCE_CALL, 0.55, 0.03),
        (ConsentPurpose.PUBLIC_STORY, 0.4, 0.02),
    ):
        likely = person.natural_advocate or (person.satisfaction >= 8.5 and person.churn_on is None)
        chance = advocate_chance if person.natural_advocate else other_chance if likely else 0.0
        if rng.random() < chance:
            on = random_day(rng, since + timedelta(days=90), end)
            if on:
                rows += grant_maybe_withdraw(rng, person, purpose, on, end, 0.05, staff)
    return rows


def grant_maybe_withdraw(
    rng: random.Random,
    person: CustomerPlan,
    purpose: str,
    granted_on: date,
    end: date,
    withdraw_chance: float,
    staff: dict[str, User],
) -> list[Consent]:
    by_phone = purpose in {ConsentPurpose.REFERENCE_CALL, ConsentPurpose.PUBLIC_STORY}
    rows = [
        Consent(
            customer_id=person.pk,
            purpose=purpose,
            granted=True,
            source="phone" if by_phone else "import",
            recorded_at=at_noon(granted_on),
            recorded_by_id=staff[person.advocate].pk if by_phone else None,
        )
    ]
    withdrawn_on = random_day(rng, granted_on + timedelta(days=1), end) if rng.random() < withdraw_chance else None
    if withdrawn_on:
        rows.append(
            Consent(
                customer_id=person.pk,
                purpose=purpose,
                granted=False,
                source="portal",
                recorded_at=at_noon(withdrawn_on),
            )
        )
    return rows


WINDOW_STARTS = (time(8), time(9), time(10), time(13), time(14), time(16))


def draw_contact_windows(rng: random.Random, person: CustomerPlan) -> list[ContactWindow]:
    if rng.random() >= 0.7:
        return []
    weekdays = rng.sample(range(5), rng.randint(1, 3)) + ([5] if rng.random() < 0.1 else [])
    rows = []
    for weekday in sorted(weekdays):
        starts = rng.choice(WINDOW_STARTS)
        ends = time(min(starts.hour + rng.randint(1, 3), 20))
        rows.append(ContactWindow(customer_id=person.pk, weekday=weekday, starts=starts, ends=ends))
    return rows


# --- manifest ---------------------------------------------------------------------------------


def portal_person(plan: CompanyPlan) -> CustomerPlan:
    """The customer the demo offers for trying the portal: the first natural advocate (a hub member)."""
    people = plan.customers
    staying = [p for p in people if p.churned_on is None]
    return next((p for p in people if p.natural_advocate), staying[0] if staying else people[0])


def build_manifest(plan: CompanyPlan, counts: dict[str, int]) -> dict[str, Any]:
    people = plan.customers
    advocates = [p for p in people if p.natural_advocate]
    staying = [p for p in people if p.churned_on is None]
    return {
        "seed": plan.seed,
        "today": plan.today.isoformat(),
        "history_days": HISTORY_DAYS,
        "counts": counts,
        "portal_example_email": portal_person(plan).email,
        "latent_model": truth.model_description(),
        "planted": {
            "natural_advocate_share": round(len(advocates) / len(people), 4),
            "natural_advocates": len(advocates),
            "churned": sum(1 for p in people if p.churned_on),
            "will_churn": sum(1 for p in people if p.churn_on),
            "mean_satisfaction": round(sum(p.satisfaction for p in people) / len(people), 3),
        },
        # Expected NPS of a full census of the customers who are still customers today.
        "segment_nps": {
            "population": "active customers",
            "overall": truth.expected_nps(p.satisfaction for p in staying),
            "by_region": truth.segment_nps(group_by(staying, lambda p: p.account.country.region)),
            "by_size": truth.segment_nps(group_by(staying, lambda p: p.account.size)),
            "by_industry": truth.segment_nps(
                group_by([p for p in staying if p.account.industry], lambda p: p.account.industry)
            ),
        },
        "customers": {p.external_id: customer_truth(p) for p in people},
    }


def customer_truth(person: CustomerPlan) -> dict[str, Any]:
    return {
        "satisfaction": round(person.satisfaction, 3),
        "promoter_probability": round(truth.promoter_probability(person.satisfaction), 4),
        "natural_advocate": person.natural_advocate,
        "will_churn": person.churn_on is not None,
        "churned": person.churned_on is not None,
        "churn_on": person.churn_on.isoformat() if person.churn_on else None,
        "features": sorted(person.features),
        "competitor_products": list(person.competitor_skus),
        "support_contacts_per_month": person.support_rate,
        "engagement": round(person.engagement, 3),
    }


def group_by(people: Iterable[CustomerPlan], key: Callable[[CustomerPlan], str]) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for person in people:
        groups[key(person)].append(person.satisfaction)
    return groups


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))


def read_manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


# --- small helpers ----------------------------------------------------------------------------


def product_spec(sku: str) -> ref.ProductSpec:
    return next(p for p in ref.PRODUCTS if p.sku == sku)


def weighted_choice(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method; the means here are small, so the loop is short."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def month_starts(first: date, end: date) -> Iterator[date]:
    day = first
    while day < end:
        yield day
        day += timedelta(days=30)


def random_day(rng: random.Random, first: date, end: date) -> date | None:
    """A day in [first, end), or None when the span is empty."""
    span = (end - first).days
    return first + timedelta(days=rng.randrange(span)) if span > 0 else None


def random_moment(rng: random.Random, first: date, end: date) -> datetime:
    start = datetime.combine(first, time(), tzinfo=UTC)
    seconds = max(int((end - first).total_seconds()), 1)
    return start + timedelta(seconds=rng.randrange(seconds))


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ascii_slug(text: str, separator: str = "-") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return separator.join(words)


def roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while n >= value:
            out += numeral
            n -= value
    return out
