"""Forms of the reference pages."""

from __future__ import annotations

from django import forms

from advocacy.advocates.models import DealOutcome
from advocacy.customers.models import AccountSize, Product


class ReferenceRequestForm(forms.Form):
    prospect = forms.CharField(max_length=200, help_text="The company sales is talking to.")
    industry = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=100, required=False)
    size = forms.ChoiceField(choices=[("", "any size"), *AccountSize.choices], required=False)
    product = forms.ModelChoiceField(queryset=Product.objects.filter(competitor="", active=True), required=False)
    use_case = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opportunity_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = forms.CharField(max_length=3, initial="USD")
    needed_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ReferenceCallForm(forms.Form):
    ask_id = forms.IntegerField(widget=forms.HiddenInput)
    held_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deal_outcome = forms.ChoiceField(choices=DealOutcome.choices, initial=DealOutcome.OPEN)
    deal_amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Needed when the deal is won."
    )
