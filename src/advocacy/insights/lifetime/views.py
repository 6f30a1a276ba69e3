"""The lifetime value page, its CSV export, the customers behind a value band, and the refit button."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import plotly
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.insights.lifetime import charts
from advocacy.insights.lifetime import queries as lifetime
from advocacy.insights.lifetime.tasks import refit_lifetime_value

CUSTOMERS_PER_PAGE = 50
CSV_HEADER = [
    "customer_id",
    "email",
    "currency",
    "purchase_days",
    "historical_value",
    "expected_purchases",
    "p_alive",
    "expected_order_value",
    "predicted_value",
]


def chosen_fit(request: HttpRequest) -> tuple[lifetime.LifetimeFit | None, str | None]:
    currency = (request.GET.get("currency") or "").upper() or None
    fit = lifetime.latest_fit(currency)
    fits = lifetime.latest_fits()
    if fit is None and currency and fits:
        return (
            None,
            f"No fit for the currency {currency!r}: choose one of {', '.join(f.currency for f in fits)}.",
        )
    return fit, None


@allow(*IMPACT_READERS)
def lifetime_page(request: HttpRequest) -> HttpResponse:
    fit, error = chosen_fit(request)
    context = {"fit": fit, "error": error, "fits": lifetime.latest_fits(), "plotly_version": plotly.__version__}
    if fit is not None:
        buckets = lifetime.value_distribution(fit)
        context |= {
            "summary": lifetime.value_summary(fit),
            "buckets": buckets,
            "top": lifetime.predictions(fit)[:20],
            "chart": charts.distribution_chart(buckets, fit.currency),
            "calibration_chart": charts.calibration_chart(fit.calibration_by_frequency, fit.holdout_days),
        }
    return render(request, "insights/lifetime.html", context, status=400 if error else 200)


@allow(*IMPACT_READERS)
def lifetime_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    fit, error = chosen_fit(request)
    if fit is None:
        return HttpResponse(
            error or "No lifetime value fit yet.", status=400 if error else 404, content_type="text/plain"
        )
    rows = (
        [
            p.customer_id,
            p.customer.email,
            fit.currency,
            p.purchase_days,
            p.historical_value,
            round(p.expected_purchases, 4),
            round(p.p_alive, 4),
            p.expected_order_value,
            p.predicted_value,
        ]
        for p in lifetime.predictions(fit).iterator(chunk_size=2000)
    )
    return csv_response(f"lifetime-value-v{fit.version}-{fit.currency}.csv", CSV_HEADER, rows)


def band(request: HttpRequest) -> tuple[Decimal, Decimal] | str:
    try:
        low, high = Decimal(request.GET.get("low", "0")), Decimal(request.GET.get("high", "Infinity"))
    except InvalidOperation:
        return "low and high must be amounts such as 1200.50"
    if not low.is_finite() or low < 0 or high <= low:
        return "choose 0 ≤ low < high"
    return low, high


@allow(*IMPACT_READERS)
def lifetime_customers(request: HttpRequest) -> HttpResponse:
    """The customers whose predicted value lies in [low, high): ?currency=&low=&high=."""
    fit, error = chosen_fit(request)
    limits = band(request)
    if fit is None and error is None:
        return HttpResponse("No lifetime value fit yet.", status=404, content_type="text/plain")
    if fit is None or isinstance(limits, str):
        return HttpResponse(error or str(limits), status=400, content_type="text/plain")
    low, high = limits
    rows = lifetime.predictions(fit).filter(predicted_value__gte=low)
    if high.is_finite():
        rows = rows.filter(predicted_value__lt=high)
    page = Paginator(rows.select_related("customer__account"), CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    title = (
        f"Predicted value {low} to {high} {fit.currency}"
        if high.is_finite()
        else f"Predicted value from {low} {fit.currency}"
    )
    return render(
        request,
        "insights/customers.html",
        {
            "title": title,
            "back": "insights:lifetime",
            "page": page,
            "query": query.urlencode(),
            "show_value": True,
            "currency": fit.currency,
        },
    )


@allow(*PROGRAM_TEAM)
@require_POST
def lifetime_refit(request: HttpRequest) -> HttpResponse:
    refit_lifetime_value.enqueue()
    messages.success(request, "A new lifetime value fit is queued; the page shows it once the worker has run it.")
    return redirect("insights:lifetime")
