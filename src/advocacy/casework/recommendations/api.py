"""API for customer-first recommendations: ranked products, recording one, its outcome."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from advocacy.casework.cases.queries import case_with_customer, customer_of
from advocacy.casework.models import Case, Recommendation
from advocacy.casework.recommendations import services as recommending
from advocacy.casework.recommendations.schemas import (
    OutcomePatch,
    RankedOut,
    RankQuery,
    RecommendationFilters,
    RecommendationIn,
    RecommendationOut,
)
from advocacy.core.api.auth import api_auth, staff_member
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.roles import CASE_WORKERS, Role
from advocacy.customers.models import Customer, Product

router = Router(tags=["recommendations"])

READ = api_auth(*CASE_WORKERS, Role.ANALYST)
WORK = api_auth(*CASE_WORKERS)

RECOMMENDATION_REFS = {
    "case_id": (Case, "case"),
    "customer_id": (Customer, "customer"),
    "product_id": (Product, "product"),
}


def ranked_out(row: recommending.Ranked) -> RankedOut:
    return RankedOut(
        product_id=row.product.pk,
        name=row.product.name,
        competitor=row.product.competitor,
        fit=row.fit,
        covered=row.covered,
        missing=row.missing,
        price=row.price,
        currency=row.currency,
        price_compared=row.comparable,
        cheaper_than_current=row.cheaper_than_current,
        current=row.current,
        reason=row.reason,
        margin_pct=row.product.margin_pct,
    )


@router.get(
    "/cases/{case_id}/recommendations",
    response=list[RankedOut],
    auth=READ,
    summary="Products ranked by fit, then the customer's price (never by margin)",
)
def case_recommendations(request: HttpRequest, case_id: int, query: Query[RankQuery]) -> list[RankedOut]:
    case = case_with_customer(case_id)
    needs = [t for t in query.needs.split(",") if t.strip()]
    return [ranked_out(row) for row in recommending.products_ranked(customer=case.customer, needs=needs, case=case)]


@router.post(
    "/recommendations",
    response={201: RecommendationOut},
    auth=WORK,
    summary="Record a recommendation; fit, 'cheaper' and 'competitor' are computed",
)
def record_recommendation(request: HttpRequest, payload: RecommendationIn) -> Status[Recommendation]:
    data = resolve(payload.dict(), RECOMMENDATION_REFS)
    customer, case = customer_of(data), data["case"]
    row = recommending.product_assessed(customer=customer, product=data["product"], needs=payload.needs, case=case)
    return Status(
        201,
        recommending.recommendation_record(
            customer=customer,
            product=row.product,
            case=case,
            reason=payload.reason,
            by=staff_member(request),
            fit=row.fit,
            cheaper_than_current=row.cheaper_than_current,
            competitor=row.competitor,
        ),
    )


@router.patch(
    "/recommendations/{recommendation_id}",
    response=RecommendationOut,
    auth=WORK,
    summary="Record what the customer decided",
)
def recommendation_outcome(request: HttpRequest, recommendation_id: int, payload: OutcomePatch) -> Recommendation:
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
    return recommending.recommendation_outcome(
        recommendation=recommendation, outcome=payload.outcome, by=staff_member(request)
    )


@router.get(
    "/recommendations", response=list[RecommendationOut], auth=READ, summary="List recommendations, newest first"
)
@paginate(Page)
def list_recommendations(request: HttpRequest, filters: Query[RecommendationFilters]) -> QuerySet[Recommendation]:
    return recommending.recommendations_matching(**filters.dict())
