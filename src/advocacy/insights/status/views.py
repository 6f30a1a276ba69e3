"""Satisfaction and profitability by advocacy status: the page, its CSV and the customers behind each row."""

from __future__ import annotations

from typing import Any

import plotly
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.groups import STATUS_GROUPINGS, UnknownGroup, UnknownGrouping, group_label, grouping
from advocacy.insights.retention.queries import currencies
from advocacy.insights.status import charts
from advocacy.insights.status import queries as status

CUSTOMERS_PER_PAGE = 50
CSV_HEADER = [
    "status",
    "group",
    "nps",
    "nps_low_95",
    "nps_high_95",
    "nps_n",
    "csat_pct",
    "csat_low_95",
    "csat_high_95",
    "csat_n",
    "currency",
    "gross_margin_per_customer",
    "margin_low_95",
    "margin_high_95",
    "margin_n",
]


def chosen_currency(request: HttpRequest) -> tuple[str, list[str], str | None]:
    known = currencies()
    currency = (request.GET.get("currency") or "").upper() or (known[0] if known else "USD")
    if known and currency not in known:
        return currency, known, f"No orders in {currency!r}: choose one of {', '.join(known)}."
    return currency, known, None


@allow(*IMPACT_READERS)
def status_page(request: HttpRequest) -> HttpResponse:
    currency, known, error = chosen_currency(request)
    context: dict[str, Any] = {
        "currency": currency,
        "currencies": known,
        "error": error,
        "plotly_version": plotly.__version__,
    }
    if error is None:
        tables = status.all_statuses(currency=currency)
        context |= {
            "tables": tables,
            "orders_without_margin": status.orders_without_margin(currency),
            "margin_unknown_total": status.margin_unknown_total(currency),
            "charts": {"nps": charts.estimate_chart(tables, "nps"), "margin": charts.estimate_chart(tables, "margin")},
        }
    return render(request, "insights/status.html", context, status=400 if error else 200)


@allow(*IMPACT_READERS)
def status_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    currency, _, error = chosen_currency(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain")
    rows = [
        [
            t.grouping.name,
            r.group,
            r.nps.nps,
            r.nps.low,
            r.nps.high,
            r.nps.n,
            r.csat.csat,
            r.csat.low,
            r.csat.high,
            r.csat.n,
            currency,
            r.margin.mean,
            r.margin.low,
            r.margin.high,
            r.margin.n,
        ]
        for t in status.all_statuses(currency=currency)
        for r in t.rows
    ]
    return csv_response(f"advocacy-status-{currency}.csv", CSV_HEADER, rows)


@allow(*IMPACT_READERS)
def status_customers(request: HttpRequest) -> HttpResponse:
    """The customers in one group: ?status=member|referrer|reference|story&group=…; without a group, everyone."""
    name, group = request.GET.get("status") or "member", request.GET.get("group") or None
    if name not in STATUS_GROUPINGS:
        return HttpResponse(
            f"Choose ?status= one of {', '.join(STATUS_GROUPINGS)}.", status=400, content_type="text/plain"
        )
    try:
        customers = status.customers_in_status(name, group)
    except (UnknownGrouping, UnknownGroup) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insights/customers.html",
        {
            "title": f"{grouping(name).label}: {group_label(group) if group else 'every group'}",
            "back": "insights:status",
            "page": page,
            "query": query.urlencode(),
            "show_churn": True,
        },
    )
