"""API for customer stories: the list, publishing within consent, withdrawing, exports."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from advocacy.advocates.models import (
    Story,
    StoryScope,
)
from advocacy.advocates.stories import queries as stories_queries
from advocacy.advocates.stories import services as stories
from advocacy.advocates.stories.schemas import ExportFilters, PublishIn, StoryFilters, StoryOut, WithdrawIn
from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import PROGRAM_TEAM

router = Router(tags=["stories"])

PROGRAM = api_auth(*PROGRAM_TEAM)


@router.get("/stories", response=list[StoryOut], auth=PROGRAM, summary="List stories")
@paginate(Page)
def list_stories(request: HttpRequest, filters: Query[StoryFilters]) -> QuerySet[Story]:
    return stories_queries.stories_matching(**filters.dict())


@router.post(
    "/stories/{story_id}/publish",
    response=StoryOut,
    auth=PROGRAM,
    summary="Publish within the consent (409 with the reason beyond it)",
)
def publish_story(request: HttpRequest, story_id: int, payload: PublishIn) -> Story:
    story = get_object_or_404(Story.objects.select_related("advocate__customer"), pk=story_id)
    return stories.story_publish(story=story, scope=payload.scope, by=actor(request))


@router.post("/stories/{story_id}/withdraw", response=StoryOut, auth=PROGRAM, summary="Take a story down everywhere")
def withdraw_story(request: HttpRequest, story_id: int, payload: WithdrawIn) -> Story:
    story = get_object_or_404(Story.objects.select_related("advocate__customer"), pk=story_id)
    return stories.story_withdraw(story=story, by=actor(request), reason=payload.reason)


@router.get(
    "/stories/export.json",
    auth=PROGRAM,
    summary="Published stories as JSON, with disclosures",
    response={200: dict[str, Any]},
)
def export_stories(request: HttpRequest, filters: Query[ExportFilters]) -> HttpResponse:
    if filters.scope not in StoryScope.values:
        raise InvalidInput({"scope": f"one of: {', '.join(StoryScope.values)}"})
    body = stories_queries.story_export_json(stories_queries.published_stories(filters.scope))
    return HttpResponse(body, content_type="application/json; charset=utf-8")
