"""The Impact page, the figures' drill-downs and their CSV exports. Thin: it reads the queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import plotly
from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from advocacy.advocates.holdout.queries import assignments, holdout_share_pct
from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.attribution.model import stored_models
from advocacy.insights.attribution.queries import CHANNEL_LABELS, Attribution, attribution, behind
from advocacy.insights.costs.queries import costs_by_month
from advocacy.insights.currency import ISO_4217
from advocacy.insights.holdout.matching import member_matched
from advocacy.insights.holdout.queries import holdout_comparison, incremental_roi, member_comparison
from advocacy.insights.impact import charts
from advocacy.insights.models import AttributionSource
from advocacy.insights.money.queries import convert
from advocacy.insights.roi.queries import RoiReport, roi_report

CURRENCIES = sorted(ISO_4217)


class ImpactFilter(forms.Form):
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.ChoiceField(required=False, choices=[(c, c) for c in CURRENCIES], initial="USD")
    window_days = forms.IntegerField(required=False, min_value=1, max_value=3650, label="Holdout window (days)")
    matched = forms.BooleanField(required=False, label="Adjust members vs non-members by propensity-score matching")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The period starts after it ends.")
        return data


@dataclass(frozen=True)
class Choice:
    since: date
    until: date
    currency: str
    window_days: int
    matched: bool = False

    def query(self) -> str:
        return f"since={self.since}&until={self.until}&currency={self.currency}&window_days={self.window_days}"


def choice_of(request: HttpRequest) -> tuple[ImpactFilter, Choice]:
    form = ImpactFilter(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    until = data.get("until") or timezone.localdate()
    since = data.get("since") or until - timedelta(days=364)
    window = data.get("window_days") or 365
    return form, Choice(since, until, data.get("currency") or "USD", window, bool(data.get("matched")))


def attribution_rows(found: Attribution) -> list[dict[str, Any]]:
    rows = []
    for (source, currency), t in sorted(found.totals().items()):
        model = found.models[source]
        rows.append(
            {
                "source": source,
                "label": AttributionSource(source).label,
                "currency": currency,
                **t,
                "basis": model.basis,
                "model": model.describe(),
            }
        )
    return rows


def holdout_context(choice: Choice, report: RoiReport) -> dict[str, Any]:
    causal = holdout_comparison(window_days=choice.window_days, currency=choice.currency, today=choice.until)
    association = member_comparison(
        since=choice.until - timedelta(days=choice.window_days - 1), until=choice.until, currency=choice.currency
    )
    margin = gross_margin_share(report)
    matched = None
    if choice.matched:  # a row per customer: only on request
        window_start = choice.until - timedelta(days=choice.window_days - 1)
        matched = member_matched(since=window_start, until=choice.until, currency=choice.currency)
    return {
        "matched": matched,
        "matched_asked": choice.matched,
        "causal": [(c, c.verdict("invited", "held out", "The hub invitation")) for c in causal],
        "association": [
            (c, c.verdict("members", "non-members", "Membership (an association, not an effect)")) for c in association
        ],
        "incremental": incremental_roi(causal[0], margin=margin, cost=float(report.total.cost)) if margin else None,
        "margin": margin,
        "share_pct": holdout_share_pct(),
        "chart": charts.differences(causal),
    }


def gross_margin_share(report: RoiReport) -> float | None:
    """Gross profit per unit of attributed revenue, used to turn a revenue lift into gross profit."""
    if report.attributed_revenue <= 0:
        return None
    return float(report.total.gross_profit / report.attributed_revenue)


@allow(*IMPACT_READERS)
def impact(request: HttpRequest) -> HttpResponse:
    form, choice = choice_of(request)
    models = stored_models()
    found = attribution(since=choice.since, until=choice.until, models=models)
    report = roi_report(since=choice.since, until=choice.until, models=models, currency=choice.currency, found=found)
    per_currency: dict[str, Decimal] = {}
    for (_, currency), row in found.totals().items():
        per_currency[currency] = per_currency.get(currency, Decimal(0)) + row["value"]
    context = {
        "converted": convert(per_currency, to=choice.currency, on=choice.until) if len(per_currency) > 1 else None,
        "form": form,
        "choice": choice,
        "models": models.values(),
        "totals": attribution_rows(found),
        "not_won": found.not_won(),
        "report": report,
        "holdout": holdout_context(choice, report),
        "charts": {
            "revenue": charts.revenue_by_source(found, choice.currency),
            "cost": charts.cost_against_return(report),
        },
        "plotly_version": plotly.__version__,
        "tab": "impact",
    }
    return render(request, "insights/impact.html", context)


@allow(*IMPACT_READERS)
def impact_behind(request: HttpRequest, source: str) -> HttpResponse | StreamingHttpResponse:
    """The orders or deals behind one source's figure (optionally one channel), with their credited share."""
    if source not in AttributionSource.values:
        raise Http404
    _, choice = choice_of(request)
    channel = request.GET.get("channel", "")
    rows = behind(source=source, model=stored_models()[source], since=choice.since, until=choice.until, channel=channel)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{source}-behind.csv",
            ["id", "channel", "customer", "date", "amount", "currency", "margin_pct", "credited_share", "outcome"],
            (
                [
                    r.ref_id,
                    r.channel,
                    r.customer_id,
                    r.on_date,
                    r.amount,
                    r.currency,
                    r.margin_pct,
                    f"{r.weight:.4f}",
                    r.outcome,
                ]
                for r in rows
            ),
        )
    return render(
        request,
        "insights/behind.html",
        {
            "rows": rows,
            "source": AttributionSource(source),
            "model": stored_models()[source],
            "choice": choice,
            "channel": CHANNEL_LABELS.get(channel, ""),
            "tab": "impact",
        },
    )


@allow(*IMPACT_READERS)
def holdout_customers(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The customers behind the holdout comparison: each draw with its date and group."""
    group = request.GET.get("group", "")
    rows = assignments()
    if group:
        rows = rows.filter(group=group)
    if request.GET.get("format") == "csv":
        return csv_response(
            "holdout-assignments.csv",
            ["customer", "group", "selected_by", "share_pct", "assigned_at"],
            ([a.customer_id, a.group, a.selected_by, a.share_pct, a.assigned_at.isoformat()] for a in rows.iterator()),
        )
    return render(request, "insights/holdout_customers.html", {"rows": rows[:500], "group": group, "tab": "impact"})


@allow(*IMPACT_READERS)
def impact_csv(request: HttpRequest, table: str) -> StreamingHttpResponse:
    """Each table of the Impact page as CSV, for the same period and currency."""
    _, choice = choice_of(request)
    models = stored_models()
    if table == "attribution":
        found = attribution(since=choice.since, until=choice.until, models=models)
        header = [
            "source",
            "channel",
            "month",
            "currency",
            "outcome",
            "revenue",
            "gross_profit",
            "unknown_margin_revenue",
            "model",
        ]
        rows = [
            [
                ln.source,
                ln.channel,
                ln.month,
                ln.currency,
                ln.outcome,
                ln.revenue,
                ln.gross_profit,
                ln.unknown_margin_revenue,
                models[ln.source].describe(),
            ]
            for ln in found.lines
        ]
    elif table == "roi":
        report = roi_report(since=choice.since, until=choice.until, models=models, currency=choice.currency)
        header = ["period", "gross_profit", "stated_savings_estimate", "cost", "roi", "currency"]
        rows = [
            [p.label, p.gross_profit, p.savings, p.cost, p.roi, choice.currency]
            for p in [*report.by_quarter, report.total]
        ]
    elif table == "costs":
        header = ["month", "kind", "source", "currency", "amount"]
        rows = [
            [c.month, c.kind, c.source, c.currency, c.amount]
            for c in costs_by_month(since=choice.since, until=choice.until)
        ]
    elif table == "holdout":
        causal = holdout_comparison(window_days=choice.window_days, currency=choice.currency, today=choice.until)
        header = [
            "label",
            "metric",
            "n_invited",
            "n_holdout",
            "mean_invited",
            "mean_holdout",
            "difference",
            "low_95",
            "high_95",
        ]
        rows = [
            [c.label, c.metric, c.treated.n, c.control.n, c.treated.mean, c.control.mean, c.difference, c.low, c.high]
            for c in causal
        ]
    elif table == "association":
        window_start = choice.until - timedelta(days=choice.window_days - 1)
        association = member_comparison(since=window_start, until=choice.until, currency=choice.currency)
        header = [
            "label",
            "metric",
            "n_members",
            "n_non_members",
            "mean_members",
            "mean_non_members",
            "difference",
            "low_95",
            "high_95",
        ]
        rows = [
            [c.label, c.metric, c.treated.n, c.control.n, c.treated.mean, c.control.mean, c.difference, c.low, c.high]
            for c in association
        ]
    else:
        raise Http404
    return csv_response(f"impact-{table}.csv", header, rows)
