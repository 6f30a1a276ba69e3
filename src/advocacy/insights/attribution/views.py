"""The attribution settings page: each source's model, the holdout share, exchange rates (admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.advocates.holdout.queries import holdout_share_pct
from advocacy.advocates.holdout.services import holdout_share_set
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import allow, staff_user, viewer_role
from advocacy.core.roles import ADMINS, PROGRAM_TEAM
from advocacy.insights.attribution import services
from advocacy.insights.attribution.model import stored_models
from advocacy.insights.models import AttributionSource, Basis, CreditRule
from advocacy.insights.money import queries as money_queries
from advocacy.insights.money import services as money_services


class SettingForm(forms.Form):
    source = forms.ChoiceField(choices=AttributionSource.choices, widget=forms.HiddenInput)
    window_days = forms.IntegerField(label="Window (days)")
    credit_rule = forms.ChoiceField(choices=CreditRule.choices)
    basis = forms.ChoiceField(choices=Basis.choices)
    first_order_only = forms.BooleanField(required=False, label="First order only (referrals)")


class RateForm(forms.Form):
    currency = forms.CharField(max_length=3)
    to_currency = forms.CharField(max_length=3)
    rate = forms.DecimalField()
    valid_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ShareForm(forms.Form):
    share_pct = forms.DecimalField(label="Holdout share (%)")


def add_errors(form: forms.Form, exc: InvalidInput) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def attribution_settings(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        form: forms.Form
        try:
            if action == "model":
                form = bound[request.POST.get("source", "")] = SettingForm(request.POST)
                if form.is_valid():
                    services.attribution_setting_update(by=staff_user(request), **form.cleaned_data)
            elif action == "share":
                form = bound["share"] = ShareForm(request.POST)
                if form.is_valid():
                    holdout_share_set(share_pct=form.cleaned_data["share_pct"])
            elif action == "rate" and viewer_role(request) in ADMINS:
                form = bound["rate"] = RateForm(request.POST)
                if form.is_valid():
                    money_services.exchange_rate_add(by=staff_user(request), **form.cleaned_data)
            else:
                return redirect("insights:attribution_settings")
        except InvalidInput as exc:
            add_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        if form.is_valid() and not form.errors:
            messages.success(request, "Saved.")
            return redirect("insights:attribution_settings")
    models = stored_models()
    model_forms = [
        (m, AttributionSource(source).label, bound.get(source) or SettingForm(initial={**m.__dict__, "source": source}))
        for source, m in models.items()
    ]
    return render(
        request,
        "insights/attribution_settings.html",
        {
            "model_forms": model_forms,
            "share_form": bound.get("share") or ShareForm(initial={"share_pct": holdout_share_pct()}),
            "rate_form": bound.get("rate") or RateForm(),
            "rates": money_queries.exchange_rates()[:100],
            "may_enter_rates": viewer_role(request) in ADMINS,
            "tab": "settings",
        },
    )
