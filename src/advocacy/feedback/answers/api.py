"""API for answers: the list and its CSV export, and answers gathered elsewhere."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import api_auth
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.csvexport import csv_response
from advocacy.core.roles import INSIGHT_READERS, PROGRAM_TEAM
from advocacy.customers.models import Customer
from advocacy.feedback.answers import queries, services
from advocacy.feedback.answers.schemas import ResponseIn, ResponseOut
from advocacy.feedback.models import Response, Survey

router = Router(tags=["feedback"])

MANAGE = api_auth(*PROGRAM_TEAM)
RESPONSE_READERS = api_auth(*INSIGHT_READERS)


class ResponseFilters(Schema):
    survey_id: int | None = None
    customer_id: int | None = None
    wave_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@router.get("/responses", response=list[ResponseOut], auth=RESPONSE_READERS, summary="List responses")
@paginate(Page)
def list_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> QuerySet[Response]:
    return queries.responses_matching(**filters.dict())


@router.get("/responses.csv", auth=RESPONSE_READERS, summary="Export responses as CSV")
def export_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> StreamingHttpResponse:
    rows = queries.responses_matching(**filters.dict()).values_list(*queries.EXPORT_FIELDS)
    return csv_response("responses.csv", list(queries.EXPORT_FIELDS), rows.iterator(chunk_size=2000))


@router.post(
    "/responses",
    response={200: ResponseOut, 201: ResponseOut},
    auth=MANAGE,
    summary="Record an answer gathered elsewhere (200 when its external_id was already recorded)",
)
def create_response(request: HttpRequest, payload: ResponseIn) -> Status[Response]:
    data = resolve(payload.dict(), {"survey_id": (Survey, "survey"), "customer_id": (Customer, "customer")})
    response, created = services.response_import(**data)
    return Status(201 if created else 200, response)
