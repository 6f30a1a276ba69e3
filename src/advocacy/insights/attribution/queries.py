"""Reads of attribution: what each source sourced or influenced, per month and currency, and the orders
and deals behind each figure. Each source is one SQL statement that pairs value with touches and
shares it by the model's credit rule (``credit.py``); totals are summed in the database.

Sources and their channels (the act that gets credit):
  referral  → channel ``referral``;
  reference → channel ``reference`` (won deals; lost and open deals are read apart, never added);
  influence → channels ``reference_call``, ``challenge``, ``story``, ``recommendation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from advocacy.insights.attribution.credit import weight_sql
from advocacy.insights.attribution.model import Model
from advocacy.insights.models import AttributionSource, Basis
from advocacy.insights.sqldates import as_date, month_of, plus_days

CENT = Decimal("0.01")
CHANNEL_LABELS = {
    "referral": "Referral",
    "reference": "Reference-won deal",
    "reference_call": "Reference call",
    "challenge": "Approved challenge",
    "story": "Story",
    "recommendation": "Accepted recommendation",
}


def referral_pairs(model: Model) -> str:
    """Friend orders after conversion (the converting order, or all within the window), one touch each."""
    converted_on = as_date("r.converted_at")
    if model.first_order_only:
        first = (
            "SELECT o2.id FROM customers_order o2 WHERE o2.customer_id = r.friend_id "  # noqa: S608 - our own SQL
            f"AND o2.ordered_on >= {converted_on} ORDER BY o2.ordered_on, o2.id LIMIT 1"
        )
        which = f"o.id = COALESCE(r.order_id, ({first}))"
    else:
        which = (
            f"(o.id = r.order_id OR (o.ordered_on >= {converted_on} "
            f"AND o.ordered_on <= {plus_days(converted_on, model.window_days)}))"
        )
    return f"""
        SELECT o.id AS ref_id, 'referral' AS channel, o.customer_id AS customer_id, l.advocate_id AS advocate_id,
               o.ordered_on AS on_date, o.amount AS amount, o.currency AS currency, p.margin_pct AS margin_pct,
               1.0 AS weight, 'won' AS outcome
        FROM advocates_referral r
        JOIN advocates_referrallink l ON l.id = r.link_id
        JOIN customers_order o ON o.customer_id = r.friend_id
        JOIN customers_product p ON p.id = o.product_id
        WHERE r.status = 'converted' AND {which}
    """  # noqa: S608 - our SQL; values are parameters


def reference_pairs(model: Model) -> str:
    """One deal per reference request, decided by its latest call; shared among the calls within the
    window before it. The deal's value is the won amount, else the opportunity value (lost, open)."""
    return f"""
        WITH calls AS (
            SELECT c.id AS call_id, k.request_id, a.customer_id, a.id AS advocate_id, c.held_on,
                   c.deal_outcome, c.deal_amount, c.currency,
                   ROW_NUMBER() OVER (PARTITION BY k.request_id ORDER BY c.held_on DESC, c.id DESC) AS latest
            FROM advocates_referencecall c
            JOIN advocates_referenceask k ON k.id = c.ask_id
            JOIN advocates_advocate a ON a.id = k.advocate_id
        ), deals AS (
            SELECT request_id, held_on AS decided_on, deal_outcome, deal_amount, currency FROM calls WHERE latest = 1
        ), touches AS (
            SELECT calls.request_id, calls.customer_id, calls.advocate_id, d.decided_on, d.deal_outcome,
                   d.deal_amount, d.currency,
                   ROW_NUMBER() OVER (PARTITION BY calls.request_id ORDER BY calls.held_on, calls.call_id) AS rn,
                   COUNT(*) OVER (PARTITION BY calls.request_id) AS n
            FROM calls JOIN deals d ON d.request_id = calls.request_id
            WHERE calls.held_on >= {plus_days("d.decided_on", -model.window_days)}
        )
        SELECT t.request_id AS ref_id, 'reference' AS channel, t.customer_id AS customer_id,
               t.advocate_id AS advocate_id, t.decided_on AS on_date,
               COALESCE(t.deal_amount, q.opportunity_value) AS amount, t.currency AS currency,
               p.margin_pct AS margin_pct, {weight_sql(model.credit_rule)} AS weight, t.deal_outcome AS outcome
        FROM touches t
        JOIN advocates_referencerequest q ON q.id = t.request_id
        LEFT JOIN customers_product p ON p.id = q.product_id
    """  # noqa: S608 - our SQL; values are parameters


def advocacy_acts() -> str:
    """Every advocacy act of a customer with its day: the touches that may influence their orders."""
    return f"""
        SELECT a.customer_id, c.held_on AS touched_on, 'reference_call' AS channel, a.id AS advocate_id
        FROM advocates_referencecall c
        JOIN advocates_referenceask k ON k.id = c.ask_id
        JOIN advocates_advocate a ON a.id = k.advocate_id
        UNION ALL
        SELECT a.customer_id, {as_date("s.reviewed_at")}, 'challenge', a.id
        FROM advocates_submission s JOIN advocates_advocate a ON a.id = s.advocate_id
        WHERE s.status = 'approved' AND s.reviewed_at IS NOT NULL
        UNION ALL
        SELECT a.customer_id, {as_date("COALESCE(st.published_at, st.consent_recorded_at)")}, 'story', a.id
        FROM advocates_story st JOIN advocates_advocate a ON a.id = st.advocate_id
        WHERE st.status IN ('approved', 'published')
        UNION ALL
        SELECT r.customer_id, {as_date("r.recorded_at")}, 'recommendation', NULL
        FROM casework_recommendation r WHERE r.outcome = 'accepted'
    """  # noqa: S608 - our SQL; values are parameters


def influence_pairs(model: Model) -> str:
    """Upsell and cross-sell orders paired with each act of the same customer in the window before them."""
    return f"""
        WITH acts AS ({advocacy_acts()}), touches AS (
            SELECT o.id AS order_id, o.customer_id, o.ordered_on, o.amount, o.currency, o.product_id,
                   t.channel, t.advocate_id,
                   ROW_NUMBER() OVER (PARTITION BY o.id ORDER BY t.touched_on, t.channel) AS rn,
                   COUNT(*) OVER (PARTITION BY o.id) AS n
            FROM customers_order o
            JOIN acts t ON t.customer_id = o.customer_id AND t.touched_on <= o.ordered_on
                        AND t.touched_on >= {plus_days("o.ordered_on", -model.window_days)}
            WHERE o.kind IN ('upsell', 'cross_sell')
        )
        SELECT t.order_id AS ref_id, t.channel AS channel, t.customer_id AS customer_id,
               t.advocate_id AS advocate_id, t.ordered_on AS on_date, t.amount AS amount,
               t.currency AS currency, p.margin_pct AS margin_pct,
               {weight_sql(model.credit_rule)} AS weight, 'won' AS outcome
        FROM touches t JOIN customers_product p ON p.id = t.product_id
    """  # noqa: S608 - our SQL; values are parameters


PAIRS: dict[str, Callable[[Model], str]] = {
    AttributionSource.REFERRAL: referral_pairs,
    AttributionSource.REFERENCE: reference_pairs,
    AttributionSource.INFLUENCE: influence_pairs,
}


@dataclass(frozen=True)
class Line:
    """What one channel brought in one month and currency, under its source's model."""

    source: str
    channel: str
    month: str
    currency: str
    outcome: str
    revenue: Decimal
    gross_profit: Decimal
    unknown_margin_revenue: Decimal
    items: float  # orders or deals, counted by their credited share

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


@dataclass
class Attribution:
    since: dt.date
    until: dt.date
    models: dict[str, Model]
    lines: list[Line] = field(default_factory=list)

    def won(self) -> list[Line]:
        return [line for line in self.lines if line.outcome == "won"]

    def not_won(self) -> list[Line]:
        """Reference-touched deals lost or still open: shown apart, never in a total."""
        return [line for line in self.lines if line.outcome != "won"]

    def value(self, line: Line) -> Decimal:
        return line.gross_profit if self.models[line.source].basis == Basis.GROSS_PROFIT else line.revenue

    def totals(self, *, basis: str | None = None) -> dict[tuple[str, str], dict[str, Decimal]]:
        """(source, currency) → revenue, gross profit, revenue of unknown margin, and the model's value."""
        out: dict[tuple[str, str], dict[str, Decimal]] = {}
        for line in self.won():
            row = out.setdefault(
                (line.source, line.currency),
                {"revenue": Decimal(0), "gross_profit": Decimal(0), "unknown": Decimal(0), "value": Decimal(0)},
            )
            row["revenue"] += line.revenue
            row["gross_profit"] += line.gross_profit
            row["unknown"] += line.unknown_margin_revenue
            row["value"] += self.value(line)
        return out


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def source_lines(source: str, model: Model, since: dt.date, until: dt.date) -> list[Line]:
    sql = f"""
        SELECT channel, {month_of("x.on_date")} AS month, currency, outcome,
               SUM(amount * weight),
               SUM(CASE WHEN margin_pct IS NULL THEN 0 ELSE amount * margin_pct / 100.0 * weight END),
               SUM(CASE WHEN margin_pct IS NULL THEN amount * weight ELSE 0 END),
               SUM(weight)
        FROM ({PAIRS[source](model)}) x
        WHERE x.on_date >= %s AND x.on_date <= %s
        GROUP BY channel, {month_of("x.on_date")}, currency, outcome
        ORDER BY 2, 1, 3
    """  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, until])
        rows = cursor.fetchall()
    return [
        Line(source, ch, month, cur, outcome, money(rev), money(gp), money(unknown), float(n or 0))
        for ch, month, cur, outcome, rev, gp, unknown, n in rows
    ]


def attribution(*, since: dt.date, until: dt.date, models: dict[str, Model]) -> Attribution:
    """Every source's lines in [since, until] under the given models (one statement per source)."""
    result = Attribution(since=since, until=until, models=models)
    for source, model in models.items():
        result.lines += source_lines(source, model, since, until)
    return result


@dataclass(frozen=True)
class Behind:
    """One order or deal behind a figure, with the share of it credited."""

    ref_id: int
    channel: str
    customer_id: int
    on_date: dt.date
    amount: Decimal
    currency: str
    margin_pct: Decimal | None
    weight: float
    outcome: str


def behind(
    *, source: str, model: Model, since: dt.date, until: dt.date, channel: str = "", limit: int = 500
) -> list[Behind]:
    """The orders (referral, influence) or deals (reference) behind a source's figure, newest first."""
    params: list[Any] = [since, until]
    only_channel = ""
    if channel:
        only_channel, params = "AND x.channel = %s", [*params, channel]
    sql = f"""
        SELECT ref_id, channel, customer_id, on_date, amount, currency, margin_pct, weight, outcome
        FROM ({PAIRS[source](model)}) x
        WHERE x.on_date >= %s AND x.on_date <= %s {only_channel}
        ORDER BY x.on_date DESC, x.ref_id DESC
        LIMIT %s
    """  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    return [
        Behind(
            ref_id=r[0],
            channel=r[1],
            customer_id=r[2],
            on_date=r[3] if isinstance(r[3], dt.date) else dt.date.fromisoformat(str(r[3])),
            amount=money(r[4]),
            currency=r[5],
            margin_pct=None if r[6] is None else Decimal(str(r[6])),
            weight=float(r[7]),
            outcome=r[8],
        )
        for r in rows
    ]


def sourced_by_advocate(advocate_customer_id: int) -> list[tuple[str, Decimal, int]]:
    """Revenue of the friends this customer referred (all their orders since conversion), per currency."""
    sql = f"""
        SELECT o.currency, SUM(o.amount), COUNT(DISTINCT r.friend_id)
        FROM advocates_referral r
        JOIN advocates_referrallink l ON l.id = r.link_id
        JOIN advocates_advocate a ON a.id = l.advocate_id
        JOIN customers_order o ON o.customer_id = r.friend_id
        WHERE a.customer_id = %s AND r.status = 'converted'
          AND (o.id = r.order_id OR o.ordered_on >= {as_date("r.converted_at")})
        GROUP BY o.currency ORDER BY o.currency
    """  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [advocate_customer_id])
        return [(cur, money(total), int(n)) for cur, total, n in cursor.fetchall()]


def acts_of(customer_id: int) -> list[tuple[str, int]]:
    """How many advocacy acts of each kind this customer did."""
    sql = f"SELECT channel, COUNT(*) FROM ({advocacy_acts()}) t WHERE t.customer_id = %s GROUP BY channel ORDER BY 1"  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer_id])
        return [(CHANNEL_LABELS.get(ch, ch), int(n)) for ch, n in cursor.fetchall()]
