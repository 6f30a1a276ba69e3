"""API for reply templates: the team's saved answers, and one filled for a case."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from advocacy.casework.cases.queries import case_with_customer
from advocacy.casework.models import ReplyTemplate
from advocacy.casework.replies import queries, services
from advocacy.casework.replies.schemas import (
    FilledReplyOut,
    ReplyTemplateFilters,
    ReplyTemplateIn,
    ReplyTemplateOut,
    ReplyTemplatePatch,
)
from advocacy.core.api.auth import api_auth, staff_member
from advocacy.core.api.pagination import Page
from advocacy.core.roles import CASE_WORKERS, PROGRAM_TEAM

router = Router(tags=["reply templates"])

READ = api_auth(*CASE_WORKERS)
KEEP = api_auth(*PROGRAM_TEAM)


@router.get("/reply-templates", response=list[ReplyTemplateOut], auth=READ, summary="List reply templates")
@paginate(Page)
def list_reply_templates(request: HttpRequest, filters: Query[ReplyTemplateFilters]) -> QuerySet[ReplyTemplate]:
    return queries.templates_matching(active=filters.active)


@router.post("/reply-templates", response={201: ReplyTemplateOut}, auth=KEEP, summary="Save a reply template")
def create_reply_template(request: HttpRequest, payload: ReplyTemplateIn) -> Status[ReplyTemplate]:
    return Status(201, services.reply_template_create(by=staff_member(request), **payload.dict()))


@router.patch(
    "/reply-templates/{template_id}", response=ReplyTemplateOut, auth=KEEP, summary="Change or retire a template"
)
def update_reply_template(request: HttpRequest, template_id: int, payload: ReplyTemplatePatch) -> ReplyTemplate:
    template = get_object_or_404(ReplyTemplate, pk=template_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.reply_template_update(template=template, by=staff_member(request), **fields)


@router.get(
    "/cases/{case_id}/replies/{template_id}",
    response=FilledReplyOut,
    auth=READ,
    summary="A template filled with the case's facts (nothing is sent)",
)
def filled_reply(request: HttpRequest, case_id: int, template_id: int) -> FilledReplyOut:
    case = case_with_customer(case_id)
    template = get_object_or_404(queries.templates_offered(), pk=template_id)
    return FilledReplyOut(template_id=template.pk, case_id=case.pk, body=services.reply_fill(template, case))
