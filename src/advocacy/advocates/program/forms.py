"""Forms of the referral, reference and story pages: they parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.advocates.models import DealOutcome, ProgramSettings, StoryScope, Submission
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


class ProgramSettingsForm(forms.ModelForm):
    """Parses the settings page; the ranges and the audit live in program_settings.py."""

    landing_url = forms.URLField(max_length=200, assume_scheme="https", label="Referral landing URL")

    class Meta:
        model = ProgramSettings
        fields = [
            "landing_url",
            "attribution_days",
            "return_window_days",
            "referrer_points",
            "friend_points",
            "rule_self_referral",
            "rule_same_device",
            "rule_ip_burst",
            "ip_burst_per_week",
            "rule_similar_email",
            "rule_first_time_friend",
            "reference_quota_per_quarter",
            "reference_rest_days",
            "disclosure_text",
            "terms_version",
        ]
        labels = {
            "landing_url": "Referral landing URL",
            "attribution_days": "Attribution window (days after a click)",
            "return_window_days": "Return window (days a reward is held)",
            "referrer_points": "Points to the referrer",
            "friend_points": "Points to the friend",
            "rule_self_referral": "Fraud rule: self-referral (same email, name or household)",
            "rule_same_device": "Fraud rule: same device",
            "rule_ip_burst": "Fraud rule: many referrals from one IP in a week",
            "ip_burst_per_week": "Referrals from one IP per week before the rule fires",
            "rule_similar_email": "Fraud rule: near-identical emails",
            "rule_first_time_friend": "Fraud rule: friend is not a first-time customer",
            "reference_quota_per_quarter": "Reference calls per advocate per quarter",
            "reference_rest_days": "Rest period after a reference call (days)",
            "disclosure_text": "Disclosure shown with incentivised content",
            "terms_version": "Programme terms version",
        }
