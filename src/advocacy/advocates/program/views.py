"""The program dashboard and the program settings (fraud rules, windows, quota, disclosure, terms)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.advocates.program import queries
from advocacy.advocates.program import services as program_settings
from advocacy.advocates.program.forms import ProgramSettingsForm
from advocacy.core.errors import InvalidInput
from advocacy.core.pages import form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM


@allow(*PROGRAM_TEAM)
def program(request: HttpRequest) -> HttpResponse:
    return render(request, "advocates/program.html", {"p": queries.program_overview()})


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
