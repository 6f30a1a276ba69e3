"""Lifetime value API: the newest fit with its error check and distribution, one customer's value, a refit."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.errors import HttpError, ValidationError

from advocacy.core.api.auth import api_auth
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.customers.models import Customer
from advocacy.insights.lifetime import queries as lifetime
from advocacy.insights.lifetime.schemas import BucketOut, CustomerValueOut, FitOut, LifetimeIn, LifetimeOut, RefitOut
from advocacy.insights.lifetime.tasks import refit_lifetime_value
from advocacy.insights.models import LifetimePrediction

router = Router(tags=["lifetime value"])

READERS = api_auth(*IMPACT_READERS)


@router.get(
    "/insights/lifetime",
    response=LifetimeOut,
    auth=READERS,
    summary="The newest lifetime value fit: method, error check, totals, distribution",
)
def lifetime_value(request: HttpRequest, filters: Query[LifetimeIn]) -> LifetimeOut:
    currency = filters.currency.upper() if filters.currency else None
    fit = lifetime.latest_fit(currency)
    if fit is None:
        fits = lifetime.latest_fits()
        if currency and fits:
            raise ValidationError(
                [
                    {
                        "loc": ("query", "currency"),
                        "msg": f"no fit for {currency}: choose one of {', '.join(f.currency for f in fits)}",
                    }
                ]
            )
        raise HttpError(404, "No lifetime value fit yet: run one with POST /api/v1/insights/lifetime/fits.")
    summary = lifetime.value_summary(fit)
    return LifetimeOut(
        fit=FitOut.from_orm(fit),
        **summary.__dict__,
        distribution=[BucketOut(**b.__dict__) for b in lifetime.value_distribution(fit, buckets=filters.buckets)],
    )


@router.get(
    "/insights/lifetime/customers/{customer_id}",
    response=list[CustomerValueOut],
    auth=READERS,
    summary="One customer's historical and predicted value, per currency, from the newest fit",
)
def customer_lifetime_value(request: HttpRequest, customer_id: int) -> list[LifetimePrediction]:
    get_object_or_404(Customer, pk=customer_id)
    return lifetime.customer_values(customer_id)


@router.post(
    "/insights/lifetime/fits",
    response={202: RefitOut},
    auth=api_auth(*PROGRAM_TEAM),
    summary="Queue a new lifetime value fit",
)
def queue_lifetime_fit(request: HttpRequest) -> Status[RefitOut]:
    job = refit_lifetime_value.enqueue()
    return Status(202, RefitOut(job_id=job.pk))
