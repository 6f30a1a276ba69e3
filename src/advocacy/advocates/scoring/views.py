"""Pages of the advocate score: the ranked list, the weights, and one customer's explanation.

One view serves the full page and the htmx partial; the work happens in ``scoring``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from advocacy.advocates.models import AdvocateScore, Tier
from advocacy.advocates.scoring import method, queries
from advocacy.advocates.scoring import services as scoring
from advocacy.advocates.scoring.forms import WeightsForm
from advocacy.core.errors import InvalidInput
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM, SCORE_READERS
from advocacy.customers.models import Customer

SCORE_READERS = SCORE_READERS
PER_PAGE = 50
PRECISION_KS = (50, 100)
ENROLLED_CHOICES = {"yes": True, "no": False}


@allow(*SCORE_READERS)
def advocate_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "tier": request.GET.get("tier", ""),
        "region": request.GET.get("region", ""),
        "enrolled": request.GET.get("enrolled", ""),
    }
    ranked = queries.scores_ranked(
        tier=filters["tier"] if filters["tier"] in Tier.values else "",
        region=filters["region"],
        enrolled=ENROLLED_CHOICES.get(filters["enrolled"]),
    )
    page = Paginator(ranked, PER_PAGE).get_page(request.GET.get("page"))
    template = "advocates/scores/_ranked.html" if request.htmx else "advocates/scores/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "tiers": Tier.choices,
            "regions": queries.score_regions(),
            "query": query_without_page(request),
            "weights": scoring.score_weights(),
            "last_run": queries.last_run(),
            "method": method.METHOD,
            "precision": [p for p in (queries.precision_at_k(k) for k in PRECISION_KS) if p is not None],
            "can_edit_weights": staff_user(request).role in {str(r) for r in PROGRAM_TEAM},
        },
    )


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@allow(*SCORE_READERS)
def score_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("account"), pk=customer_id)
    stored = AdvocateScore.objects.filter(customer=customer).first()
    lines = queries.score_explained(stored) if stored else []
    return render(
        request,
        "advocates/scores/detail.html",
        {
            "customer": customer,
            "stored": stored,
            "lines": lines,
            "totals": queries.component_totals(lines),
            "inputs": inputs_today(customer_id),
        },
    )


def inputs_today(customer_id: int) -> dict[str, object]:
    """The scoring inputs of one customer: the same ten set-based queries, limited to one id."""
    features = scoring.customer_features(only=[customer_id])
    if not len(features):
        return {}
    return {name.replace("_", " "): value for name, value in features.row(0).items()}


@allow(*PROGRAM_TEAM)
def weights(request: HttpRequest) -> HttpResponse:
    current = scoring.score_weights()
    form = WeightsForm(request.POST or None, initial={name: getattr(current, name) for name in scoring.WEIGHT_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            scoring.weights_update(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, "Weights saved. Every score is being recomputed in the background.")
            return redirect("advocates:weights")
    return render(request, "advocates/scores/weights.html", {"form": form, "weights": current, "method": method.METHOD})
