"""Forms of the hub pages: they parse input; every rule (the FTC check included) lives in hub.py."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from advocacy.advocates.hub.shipping import SHIPPING_FIELDS
from advocacy.advocates.models import Approval, Challenge, ChallengeKind, Reward, RewardKind, Tier


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
    kind = forms.ChoiceField(
        choices=RewardKind.choices, help_text="A physical reward asks for a postal address on redemption."
    )
    option_label = forms.CharField(required=False, max_length=50, label="Choice to make", help_text="e.g. Size")
    options = forms.CharField(
        required=False, max_length=1000, label="Options", help_text="Comma-separated, e.g. S, M, L, XL; empty for none."
    )
    point_cost = forms.IntegerField(min_value=1)
    stock = forms.IntegerField(min_value=0)
    money_cost = forms.DecimalField(
        min_value=0, max_digits=10, decimal_places=2, help_text="What one costs the company."
    )
    currency = forms.CharField(max_length=3, initial="USD")
    active = forms.BooleanField(required=False, initial=True)

    def clean_options(self) -> list[str]:
        return [option.strip() for option in self.cleaned_data["options"].split(",") if option.strip()]

    @classmethod
    def of(cls, reward: Reward) -> RewardForm:
        initial = {field: getattr(reward, field) for field in cls.base_fields}
        initial["options"] = ", ".join(reward.options or [])
        return cls(initial=initial, prefix=f"r{reward.pk}")


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


class RedeemForm(forms.Form):
    """The advocate's confirmation of a redemption: the option, and for a physical reward where to send it.

    It only parses; what a reward needs is checked by ``shipping.check_redemption_details``.
    """

    choice = forms.CharField(required=False, max_length=100)
    ship_name = forms.CharField(required=False, max_length=200, label="Name on the parcel")
    ship_street = forms.CharField(
        required=False,
        max_length=300,
        label="Street and number",
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text="A flat or floor on a second line.",
    )
    ship_city = forms.CharField(required=False, max_length=100, label="Town or city")
    ship_postcode = forms.CharField(required=False, max_length=20, label="Postcode")
    # Lenient lengths: the service checks the address and says what a carrier needs.
    ship_country = forms.CharField(
        required=False, max_length=60, label="Country code", help_text="Two letters, e.g. US, GB, DE, FR."
    )
    ship_phone = forms.CharField(required=False, max_length=40, label="Phone (optional)", help_text="For the courier.")
    confirm = forms.BooleanField(
        label="I confirm: spend my points on this reward",
        error_messages={"required": "Tick the box to confirm; nothing is spent until you do."},
    )

    AUTOCOMPLETE = {
        "ship_name": "name",
        "ship_city": "address-level2",
        "ship_postcode": "postal-code",
        "ship_country": "country",
        "ship_phone": "tel",
    }

    def __init__(self, *args: Any, reward: Reward, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reward = reward
        if reward.options:
            label = reward.option_label or "Option"
            self.fields["choice"] = forms.ChoiceField(
                label=label, choices=[("", f"Choose a {label.lower()}")] + [(o, o) for o in reward.options]
            )
            self.fields["choice"].error_messages["required"] = f"Choose a {label.lower()}."
        else:
            del self.fields["choice"]
        if reward.kind != RewardKind.PHYSICAL:
            for name in SHIPPING_FIELDS:
                del self.fields[name]
        for name, hint in self.AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = hint

    def shipping_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SHIPPING_FIELDS if name in self.fields]
