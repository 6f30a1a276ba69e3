"""The story form an advocate fills in the portal."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.advocates.models import StoryScope, Submission


class StoryForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Your story")
    quote = forms.CharField(max_length=500, required=False, label="A one-line quote (optional)")
    consent_scope = forms.ChoiceField(
        choices=StoryScope.choices,
        widget=forms.RadioSelect,
        label="Where may we use it?",
        help_text="Internal: only our staff read it. Our website: anyone can read it on our site. "
        "Website and social media: we may also share it on our social media accounts.",
    )
    named = forms.TypedChoiceField(
        choices=[("no", "Anonymously, e.g. “A customer in Retail, EMEA”"), ("yes", "With my name")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Show my name?",
        initial="no",
    )
    consent_expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Until when? (optional)",
        help_text="After this date we stop using it. You can also withdraw at any time on your portal page.",
    )
    submission = forms.ModelChoiceField(
        queryset=Submission.objects.none(),
        required=False,
        label="Is it for a challenge?",
        help_text="Stories written for a rewarded challenge are published marked as incentivised.",
    )

    def __init__(self, *args: Any, advocate_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the advocate's own story-challenge entries that no story answers yet.
        self.fields["submission"].queryset = (  # type: ignore[attr-defined]
            Submission.objects.filter(advocate_id=advocate_id, challenge__kind="story", story__isnull=True)
            .exclude(status="rejected")
            .select_related("challenge")
        )
        self.fields["submission"].label_from_instance = lambda s: s.challenge.title  # type: ignore[attr-defined]
