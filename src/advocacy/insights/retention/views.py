"""The retention page, its CSV exports and the customers behind each curve: thin views over queries.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import plotly
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.groups import UnknownGroup, UnknownGrouping, group_label, grouping
from advocacy.insights.retention import charts
from advocacy.insights.retention import queries as retention
from advocacy.insights.retention.forms import DrillDownFilter, RetentionFilter, defaults

CUSTOMERS_PER_PAGE = 50
CSV_TABLES = ("curves", "churn", "revenue", "cohorts")


def choices(request: HttpRequest) -> tuple[RetentionFilter, dict[str, Any] | None]:
    form = RetentionFilter(request.GET or None, initial=defaults())
    if not request.GET:
        return form, defaults()
    return form, (form.cleaned_data if form.is_valid() else None)


def page_context(c: dict[str, Any]) -> dict[str, Any]:
    comparison = retention.retention_comparison(grouping(c["by"]), c["as_of"])
    periods = retention.churn_by_period(period=c["period"], since=c["since"], until=c["until"])
    currencies = retention.currencies()
    currency = c["currency"] or (currencies[0] if currencies else "")
    if currencies and currency not in currencies:
        raise retention.BadRetentionInput("currency", f"no orders in {currency}: choose one of {', '.join(currencies)}")
    revenue = retention.revenue_retention(as_of=c["as_of"], years=c["years"], currency=currency)
    cohorts = retention.cohort_heatmap(as_of=c["as_of"], cohort_by=c["cohort_by"])
    return {
        "comparison": comparison,
        "milestone_days": retention.MILESTONE_DAYS,
        "periods": periods,
        "revenue": revenue,
        "currencies": currencies,
        "cohorts": cohorts,
        "step_label": "quarter" if c["cohort_by"] == "quarter" else "year",
        "charts": {
            "survival": charts.survival_chart(comparison),
            "churn": charts.churn_chart(periods),
            "revenue": charts.revenue_chart(revenue),
            "heatmap": charts.heatmap_chart(cohorts, "quarter" if c["cohort_by"] == "quarter" else "year"),
        },
    }


@allow(*IMPACT_READERS)
def retention_page(request: HttpRequest) -> HttpResponse:
    form, chosen = choices(request)
    context: dict[str, Any] = {"form": form, "plotly_version": plotly.__version__, "chosen": chosen}
    if chosen is None:
        return render(request, "insights/retention.html", context, status=400)
    try:
        context |= page_context(chosen)
    except retention.BadRetentionInput as exc:
        form.add_error(None, str(exc))
        return render(request, "insights/retention.html", context, status=400)
    context["query"] = request.GET.urlencode()
    return render(request, "insights/retention.html", context)


def curve_rows(c: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    comparison = retention.retention_comparison(grouping(c["by"]), c["as_of"])
    header = ["group", "day", "survival", "low_95", "high_95", "at_risk", "churned", "censored"]
    rows = (
        [g.group, float(t), round(float(s), 6), round(float(lo), 6), round(float(hi), 6), int(n), int(d), int(k)]
        for g in comparison.groups
        for t, s, lo, hi, n, d, k in zip(
            g.curve.times,
            g.curve.survival,
            g.curve.low,
            g.curve.high,
            g.curve.at_risk,
            g.curve.events,
            g.curve.censored,
            strict=True,
        )
    )
    return header, rows


def churn_rows(c: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    periods = retention.churn_by_period(period=c["period"], since=c["since"], until=c["until"])
    header = ["period_start", "period_end", "active_at_start", "churned", "churn_rate", "started"]
    return header, ([p.start, p.end, p.active_at_start, p.churned, p.rate, p.started] for p in periods)


def revenue_rows(c: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    currencies = retention.currencies()
    currency = c["currency"] or (currencies[0] if currencies else "")
    table = retention.revenue_retention(as_of=c["as_of"], years=c["years"], currency=currency)
    header = ["cohort", "year_start", "currency", "customers", "base_revenue", "kept_revenue", "revenue", "grr", "nrr"]
    return header, (
        [r.cohort or "all", r.year_start, r.currency, r.customers, r.base, r.kept, r.total, r.grr, r.nrr]
        for r in [*table.rows, *table.totals]
    )


def cohort_rows(c: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    rows = retention.cohort_heatmap(as_of=c["as_of"], cohort_by=c["cohort_by"])
    steps = len(rows[0].retained) if rows else 0
    header = ["cohort", "customers", *(f"retained_after_{k}" for k in range(1, steps + 1))]
    return header, ([r.cohort, r.customers, *r.retained] for r in rows)


CSV_BUILDERS = {"curves": curve_rows, "churn": churn_rows, "revenue": revenue_rows, "cohorts": cohort_rows}


@allow(*IMPACT_READERS)
def retention_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """?table=curves|churn|revenue|cohorts, with the page's own filter."""
    table = request.GET.get("table", "curves")
    if table not in CSV_BUILDERS:
        return HttpResponse(
            f"No table {table!r}: choose one of {', '.join(CSV_TABLES)}.", status=400, content_type="text/plain"
        )
    form, chosen = choices(request)
    if chosen is None:
        return HttpResponse(f"Bad filter: {form.errors.as_text()}", status=400, content_type="text/plain")
    try:
        header, rows = CSV_BUILDERS[table](chosen)
        return csv_response(f"retention-{table}-{chosen['as_of']:%Y-%m-%d}.csv", header, list(rows))
    except retention.BadRetentionInput as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")


@allow(*IMPACT_READERS)
def retention_customers(request: HttpRequest) -> HttpResponse:
    """The customers behind one curve (?by=<grouping>&group=<group>&as_of=<date>); without a group,
    every customer the curves count."""
    form, chosen = choices(request)
    group = request.GET.get("group") or None
    windows = DrillDownFilter(request.GET)
    if chosen is None or not windows.is_valid():
        errors = form.errors.as_text() if chosen is None else windows.errors.as_text()
        return HttpResponse(f"Bad filter: {errors}", status=400, content_type="text/plain")
    try:
        customers = retention.customers_in_group(grouping(chosen["by"]), group, chosen["as_of"], windows.cleaned_data)
    except (UnknownGrouping, UnknownGroup) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insights/customers.html",
        {
            "title": f"{grouping(chosen['by']).label}: {group_label(group) if group else 'every group'}",
            "back": "insights:retention",
            "page": page,
            "query": query.urlencode(),
            "show_churn": True,
        },
    )
