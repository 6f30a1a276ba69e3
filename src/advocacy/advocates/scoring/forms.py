"""The score weights form: numbers only; the rules (at least one positive weight) live in the service."""

from __future__ import annotations

from django import forms

HELP = {
    "satisfaction": "Latest NPS and CSAT answers and the NPS trend.",
    "engagement": "How recently and how often the customer does things.",
    "value": "Revenue within its currency and years as a customer.",
    "advocacy_history": "Referrals, reference calls, published stories, positive reviews, challenges.",
    "negatives": "Subtracted, not shared: open cases and a detractor answer in the last 90 days.",
}


class WeightsForm(forms.Form):
    satisfaction = forms.FloatField(min_value=0, help_text=HELP["satisfaction"])
    engagement = forms.FloatField(min_value=0, help_text=HELP["engagement"])
    value = forms.FloatField(min_value=0, help_text=HELP["value"])
    advocacy_history = forms.FloatField(min_value=0, label="Advocacy history", help_text=HELP["advocacy_history"])
    negatives = forms.FloatField(min_value=0, help_text=HELP["negatives"])
