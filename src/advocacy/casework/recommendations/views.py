"""Pages for customer-first recommendations: products ranked by fit, then the customer's price (never margin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advocacy.casework.cases.queries import case_with_customer
from advocacy.casework.models import Recommendation
from advocacy.casework.recommendations import services as recommending
from advocacy.casework.recommendations.forms import OutcomeForm, RecommendForm, tags
from advocacy.core.errors import ServiceError
from advocacy.core.pages import show_errors, show_form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import CASE_WORKERS


@allow(*CASE_WORKERS)
def case_recommendations(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_with_customer(case_id)
    extra = tags(request.GET.get("needs", ""))
    try:
        rows = recommending.products_ranked(customer=case.customer, needs=extra, case=case)
        problem = ""
    except ServiceError as exc:
        rows, problem = [], str(exc)
    return render(
        request,
        "casework/recommendations/case.html",
        {
            "case": case,
            "rows": rows,
            "problem": problem,
            "extra": ", ".join(extra),
            "needed": recommending.needs_for(customer=case.customer, needs=extra, case=case),
            "form": RecommendForm(initial={"needs": ", ".join(extra)}),
            "outcome_form": OutcomeForm(),
            "recorded": recommending.recommendations_matching(case_id=case.pk),
        },
    )


@allow(*CASE_WORKERS)
@require_POST
def recommendation_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_with_customer(case_id)
    form = RecommendForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("casework:case_recommendations", case_id=case.pk)
    try:
        row = recommending.product_assessed(
            customer=case.customer,
            product=form.cleaned_data["product"],
            needs=tags(form.cleaned_data["needs"]),
            case=case,
        )
        recorded = recommending.recommendation_record(
            customer=case.customer,
            product=row.product,
            case=case,
            reason=form.cleaned_data["reason"],
            by=staff_user(request),
            fit=row.fit,
            cheaper_than_current=row.cheaper_than_current,
            competitor=row.competitor,
        )
    except ServiceError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            f"Recommendation of {recorded.product} recorded"
            + (" — a customer-first act." if recorded.customer_first else "."),
        )
    return redirect("casework:case_recommendations", case_id=case.pk)


@allow(*CASE_WORKERS)
@require_POST
def recommendation_outcome(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        recommending.recommendation_outcome(
            recommendation=recommendation, outcome=form.cleaned_data["outcome"], by=staff_user(request)
        )
        messages.success(request, "Outcome recorded.")
    else:
        show_form_errors(request, form)
    if recommendation.case_id is None:
        return redirect("casework:queue")
    return redirect("casework:case_recommendations", case_id=recommendation.case_id)
