"""API for referrals, customer references and stories. Handlers parse, call one service or query, return."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from advocacy.advocates.models import (
    ProgramSettings,
)
from advocacy.advocates.program import queries
from advocacy.advocates.program import services as program_settings
from advocacy.advocates.program.schemas import (
    OverviewFilters,
    ProgramOverviewOut,
    ProgramSettingsIn,
    ProgramSettingsOut,
)
from advocacy.core.api.auth import actor, api_auth
from advocacy.core.roles import PROGRAM_TEAM, REFERENCE_TEAM

router = Router(tags=["program"])

PROGRAM = api_auth(*PROGRAM_TEAM)
REFERENCES = api_auth(*REFERENCE_TEAM)
CONVERSION_SENDERS = api_auth(*REFERENCE_TEAM)


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


# References


# Stories
