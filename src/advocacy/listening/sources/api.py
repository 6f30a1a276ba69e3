"""API for listening sources (program team): list with their health, add (a webhook's secret shown once)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput
from advocacy.core.links import absolute_url
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.importing.readers import ImportRefused
from advocacy.listening.models import Query, Source
from advocacy.listening.reviews.services import reviews_import
from advocacy.listening.sources import services as sources
from advocacy.listening.sources.schemas import ReviewImportOut, SourceCreatedOut, SourceIn, SourceOut

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


@router.post(
    "/listening/sources/{source_id}/reviews",
    response={201: ReviewImportOut},
    auth=PROGRAM,
    summary="Import a review export (CSV, XLSX or JSON) into a source; each refused row is reported",
)
def import_reviews(
    request: HttpRequest, source_id: int, file: File[UploadedFile], query_id: Form[int | None] = None
) -> Status[dict[str, Any]]:
    source = get_object_or_404(Source, pk=source_id)
    query = get_object_or_404(Query, pk=query_id) if query_id else None
    try:
        report = reviews_import(source=source, upload=file, file_name=file.name or "", query=query)
    except ImportRefused as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    return Status(201, {**report.to_dict(), "stored": report.created})
