"""API for the program cost ledger: list, create (with Idempotency-Key), reverse; stated savings."""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.insights.costs import queries, services
from advocacy.insights.costs.schemas import CostIn, CostOut, ReverseIn, SavingIn, SavingOut
from advocacy.insights.models import CostEntry, CostSaving

router = Router(tags=["insights"])


@router.get("/insights/costs", response=list[CostOut], auth=api_auth(*IMPACT_READERS), summary="The cost ledger")
@paginate(Page)
def list_costs(
    request: HttpRequest, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[CostEntry]:
    return queries.cost_entries(since=since, until=until, kind=kind)


@router.post("/insights/costs", response={201: CostOut}, auth=api_auth(*PROGRAM_TEAM), summary="Book a program cost")
def create_cost(request: HttpRequest, payload: CostIn) -> Status[CostEntry]:
    return Status(201, services.cost_entry_create(by=actor(request), **payload.dict()))


@router.post(
    "/insights/costs/{entry_id}/reverse",
    response={201: CostOut},
    auth=api_auth(*PROGRAM_TEAM),
    summary="Correct an entry by booking its reversal (409 when reversed already)",
)
def reverse_cost(request: HttpRequest, entry_id: int, payload: ReverseIn) -> Status[CostEntry]:
    entry = get_object_or_404(CostEntry, pk=entry_id)
    return Status(201, services.cost_entry_reverse(entry=entry, by=actor(request), note=payload.note))


@router.get(
    "/insights/cost-savings", response=list[SavingOut], auth=api_auth(*IMPACT_READERS), summary="Stated savings"
)
@paginate(Page)
def list_savings(request: HttpRequest) -> QuerySet[CostSaving]:
    return queries.cost_savings()


@router.post(
    "/insights/cost-savings",
    response={201: SavingOut},
    auth=api_auth(*PROGRAM_TEAM),
    summary="State an estimated saving (shown as an estimate)",
)
def create_saving(request: HttpRequest, payload: SavingIn) -> Status[CostSaving]:
    return Status(201, services.cost_saving_create(by=actor(request), **payload.dict()))
