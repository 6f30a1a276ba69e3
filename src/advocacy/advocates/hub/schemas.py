"""In and out schemas of the advocate hub API, one pair per operation where they differ."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from advocacy.advocates.hub.levels import level_for


class ChallengeOut(Schema):
    id: int
    kind: str
    title: str
    instructions: str
    points: int
    starts_on: date
    ends_on: date | None
    audience: dict[str, Any]
    approval: str
    active: bool
    created_at: datetime


class ChallengeIn(Schema):
    kind: str
    title: str = Field(..., min_length=1, max_length=200)
    instructions: str = Field(..., min_length=1)
    points: int = Field(..., gt=0)
    starts_on: date
    ends_on: date | None = None
    audience: dict[str, Any] = {}
    approval: str = "manual"
    active: bool = True


class ChallengePatch(Schema):
    kind: str | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    instructions: str | None = Field(None, min_length=1)
    points: int | None = Field(None, gt=0)
    starts_on: date | None = None
    ends_on: date | None = None
    audience: dict[str, Any] | None = None
    approval: str | None = None
    active: bool | None = None


class SubmissionOut(Schema):
    id: int
    challenge_id: int
    advocate_id: int
    evidence: str
    status: str
    submitted_at: datetime
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    review_note: str


class ReviewIn(Schema):
    note: str = Field("", max_length=300)


class AdvocateOut(Schema):
    """Read from ``hub_queries.with_points``, which annotates ``balance`` and ``lifetime``."""

    id: int
    customer_id: int
    joined_at: datetime
    terms_version: str
    leaderboard_opt_out: bool
    active: bool
    balance: int
    lifetime_points: int
    level: str

    @staticmethod
    def resolve_lifetime_points(obj: Any) -> int:
        return int(obj.lifetime)

    @staticmethod
    def resolve_level(obj: Any) -> str:
        return level_for(int(obj.lifetime)).name


class PointsEntryOut(Schema):
    seq: int
    delta: int
    balance: int
    reason: str
    ref: str
    at: datetime


class RewardOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    option_label: str
    options: list[str]
    point_cost: int
    stock: int
    money_cost: Decimal
    currency: str
    active: bool


class RewardIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    kind: Literal["digital", "physical"] = "digital"
    option_label: str = Field("", max_length=50)
    options: list[str] = Field(default_factory=list, max_length=30)
    point_cost: int = Field(..., gt=0)
    stock: int = Field(..., ge=0)
    money_cost: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    active: bool = True


class RewardPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    kind: Literal["digital", "physical"] | None = None
    option_label: str | None = Field(None, max_length=50)
    options: list[str] | None = Field(None, max_length=30)
    point_cost: int | None = Field(None, gt=0)
    stock: int | None = Field(None, ge=0)
    money_cost: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    active: bool | None = None


class RedemptionOut(Schema):
    id: int
    advocate_id: int
    reward_id: int
    points: int
    status: str
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    note: str
    choice: str
    ship_name: str
    ship_street: str
    ship_city: str
    ship_postcode: str
    ship_country: str
    ship_phone: str


class ShippingIn(Schema):
    """A postal address; ``street`` may hold a second line after a newline."""

    name: str = Field(..., max_length=200)
    street: str = Field(..., max_length=300)
    city: str = Field(..., max_length=100)
    postcode: str = Field("", max_length=20)
    country: str = Field(..., max_length=2, description="ISO 3166-1 alpha-2, e.g. DE")
    phone: str = Field("", max_length=40)


class RedemptionIn(Schema):
    advocate_id: int
    reward_id: int
    choice: str = Field("", max_length=100, description="One of the reward's options, when it has any.")
    shipping: ShippingIn | None = Field(None, description="Required for a physical reward.")


class DecisionIn(Schema):
    action: Literal["approve", "fulfil", "cancel"]
    note: str = Field("", max_length=300)


class HubInvitationOut(Schema):
    id: int
    customer_id: int
    reason: str
    status: str
    held_reason: str
    created_at: datetime


class HubInvitationIn(Schema):
    customer_id: int
    reason: str = Field(..., min_length=1, max_length=200)


class TopInvitationsIn(Schema):
    tiers: list[str] = Field(default_factory=lambda: ["champion"], description="Advocate-score tiers to invite from.")
    limit: int = Field(25, ge=1, le=200, description="How many, best score first.")


class TopInvitationsOut(Schema):
    sent: int
    held: int
