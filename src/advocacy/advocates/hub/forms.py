"""Forms of the hub pages: they parse input; every rule (the FTC check included) lives in hub.py."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from advocacy.advocates.models import Approval, Challenge, ChallengeKind, Reward, Tier


class ChallengeForm(forms.Form):
    kind = forms.ChoiceField(choices=ChallengeKind.choices)
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ask for an honest opinion; points may never depend on what it says.",
    )
    points = forms.IntegerField(min_value=1)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='JSON; empty for all advocates, or e.g. {"tiers": ["champion"], '
        '"regions": ["EMEA"], "industries": ["Software"]}.',
    )
    approval = forms.ChoiceField(choices=Approval.choices)
    active = forms.BooleanField(required=False, initial=True)

    def clean_audience(self) -> dict[str, Any]:
        text = self.cleaned_data["audience"].strip()
        if not text:
            return {}
        try:
            parsed: dict[str, Any] = json.loads(text)
            return parsed
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"The audience is not valid JSON: {exc.msg}.") from exc

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeForm:
        return cls(
            initial={
                "kind": challenge.kind,
                "title": challenge.title,
                "instructions": challenge.instructions,
                "points": challenge.points,
                "starts_on": challenge.starts_on,
                "ends_on": challenge.ends_on,
                "audience": json.dumps(challenge.audience) if challenge.audience else "",
                "approval": challenge.approval,
                "active": challenge.active,
            }
        )


class RewardForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    point_cost = forms.IntegerField(min_value=1)
    stock = forms.IntegerField(min_value=0)
    money_cost = forms.DecimalField(
        min_value=0, max_digits=10, decimal_places=2, help_text="What one costs the company."
    )
    currency = forms.CharField(max_length=3, initial="USD")
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def of(cls, reward: Reward) -> RewardForm:
        return cls(initial={field: getattr(reward, field) for field in cls.base_fields}, prefix=f"r{reward.pk}")


class InviteForm(forms.Form):
    email = forms.EmailField(help_text="The customer's email address.")
    reason = forms.CharField(max_length=200, initial="invited by a program manager")


class TopInviteForm(forms.Form):
    tiers = forms.MultipleChoiceField(
        choices=Tier.choices, initial=[Tier.CHAMPION], widget=forms.CheckboxSelectMultiple, label="Tiers"
    )
    limit = forms.IntegerField(min_value=1, max_value=200, initial=25, label="How many, best score first")


class JoinForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read and agree to the programme terms",
        error_messages={"required": "Tick the box to agree to the programme terms."},
    )
    leaderboard_opt_out = forms.BooleanField(required=False, label="Leave me off the leaderboard")


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="What you did",
        help_text="A link or a few words.",
    )
