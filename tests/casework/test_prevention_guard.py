"""The prevention rule holds on every path: the database refuses to resolve or close a case that needs a
prevention step without one, as the case page does, so the admin, the shell and raw SQL cannot skip it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.casework.cases import services
from advocacy.casework.models import Case, CaseSettings, Status
from tests.casework.test_cases import prevention
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_case(staff):  # type: ignore[no-untyped-def]
    CaseSettings.objects.update_or_create(id=1, defaults={"prevention_categories": ["billing"]})
    return services.case_open(
        customer=CustomerFactory(),
        subject="Double charge",
        by=None,
        owner=staff["customer_advocate"],
        category="billing",
    )


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_saving_a_case_as_done_without_its_prevention_step_is_refused(billing_case, status):
    billing_case.status = status
    billing_case.resolved_at = timezone.now()
    with pytest.raises(IntegrityError, match="needs a prevention step"), transaction.atomic():
        billing_case.save()  # what the admin's change form does

    assert Case.objects.get(pk=billing_case.pk).status == Status.NEW


def test_a_bulk_update_cannot_skip_it_either(billing_case):
    with pytest.raises(IntegrityError, match="needs a prevention step"), transaction.atomic():
        Case.objects.filter(pk=billing_case.pk).update(status=Status.CLOSED, resolved_at=timezone.now())


def test_a_case_needing_nothing_resolves_and_one_with_its_step_resolves_and_closes(billing_case, staff):
    carol = staff["customer_advocate"]
    plain = services.case_open(customer=CustomerFactory(), subject="Question", by=None, owner=carol)
    Case.objects.filter(pk=plain.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())

    services.case_resolve(case=billing_case, by=carol, summary="Refunded", prevention=prevention(carol))
    CaseSettings.objects.filter(id=1).update(prevention_priorities=["normal"])  # settings change later
    Case.objects.filter(pk=plain.pk).update(status=Status.CLOSED)  # resolved → closed is never blocked

    assert Case.objects.get(pk=billing_case.pk).status == Status.RESOLVED
    assert Case.objects.get(pk=plain.pk).status == Status.CLOSED


def test_a_case_cannot_be_created_already_resolved_when_it_needs_a_step(billing_case):
    with pytest.raises(IntegrityError, match="needs a prevention step"), transaction.atomic():
        Case.objects.create(
            customer=billing_case.customer,
            owner=billing_case.owner,
            subject="Imported as done",
            category="billing",
            status=Status.RESOLVED,
            resolved_at=timezone.now(),
        )
