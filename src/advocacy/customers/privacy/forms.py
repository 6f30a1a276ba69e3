from django import forms


class ErasureForm(forms.Form):
    confirm_email = forms.CharField(
        max_length=254, label="Type the customer's email address", help_text="To confirm who is erased."
    )
    reason = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text="For example: asked by mail on 2026-12-01."
    )
