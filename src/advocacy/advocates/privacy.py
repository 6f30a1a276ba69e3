"""What the advocacy program keeps about a customer, for their export and their erasure: membership,
points, submissions, rewards, referrals, reference calls and stories. Erasure keeps points, rewards'
costs and referral counts (the program's books) and removes their words: stories are withdrawn and
emptied, submissions' evidence, reference call notes and the postal addresses of rewards are removed."""

from __future__ import annotations

from advocacy.advocates.hub.shipping import SHIPPING_FIELDS
from advocacy.advocates.models import (
    Advocate,
    PointsEntry,
    Redemption,
    ReferenceCall,
    Referral,
    Story,
    StoryStatus,
    Submission,
)
from advocacy.customers.models import Customer
from advocacy.customers.privacy.registry import ERASED, Identity, Rows, rows


def membership_export(customer: Customer) -> Rows:
    return rows(Advocate.objects.filter(customer=customer).values("joined_at", "terms_version", "active"))


def points_export(customer: Customer) -> Rows:
    return rows(PointsEntry.objects.filter(advocate__customer=customer).values("delta", "balance", "reason", "at"))


def submissions_export(customer: Customer) -> Rows:
    return rows(
        Submission.objects.filter(advocate__customer=customer).values(
            "challenge__title", "evidence", "status", "submitted_at"
        )
    )


def redemptions_export(customer: Customer) -> Rows:
    return rows(
        Redemption.objects.filter(advocate__customer=customer).values(
            "reward__name", "choice", "points", "status", "requested_at", *SHIPPING_FIELDS
        )
    )


def referrals_export(customer: Customer) -> Rows:
    made = Referral.objects.filter(link__advocate__customer=customer).values("status", "converted_at")
    return [{"role": "referrer", **row} for row in made] + [
        {"role": "referred friend", **row}
        for row in Referral.objects.filter(friend=customer).values("status", "converted_at")
    ]


def stories_export(customer: Customer) -> Rows:
    return rows(
        Story.objects.filter(advocate__customer=customer).values("title", "body", "quote", "status", "consent_scope")
    )


def program_erase(customer: Customer, identity: Identity) -> int:
    stories = Story.objects.filter(advocate__customer=customer)
    changed = stories.update(title=ERASED, body=ERASED, quote="", status=StoryStatus.WITHDRAWN, named=False)
    changed += Submission.objects.filter(advocate__customer=customer).exclude(evidence="").update(evidence=ERASED)
    changed += Redemption.objects.filter(advocate__customer=customer).exclude(note="").update(note="")
    shipped = Redemption.objects.filter(advocate__customer=customer).exclude(ship_street="")
    changed += shipped.update(**dict.fromkeys(SHIPPING_FIELDS, ""))
    changed += ReferenceCall.objects.filter(ask__advocate__customer=customer).exclude(notes="").update(notes="")
    return changed
