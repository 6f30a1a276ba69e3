"""The filters of the response explorer."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.customers.models import Account
from advocacy.feedback import scales
from advocacy.feedback.dashboard.queries import SEGMENT_FIELDS
from advocacy.feedback.models import Channel, Survey


class ResponseFilter(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.order_by("name"), required=False, empty_label="All surveys")
    wave = forms.IntegerField(required=False, min_value=1, label="Wave number")
    score_min = forms.IntegerField(required=False, min_value=0, max_value=10, label="Score from")
    score_max = forms.IntegerField(required=False, min_value=0, max_value=10, label="Score to")
    category = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *scales.NPS_CATEGORY_LABELS.items()],
        help_text="NPS answers only.",
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any"), *Channel.choices])
    has_comment = forms.ChoiceField(
        required=False, choices=[("", "Either"), ("yes", "With a comment"), ("no", "Without")]
    )
    q = forms.CharField(required=False, max_length=200, label="Comment contains")
    region = forms.ChoiceField(required=False, choices=[("", "Any")])
    # A figure's drill-down: the answers of one segment (dashboard segments), counted ones only.
    segment = forms.ChoiceField(required=False, choices=[("", "Any"), *((k, v[0]) for k, v in SEGMENT_FIELDS.items())])
    value = forms.CharField(required=False, max_length=200, label="Segment value")
    theme = forms.CharField(required=False, max_length=200, label="Comment theme")
    counted = forms.BooleanField(required=False, label="Only answers counted in the figures")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Account.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", "Any"), *((r, r) for r in regions)]  # type: ignore[attr-defined]
