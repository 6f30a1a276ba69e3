"""API schemas for referrals, references and stories: one In/Out pair per operation where they differ."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field, model_validator


class ConversionIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    friend_customer_id: int | None = None
    friend_email: str | None = Field(None, max_length=254)
    order_id: int | None = None
    device_id: str = Field("", max_length=200, description="The friend's device cookie, if the shop has it.")
    ip: str = Field("", max_length=45, description="The friend's IP; stored only as a keyed hash.")

    @model_validator(mode="after")
    def names_the_friend(self) -> "ConversionIn":
        if self.friend_customer_id is None and not (self.friend_email or "").strip():
            raise ValueError("name the friend: friend_customer_id or friend_email")
        return self


class FraudReasonOut(Schema):
    rule: str
    reason: str


class ReferralOut(Schema):
    id: int
    code: str = Field(..., alias="link.code")
    advocate_id: int = Field(..., alias="link.advocate_id")
    friend_id: int
    order_id: int | None
    status: str
    fraud_reasons: list[FraudReasonOut]
    converted_at: datetime
    idempotency_key: str


class ReferralFilters(Schema):
    status: str = ""
    advocate_id: int | None = None


class RewardOut(Schema):
    id: int
    referral_id: int
    to: str
    points: int
    status: str
    release_after: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    note: str


class RewardFilters(Schema):
    status: str = ""


class RewardDecisionIn(Schema):
    release: bool
    note: str = Field("", max_length=300)


class ReferenceRequestIn(Schema):
    prospect: str = Field(..., min_length=1, max_length=200)
    industry: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    size: str = ""
    product_id: int | None = None
    use_case: str = ""
    opportunity_value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    needed_by: date


class ReferenceRequestOut(Schema):
    id: int
    requested_by_id: int
    prospect: str
    industry: str
    region: str
    size: str
    product_id: int | None
    use_case: str
    opportunity_value: Decimal
    currency: str
    needed_by: date
    status: str
    created_at: datetime


class MatchOut(Schema):
    advocate_id: int
    customer_id: int
    name: str
    fit: float
    reasons: list[str]
    excluded: list[str]
    available: bool

    @staticmethod
    def from_match(match: Any) -> "MatchOut":
        return MatchOut(
            advocate_id=match.advocate.pk,
            customer_id=match.customer.pk,
            name=str(match.customer),
            fit=match.fit,
            reasons=match.reasons,
            excluded=match.excluded,
            available=match.available,
        )


class AskOut(Schema):
    id: int
    request_id: int
    advocate_id: int
    fit: float
    status: str
    asked_at: datetime
    answered_at: datetime | None


class CallIn(Schema):
    held_on: date
    notes: str = ""
    deal_outcome: str = "open"
    deal_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class CallOut(Schema):
    id: int
    ask_id: int
    held_on: date
    notes: str
    deal_outcome: str
    deal_amount: Decimal | None
    currency: str


class StoryOut(Schema):
    id: int
    advocate_id: int
    title: str
    body: str
    quote: str
    consent_scope: str
    named: bool
    consent_expires_on: date | None
    consent_recorded_at: datetime
    incentivised: bool
    status: str
    published_scope: str
    published_at: datetime | None


class StoryFilters(Schema):
    status: str = ""


class CancelIn(Schema):
    reason: str = Field(..., max_length=500)


class PublishIn(Schema):
    scope: str


class WithdrawIn(Schema):
    reason: str = Field("", max_length=300)


class ExportFilters(Schema):
    scope: str = "website"


class ProgramSettingsOut(Schema):
    landing_url: str
    attribution_days: int
    return_window_days: int
    referrer_points: int
    friend_points: int
    rule_self_referral: bool
    rule_same_device: bool
    rule_ip_burst: bool
    ip_burst_per_week: int
    rule_similar_email: bool
    rule_first_time_friend: bool
    reference_quota_per_quarter: int
    reference_rest_days: int
    disclosure_text: str
    terms_version: str


class ProgramSettingsIn(Schema):
    """Only the settings sent are changed."""

    landing_url: str | None = None
    attribution_days: int | None = None
    return_window_days: int | None = None
    referrer_points: int | None = None
    friend_points: int | None = None
    rule_self_referral: bool | None = None
    rule_same_device: bool | None = None
    rule_ip_burst: bool | None = None
    ip_burst_per_week: int | None = None
    rule_similar_email: bool | None = None
    rule_first_time_friend: bool | None = None
    reference_quota_per_quarter: int | None = None
    reference_rest_days: int | None = None
    disclosure_text: str | None = None
    terms_version: str | None = None


class OverviewFilters(Schema):
    days: int = Field(90, ge=1, le=3650)


class ProgramOverviewOut(Schema):
    days: int
    members: int
    joined_recent: int
    submissions_recent: int
    pending_approvals: int
    points_issued: int
    points_redeemed: int
    points_issued_recent: int
    redemptions_open: int
    funnel: dict[str, int]
    references: dict[str, int]
    tiers: dict[str, int]
    stories: dict[str, int]


class ConversionImportIn(Schema):
    csv: str = Field(
        ...,
        min_length=1,
        max_length=5_000_000,
        description="CSV with columns code, email, idempotency_key and optional order_external_id, device_id, ip, "
        "converted_at (ISO 8601 with a zone).",
    )


class ConversionImportOut(Schema):
    recorded: int
    flagged: int
    errors: list[str]
