"""API for listening: queries (program team), mentions and flags (readers; adding mentions: program team)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query as QueryParams
from ninja import Router, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import INSIGHT_READERS, PROGRAM_TEAM
from advocacy.listening.mentions import queries
from advocacy.listening.mentions import services as mentions
from advocacy.listening.mentions.schemas import (
    FlagOut,
    IngestOut,
    MentionFilters,
    MentionIn,
    MentionOut,
    QueryIn,
    QueryOut,
)
from advocacy.listening.models import Flag, Mention, Query, Source

router = Router(tags=["listening"])

READERS = api_auth(*INSIGHT_READERS)
PROGRAM = api_auth(*PROGRAM_TEAM)


@router.get("/listening/queries", response=list[QueryOut], auth=READERS, summary="List listening queries")
@paginate(Page)
def list_queries(request: HttpRequest) -> QuerySet[Query]:
    return Query.objects.order_by("kind", "name")


@router.post("/listening/queries", response={201: QueryOut}, auth=PROGRAM, summary="Add a listening query")
def create_query(request: HttpRequest, payload: QueryIn) -> Status[Query]:
    return Status(201, mentions.query_create(**payload.dict()))


@router.get("/listening/mentions", response=list[MentionOut], auth=READERS, summary="List mentions, with filters")
@paginate(Page)
def list_mentions(request: HttpRequest, filters: QueryParams[MentionFilters]) -> QuerySet[Mention]:
    return queries.mentions_matching(**filters.dict())


@router.get("/listening/mentions/{mention_id}", response=MentionOut, auth=READERS, summary="One mention")
def get_mention(request: HttpRequest, mention_id: int) -> Mention:
    return get_object_or_404(Mention, pk=mention_id)


@router.post(
    "/listening/mentions",
    response={201: IngestOut},
    auth=PROGRAM,
    summary="Add a mention (matched, deduplicated and scored like a feed's; send an Idempotency-Key)",
)
def create_mention(request: HttpRequest, payload: MentionIn) -> Status[mentions.IngestResult]:
    data = payload.dict()
    source = get_object_or_404(Source, pk=data.pop("source_id"))
    item = mentions.Incoming(author_email=data.pop("email"), **data)
    return Status(201, mentions.mentions_ingest(source=source, items=[item]))


@router.get("/listening/flags", response=list[FlagOut], auth=READERS, summary="List authenticity flags")
@paginate(Page)
def list_flags(request: HttpRequest, kind: str = "") -> QuerySet[Flag]:
    return queries.flags_matching(kind=kind)
