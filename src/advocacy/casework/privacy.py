"""What casework keeps about a customer, for their export and their erasure: their cases with what
they were told and wrote, appointments and recommendations. Erasure keeps the cases (owners,
deadlines and breaches are the team's record) and removes what quotes or addresses the customer, in
the notices staff were mailed about their replies too."""

from __future__ import annotations

from django.db.models import Q

from advocacy.casework.cases.mail import reply_notice_key
from advocacy.casework.models import Appointment, Case, CaseEvent, Recommendation
from advocacy.customers.models import Customer
from advocacy.customers.privacy.registry import ERASED, Identity, Rows, rows
from advocacy.outreach.models import OutboundMail


def cases_export(customer: Customer) -> Rows:
    return rows(Case.objects.filter(customer=customer).values("id", "subject", "status", "created_at", "resolved_at"))


def case_messages_export(customer: Customer) -> Rows:
    # What the customer saw and wrote; internal notes are the staff's working papers.
    return rows(
        CaseEvent.objects.filter(case__customer=customer)
        .filter(Q(visible_to_customer=True) | Q(by_customer=True))
        .values("case_id", "kind", "body", "by_customer", "at")
    )


def appointments_export(customer: Customer) -> Rows:
    return rows(Appointment.objects.filter(customer=customer).values("topic", "starts_at", "ends_at", "status"))


def recommendations_export(customer: Customer) -> Rows:
    return rows(
        Recommendation.objects.filter(customer=customer).values("product__name", "reason", "outcome", "recorded_at")
    )


def cases_erase(customer: Customer, identity: Identity) -> int:
    cases = Case.objects.filter(customer=customer)
    changed = cases.exclude(description="").update(description="")
    changed += CaseEvent.objects.filter(case__customer=customer).exclude(body="").update(body=ERASED)
    for case in cases.only("id", "subject"):
        if identity.scrub(case.subject) != case.subject:
            Case.objects.filter(pk=case.pk).update(subject=identity.scrub(case.subject))
            changed += 1
    changed += Appointment.objects.filter(customer=customer).update(topic=ERASED)
    # The owner's notice of a customer's reply quotes it (casework/cases/mail.py, customer_replied).
    replies = CaseEvent.objects.filter(case__customer=customer, by_customer=True).values_list("pk", flat=True)
    changed += OutboundMail.objects.filter(key__in=[reply_notice_key(pk) for pk in replies]).update(text=ERASED)
    return changed
