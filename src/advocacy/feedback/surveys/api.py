"""API for surveys, waves, invitations (transactional triggers) and responses."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import READERS, api_auth
from advocacy.core.csvexport import csv_response
from advocacy.core.roles import Role
from advocacy.customers.models import Customer
from advocacy.customers.records.api import Page, actor, resolve
from advocacy.feedback.models import Invitation, Response, Survey
from advocacy.feedback.surveys import queries, services
from advocacy.feedback.surveys.schemas import (
    InvitationIn,
    InvitationOut,
    ResponseIn,
    ResponseOut,
    SurveyIn,
    SurveyOut,
    SurveyPatch,
    WaveOpenedOut,
    WaveOut,
)

router = Router(tags=["feedback"])

MANAGE = api_auth(Role.ADMIN, Role.PROGRAM_MANAGER)
READ = api_auth(*READERS)
TRIGGER = api_auth(Role.ADMIN, Role.PROGRAM_MANAGER, Role.CUSTOMER_ADVOCATE, Role.SALES)
RESPONSE_READERS = api_auth(
    Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST, Role.CUSTOMER_ADVOCATE, Role.DEPARTMENT_HEAD
)


@router.get("/surveys", response=list[SurveyOut], auth=READ, summary="List surveys")
@paginate(Page)
def list_surveys(request: HttpRequest) -> QuerySet[Survey]:
    return Survey.objects.order_by("-created_at", "-id")


@router.get("/surveys/{survey_id}", response=SurveyOut, auth=READ, summary="Read a survey")
def get_survey(request: HttpRequest, survey_id: int) -> Survey:
    return get_object_or_404(Survey, pk=survey_id)


@router.post("/surveys", response={201: SurveyOut}, auth=MANAGE, summary="Create a survey")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status[Survey]:
    data = payload.dict()
    return Status(201, services.survey_create(by=actor(request), **data))


@router.patch("/surveys/{survey_id}", response=SurveyOut, auth=MANAGE, summary="Update a survey")
def update_survey(request: HttpRequest, survey_id: int, payload: SurveyPatch) -> Survey:
    survey = get_object_or_404(Survey, pk=survey_id)
    return services.survey_update(survey=survey, by=actor(request), **payload.dict(exclude_unset=True))


@router.get("/surveys/{survey_id}/waves", response=list[WaveOut], auth=READ, summary="Waves of a survey")
def list_waves(request: HttpRequest, survey_id: int) -> Any:
    return get_object_or_404(Survey, pk=survey_id).waves.order_by("-number")


@router.post(
    "/surveys/{survey_id}/waves",
    response={201: WaveOpenedOut},
    auth=MANAGE,
    summary="Open the next wave now (invites the audience within the contact policy)",
)
def open_wave(request: HttpRequest, survey_id: int) -> Status[Any]:
    survey = get_object_or_404(Survey, pk=survey_id)
    opened = services.wave_open(survey=survey, by=actor(request))
    return Status(201, {"wave": opened.wave, "queued": opened.queued, "held": opened.held})


@router.get("/surveys/{survey_id}/distribution", auth=MANAGE, summary="Sent, answered and held back (with reasons)")
def distribution(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    return queries.distribution_status(get_object_or_404(Survey, pk=survey_id))


class InvitationFilters(Schema):
    survey_id: int | None = None
    customer_id: int | None = None
    status: str = ""


@router.get("/invitations", response=list[InvitationOut], auth=MANAGE, summary="List invitations")
@paginate(Page)
def list_invitations(request: HttpRequest, filters: Query[InvitationFilters]) -> QuerySet[Invitation]:
    invitations = Invitation.objects.order_by("-created_at", "-id")
    for field in ("survey_id", "customer_id", "status"):
        value = getattr(filters, field)
        if value:
            invitations = invitations.filter(**{field: value})
    return invitations


@router.post(
    "/invitations",
    response={200: InvitationOut, 201: InvitationOut},
    auth=TRIGGER,
    summary="Trigger a transactional survey for a customer (200 when this trigger was already used)",
)
def trigger_invitation(request: HttpRequest, payload: InvitationIn) -> Status[Invitation]:
    data = resolve(payload.dict(), {"survey_id": (Survey, "survey"), "customer_id": (Customer, "customer")})
    before = Invitation.objects.filter(
        survey=data["survey"], customer=data["customer"], trigger=data["trigger"]
    ).exists()
    invitation = services.transactional_invite(**data)
    return Status(200 if before else 201, invitation)


class ResponseFilters(Schema):
    survey_id: int | None = None
    customer_id: int | None = None
    wave_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def responses_matching(filters: ResponseFilters) -> QuerySet[Response]:
    responses = Response.objects.order_by("-answered_at", "-id")
    for field in ("survey_id", "customer_id", "wave_id"):
        value = getattr(filters, field)
        if value is not None:
            responses = responses.filter(**{field: value})
    if filters.since:
        responses = responses.filter(answered_at__gte=filters.since)
    if filters.until:
        responses = responses.filter(answered_at__lt=filters.until)
    return responses


@router.get("/responses", response=list[ResponseOut], auth=RESPONSE_READERS, summary="List responses")
@paginate(Page)
def list_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> QuerySet[Response]:
    return responses_matching(filters)


@router.get("/responses.csv", auth=RESPONSE_READERS, summary="Export responses as CSV")
def export_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> StreamingHttpResponse:
    rows = responses_matching(filters).values_list(
        "id", "survey_id", "kind", "wave_id", "customer_id", "channel", "score", "comment", "sentiment", "answered_at"
    )
    header = [
        "id",
        "survey_id",
        "kind",
        "wave_id",
        "customer_id",
        "channel",
        "score",
        "comment",
        "sentiment",
        "answered_at",
    ]
    return csv_response("responses.csv", header, rows.iterator(chunk_size=2000))


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
