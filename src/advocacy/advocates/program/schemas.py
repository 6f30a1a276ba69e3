"""API schemas for referrals, references and stories: one In/Out pair per operation where they differ."""

from ninja import Schema
from pydantic import Field


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
