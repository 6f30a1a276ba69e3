"""The forms of the webhooks page: the page checks the request, the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.outreach.webhooks.registry import event_type_names


class EndpointForm(forms.Form):
    url = forms.URLField(
        max_length=500, label="URL", assume_scheme="https", help_text="https://…, on a host in WEBHOOK_ALLOWED_HOSTS."
    )
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(name, name) for name in event_type_names()]  # type: ignore[attr-defined]
