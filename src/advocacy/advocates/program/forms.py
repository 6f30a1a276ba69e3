"""Forms of the referral, reference and story pages: they parse input; the rules live in the services."""

from __future__ import annotations

from django import forms

from advocacy.advocates.models import ProgramSettings


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
