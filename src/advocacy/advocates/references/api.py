"""API for customer references: requests from sales, matches, asks and calls."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from advocacy.advocates.models import (
    ReferenceAsk,
    ReferenceRequest,
)
from advocacy.advocates.references import queries as references_queries
from advocacy.advocates.references import services as references
from advocacy.advocates.references.schemas import (
    AskOut,
    CallIn,
    CallOut,
    CancelIn,
    MatchOut,
    ReferenceRequestIn,
    ReferenceRequestOut,
)
from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import REFERENCE_TEAM
from advocacy.customers.models import Product

router = Router(tags=["references"])

REFERENCES = api_auth(*REFERENCE_TEAM)


@router.get(
    "/reference-requests",
    response=list[ReferenceRequestOut],
    auth=REFERENCES,
    summary="List reference requests, newest first",
)
@paginate(Page)
def list_reference_requests(request: HttpRequest) -> QuerySet[ReferenceRequest]:
    return references_queries.reference_requests()


@router.post(
    "/reference-requests", response={201: ReferenceRequestOut}, auth=REFERENCES, summary="Ask for a customer reference"
)
def create_reference_request(request: HttpRequest, payload: ReferenceRequestIn) -> Status[ReferenceRequest]:
    data = resolve(payload.dict(), {"product_id": (Product, "product")})
    by = actor(request)
    if by is None:
        raise InvalidInput({"requested_by": "this API key has no creator to record as the requester"})
    return Status(201, references.reference_request_create(by=by, **data))


@router.get(
    "/reference-requests/{request_id}/matches",
    response=list[MatchOut],
    auth=REFERENCES,
    summary="Consenting advocates, best fit first, each with why they fit and why they are excluded",
)
def list_matches(request: HttpRequest, request_id: int) -> list[MatchOut]:
    ref_request = get_object_or_404(ReferenceRequest, pk=request_id)
    return [MatchOut.from_match(m) for m in references.reference_matches(ref_request)]


@router.post(
    "/reference-requests/{request_id}/asks",
    response={201: AskOut},
    auth=REFERENCES,
    summary="Ask the best available advocate (409 when nobody is free)",
)
def ask_next(request: HttpRequest, request_id: int) -> Status[ReferenceAsk]:
    ref_request = get_object_or_404(ReferenceRequest, pk=request_id)
    return Status(201, references.reference_ask(request=ref_request, by=actor(request)))


@router.post(
    "/reference-requests/{request_id}/cancel",
    response=ReferenceRequestOut,
    auth=REFERENCES,
    summary="Cancel a request that is no longer needed; advocates asked and not yet called are released",
)
def cancel_request(request: HttpRequest, request_id: int, payload: CancelIn) -> ReferenceRequest:
    ref_request = get_object_or_404(ReferenceRequest, pk=request_id)
    return references.reference_request_cancel(request=ref_request, by=actor(request), reason=payload.reason)


@router.post(
    "/reference-asks/{ask_id}/call",
    response=CallOut,
    auth=REFERENCES,
    summary="Record the call and the deal's outcome (again to update the outcome)",
)
def record_call(request: HttpRequest, ask_id: int, payload: CallIn) -> Any:
    ask = get_object_or_404(ReferenceAsk.objects.select_related("request"), pk=ask_id)
    return references.reference_call_record(ask=ask, by=actor(request), **payload.dict())
