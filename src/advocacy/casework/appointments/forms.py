"""Forms of the appointment and recommendation pages: they parse input, the services hold the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from advocacy.core.errors import InvalidInput


class TimeChoiceForm(forms.Form):
    """A proposed slot (its exact UTC start), or another time typed in the customer's own zone."""

    starts_at = forms.CharField(required=False, widget=forms.HiddenInput)
    local_start = forms.DateTimeField(
        required=False,
        label="Or another time, in the customer's zone",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def chosen_start(self, customer_zone: str) -> datetime:
        data: dict[str, Any] = self.cleaned_data
        if data.get("starts_at"):
            try:
                moment = datetime.fromisoformat(data["starts_at"])
            except ValueError as exc:
                raise InvalidInput({"starts_at": "that time could not be read; choose a slot again"}) from exc
            return moment
        if data.get("local_start"):
            # Typed as the customer said it on the phone: wall-clock time in their zone.
            return data["local_start"].replace(tzinfo=ZoneInfo(customer_zone))
        raise InvalidInput({"starts_at": "choose one of the proposed times or type another"})


class BookForm(TimeChoiceForm):
    topic = forms.CharField(max_length=200)
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60, label="Minutes")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why (the customer reads this)")


class AvailabilityForm(forms.Form):
    windows = forms.CharField(
        required=False,
        label="When you take appointments, in your zone",
        help_text="e.g. Mon-Fri 09:00-12:00; Tue 14:00-17:00",
        max_length=500,
    )


class CustomerCancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why (optional; your advocate reads it)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Yes, cancel this appointment",
        error_messages={"required": "Tick the box to cancel; the appointment stays until you do."},
    )
