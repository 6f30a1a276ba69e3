"""The program dashboard; the other staff pages live in scoring_views, hub_views and program_views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.advocates import queries
from advocacy.core.permissions import allow
from advocacy.core.roles import Role


@allow(Role.ADMIN, Role.PROGRAM_MANAGER)
def program(request: HttpRequest) -> HttpResponse:
    return render(request, "advocates/program.html", {"p": queries.program_overview()})
