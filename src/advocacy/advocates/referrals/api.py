"""API for referrals: conversions reported by a shop or imported, the review queue and held rewards."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Header, Query, Router, Status
from ninja.pagination import paginate

from advocacy.advocates.models import (
    ConversionSource,
    Referral,
    ReferralReward,
)
from advocacy.advocates.referrals import queries as referrals_queries
from advocacy.advocates.referrals import services as referrals
from advocacy.advocates.referrals.schemas import (
    ConversionImportIn,
    ConversionImportOut,
    ConversionIn,
    ConversionSourceIn,
    ConversionSourceOut,
    ConversionSourcePatch,
    ConversionSourceSecretOut,
    ReferralFilters,
    ReferralOut,
    ReferralRewardOut,
    RewardDecisionIn,
    RewardFilters,
)
from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.errors import InvalidInput
from advocacy.core.links import absolute_url
from advocacy.core.models import User
from advocacy.core.roles import PROGRAM_TEAM, REFERENCE_TEAM, Role
from advocacy.customers.models import Customer, Order

router = Router(tags=["referrals"])

PROGRAM = api_auth(*PROGRAM_TEAM)
# A shop or CRM reports conversions; sales and the program team may too.
CONVERSION_SENDERS = api_auth(*REFERENCE_TEAM)


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
    scope = sender_scope(request)
    seen = referrals.referral_by_key(idempotency_key, scope)
    if seen is not None:
        return Status(200, seen)  # a retried event: the first result, whatever this body says
    order = resolve({"order_id": payload.order_id}, {"order_id": (Order, "order")})["order"]
    try:
        referral = referrals.conversion_record(
            code=payload.code,
            friend=conversion_friend(payload),
            order=order,
            idempotency_key=idempotency_key,
            key_scope=scope,
            device_id=payload.device_id,
            ip=payload.ip,
        )
    except referrals_queries.UnknownCode as exc:
        raise InvalidInput({"code": str(exc)}) from exc
    return Status(201, referral)


@router.post(
    "/referrals/conversions/import",
    response=ConversionImportOut,
    auth=CONVERSION_SENDERS,
    summary="Record conversions from a CSV text; a bad row is reported by line and does not stop the others",
)
def import_conversions(request: HttpRequest, payload: ConversionImportIn) -> referrals.ImportReport:
    return referrals.conversions_import(text=payload.csv, key_scope=sender_scope(request))


def sender_scope(request: HttpRequest) -> str:
    """Whose idempotency keys these are: the API key's, or the signed-in user's."""
    principal = request.auth  # type: ignore[attr-defined]
    return f"user:{principal.pk}" if isinstance(principal, User) else f"apikey:{principal.pk}"


@router.get("/referrals", response=list[ReferralOut], auth=PROGRAM, summary="List referrals, newest first")
@paginate(Page)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> QuerySet[Referral]:
    return referrals_queries.referrals_matching(**filters.dict())


@router.get("/referral-rewards", response=list[ReferralRewardOut], auth=PROGRAM, summary="List referral rewards")
@paginate(Page)
def list_rewards(request: HttpRequest, filters: Query[RewardFilters]) -> QuerySet[ReferralReward]:
    return referrals_queries.rewards_matching(**filters.dict())


@router.post(
    "/referral-rewards/{reward_id}/decision",
    response=ReferralRewardOut,
    auth=PROGRAM,
    summary="Release (points into the ledger) or reject a held reward",
)
def decide_reward(request: HttpRequest, reward_id: int, payload: RewardDecisionIn) -> ReferralReward:
    reward = get_object_or_404(ReferralReward, pk=reward_id)
    return referrals.reward_decide(reward=reward, by=actor(request), release=payload.release, note=payload.note)


# Shops that report conversions by signed webhook (admins)

ADMINS = api_auth(Role.ADMIN)


def source_secret_out(source: ConversionSource, secret: str) -> dict[str, object]:
    url = absolute_url("advocates:conversion_webhook", public_id=source.public_id)
    return {"source": source, "secret": secret, "url": url}


@router.get("/referral-sources", response=list[ConversionSourceOut], auth=ADMINS, summary="Shops sending conversions")
@paginate(Page)
def list_sources(request: HttpRequest) -> QuerySet[ConversionSource]:
    return ConversionSource.objects.order_by("name")


@router.post(
    "/referral-sources",
    response={201: ConversionSourceSecretOut},
    auth=ADMINS,
    summary="Add a shop; its signing secret and URL are in this answer only",
)
def create_source(request: HttpRequest, payload: ConversionSourceIn) -> Status[dict[str, object]]:
    source, secret = referrals.source_create(name=payload.name, by=actor(request))
    return Status(201, source_secret_out(source, secret))


@router.post(
    "/referral-sources/{source_id}/rotate-secret",
    response=ConversionSourceSecretOut,
    auth=ADMINS,
    summary="A new secret; the previous one is accepted for WEBHOOK_SECRET_OVERLAP_HOURS",
)
def rotate_source_secret(request: HttpRequest, source_id: int) -> dict[str, object]:
    source = get_object_or_404(ConversionSource, pk=source_id)
    return source_secret_out(source, referrals.source_secret_rotate(source=source, by=actor(request)))


@router.patch(
    "/referral-sources/{source_id}", response=ConversionSourceOut, auth=ADMINS, summary="Enable or disable a shop"
)
def patch_source(request: HttpRequest, source_id: int, payload: ConversionSourcePatch) -> ConversionSource:
    source = get_object_or_404(ConversionSource, pk=source_id)
    return referrals.source_set_enabled(source=source, enabled=payload.enabled, by=actor(request))
