"""What the portal adds to shared machinery: its part of a customer's erasure (their sign-in links)."""

from __future__ import annotations

from advocacy.customers.models import Customer
from advocacy.customers.privacy.registry import Identity, register_eraser
from advocacy.portal.models import MagicLink


def sign_in_links_erase(customer: Customer, identity: Identity) -> int:
    deleted, _ = MagicLink.objects.filter(customer=customer).delete()
    return deleted


def register() -> None:
    register_eraser("portal sign-in links", sign_in_links_erase)
