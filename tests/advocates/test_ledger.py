"""The points ledger: append-only, idempotent by ref, never below zero — even under concurrent redemptions."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from advocacy.advocates.hub import ledger
from advocacy.advocates.hub import services as hub
from advocacy.advocates.hub.ledger import InsufficientPoints, balance, points_add
from advocacy.advocates.models import PointsEntry, Redemption
from advocacy.core.errors import InvalidInput
from tests.advocates.hub_data import advocate, reward


@pytest.mark.django_db
def test_each_row_carries_the_balance_after_it_and_the_next_sequence_number():
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    points_add(advocate=member, delta=50, reason="Challenge", ref="submission:2")
    points_add(advocate=member, delta=-120, reason="Reward", ref="redemption:1")

    rows = list(PointsEntry.objects.filter(advocate=member).values_list("seq", "delta", "balance"))
    assert rows == [(1, 100, 100), (2, 50, 150), (3, -120, 30)]
    assert balance(member) == 30


@pytest.mark.django_db
def test_the_same_ref_twice_returns_the_first_row_and_pays_once():
    member = advocate()
    first = points_add(advocate=member, delta=100, reason="Challenge", ref="submission:7")
    again = points_add(advocate=member, delta=100, reason="Challenge", ref="submission:7")

    assert again.pk == first.pk
    assert PointsEntry.objects.filter(advocate=member).count() == 1
    assert balance(member) == 100


@pytest.mark.django_db
def test_a_spend_beyond_the_balance_is_refused_and_writes_nothing():
    member = advocate()
    points_add(advocate=member, delta=50, reason="Challenge", ref="submission:1")

    with pytest.raises(InsufficientPoints, match="needs 80 and the balance is 50"):
        points_add(advocate=member, delta=-80, reason="Reward", ref="redemption:1")
    assert list(PointsEntry.objects.filter(advocate=member).values_list("seq", "balance")) == [(1, 50)]


@pytest.mark.django_db
def test_the_database_itself_refuses_a_negative_balance_and_a_reused_sequence_number():
    member = advocate()
    points_add(advocate=member, delta=10, reason="Challenge", ref="submission:1")

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(advocate=member, seq=2, delta=-20, balance=-10, reason="bypass", ref="x:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(advocate=member, seq=1, delta=5, balance=15, reason="bypass", ref="x:2")


@pytest.mark.django_db
def test_a_zero_change_or_a_missing_ref_is_refused_with_a_reason():
    member = advocate()
    with pytest.raises(InvalidInput) as refused:
        points_add(advocate=member, delta=0, reason="", ref=" ")
    assert set(refused.value.errors) == {"delta", "reason", "ref"}


def after_both_read(barrier: threading.Barrier) -> Callable[[Any], Any]:
    """Wrap the ledger's read so that each thread waits, after reading, until the other has read too.

    On PostgreSQL both transactions then hold the same last row and race for the same seq. On SQLite
    the second writer cannot even begin until the first commits (IMMEDIATE transactions), so the
    wait times out and the first goes on alone — serialised, as the settings promise.
    """
    read = ledger.last_entry
    waited: set[int] = set()

    def last_entry_then_wait(member: Any) -> Any:
        found = read(member)
        if threading.get_ident() not in waited:  # only the first read; a retry after a lost race goes straight on
            waited.add(threading.get_ident())
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)
        return found

    return last_entry_then_wait


def redeem_waiting_for_the_write_lock(member: Any, item: Any) -> str:
    """Request the reward; "redeemed" or "refused".

    The SQLite test database lives in memory with a shared cache, where a second writer is told "table
    is locked" at once instead of waiting as it does on a database file (20 s busy timeout in
    settings). Waiting and beginning again here is what the file database does by itself.
    """
    for _ in range(200):
        try:
            hub.redemption_request(advocate=member, reward=item)
            return "redeemed"
        except InsufficientPoints:
            return "refused"
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.05)
    return "timed out waiting for the write lock"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_redemptions_cannot_overdraw(monkeypatch, alice):
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    hoodie = reward(alice, point_cost=80, stock=5)
    barrier = threading.Barrier(2)
    monkeypatch.setattr(ledger, "last_entry", after_both_read(barrier))
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            outcomes.append(redeem_waiting_for_the_write_lock(member, hoodie))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["redeemed", "refused"]
    assert balance(member) == 20
    assert Redemption.objects.count() == 1
    hoodie.refresh_from_db()
    assert hoodie.stock == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises every writer")
def test_eight_redemptions_at_once_on_postgresql_spend_only_what_is_there(alice):
    """No barrier and no patching: eight threads, eight connections, one balance of 100 and a cost of 40."""
    member = advocate()
    points_add(advocate=member, delta=100, reason="Challenge", ref="submission:1")
    hoodie = reward(alice, point_cost=40, stock=8)
    start = threading.Event()
    outcomes: list[str] = []

    def redeem() -> None:
        start.wait(5)
        try:
            hub.redemption_request(advocate=member, reward=hoodie)
            outcomes.append("redeemed")
        except (InsufficientPoints, ledger.LedgerBusy):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["redeemed"] * 2 + ["refused"] * 6
    assert balance(member) == 20
    assert not PointsEntry.objects.filter(balance__lt=0).exists()
    hoodie.refresh_from_db()
    assert hoodie.stock == 6
