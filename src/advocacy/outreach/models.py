"""The outbox: every notification mail is a row first, sent by a task that claims it once."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


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
    status = models.CharField(max_length=8, choices=MailStatus.choices, default=MailStatus.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailStatus.values), name="outboundmail_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
