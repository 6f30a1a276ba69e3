"""API for the holdout: the causal comparison, the association beside it, and the holdout share."""

from datetime import date, timedelta
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from advocacy.advocates.holdout.queries import holdout_share_pct
from advocacy.advocates.holdout.services import holdout_share_set
from advocacy.core.api.auth import api_auth
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.insights.currency import check_currency
from advocacy.insights.holdout.matching import member_matched
from advocacy.insights.holdout.queries import Comparison, holdout_comparison, member_comparison

router = Router(tags=["insights"])


class ComparisonOut(Schema):
    label: str
    metric: str
    unit: str
    n_treated: int
    n_control: int
    mean_treated: float | None
    mean_control: float | None
    difference: float | None
    low_95: float | None
    high_95: float | None
    interval_method: str = "Welch, normal approximation"
    verdict: str


class MatchedOut(Schema):
    label: str = "ASSOCIATION"
    method: str
    n_members: int
    n_matched: int
    n_unmatched: int
    difference: float
    low_95: float
    high_95: float


class HoldoutOut(Schema):
    causal: list[ComparisonOut]
    association: list[ComparisonOut]
    association_matched: MatchedOut | None = None


class ShareIn(Schema):
    share_pct: Decimal


class ShareOut(Schema):
    share_pct: Decimal


def comparison_out(c: Comparison, treated: str, control: str, action: str) -> ComparisonOut:
    return ComparisonOut(
        label=c.label.upper(),
        metric=c.metric,
        unit=c.unit,
        n_treated=c.treated.n,
        n_control=c.control.n,
        mean_treated=c.treated.mean,
        mean_control=c.control.mean,
        difference=c.difference,
        low_95=c.low,
        high_95=c.high,
        verdict=c.verdict(treated, control, action),
    )


@router.get(
    "/insights/holdout",
    response=HoldoutOut,
    auth=api_auth(*IMPACT_READERS),
    summary="Invited vs holdout (causal) and members vs non-members (association)",
)
def read_holdout(
    request: HttpRequest,
    window_days: int = 365,
    currency: str = "USD",
    until: date | None = None,
    matched: bool = False,
) -> HoldoutOut:
    if not 0 < window_days <= 3650:
        raise InvalidInput({"window_days": f"from 1 to 3650 days; got {window_days}"})
    code, today = check_currency(currency), until or timezone.localdate()
    causal = holdout_comparison(window_days=window_days, currency=code, today=today)
    since = today - timedelta(days=window_days - 1)
    association = member_comparison(since=since, until=today, currency=code)
    adjusted = member_matched(since=since, until=today, currency=code) if matched else None
    return HoldoutOut(
        association_matched=None
        if adjusted is None
        else MatchedOut(
            method=adjusted.method,
            n_members=adjusted.n_members,
            n_matched=adjusted.n_matched,
            n_unmatched=adjusted.n_unmatched,
            difference=adjusted.difference,
            low_95=adjusted.low,
            high_95=adjusted.high,
        ),
        causal=[comparison_out(c, "invited", "held out", "The hub invitation") for c in causal],
        association=[
            comparison_out(c, "members", "non-members", "Membership (an association, not an effect)")
            for c in association
        ],
    )


@router.get("/insights/holdout-settings", response=ShareOut, auth=api_auth(*IMPACT_READERS), summary="Holdout share")
def read_share(request: HttpRequest) -> ShareOut:
    return ShareOut(share_pct=holdout_share_pct())


@router.put(
    "/insights/holdout-settings",
    response=ShareOut,
    auth=api_auth(*PROGRAM_TEAM),
    summary="Set the holdout share (0–50 %)",
)
def update_share(request: HttpRequest, payload: ShareIn) -> ShareOut:
    return ShareOut(share_pct=holdout_share_set(share_pct=payload.share_pct).share_pct)
