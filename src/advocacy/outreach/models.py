"""The contact layer under every app that asks customers for something.

The outbox (every mail is a row first, sent by a task that claims it once), the ledger of asks,
the one contact budget that reads it (``FatiguePolicy``), and outbound webhooks with their delivery log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Delivery unconfirmed"


class OutboundMail(models.Model):
    key = models.CharField(max_length=150, unique=True, help_text="What the mail is about; the same key is one mail.")
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content, mimetype}] with text content."
    )
    status = models.CharField(max_length=11, choices=MailStatus.choices, default=MailStatus.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The send's markers (mail/handover.py): who claimed it, and when the whole mail went to the server.
    claim = models.CharField(max_length=64, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailStatus.values), name="outboundmail_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class ContactAsk(models.Model):
    """Every time the company asks something of a customer: the ledger the fatigue budget reads."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="asks", db_index=False)
    kind = models.CharField(max_length=16, choices=AskKind.choices)
    ref = models.CharField(max_length=100, help_text="What was asked, e.g. 'invitation:42'.")
    asked_at = models.DateTimeField()

    class Meta:
        # The table and index names are those it had in feedback, where it began (a state-only move).
        db_table = "feedback_contactask"
        indexes = [
            models.Index(fields=["customer", "asked_at"], name="feedback_co_custome_58ff25_idx"),
            models.Index(fields=["asked_at"], name="feedback_co_asked_a_a2ea97_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="ask_recorded_once"),
            models.CheckConstraint(condition=Q(kind__in=AskKind.values), name="ask_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


class UnsubscribeKey(models.Model):
    """The random key an unsubscribe link carries instead of the customer's id (the link is opaque)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"unsubscribe key of customer {self.customer_id}"


class FatiguePolicy(models.Model):
    """The one per-customer contact budget, shared by everything that asks customers for something."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    survey_cooldown_days = models.PositiveSmallIntegerField(
        default=30, help_text="No survey invitation within this many days of the last one, whatever the survey."
    )
    max_asks_per_quarter = models.PositiveSmallIntegerField(
        default=4, help_text="All asks together (surveys, challenges, reference requests) per calendar quarter."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "feedback_fatiguepolicy"
        verbose_name_plural = "fatigue policy"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="fatigue_policy_single_row")]

    def __str__(self) -> str:
        return f"{self.survey_cooldown_days}-day cooldown, {self.max_asks_per_quarter} asks a quarter"


# --- outbound webhooks (Standard Webhooks; outreach/webhooks/) ------------------------------------


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to, each signed with its secret."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types it receives, e.g. ['case.opened'].")
    secret = models.CharField(max_length=100, help_text="whsec_…: signs every message (kept to sign, shown once).")
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Until then, messages carry a signature with the previous secret too."
    )
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0, help_text="Deliveries failed for good in a row.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url"]
        constraints = [
            models.CheckConstraint(condition=Q(secret__startswith="whsec_"), name="webhook_secret_is_whsec"),  # noqa: S106
            models.CheckConstraint(
                condition=Q(enabled=True) | ~Q(disabled_reason=""), name="webhook_disabled_says_why"
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookMessage(models.Model):
    """One event, sent to every endpoint that subscribes to its type; its id is the ``webhook-id``."""

    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    key = models.CharField(max_length=200, null=True, blank=True, unique=True, help_text="The same key is one event.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One message to one endpoint: retried with back-off until delivered or failed for good."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["message", "endpoint"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.endpoint} ({self.status})"


class WebhookAttempt(models.Model):
    """The delivery log: every request made, what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"
