"""A case has one owner at every moment and keeps its promises in business hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from advocacy.casework.cases import services
from advocacy.casework.models import Breach, Case, CaseEvent, CaseSettings, Transfer
from advocacy.core.errors import InvalidInput
from advocacy.core.staff.services import user_create
from advocacy.outreach.models import OutboundMail
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    return berlin_office()


def test_a_new_case_is_owned_by_the_customers_primary_customer_advocate(staff, office):
    customer = CustomerFactory(primary_advocate=staff["customer_advocate"])
    case = services.case_open(customer=customer, subject="Invoice wrong", by=None, now=at(2026, 3, 10, 10, 0))
    assert case.owner.username == "carol"
    assert case.first_response_due == at(2026, 3, 10, 11, 0)
    assert case.resolution_due == at(2026, 3, 11, 10, 0)  # 7 hours on Tuesday, 1 on Wednesday


def test_the_database_refuses_a_case_without_an_owner(staff, office):
    case = services.case_open(customer=CustomerFactory(), subject="x", by=None, owner=staff["customer_advocate"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(owner=None)


def test_only_a_customer_advocate_can_own_a_case(staff, office):
    with pytest.raises(InvalidInput) as refused:
        services.case_open(customer=CustomerFactory(), subject="x", by=None, owner=staff["sales"])
    assert refused.value.errors == {"owner": "sam is not an active customer advocate"}


def test_a_transfer_changes_the_owner_and_records_the_reason(staff, office):
    carol = staff["customer_advocate"]
    dora = user_create(
        username="dora", email="dora@staff.example", role="customer_advocate", password=None, first_name="Dora"
    )
    case = services.case_open(customer=CustomerFactory(), subject="x", by=None, owner=carol)
    services.case_transfer(case=case, to=dora, by=carol, reason="Dora knows the billing system")
    case.refresh_from_db()
    assert case.owner == dora
    transfer = Transfer.objects.get()
    assert (transfer.from_owner, transfer.to_owner, transfer.reason) == (carol, dora, "Dora knows the billing system")
    customer_line = case.events.filter(kind="transfer").get()
    assert customer_line.visible_to_customer and "Dora" in customer_line.body
    assert "billing system" not in customer_line.body, "the reason stays internal"
    with pytest.raises(InvalidInput):
        services.case_transfer(case=case, to=dora, by=dora, reason="again")


def test_an_update_restarts_the_update_clock(staff, office):
    case = services.case_open(
        customer=CustomerFactory(), subject="x", by=None, owner=staff["customer_advocate"], now=at(2026, 3, 10, 10, 0)
    )
    services.case_post_update(
        case=case, body="Looking into it", by=staff["customer_advocate"], now=at(2026, 3, 10, 10, 30)
    )
    case.refresh_from_db()
    assert case.first_response_at == at(2026, 3, 10, 10, 30) and case.first_response_due is None
    assert case.next_update_due == at(2026, 3, 10, 12, 30)
    assert case.next_due == at(2026, 3, 10, 12, 30)
    assert case.status == "open"


def test_waiting_on_the_customer_pauses_the_clock_and_their_reply_restarts_it(staff, office):
    carol = staff["customer_advocate"]
    case = services.case_open(customer=CustomerFactory(), subject="x", by=None, owner=carol, now=at(2026, 3, 10, 10, 0))
    services.case_post_update(case=case, body="Which invoice?", by=carol, now=at(2026, 3, 10, 10, 0))
    services.case_set_status(case=case, status="waiting_customer", by=carol, now=at(2026, 3, 10, 11, 0))
    case.refresh_from_db()
    assert case.paused_at is not None and case.next_due is None
    assert case.paused_remaining == {"update": 60.0, "resolution": 420.0}

    # Nothing is missed while paused, however long the customer takes.
    assert services.cadence_sweep(now=at(2026, 3, 20, 12, 0)).breached == 0

    services.case_customer_reply(case=case, body="Invoice 42", now=at(2026, 3, 12, 16, 30))
    case.refresh_from_db()
    assert case.status == "open" and case.paused_at is None
    assert case.next_update_due == at(2026, 3, 13, 9, 30)  # 30 minutes on Thursday, 30 on Friday
    assert case.resolution_due == at(2026, 3, 13, 15, 30)


def test_warnings_and_breaches_fall_in_business_hours_across_a_daylight_saving_change(staff, office, settings):
    CaseSettings.objects.create(id=1, warn_before_minutes=15)
    carol = staff["customer_advocate"]
    # Friday before the spring change, 16:30: the first response is due Monday 09:30 CEST.
    case = services.case_open(
        customer=CustomerFactory(), subject="x", by=None, owner=carol, now=at(2026, 3, 27, 16, 30)
    )
    assert case.first_response_due == at(2026, 3, 30, 9, 30)
    assert case.first_response_due.astimezone(UTC) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)

    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 10)).warned == 0
    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 16)).warned == 1
    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 20)).warned == 0, "one warning per deadline"
    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 29)).breached == 0
    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 31)).breached == 1
    assert services.cadence_sweep(now=at(2026, 3, 30, 9, 45)).breached == 0, "the sweep is safe to run twice"
    breach = Breach.objects.get()
    assert (breach.kind, breach.due_at, breach.owner) == ("first_response", at(2026, 3, 30, 9, 30), carol)
    assert CaseEvent.objects.filter(case=case, kind="warning").count() == 1


def test_an_owner_gets_one_warning_mail_listing_every_promise_due_soon(
    staff, office, django_capture_on_commit_callbacks
):
    CaseSettings.objects.create(id=1, warn_before_minutes=15)
    carol = staff["customer_advocate"]
    opened = at(2026, 3, 27, 16, 30)  # both first responses fall due Monday 09:30
    first = services.case_open(customer=CustomerFactory(), subject="Invoice", by=None, owner=carol, now=opened)
    second = services.case_open(customer=CustomerFactory(), subject="Login", by=None, owner=carol, now=opened)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cadence_sweep(now=at(2026, 3, 30, 9, 16)).warned == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cadence_sweep(now=at(2026, 3, 30, 9, 20)).warned == 0
    mail = OutboundMail.objects.get(key__startswith="case-warnings:")
    assert mail.to == carol.email
    assert mail.subject == f"Due soon: 2 promises, the first #{first.pk} Invoice"
    assert f"#{first.pk} Invoice" in mail.text and f"#{second.pk} Login" in mail.text
    assert "due Mon 30 Mar 07:30" in mail.text  # Carol reads times in her own zone, UTC


def test_a_new_case_from_the_same_customer_within_the_window_is_flagged(staff, office):
    CaseSettings.objects.create(id=1, recurrence_days=30)
    customer = CustomerFactory()
    first = services.case_open(customer=customer, subject="Router down", by=None, now=at(2026, 3, 1, 10, 0))
    again = services.case_open(customer=customer, subject="Router down again", by=None, now=at(2026, 3, 21, 10, 0))
    later = services.case_open(customer=customer, subject="Question", by=None, now=at(2026, 6, 1, 10, 0))
    assert again.recurrence_of == first
    assert again.recurrence_reason == f"same customer: case #{first.pk} was opened 20 days earlier"
    assert later.recurrence_of is None


def prevention(owner, category="billing_system"):  # type: ignore[no-untyped-def]
    return services.PreventionIn(
        root_cause_category=category,
        root_cause="Tax rate table out of date",
        corrective_action="Nightly sync of the tax table, with an alert",
        action_owner=owner,
        action_due=date(2026, 4, 1),
        verify_on=date(2026, 5, 1),
    )


def test_a_case_with_the_same_root_cause_joins_the_problem_and_is_flagged(staff, office):
    carol = staff["customer_advocate"]
    first = services.case_open(customer=CustomerFactory(), subject="Wrong VAT", by=None, owner=carol)
    services.case_resolve(case=first, by=carol, summary="Refunded", prevention=prevention(carol))
    second = services.case_open(customer=CustomerFactory(), subject="VAT again", by=None, owner=carol)
    services.case_resolve(case=second, by=carol, summary="Refunded", prevention=prevention(carol))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.problem == first.problem
    assert second.recurrence_of == first
    assert second.recurrence_reason.startswith("same root cause as problem")


def test_categories_that_need_prevention_cannot_be_resolved_without_it(staff, office):
    CaseSettings.objects.create(id=1, prevention_categories=["billing"])
    carol = staff["customer_advocate"]
    case = services.case_open(
        customer=CustomerFactory(), subject="Double charge", by=None, owner=carol, category="billing"
    )
    with pytest.raises(InvalidInput) as refused:
        services.case_resolve(case=case, by=carol, summary="Refunded")
    assert "need a root cause and corrective action" in refused.value.errors["prevention"]
    services.case_resolve(case=case, by=carol, summary="Refunded", prevention=prevention(carol))
    case.refresh_from_db()
    assert case.status == "resolved" and case.prevention.corrective_action.startswith("Nightly sync")


def test_internal_notes_never_reach_the_customer_view(staff, office):
    carol = staff["customer_advocate"]
    case = services.case_open(customer=CustomerFactory(), subject="x", by=None, owner=carol)
    services.case_add_note(case=case, body="Customer is on the legacy plan", by=carol)
    services.case_post_update(case=case, body="We found the cause", by=carol)
    from advocacy.casework.cases.queries import timeline

    assert [e.body for e in timeline(case, customer_view=True) if e.body] == ["We found the cause"]


def test_a_resolved_case_reopened_by_staff_is_open_again_with_deadlines(staff, office):
    carol = staff["customer_advocate"]
    case = services.case_open(customer=CustomerFactory(), subject="Late parcel", by=None, owner=carol)
    services.case_resolve(case=case, by=carol, summary="Re-sent")
    case.refresh_from_db()
    assert case.resolved_at is not None and case.next_due is None

    services.case_set_status(case=case, status="open", by=carol, note="The customer called: still missing")

    case.refresh_from_db()
    assert (case.status, case.resolved_at) == ("open", None)
    assert case.next_due is not None, "a reopened case has its next promise again"


def test_a_case_from_feedback_is_titled_in_the_customers_own_words():
    assert services.feedback_subject("Support took days to answer my ticket. Also the invoice was wrong.") == (
        "Your feedback: “Support took days to answer my ticket.”"
    )
    assert services.feedback_subject("   ") == "Following up on your feedback"
    long = services.feedback_subject("word " * 40)
    assert len(long) < 100 and long.endswith("…”")
