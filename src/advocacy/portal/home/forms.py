"""The forms of the customer's page."""

from django import forms


class ContactHoursForm(forms.Form):
    contact_hours = forms.CharField(
        label="When may we call you?",
        required=False,
        max_length=500,
        help_text="In your own time zone, e.g. 'Mon-Fri 09:00-12:00; Sat 10:00-12:00'.",
    )
