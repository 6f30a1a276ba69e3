"""API for surveys, waves and invitations (transactional triggers)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.roles import CUSTOMER_WRITERS, PROGRAM_TEAM, STAFF_ROLES
from advocacy.customers.models import Customer
from advocacy.feedback.models import Invitation, Survey
from advocacy.feedback.surveys import queries, services
from advocacy.feedback.surveys.schemas import (
    InvitationIn,
    InvitationOut,
    SurveyIn,
    SurveyOut,
    SurveyPatch,
    WaveOpenedOut,
    WaveOut,
)

router = Router(tags=["feedback"])

MANAGE = api_auth(*PROGRAM_TEAM)
READ = api_auth(*STAFF_ROLES)
TRIGGER = api_auth(*CUSTOMER_WRITERS)


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
    return queries.invitations_matching(**filters.dict())


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
