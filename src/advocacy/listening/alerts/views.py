"""The alerts page and each alert with the mentions behind it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from advocacy.core.permissions import allow
from advocacy.core.roles import INSIGHT_READERS
from advocacy.listening.alerts import queries
from advocacy.listening.models import Alert


@allow(*INSIGHT_READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(request, "listening/alerts.html", {"alerts": queries.alerts()[:200]})


@allow(*INSIGHT_READERS)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.select_related("query"), pk=alert_id)
    return render(request, "listening/alert.html", {"alert": alert, "mentions": queries.mentions_behind(alert)[:500]})
