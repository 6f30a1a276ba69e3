"""Small builders for feedback tests: customers who consented, surveys of each kind."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from advocacy.customers.models import Consent, Customer
from advocacy.feedback.models import Survey
from advocacy.feedback.surveys import services
from tests.factories import CustomerFactory


def consenting_customer(**fields) -> Customer:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(**fields)
    Consent.objects.create(
        customer=customer,
        purpose="surveys",
        granted=True,
        source="test",
        recorded_at=timezone.now() - timedelta(days=400),
    )
    return customer


def nps_survey(**fields) -> Survey:  # type: ignore[no-untyped-def]
    defaults = {"name": "Quarterly NPS", "kind": "nps", "schedule": "recurring", "every_n": 3, "every_unit": "months"}
    return services.survey_create(by=None, **{**defaults, **fields})
