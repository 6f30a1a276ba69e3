"""Sign-in links for the customer portal. Only a hash of each token is stored."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from advocacy.customers.models import Customer


class MagicLink(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="magic_links", db_index=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="magiclink_expires_after_creation"
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="magiclink_used_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"sign-in link for customer {self.customer_id}"
