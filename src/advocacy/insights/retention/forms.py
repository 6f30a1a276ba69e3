"""The retention page's choices: which split, as of when, churn periods, the revenue currency, cohorts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from advocacy.insights.groups import GROUPINGS
from advocacy.insights.retention.queries import PERIODS

GROUPING_CHOICES = [(name, g.label) for name, g in GROUPINGS.items()]
DEFAULT_CHURN_DAYS = 2 * 365


class RetentionFilter(forms.Form):
    by = forms.ChoiceField(choices=GROUPING_CHOICES, required=False, label="Split by")
    as_of = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="As of")
    period = forms.ChoiceField(choices=[(p, p) for p in PERIODS], required=False, label="Churn per")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Churn from")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="to")
    currency = forms.CharField(required=False, max_length=3, label="Revenue currency")
    years = forms.IntegerField(required=False, min_value=1, max_value=10, label="Years")
    cohort_by = forms.ChoiceField(
        choices=[("quarter", "quarter"), ("year", "year")], required=False, label="Cohorts by"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        as_of = data.get("as_of") or today
        if as_of > today:
            self.add_error("as_of", "lies in the future; retention can only be read up to today")
        until = data.get("until") or as_of
        since = data.get("since") or until - timedelta(days=DEFAULT_CHURN_DAYS)
        if since >= until:
            self.add_error("since", "must be before the end of the window (a window of zero days has no churn rate)")
        currency = (data.get("currency") or "").upper()
        if currency and not currency.isalpha():
            self.add_error("currency", "a three-letter currency code such as USD")
        data.update(
            by=data.get("by") or "nps",
            as_of=as_of,
            period=data.get("period") or "quarter",
            since=since,
            until=until,
            currency=currency,
            years=data.get("years") or 2,
            cohort_by=data.get("cohort_by") or "quarter",
        )
        return data


class DrillDownFilter(forms.Form):
    """Narrow the customers behind a figure: those who started, or churned, inside a window (end exclusive)."""

    started_from = forms.DateField(required=False)
    started_until = forms.DateField(required=False)
    churned_from = forms.DateField(required=False)
    churned_until = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in ("started", "churned"):
            low, high = data.get(f"{kind}_from"), data.get(f"{kind}_until")
            if low and high and low >= high:
                self.add_error(f"{kind}_until", "must be after the start of the window")
        return data


def defaults() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "by": "nps",
        "as_of": today,
        "period": "quarter",
        "since": today - timedelta(days=DEFAULT_CHURN_DAYS),
        "until": today,
        "currency": "",
        "years": 2,
        "cohort_by": "quarter",
    }
