"""The cost ledger page: entries by month, book a cost, reverse one, import a CSV, sync reward costs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import IMPACT_READERS, PROGRAM_TEAM
from advocacy.insights.costs import queries, services
from advocacy.insights.models import SYNCED_KINDS, AttributionSource, CostEntry, CostKind


class CostForm(forms.Form):
    month = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Any day of the month.")
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in CostKind if k not in SYNCED_KINDS])
    source = forms.ChoiceField(required=False, choices=[("", "Program-wide"), *AttributionSource.choices])
    amount = forms.DecimalField(required=False, help_text="Not for staff time.")
    currency = forms.CharField(max_length=3, initial="USD")
    staff_role = forms.CharField(required=False, max_length=60)
    hours = forms.DecimalField(required=False)
    hourly_rate = forms.DecimalField(required=False, label="Loaded hourly rate")
    note = forms.CharField(required=False, max_length=300)


class SavingForm(forms.Form):
    month = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Any day of the month.")
    amount = forms.DecimalField(help_text="Your estimate of what the program saved.")
    currency = forms.CharField(max_length=3, initial="USD")
    description = forms.CharField(max_length=300, help_text="What was saved, and how it was estimated.")


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV or XLSX with columns month, kind, amount, currency, source, staff_role, hours, "
        "hourly_rate, note."
    )


class LedgerFilter(forms.Form):
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *CostKind.choices])


@allow(*IMPACT_READERS)
def costs(request: HttpRequest) -> HttpResponse:
    """The ledger, newest month first; the drill-down target of the Impact page's cost figures."""
    filters = LedgerFilter(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    entries = queries.cost_entries(since=chosen.get("since"), until=chosen.get("until"), kind=chosen.get("kind") or "")
    return render(
        request,
        "insights/costs.html",
        {
            "filters": filters,
            "entries": entries[:300],
            "form": CostForm(),
            "import_form": ImportForm(),
            "savings": queries.cost_savings()[:50],
            "tab": "costs",
        },
    )


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def cost_new(request: HttpRequest) -> HttpResponse:
    form = CostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_entry_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Cost booked.")
            return redirect("insights:costs")
    return render(request, "insights/cost_new.html", {"form": form, "tab": "costs"})


@allow(*PROGRAM_TEAM)
@require_POST
def cost_reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(CostEntry, pk=entry_id)
    try:
        services.cost_entry_reverse(entry=entry, by=staff_user(request), note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Entry {entry.pk} reversed.")
    return redirect("insights:costs")


@allow(*PROGRAM_TEAM)
@require_POST
def costs_sync(request: HttpRequest) -> HttpResponse:
    written = services.costs_sync()
    messages.success(
        request, f"Synced: {written['reward_redemptions']} redemptions, {written['referral_rewards']} referral rewards."
    )
    return redirect("insights:costs")


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def costs_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.costs_import(stream=form.cleaned_data["file"], by=staff_user(request))
        except InvalidInput as exc:
            form.add_error("file", exc.errors.get("file", str(exc)))
    return render(request, "insights/costs_import.html", {"form": form, "report": report, "tab": "costs"})


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def cost_saving_new(request: HttpRequest) -> HttpResponse:
    """State an estimated saving (support cases deflected …); it is shown as an estimate wherever used."""
    form = SavingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_saving_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Estimate recorded.")
            return redirect("insights:costs")
    return render(request, "insights/cost_new.html", {"form": form, "tab": "costs", "saving": True})
