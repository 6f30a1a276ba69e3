"""Audit rows, written by plain calls from services (no signals)."""

from __future__ import annotations

from typing import Any

from advocacy.core.models import AuditEvent, User


def actor_label(actor: User | None, fallback: str = "system") -> str:
    return actor.username if actor is not None else fallback


def audit(
    *, actor: User | None, verb: str, obj: Any, data: dict[str, Any] | None = None, label: str | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label or actor_label(actor),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )


def audit_read(
    *, actor: User | None, what: str, object_type: str, object_id: str, data: dict[str, Any] | None = None
) -> None:
    """Record that a person read or exported personal data (a customer 360, a CSV of answers …)."""
    AuditEvent.objects.create(
        actor=actor,
        actor_label=actor_label(actor),
        verb=f"{what}.read",
        object_type=object_type,
        object_id=object_id[:64],
        data=data or {},
    )
