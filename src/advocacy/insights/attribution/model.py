"""The stated attribution model of each source, its defaults, and how it reads in words."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from advocacy.core.errors import InvalidInput
from advocacy.insights.models import AttributionSetting, AttributionSource, Basis, CreditRule

DEFAULTS: dict[str, dict[str, Any]] = {
    AttributionSource.REFERRAL: {"window_days": 365, "credit_rule": CreditRule.LINEAR, "basis": Basis.GROSS_PROFIT},
    AttributionSource.REFERENCE: {"window_days": 180, "credit_rule": CreditRule.LINEAR, "basis": Basis.GROSS_PROFIT},
    AttributionSource.INFLUENCE: {"window_days": 90, "credit_rule": CreditRule.LINEAR, "basis": Basis.GROSS_PROFIT},
}
MAX_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class Model:
    source: str
    window_days: int
    credit_rule: str
    basis: str
    first_order_only: bool = False

    def describe(self) -> str:
        """The model in words, shown next to every figure it produced."""
        rule = CreditRule(self.credit_rule).label.lower()
        basis = Basis(self.basis).label.lower()
        if self.source == AttributionSource.REFERRAL:
            which = "the first order" if self.first_order_only else f"all orders within {self.window_days} days"
            return (
                f"Referral-sourced {basis}: {which} of a referred friend after conversion; one referral per friend, "
                "so it gets the whole credit."
            )
        if self.source == AttributionSource.REFERENCE:
            return (
                f"Reference-won {basis}: deals won after a reference call, counted once per deal on the day of its "
                f"last call; the advocates whose calls fell within {self.window_days} days before share it by "
                f"{rule}. Lost and open deals are shown apart."
            )
        return (
            f"Influenced {basis}: upsell and cross-sell orders of a customer within {self.window_days} days after "
            f"an advocacy act (reference call, approved challenge, story, accepted recommendation), "
            f"credited to the acts by {rule}."
        )


def default_model(source: str) -> Model:
    return Model(source=source, **DEFAULTS[source])


def stored_models() -> dict[str, Model]:
    """Each source's model as saved by the program team, else its default."""
    models = {source: default_model(source) for source in AttributionSource.values}
    for row in AttributionSetting.objects.all():
        models[row.source] = Model(
            source=row.source,
            window_days=row.window_days,
            credit_rule=row.credit_rule,
            basis=row.basis,
            first_order_only=row.first_order_only,
        )
    return models


def check_model_fields(fields: dict[str, Any]) -> None:
    """Refuse a window of zero days, an unknown rule or basis, with one message per field."""
    errors = {}
    window = fields.get("window_days")
    if window is not None and (not isinstance(window, int) or not 0 < window <= MAX_WINDOW_DAYS):
        errors["window_days"] = f"a whole number of days from 1 to {MAX_WINDOW_DAYS}; got {window}"
    if fields.get("credit_rule") is not None and fields["credit_rule"] not in CreditRule.values:
        errors["credit_rule"] = f"one of {', '.join(CreditRule.values)}"
    if fields.get("basis") is not None and fields["basis"] not in Basis.values:
        errors["basis"] = f"one of {', '.join(Basis.values)}"
    if errors:
        raise InvalidInput(errors)


def with_overrides(models: dict[str, Model], source: str, fields: dict[str, Any]) -> dict[str, Model]:
    """The models with one source's parameters replaced (from query parameters), checked first."""
    given = {k: v for k, v in fields.items() if v is not None}
    check_model_fields(given)
    return {**models, source: replace(models[source], **given)}
