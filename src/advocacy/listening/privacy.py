"""What listening keeps about a customer, for their export and their erasure: their social handles and
the public mentions tied to them. Erasure keeps each mention's row (volume, sentiment and share of
voice over time must not change) and removes who wrote it and what it said."""

from __future__ import annotations

from django.db.models import Q

from advocacy.customers.models import Customer, SocialHandle
from advocacy.customers.privacy.registry import ERASED, Identity, Rows, rows
from advocacy.listening.models import Mention


def handles_export(customer: Customer) -> Rows:
    return rows(SocialHandle.objects.filter(customer=customer).values("handle"))


def mentions_export(customer: Customer) -> Rows:
    return rows(
        Mention.objects.filter(customer=customer).values(
            "source__name", "canonical_url", "author", "handle", "title", "text", "rating", "published_at"
        )
    )


def mentions_erase(customer: Customer, identity: Identity) -> int:
    handles = list(SocialHandle.objects.filter(customer=customer).values_list("handle", flat=True))
    theirs = Mention.objects.filter(Q(customer=customer) | Q(handle__in=handles) | Q(author_email=identity.email))
    changed = theirs.update(
        customer=None, author="", handle="", author_email="", canonical_url="", title="", text=ERASED, matched_by=""
    )
    deleted, _ = SocialHandle.objects.filter(customer=customer).delete()
    return changed + deleted
