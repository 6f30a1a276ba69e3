"""Schemas of the referrals API."""

from datetime import datetime

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


class ReferralRewardOut(Schema):
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


class ConversionSourceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class ConversionSourceOut(Schema):
    id: int
    name: str
    public_id: str
    enabled: bool
    previous_secret_expires_at: datetime | None
    created_at: datetime


class ConversionSourceSecretOut(Schema):
    source: ConversionSourceOut
    secret: str = Field(description="whsec_…: shown once; the shop signs every conversion with it.")
    url: str = Field(description="Where the shop POSTs its signed conversions.")


class ConversionSourcePatch(Schema):
    enabled: bool
