"""Append-only tables: the points ledger and the audit log refuse UPDATE and DELETE in the database itself,
whatever the path (ORM, raw SQL, the admin), while a deliberate purge (flush, the demo reset) still works."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError

from advocacy.advocates.hub.ledger import balance, points_add
from advocacy.advocates.models import PointsEntry
from advocacy.core.append_only import purging
from advocacy.core.events import audit
from advocacy.core.models import AuditEvent
from tests.advocates.hub_data import advocate


def refused(statement: str, params: list[object]) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_a_points_row_cannot_be_edited_or_deleted_even_with_raw_sql():
    member = advocate()
    row = points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")

    refused(f"UPDATE {PointsEntry._meta.db_table} SET delta = 1000, balance = 1000 WHERE id = %s", [row.pk])
    refused(f"DELETE FROM {PointsEntry._meta.db_table} WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        PointsEntry.objects.filter(pk=row.pk).update(reason="edited")

    assert balance(member) == 100
    assert PointsEntry.objects.get(pk=row.pk).reason == "Challenge"


@pytest.mark.django_db
def test_a_member_with_points_cannot_be_deleted_through_the_orm():
    member = advocate()
    points_add(advocate=member, delta=10, reason="Welcome", ref="welcome")

    with pytest.raises(ProtectedError):
        member.delete()
    assert PointsEntry.objects.filter(advocate=member).count() == 1


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(django_user_model):
    admin = django_user_model.objects.create_user("ada", role="admin")
    audit(actor=admin, verb="customer.exported", obj=advocate().customer)
    event = AuditEvent.objects.get(verb="customer.exported")

    refused(f"UPDATE {AuditEvent._meta.db_table} SET verb = 'nothing' WHERE id = %s", [event.pk])
    refused(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    with pytest.raises(ProtectedError):
        admin.delete()  # deactivate staff instead: the audit log keeps naming them
    assert AuditEvent.objects.get(pk=event.pk).verb == "customer.exported"


@pytest.mark.django_db
def test_the_admin_offers_no_way_to_delete_or_edit_audit_rows(client, django_user_model):
    admin = django_user_model.objects.create_user("root", role="admin", is_staff=True, is_superuser=True)
    event = audit(actor=admin, verb="customer.exported", obj=admin)
    client.force_login(admin)

    page = client.get(f"/admin/core/auditevent/{event.pk}/delete/")
    refused_post = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert page.status_code == 403 and refused_post.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_a_purge_on_one_connection_deletes_while_others_stay_refused():
    member = advocate()
    points_add(advocate=member, delta=5, reason="Welcome", ref="welcome")

    with purging(), transaction.atomic():
        PointsEntry.objects.all().delete()
    assert not PointsEntry.objects.exists()

    member2 = advocate()
    row = points_add(advocate=member2, delta=5, reason="Welcome", ref="welcome")
    refused(f"DELETE FROM {PointsEntry._meta.db_table} WHERE id = %s", [row.pk])


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database():
    member = advocate()
    points_add(advocate=member, delta=5, reason="Welcome", ref="welcome")

    call_command("flush", interactive=False, verbosity=0)

    assert not PointsEntry.objects.exists()


@pytest.mark.django_db
def test_the_program_cost_ledger_refuses_edits_and_deletes_and_corrects_by_reversal(staff):
    import datetime as dt

    from advocacy.insights.costs.services import cost_entry_create, cost_entry_reverse
    from advocacy.insights.models import CostEntry

    entry = cost_entry_create(month=dt.date(2026, 3, 1), kind="gifts", currency="USD", amount="120.00", by=None)

    refused(f"UPDATE {CostEntry._meta.db_table} SET amount = 1 WHERE id = %s", [entry.pk])
    refused(f"DELETE FROM {CostEntry._meta.db_table} WHERE id = %s", [entry.pk])
    reversal = cost_entry_reverse(entry=entry, by=staff["admin"], note="booked twice")

    assert [str(e.amount) for e in CostEntry.objects.order_by("pk")] == ["120.00", "-120.00"]
    assert reversal.reverses_id == entry.pk
