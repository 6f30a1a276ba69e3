"""Insights models: attribution settings, the program cost ledger, exchange rates; lifetime value fits."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from advocacy.customers.models import Customer

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

    fit = models.ForeignKey(LifetimeFit, on_delete=models.CASCADE, related_name="predictions")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lifetime_predictions")
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
