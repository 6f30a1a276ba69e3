"""The advocate score's method: who among the customers is likely to advocate, and why, in words.

How a score is made is written once, in ``METHOD`` below, and shown on the list page's help box:
features come from one GROUP BY query per source table into numpy arrays aligned by customer id;
each component is normalised to 0–1, weighted, and summed into a 0–100 score with its parts in
score points and its top three reasons (codes, put into words by reasons.py). The features, the
transforms and their explanation
live together here because they must change together; services.py writes, queries.py reads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone

from advocacy.advocates.models import (
    ReferenceCall,
    Referral,
    ReferralStatus,
    ScoreWeights,
    Story,
    StoryStatus,
    Submission,
    SubmissionStatus,
    Tier,
)
from advocacy.advocates.scoring.reasons import Reason, reason_codes, reason_codes_json
from advocacy.casework.models import OPEN_STATUSES, Case
from advocacy.core.errors import InvalidInput
from advocacy.customers.models import EngagementKind, Order
from advocacy.feedback import scales
from advocacy.feedback.models import Response, SurveyKind

DAY = 86_400.0
RECENT_DAYS = 90
YEAR_DAYS = 365
RECENCY_HALF_LIFE_DAYS = 30.0
FREQUENCY_PERCENTILE = 95
TENURE_FULL_YEARS = 5.0
POSITIVE_REVIEW_STARS = 4  # a review event's value is its star rating; unrated reviews count too
TIER_FLOORS = ((Tier.CHAMPION, 75.0), (Tier.LIKELY, 55.0), (Tier.POTENTIAL, 35.0))
POSITIVE_COMPONENTS = ("satisfaction", "engagement", "value", "advocacy_history")
WEIGHT_FIELDS = (*POSITIVE_COMPONENTS, "negatives")
ACT_WEIGHTS = {"referrals": 1.0, "reference_calls": 1.5, "stories": 1.5, "reviews": 0.5, "challenges": 0.25}


@dataclass(frozen=True)
class Part:
    name: str
    component: str
    share: float  # of its component; history parts share by their acts instead (see history_units)
    label: str


PARTS: tuple[Part, ...] = (
    Part("nps", "satisfaction", 0.60, "Latest NPS answer, /10"),
    Part("csat", "satisfaction", 0.25, "Latest CSAT answer, (x−1)/4"),
    Part("nps_trend", "satisfaction", 0.15, "NPS trend: latest minus previous"),
    Part("recency", "engagement", 0.5, "Recency: halves every 30 days since the last event"),
    Part("frequency", "engagement", 0.5, "Frequency: events in the last 90 days, log-scaled"),
    Part("revenue", "value", 0.6, "Revenue: percentile within its currency"),
    Part("tenure", "value", 0.4, "Tenure: years as a customer, up to 5"),
    *(Part(act, "advocacy_history", 1.0, f"History: {act.replace('_', ' ')}") for act in ACT_WEIGHTS),
    Part("open_cases", "negatives", 0.5, "Open cases"),
    Part("detractor", "negatives", 0.5, "A detractor answer in the last 90 days"),
    Part("churned", "churned", 1.0, "Left us: the score drops to 0"),
)
PART_NAMES = tuple(p.name for p in PARTS)
COL = {name: i for i, name in enumerate(PART_NAMES)}
COMPONENT_LABELS = {
    "satisfaction": "Satisfaction",
    "engagement": "Engagement",
    "value": "Value",
    "advocacy_history": "Advocacy history",
    "negatives": "Negatives",
    "churned": "Left us",
}
SATISFACTION_PARTS = ("nps", "csat", "nps_trend")  # neutral at 0.5, not at 0

# How a score is made, in the words the list page's help box shows.
METHOD: tuple[tuple[str, str], ...] = (
    (
        "Features",
        "One GROUP BY query per source table (customers, engagement events, orders, survey answers, "
        "referrals, reference calls, stories, challenge submissions, cases), never a query per customer.",
    ),
    (
        "Satisfaction",
        "0.60 × NPS/10 + 0.25 × (CSAT − 1)/4 + 0.15 × (0.5 + (NPS − previous NPS)/20). "
        "A missing answer counts as a neutral 0.5; the reasons then say “no answer yet”.",
    ),
    (
        "Engagement",
        "0.5 × recency + 0.5 × frequency. Recency halves every 30 days since the last event; "
        "frequency is log(1 + events in the last 90 days) / log(1 + the 95th percentile of that count), at most 1.",
    ),
    (
        "Value",
        "0.6 × revenue rank + 0.4 × tenure. The revenue rank is the customer's percentile among "
        "customers paying in the same currency (amounts are never converted); tenure is years as a customer / 5, "
        "at most 1.",
    ),
    (
        "Advocacy history",
        "1 − 2^(−acts/2), where acts = customers referred + 1.5 × reference calls held + "
        "1.5 × stories published + 0.5 × positive reviews (4–5 stars or unrated) + 0.25 × approved challenges. "
        "Two acts make 0.5, four make 0.75.",
    ),
    ("Negatives", "0.5 × (1 − 2^(−open cases)) + 0.5 × (1 − days since a detractor answer (NPS 0–6) / 90)."),
    (
        "Score",
        "100 × (Σ component × its weight's share of the positive weights − negatives × the negatives "
        "weight), clipped to 0–100. A customer who has left scores 0.",
    ),
    ("Tiers", "Champion ≥ 75, likely advocate ≥ 55, potential ≥ 35, otherwise not now."),
    ("Reasons", "The three parts that move a score most from neutral, in words."),
)


# --- features: one set-based query per table --------------------------------------------------


@dataclass(frozen=True)
class Features:
    """Raw inputs, one array entry per customer, aligned with ``ids`` (ascending). NaN = unknown."""

    now: datetime
    ids: np.ndarray
    tenure_days: np.ndarray
    churned_days_ago: np.ndarray
    events_90: np.ndarray
    events_365: np.ndarray
    days_since_event: np.ndarray
    reviews: np.ndarray
    referral_events: np.ndarray
    revenue: np.ndarray
    currency: np.ndarray
    nps: np.ndarray
    nps_previous: np.ndarray
    csat: np.ndarray
    detractor_days_ago: np.ndarray
    referrals: np.ndarray
    reference_calls: np.ndarray
    stories: np.ndarray
    challenges: np.ndarray
    open_cases: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, customer_id: int) -> int | None:
        i = int(np.searchsorted(self.ids, customer_id))
        return i if i < len(self.ids) and self.ids[i] == customer_id else None

    def row(self, i: int) -> dict[str, Any]:
        """One customer's inputs as plain values, for the explanation page."""
        skip = {"now", "ids"}
        return {name: _plain(getattr(self, name)[i]) for name in self.__dataclass_fields__ if name not in skip}


Only = Sequence[int] | RawSQL | None  # some customers: their ids, or a subquery that selects them


def customer_features(now: datetime | None = None, *, only: Only = None) -> Features:
    """The scoring inputs of every customer (or of those in ``only``): ten queries, whatever the count."""
    now = now or timezone.now()
    ids, tenure, churned = _customers(now, only)
    columns: dict[str, np.ndarray] = {"tenure_days": tenure, "churned_days_ago": churned}
    for loader in (_events, _revenue, _answers, _detractors, _history, _open_cases):
        columns.update(loader(ids, now, only))
    return Features(now=now, ids=ids, **columns)


def _only(queryset: QuerySet[Any], only: Only, field_name: str = "customer_id") -> QuerySet[Any]:
    if only is None:
        return queryset
    return queryset.filter(**{f"{field_name}__in": only if isinstance(only, RawSQL) else list(only)})


def _place(ids: np.ndarray, keys: Iterable[int], values: Iterable[Any], fill: Any, dtype: Any) -> np.ndarray:
    """Scatter per-customer aggregates into an array aligned with ``ids``; unknown keys are dropped
    (a customer created between two of the queries is scored next time)."""
    out = np.full(len(ids), fill, dtype=dtype)
    keys_arr = keys if isinstance(keys, np.ndarray) else np.fromiter(keys, dtype=np.int64)
    vals = values.astype(dtype) if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=dtype)
    if len(keys_arr) == 0 or len(ids) == 0:
        return out
    pos = np.minimum(np.searchsorted(ids, keys_arr), len(ids) - 1)
    found = ids[pos] == keys_arr
    out[pos[found]] = vals[found]
    return out


def _days_ago(now: datetime, moments: Iterable[datetime | None]) -> list[float]:
    stamp = now.timestamp()
    return [math.nan if m is None else (stamp - m.timestamp()) / DAY for m in moments]


def _scope(only: Only, column: str) -> tuple[str, list[Any]]:
    """``AND column IN (…)`` for hand-written SQL: the ids in ``only``, or its subquery."""
    if only is None:
        return "", []
    if isinstance(only, RawSQL):
        return f" AND {column} IN ({only.sql})", list(only.params)
    ids = [int(i) for i in only]
    return (f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids) if ids else (" AND 1 = 0", [])


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    # Hand-written SQL and a plain cursor where a million rows come back: the ORM would turn each
    # date and moment into a Python object, which costs more than the query.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _customers(now: datetime, only: Only) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scope, params = _scope(only, "id")
    # Dates as ISO text: SQLite's driver would otherwise turn each into a date object, one call per row.
    rows = _fetch(
        "SELECT id, CAST(customer_since AS TEXT), CAST(churned_on AS TEXT) FROM customers_customer "
        f"WHERE 1 = 1{scope} ORDER BY id",
        params,
    )
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    today = np.datetime64(now.date(), "D")
    since = np.array([r[1] for r in rows], dtype="datetime64[D]")
    churned_on = np.array([r[2] for r in rows], dtype="datetime64[D]")
    return ids, _whole_days(today - since), _whole_days(today - churned_on)


def _whole_days(deltas: np.ndarray) -> np.ndarray:
    days = deltas.astype(float)
    days[np.isnat(deltas)] = math.nan  # NaT casts to a huge negative number, not NaN
    return days


LAST_EVENT = {  # the latest event of a customer, as seconds since 1970 (PostgreSQL) or ISO text in UTC (SQLite)
    "postgresql": "EXTRACT(EPOCH FROM MAX(occurred_at))::float8",
    "sqlite": "MAX(occurred_at)",
}


def _seconds(values: list[Any]) -> np.ndarray:
    """Seconds since 1970 from what LAST_EVENT returns; NaN for none."""
    if connection.vendor == "postgresql":
        return np.array([math.nan if v is None else v for v in values], dtype=float)
    moments = np.array(values, dtype="datetime64[us]")
    seconds = moments.astype(np.int64) / 1e6  # exact microseconds, divided once: as datetime.timestamp()
    seconds[np.isnat(moments)] = math.nan
    return seconds


def _events(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    scope, params = _scope(only, "customer_id")
    moment = connection.ops.adapt_datetimefield_value
    rows = _fetch(
        "SELECT customer_id, "
        "SUM(CASE WHEN occurred_at >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN occurred_at >= %s THEN 1 ELSE 0 END), "
        f"{LAST_EVENT[connection.vendor]}, "
        # a review event's value is its star rating; unrated reviews count too
        "SUM(CASE WHEN kind = %s AND (value IS NULL OR value >= %s) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END) "
        f"FROM customers_engagementevent WHERE occurred_at <= %s{scope} GROUP BY customer_id",
        [
            moment(now - timedelta(days=RECENT_DAYS)),
            moment(now - timedelta(days=YEAR_DAYS)),
            str(EngagementKind.REVIEW),
            POSITIVE_REVIEW_STARS,
            str(EngagementKind.REFERRAL),
            moment(now),
            *params,
        ],
    )
    keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    days = (now.timestamp() - _seconds([r[3] for r in rows])) / DAY

    def column(n: int, fill: Any, dtype: Any, values: Any = None) -> np.ndarray:
        return _place(ids, keys, values if values is not None else [r[n] for r in rows], fill, dtype)

    return {
        "events_90": column(1, 0, np.int64),
        "events_365": column(2, 0, np.int64),
        "days_since_event": column(3, math.nan, float, days),
        "reviews": column(4, 0, np.int64),
        "referral_events": column(5, 0, np.int64),
    }


def _revenue(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    """Revenue in the customer's main currency (the one they spent most in); nothing is converted."""
    rows = sorted(
        _only(Order.objects.order_by(), only)
        .filter(ordered_on__lte=now.date())
        .values("customer_id", "currency")
        .annotate(total=Sum("amount"))
        .values_list("customer_id", "currency", "total"),
        key=lambda r: (r[0], r[2]),
    )
    main = {r[0]: r for r in rows}  # sorted by total: the last row per customer is the largest
    return {
        "revenue": _place(ids, main.keys(), (float(r[2]) for r in main.values()), 0.0, float),
        "currency": _place(ids, main.keys(), (r[1] for r in main.values()), "", object),
    }


def _answers(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    """The latest two NPS answers and the latest CSAT answer per customer, by a window function."""
    rows = list(
        _only(Response.objects.order_by(), only)
        .filter(customer__isnull=False, kind__in=[SurveyKind.NPS, SurveyKind.CSAT], answered_at__lte=now)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id"), F("kind")],
                order_by=[F("answered_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=2)
        .values_list("customer_id", "kind", "rank", "score")
    )

    def pick(kind: str, rank: int) -> np.ndarray:
        chosen = [r for r in rows if r[1] == kind and r[2] == rank]
        return _place(ids, (r[0] for r in chosen), (r[3] for r in chosen), math.nan, float)

    return {"nps": pick(SurveyKind.NPS, 1), "nps_previous": pick(SurveyKind.NPS, 2), "csat": pick(SurveyKind.CSAT, 1)}


def _detractors(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    rows = list(
        _only(Response.objects.order_by(), only)
        .filter(
            kind=SurveyKind.NPS,
            score__lte=scales.DETRACTOR_MAX,
            customer__isnull=False,
            answered_at__gte=now - timedelta(days=RECENT_DAYS),
            answered_at__lte=now,
        )
        .values("customer_id")
        .annotate(last=Max("answered_at"))
        .values_list("customer_id", "last")
    )
    ago = _days_ago(now, (r[1] for r in rows))
    return {"detractor_days_ago": _place(ids, (r[0] for r in rows), ago, math.nan, float)}


def _count_by(ids: np.ndarray, queryset: QuerySet[Any], key: str) -> np.ndarray:
    rows = list(queryset.order_by().values(key).annotate(n=Count("id")).values_list(key, "n"))
    return _place(ids, (r[0] for r in rows), (r[1] for r in rows), 0, np.int64)


def _history(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    """Program history, counted per advocate's customer: four GROUP BY queries."""
    referrals = Referral.objects.filter(status=ReferralStatus.CONVERTED, converted_at__lte=now)
    calls = ReferenceCall.objects.filter(held_on__lte=now.date())
    stories = Story.objects.filter(status=StoryStatus.PUBLISHED, published_at__lte=now)
    approved = Submission.objects.filter(status=SubmissionStatus.APPROVED)
    return {
        "referrals": _count_by(
            ids, _only(referrals, only, "link__advocate__customer_id"), "link__advocate__customer_id"
        ),
        "reference_calls": _count_by(
            ids, _only(calls, only, "ask__advocate__customer_id"), "ask__advocate__customer_id"
        ),
        "stories": _count_by(ids, _only(stories, only, "advocate__customer_id"), "advocate__customer_id"),
        "challenges": _count_by(ids, _only(approved, only, "advocate__customer_id"), "advocate__customer_id"),
    }


def _open_cases(ids: np.ndarray, now: datetime, only: Only) -> dict[str, np.ndarray]:
    cases = _only(Case.objects.filter(status__in=OPEN_STATUSES), only)
    return {"open_cases": _count_by(ids, cases, "customer_id")}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


# --- the score: vectorised ----------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """What one customer's score is measured against: the typical count of recent events (the 95th
    percentile among customers with any) and, per currency, the revenues of its paying customers,
    sorted. A full rescore takes it from every customer and keeps it (ScoringRun); an incremental
    rescore measures the customers it rescores against the kept one."""

    typical_events_90: float
    revenues: dict[str, np.ndarray]

    def to_bytes(self) -> bytes:
        """The currencies' codes, then their revenues, as numpy arrays in one .npz (no pickles)."""
        codes = sorted(self.revenues)
        buffer = io.BytesIO()
        np.savez(buffer, np.array(codes, dtype=str), *(self.revenues[code] for code in codes))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, typical_events_90: float, data: bytes | memoryview) -> Population:
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as stored:
            codes = stored["arr_0"].tolist()
            revenues = {code: stored[f"arr_{n + 1}"] for n, code in enumerate(codes)}
        return cls(typical_events_90, revenues)


def population_of(f: Features) -> Population:
    active = f.events_90[f.events_90 > 0]
    typical = float(np.percentile(active, FREQUENCY_PERCENTILE)) if len(active) else 1.0
    paying = f.revenue > 0
    currencies = set(f.currency[paying].tolist())  # a handful of currencies, not customers
    return Population(typical, {code: np.sort(f.revenue[paying & (f.currency == code)]) for code in currencies})


@dataclass(frozen=True)
class Scores:
    features: Features = field(repr=False)
    score: np.ndarray  # 0–100
    tier: np.ndarray  # Tier values
    parts: np.ndarray  # (customers × PARTS) contributions in score points
    top: np.ndarray  # (customers × 3) the parts that move each score most, best first; −1: none

    @property
    def ids(self) -> np.ndarray:
        return self.features.ids

    def __len__(self) -> int:
        return len(self.features)

    def parts_of(self, i: int) -> dict[str, float]:
        return {name: round(float(self.parts[i, c]), 1) for c, name in enumerate(PART_NAMES)}

    def reasons_of(self, rows: np.ndarray) -> list[list[Reason]]:
        """The reasons of the customers at ``rows``, as stored: codes with their parameters."""
        return reason_codes(self.features, self.top, PART_NAMES, rows)

    def reasons_json_of(self, rows: np.ndarray) -> list[str]:
        """The same, as the JSON text written to the database."""
        return reason_codes_json(self.features, self.top, PART_NAMES, rows)


def score(features: Features, weights: ScoreWeights, population: Population | None = None) -> Scores:
    """Every customer's score; measured against ``population``, or against these customers themselves."""
    population = population or population_of(features)
    units = component_units(features, population)
    points = 100.0 * units * part_coefficients(weights)
    churned = ~np.isnan(features.churned_days_ago)
    points[churned, COL["churned"]] = -points[churned].sum(axis=1)  # a customer who left scores 0
    total = np.clip(points.sum(axis=1), 0.0, 100.0)
    return Scores(
        features=features,
        score=np.round(total, 2),
        tier=tiers(total),
        parts=points,
        top=top_parts(reason_keys(features, points, weights)),
    )


def tiers(total: np.ndarray) -> np.ndarray:
    out = np.full(len(total), Tier.NOT_NOW.value, dtype=object)
    for tier, floor in reversed(TIER_FLOORS):  # the highest floor is written last and wins
        out[total >= floor] = tier.value
    return out


def part_coefficients(weights: ScoreWeights) -> np.ndarray:
    """Each part's weight in the score: its share of its component × the component's weight."""
    positive = sum(float(getattr(weights, c)) for c in POSITIVE_COMPONENTS)
    if positive <= 0:
        raise InvalidInput({"weights": "at least one of satisfaction, engagement, value, history must count"})
    coefficient = {c: float(getattr(weights, c)) / positive for c in POSITIVE_COMPONENTS}
    coefficient["negatives"] = -float(weights.negatives)
    coefficient["churned"] = 0.0  # filled in by score()
    return np.array([coefficient[p.component] * p.share for p in PARTS])


def component_units(f: Features, population: Population) -> np.ndarray:
    """Every part normalised to 0–1 (customers × PARTS); history parts carry their share of acts."""
    units = np.zeros((len(f), len(PARTS)))
    for name, values in (
        *satisfaction_units(f),
        *engagement_units(f, population.typical_events_90),
        *value_units(f, population),
        *history_units(f),
        *negative_units(f),
    ):
        units[:, COL[name]] = values
    return units


def satisfaction_units(f: Features) -> list[tuple[str, np.ndarray]]:
    trend = np.clip(0.5 + (f.nps - f.nps_previous) / 20.0, 0.0, 1.0)
    return [
        ("nps", np.nan_to_num(f.nps / 10.0, nan=0.5)),
        ("csat", np.nan_to_num((f.csat - 1.0) / 4.0, nan=0.5)),
        ("nps_trend", np.nan_to_num(trend, nan=0.5)),
    ]


def engagement_units(f: Features, typical: float) -> list[tuple[str, np.ndarray]]:
    recency = np.nan_to_num(0.5 ** (f.days_since_event / RECENCY_HALF_LIFE_DAYS), nan=0.0)
    frequency = np.minimum(np.log1p(f.events_90) / math.log1p(max(typical, 1.0)), 1.0)
    return [("recency", np.minimum(recency, 1.0)), ("frequency", frequency)]


def value_units(f: Features, population: Population) -> list[tuple[str, np.ndarray]]:
    tenure = np.clip(np.nan_to_num(f.tenure_days, nan=0.0) / 365.25 / TENURE_FULL_YEARS, 0.0, 1.0)
    return [("revenue", revenue_rank(f.revenue, f.currency, population)), ("tenure", tenure)]


def revenue_rank(revenue: np.ndarray, currency: np.ndarray, population: Population) -> np.ndarray:
    """Percentile (0–1] among the population's customers paying in the same currency, ties sharing
    their average rank; 0 for no revenue. For a customer of the population itself this is exactly
    the average rank of scipy's ``rankdata`` ÷ the customers paying in that currency."""
    rank = np.zeros(len(revenue))
    for code, paid in population.revenues.items():
        paying = (currency == code) & (revenue > 0)
        below = np.searchsorted(paid, revenue[paying], side="left")
        up_to = np.searchsorted(paid, revenue[paying], side="right")
        rank[paying] = np.minimum((below + up_to + 1) / 2 / len(paid), 1.0)
    return rank


def referred(f: Features) -> np.ndarray:
    """Program referrals and CRM 'referral' events may record the same referral: take the larger."""
    return np.maximum(f.referrals, f.referral_events)


def history_units(f: Features) -> list[tuple[str, np.ndarray]]:
    counts = {
        "referrals": referred(f),
        "reference_calls": f.reference_calls,
        "stories": f.stories,
        "reviews": f.reviews,
        "challenges": f.challenges,
    }
    acts = {name: ACT_WEIGHTS[name] * counts[name].astype(float) for name in ACT_WEIGHTS}
    total = sum(acts.values(), np.zeros(len(f)))
    history = 1.0 - 2.0 ** (-total / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return [(name, np.nan_to_num(history * act / total, nan=0.0)) for name, act in acts.items()]


def negative_units(f: Features) -> list[tuple[str, np.ndarray]]:
    detractor = np.nan_to_num(np.clip(1.0 - f.detractor_days_ago / RECENT_DAYS, 0.0, 1.0), nan=0.0)
    return [("open_cases", 1.0 - 0.5 ** f.open_cases.astype(float)), ("detractor", detractor)]


# --- reasons: the parts that move a score most ----------------------------------------------

MISSING_ANSWER_KEY = 0.01  # shown only when fewer than three parts move the score
TOP_REASONS = 3


def reason_keys(f: Features, points: np.ndarray, weights: ScoreWeights) -> np.ndarray:
    """How much each part moves the score away from neutral; satisfaction is neutral at 0.5, not 0."""
    keys = np.abs(points)
    neutral = 100.0 * 0.5 * part_coefficients(weights)
    for name in SATISFACTION_PARTS:
        c = COL[name]
        keys[:, c] = np.abs(points[:, c] - neutral[c])
    answered_nps = ~np.isnan(f.nps)
    keys[:, COL["nps"]] = np.where(answered_nps, np.maximum(keys[:, COL["nps"]], 1.0), MISSING_ANSWER_KEY)
    keys[:, COL["csat"]] = np.where(np.isnan(f.csat), MISSING_ANSWER_KEY / 2, keys[:, COL["csat"]])
    keys[:, COL["nps_trend"]] = np.where(np.isnan(f.nps_previous), 0.0, keys[:, COL["nps_trend"]])
    keys[:, COL["churned"]] = np.where(np.isnan(f.churned_days_ago), 0.0, 1e9)
    return keys


def top_parts(keys: np.ndarray, top: int = TOP_REASONS) -> np.ndarray:
    """Each customer's ``top`` parts by key, best first (ties in the method's order); −1 where a part
    does not move the score at all."""
    order = np.argsort(-keys, axis=1, kind="stable")[:, :top]
    moves = np.take_along_axis(keys, order, axis=1) > 0
    return np.where(moves, order, -1)
