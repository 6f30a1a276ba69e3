"""What feedback keeps about a customer, for their export and their erasure: survey invitations and
answers. Erasure keeps the scores (the NPS of past waves must not change) and removes the comments."""

from __future__ import annotations

from advocacy.customers.models import Customer
from advocacy.customers.privacy.registry import Identity, Rows, rows
from advocacy.feedback.models import Invitation, Response


def answers_export(customer: Customer) -> Rows:
    return rows(
        Response.objects.filter(customer=customer).values("survey__name", "kind", "score", "comment", "answered_at")
    )


def invitations_export(customer: Customer) -> Rows:
    return rows(Invitation.objects.filter(customer=customer).values("survey__name", "channel", "status", "created_at"))


def comments_erase(customer: Customer, identity: Identity) -> int:
    return Response.objects.filter(customer=customer).exclude(comment="").update(comment="", sentiment=None, theme=None)
