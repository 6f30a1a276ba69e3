"""Reads of API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.core.models import ApiKey


def api_keys_for_admin() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by", "acts_as").order_by("revoked_at", "-created_at")
