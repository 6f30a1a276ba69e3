"""Insights models: attribution settings, the program cost ledger, stated cost savings, exchange rates;
lifetime value fits and predictions.

Invariants live in the database: windows are positive, credit rules and kinds are known values, a
cost is positive and only a reversal is negative, an entry is reversed at most once, a synced cost
is written once per source key, an exchange rate is positive and one per pair and day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from advocacy.customers.models import Customer


class AttributionSource(models.TextChoices):
    REFERRAL = "referral", "Referrals (sourced)"
    REFERENCE = "reference", "Reference-won deals (sourced)"
    INFLUENCE = "influence", "Upsell and cross-sell after an advocacy act (influenced)"


class CreditRule(models.TextChoices):
    FIRST_TOUCH = "first_touch", "First touch"
    LAST_TOUCH = "last_touch", "Last touch"
    LINEAR = "linear", "Linear (equal shares)"
    POSITION = "position", "Position-based 40/20/40"


class Basis(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    GROSS_PROFIT = "gross_profit", "Gross profit"


class AttributionSetting(models.Model):
    """The stated model of one source: which revenue counts, over which window, credited how."""

    source = models.CharField(max_length=12, choices=AttributionSource.choices, unique=True)
    window_days = models.PositiveIntegerField(
        help_text="Referral: friend orders this long after conversion. Reference: calls this long before the "
        "deciding call. Influence: acts this long before the order."
    )
    credit_rule = models.CharField(max_length=12, choices=CreditRule.choices, default=CreditRule.LINEAR)
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.REVENUE)
    first_order_only = models.BooleanField(
        default=False, help_text="Referral only: count only the friend's first order after conversion."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source"]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=AttributionSource.values), name="attribution_source_valid"),
            models.CheckConstraint(condition=Q(window_days__gt=0), name="attribution_window_positive"),
            models.CheckConstraint(condition=Q(credit_rule__in=CreditRule.values), name="attribution_rule_valid"),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="attribution_basis_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.credit_rule}, {self.window_days} days, {self.basis}"


class CostKind(models.TextChoices):
    REWARD_REDEMPTIONS = "reward_redemptions", "Reward redemptions"
    REFERRAL_REWARDS = "referral_rewards", "Referral rewards paid"
    GIFTS = "gifts", "Gifts"
    EVENTS = "events", "Events"
    STAFF_TIME = "staff_time", "Staff time"
    SOFTWARE = "software", "Software"
    OTHER = "other", "Other"


SYNCED_KINDS = (CostKind.REWARD_REDEMPTIONS, CostKind.REFERRAL_REWARDS)


class CostEntry(models.Model):
    """One line of the append-only program cost ledger. A correction is a new entry that reverses an
    old one (the negative of its amount); nothing is updated or deleted."""

    month = models.DateField(help_text="The first day of the month the cost belongs to.")
    kind = models.CharField(max_length=20, choices=CostKind.choices)
    source = models.CharField(
        max_length=12,
        choices=AttributionSource.choices,
        blank=True,
        help_text="The source it serves, for ROI per source; empty for program-wide costs.",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    staff_role = models.CharField(max_length=60, blank=True)
    hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    hourly_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    source_key = models.CharField(
        max_length=100, null=True, blank=True, unique=True, help_text="What wrote it automatically: 'redemption:12'."
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name_plural = "cost entries"
        indexes = [models.Index(fields=["month", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CostKind.values), name="cost_kind_valid"),
            models.CheckConstraint(condition=Q(source__in=[*AttributionSource.values, ""]), name="cost_source_valid"),
            models.CheckConstraint(condition=Q(currency=Upper("currency")), name="cost_currency_upper"),
            # A cost is positive; only a reversal is negative.
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="cost_positive_unless_reversal",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CostKind.STAFF_TIME) | Q(reverses__isnull=False) | Q(hours__gt=0, hourly_rate__gt=0),
                name="cost_staff_time_has_hours_and_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.month:%Y-%m})"


class CostSaving(models.Model):
    """A stated estimate of a cost the program saved (support cases deflected …), by month. Append-only."""

    month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="saving_positive"),
            models.CheckConstraint(condition=Q(currency=Upper("currency")), name="saving_currency_upper"),
            models.CheckConstraint(condition=~Q(description=""), name="saving_described"),
        ]

    def __str__(self) -> str:
        return f"estimate {self.amount} {self.currency} ({self.month:%Y-%m})"


class ExchangeRate(models.Model):
    """1 unit of ``currency`` is ``rate`` units of ``to_currency`` from ``valid_on`` on (until a later rate)."""

    currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    valid_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["currency", "to_currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "to_currency", "valid_on"], name="rate_once_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
            models.CheckConstraint(condition=~Q(currency=models.F("to_currency")), name="rate_between_two_currencies"),
            models.CheckConstraint(condition=Q(currency=Upper("currency")), name="rate_currency_upper"),
            models.CheckConstraint(condition=Q(to_currency=Upper("to_currency")), name="rate_to_currency_upper"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.to_currency} from {self.valid_on}"


# --- lifetime value (retention helper) -----------------------------------------------------------


class LifetimeFit(models.Model):
    """One fit of the lifetime value models for one currency, never edited: pages read the newest version.

    A version is one run of the fit task; it holds one row per order currency with enough customers."""

    version = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=200)
    fitted_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField(help_text="Orders up to and including this day were used.")
    holdout_days = models.PositiveIntegerField(help_text="The last days of history held out to check the fit.")
    horizon_days = models.PositiveIntegerField(help_text="How far ahead the predicted value looks.")
    parameters = models.JSONField(default=dict)
    customers = models.PositiveIntegerField()
    calibration_customers = models.PositiveIntegerField(default=0)
    calibration_mae = models.FloatField(
        null=True, blank=True, help_text="Mean absolute error of predicted vs actual purchases in the holdout."
    )
    calibration_predicted_mean = models.FloatField(null=True, blank=True)
    calibration_actual_mean = models.FloatField(null=True, blank=True)
    calibration_by_frequency = models.JSONField(
        default=list, blank=True, help_text="Per repeat-purchase count in calibration: n, mean predicted, mean actual."
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "currency"], name="lifetime_fit_once_per_version_currency"),
            models.CheckConstraint(condition=Q(holdout_days__gt=0), name="lifetime_fit_holdout_positive"),
            models.CheckConstraint(condition=Q(horizon_days__gt=0), name="lifetime_fit_horizon_positive"),
            models.CheckConstraint(condition=Q(calibration_mae__gte=0), name="lifetime_fit_mae_not_negative"),
        ]

    def __str__(self) -> str:
        return f"lifetime fit v{self.version} {self.currency}"


class LifetimePrediction(models.Model):
    """One customer's historical and predicted value in one currency, as of one fit."""

    fit = models.ForeignKey(LifetimeFit, on_delete=models.CASCADE, related_name="predictions", db_index=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="lifetime_predictions", db_index=False
    )
    purchase_days = models.PositiveIntegerField(help_text="Days with at least one order.")
    historical_value = models.DecimalField(max_digits=16, decimal_places=2)
    expected_purchases = models.FloatField(help_text="Purchase days expected within the fit's horizon.")
    p_alive = models.FloatField()
    expected_order_value = models.DecimalField(max_digits=16, decimal_places=2)
    predicted_value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fit", "customer"], name="lifetime_prediction_once_per_fit"),
            models.CheckConstraint(condition=Q(expected_purchases__gte=0), name="lifetime_purchases_not_negative"),
            models.CheckConstraint(
                condition=Q(p_alive__gte=0, p_alive__lte=1), name="lifetime_p_alive_is_a_probability"
            ),
        ]
        indexes = [models.Index(fields=["customer", "fit"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.predicted_value} {self.fit.currency}"
