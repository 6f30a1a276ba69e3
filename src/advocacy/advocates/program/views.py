"""The program dashboard and the program settings (fraud rules, windows, quota, disclosure, terms)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import plotly
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advocacy.advocates.models import StoryStatus, Tier
from advocacy.advocates.program import queries
from advocacy.advocates.program import services as program_settings
from advocacy.advocates.program.forms import ProgramSettingsForm
from advocacy.core.charts import FunnelStage, funnel_chart
from advocacy.core.errors import InvalidInput
from advocacy.core.pages import days_param, form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM


@allow(*PROGRAM_TEAM)
def program(request: HttpRequest) -> HttpResponse:
    days = days_param(request, 90)
    since = timezone.now() - timedelta(days=days)
    hub = queries.hub_funnel(since=since)
    referral = queries.referral_funnel_stages(since=since)
    overview = queries.program_overview(days=days)
    return render(
        request,
        "advocates/program.html",
        {
            "p": overview,
            "tiers": queries.labelled(overview["tiers"], Tier),
            "stories": queries.labelled(overview["stories"], StoryStatus),
            "hub_funnel": hub,
            "referral_funnel": referral,
            "charts": {
                "hub": funnel_chart([FunnelStage(label, n, stage_link("hub", key, days)) for key, label, n in hub]),
                "referrals": funnel_chart(
                    [
                        FunnelStage(
                            label, n, stage_link("referrals", key, days) if key in queries.REFERRAL_LISTED else ""
                        )
                        for key, label, n in referral
                    ]
                ),
            },
            "plotly_version": plotly.__version__,
        },
    )


def stage_link(funnel: str, stage: str, days: int) -> str:
    return f"{reverse('advocates:funnel_stage', args=[funnel, stage])}?{urlencode({'days': days})}"


@allow(*PROGRAM_TEAM)
def funnel_stage(request: HttpRequest, funnel: str, stage: str) -> HttpResponse:
    """The customers (hub) or referrals behind one stage of a funnel on the program page."""
    days = days_param(request, 90)
    since = timezone.now() - timedelta(days=days)
    if funnel == "hub" and stage in queries.HUB_STAGE_KEYS:
        label = dict(queries.HUB_STAGES)[stage]
        rows: Any = queries.hub_stage_customers(stage, since=since)
    elif funnel == "referrals" and stage in queries.REFERRAL_LISTED:
        label = dict(queries.REFERRAL_STAGES)[stage]
        rows = queries.referrals_at_stage(stage, since=since)
    else:
        raise Http404("No such funnel stage.")
    page = Paginator(rows, 50).get_page(request.GET.get("page") or 1)
    return render(
        request,
        "advocates/program/funnel_stage.html",
        {"funnel": funnel, "stage": stage, "label": label, "days": days, "page": page},
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Fraud-rule switches, windows, points, reference quota and rest period, disclosure and terms."""
    form = ProgramSettingsForm(request.POST or None, instance=program_settings.program_settings())
    if request.method == "POST" and form.is_valid():
        try:
            program_settings.program_settings_update(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Program settings saved.")
            return redirect("advocates:program_settings")
    return render(request, "advocates/program_settings.html", {"form": form})
