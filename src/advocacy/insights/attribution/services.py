"""Writes of the attribution settings: one stated model per source, edited by the program team."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.insights.attribution.model import DEFAULTS, check_model_fields
from advocacy.insights.models import AttributionSetting, AttributionSource

FIELDS = ("window_days", "credit_rule", "basis", "first_order_only")


@transaction.atomic
def attribution_setting_update(*, source: str, by: User | None, **fields: Any) -> AttributionSetting:
    if source not in AttributionSource.values:
        raise InvalidInput({"source": f"one of {', '.join(AttributionSource.values)}"})
    given = {k: v for k, v in fields.items() if k in FIELDS and v is not None}
    check_model_fields(given)
    row, _ = AttributionSetting.objects.select_for_update().get_or_create(source=source, defaults=DEFAULTS[source])
    for name, value in given.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = timezone.now(), by
    row.save()
    return row
