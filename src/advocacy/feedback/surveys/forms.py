import json
from typing import Any

from django import forms

from advocacy.feedback.models import Schedule, Survey, SurveyKind
from advocacy.outreach.models import FatiguePolicy


class SurveyCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SurveyKind.choices)
    schedule = forms.ChoiceField(choices=Schedule.choices)


class SurveyForm(forms.ModelForm):
    audience_json = forms.CharField(
        label="Audience",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='JSON, e.g. {"region": ["EMEA"], "size": ["enterprise"]}. Only customers who consented to '
        "surveys are ever invited.",
    )

    class Meta:
        model = Survey
        fields = [
            "name",
            "question",
            "follow_up_question",
            "schedule",
            "every_n",
            "every_unit",
            "next_wave_on",
            "recontact_days",
            "answer_window_days",
            "link_valid_days",
            "email_subject",
            "email_text",
            "email_html",
            "active",
        ]
        widgets = {
            "email_text": forms.Textarea(attrs={"rows": 10}),
            "email_html": forms.Textarea(attrs={"rows": 10}),
            "next_wave_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["audience_json"] = json.dumps(self.instance.audience)

    def clean_audience_json(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("audience_json") or "{}"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("the audience is a JSON object of field → list of values")
        return value


class FatiguePolicyForm(forms.ModelForm):
    class Meta:
        model = FatiguePolicy
        fields = ["survey_cooldown_days", "max_asks_per_quarter"]
