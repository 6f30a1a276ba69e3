"""Forms of the recommendation pages."""

from __future__ import annotations

from django import forms

from advocacy.casework.models import RecommendationOutcome
from advocacy.customers.models import Product


class RecommendForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why it is right for the customer"
    )
    needs = forms.CharField(required=False, widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=RecommendationOutcome.choices)


def tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]
