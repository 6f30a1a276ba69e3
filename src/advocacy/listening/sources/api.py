"""API for listening sources (program team): list with their health, add (a webhook's secret shown once)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.links import absolute_url
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.listening.models import Source
from advocacy.listening.sources import services as sources
from advocacy.listening.sources.schemas import SourceCreatedOut, SourceIn, SourceOut

router = Router(tags=["listening"])

PROGRAM = api_auth(*PROGRAM_TEAM)


@router.get("/listening/sources", response=list[SourceOut], auth=PROGRAM, summary="List sources and their health")
@paginate(Page)
def list_sources(request: HttpRequest) -> QuerySet[Source]:
    return Source.objects.order_by("name")


@router.post("/listening/sources", response={201: SourceCreatedOut}, auth=PROGRAM, summary="Add a source")
def create_source(request: HttpRequest, payload: SourceIn) -> Status[dict[str, Any]]:
    source, secret = sources.source_create(**payload.dict(), by=actor(request))
    url = absolute_url("listening:webhook", public_id=source.public_id) if source.public_id else ""
    return Status(201, {**SourceOut.from_orm(source).dict(), "webhook_url": url, "secret": secret})
