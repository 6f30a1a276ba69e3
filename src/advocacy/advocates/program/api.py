"""API for referrals, customer references and stories. Handlers parse, call one service or query, return."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Header, Query, Router, Status
from ninja.pagination import paginate

from advocacy.advocates.models import (
    ProgramSettings,
    ReferenceAsk,
    ReferenceRequest,
    Referral,
    ReferralReward,
    Story,
    StoryScope,
)
from advocacy.advocates.program import queries
from advocacy.advocates.program import services as program_settings
from advocacy.advocates.program.schemas import (
    AskOut,
    CallIn,
    CallOut,
    CancelIn,
    ConversionImportIn,
    ConversionImportOut,
    ConversionIn,
    ExportFilters,
    MatchOut,
    OverviewFilters,
    ProgramOverviewOut,
    ProgramSettingsIn,
    ProgramSettingsOut,
    PublishIn,
    ReferenceRequestIn,
    ReferenceRequestOut,
    ReferralFilters,
    ReferralOut,
    RewardDecisionIn,
    RewardFilters,
    RewardOut,
    StoryFilters,
    StoryOut,
    WithdrawIn,
)
from advocacy.advocates.references import services as references
from advocacy.advocates.referrals import services as referrals
from advocacy.advocates.stories import services as stories
from advocacy.core.api.auth import api_auth
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import Role
from advocacy.customers.models import Customer, Order, Product
from advocacy.customers.records.api import Page, actor, resolve

router = Router(tags=["referrals, references, stories"])

PROGRAM = api_auth(Role.ADMIN, Role.PROGRAM_MANAGER)
REFERENCES = api_auth(Role.ADMIN, Role.PROGRAM_MANAGER, Role.SALES)
CONVERSION_SENDERS = api_auth(Role.ADMIN, Role.SALES, Role.PROGRAM_MANAGER)


# The program as a whole


@router.get(
    "/advocacy-program",
    response=ProgramOverviewOut,
    auth=PROGRAM,
    summary="Members, activity, points issued and redeemed, the referral funnel and references by stage",
)
def program_overview(request: HttpRequest, filters: Query[OverviewFilters]) -> dict[str, Any]:
    return queries.program_overview(days=filters.days)


@router.get("/program-settings", response=ProgramSettingsOut, auth=PROGRAM, summary="Read the program settings")
def read_program_settings(request: HttpRequest) -> ProgramSettings:
    return program_settings.program_settings()


@router.patch(
    "/program-settings",
    response=ProgramSettingsOut,
    auth=PROGRAM,
    summary="Change fraud-rule switches, windows, points, reference quota, disclosure (only the fields sent)",
)
def update_program_settings(request: HttpRequest, payload: ProgramSettingsIn) -> ProgramSettings:
    return program_settings.program_settings_update(by=actor(request), **payload.dict(exclude_unset=True))


# Referrals


def conversion_friend(payload: ConversionIn) -> Customer:
    if payload.friend_customer_id is not None:
        friend = Customer.objects.filter(pk=payload.friend_customer_id).first()
        if friend is None:
            raise InvalidInput({"friend_customer_id": f"no customer with id {payload.friend_customer_id}"})
        return friend
    email = (payload.friend_email or "").strip().lower()
    friend = Customer.objects.filter(email=email).first()
    if friend is None:
        raise InvalidInput({"friend_email": f"no customer with email {email}"})
    return friend


@router.post(
    "/referrals/conversions",
    response={200: ReferralOut, 201: ReferralOut},
    auth=CONVERSION_SENDERS,
    summary="Record a referred friend's order (201; 200 when this Idempotency-Key was seen before)",
)
def record_conversion(
    request: HttpRequest,
    payload: ConversionIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=100),
) -> Status[Referral]:
    seen = referrals.referral_by_key(idempotency_key)
    if seen is not None:
        return Status(200, seen)  # a retried event: the first result, whatever this body says
    order = resolve({"order_id": payload.order_id}, {"order_id": (Order, "order")})["order"]
    try:
        referral = referrals.conversion_record(
            code=payload.code,
            friend=conversion_friend(payload),
            order=order,
            idempotency_key=idempotency_key,
            device_id=payload.device_id,
            ip=payload.ip,
        )
    except referrals.UnknownCode as exc:
        raise InvalidInput({"code": str(exc)}) from exc
    return Status(201, referral)


@router.post(
    "/referrals/conversions/import",
    response=ConversionImportOut,
    auth=CONVERSION_SENDERS,
    summary="Record conversions from a CSV text; a bad row is reported by line and does not stop the others",
)
def import_conversions(request: HttpRequest, payload: ConversionImportIn) -> referrals.ImportReport:
    return referrals.conversions_import(text=payload.csv)


@router.get("/referrals", response=list[ReferralOut], auth=PROGRAM, summary="List referrals, newest first")
@paginate(Page)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> QuerySet[Referral]:
    return referrals.referrals_matching(**filters.dict())


@router.get("/referral-rewards", response=list[RewardOut], auth=PROGRAM, summary="List referral rewards")
@paginate(Page)
def list_rewards(request: HttpRequest, filters: Query[RewardFilters]) -> QuerySet[ReferralReward]:
    return referrals.rewards_matching(**filters.dict())


@router.post(
    "/referral-rewards/{reward_id}/decision",
    response=RewardOut,
    auth=PROGRAM,
    summary="Release (points into the ledger) or reject a held reward",
)
def decide_reward(request: HttpRequest, reward_id: int, payload: RewardDecisionIn) -> ReferralReward:
    reward = get_object_or_404(ReferralReward, pk=reward_id)
    return referrals.reward_decide(reward=reward, by=actor(request), release=payload.release, note=payload.note)


# References


@router.get(
    "/reference-requests",
    response=list[ReferenceRequestOut],
    auth=REFERENCES,
    summary="List reference requests, newest first",
)
@paginate(Page)
def list_reference_requests(request: HttpRequest) -> QuerySet[ReferenceRequest]:
    return references.reference_requests()


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


# Stories


@router.get("/stories", response=list[StoryOut], auth=PROGRAM, summary="List stories")
@paginate(Page)
def list_stories(request: HttpRequest, filters: Query[StoryFilters]) -> QuerySet[Story]:
    return stories.stories_matching(**filters.dict())


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
    body = stories.story_export_json(stories.published_stories(filters.scope))
    return HttpResponse(body, content_type="application/json; charset=utf-8")
