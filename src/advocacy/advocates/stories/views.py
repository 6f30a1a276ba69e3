"""The staff's story pages: review, publish within consent, withdraw, export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from advocacy.advocates.models import Story, StoryScope, StoryStatus
from advocacy.advocates.stories import queries as stories_queries
from advocacy.advocates.stories import services as stories
from advocacy.core.errors import ServiceError
from advocacy.core.pages import posted_id
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def story_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        story_action(request)
        return redirect("advocates:story_list")
    status = request.GET.get("status", "")
    listed = list(stories_queries.stories_matching(status=status if status in StoryStatus.values else "")[:200])
    return render(
        request,
        "advocates/program/story_list.html",
        {
            "stories": zip(listed, stories_queries.story_cards(listed), strict=True),
            "scopes": StoryScope.choices,
            "status": status,
            "statuses": StoryStatus.choices,
        },
    )


def story_action(request: HttpRequest) -> None:
    story = get_object_or_404(Story.objects.select_related("advocate__customer"), pk=posted_id(request, "story_id"))
    try:
        if request.POST.get("action") == "withdraw":
            stories.story_withdraw(story=story, by=staff_user(request), reason=request.POST.get("reason", ""))
            messages.success(request, f"“{story.title}” withdrawn.")
        else:
            stories.story_publish(story=story, scope=request.POST.get("scope", ""), by=staff_user(request))
            messages.success(request, f"“{story.title}” published ({story.get_published_scope_display()}).")
    except ServiceError as exc:
        messages.error(request, f"Not published: {exc}")


def export_scope(request: HttpRequest) -> str:
    scope = request.GET.get("scope", StoryScope.WEBSITE)
    return scope if scope in StoryScope.values else StoryScope.WEBSITE


@allow(*PROGRAM_TEAM)
@require_GET
def stories_export(request: HttpRequest) -> HttpResponse:
    body = stories_queries.story_export_json(stories_queries.published_stories(export_scope(request)))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stories.json"'
    return response


@allow(*PROGRAM_TEAM)
@require_GET
def stories_snippet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        stories_queries.story_export_html(stories_queries.published_stories(export_scope(request))),
        content_type="text/html; charset=utf-8",
    )
