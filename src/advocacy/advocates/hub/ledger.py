"""The points ledger: append-only rows, each carrying the advocate's balance after it.

Why this is safe under concurrency without locks: every row takes the next number of the advocate's
sequence, and (advocate, seq) is unique in the database. Two spends that read the same last row
both try to write the same seq; the database lets one through and the other gets an IntegrityError,
re-reads the now-longer ledger and decides again (usually: not enough points). The check constraint
``balance >= 0`` is the last word should any code path skip the read. On SQLite, writers are
serialised anyway (settings open every transaction IMMEDIATE); on PostgreSQL the unique key decides.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from advocacy.advocates.models import Advocate, PointsEntry
from advocacy.core.errors import InvalidInput, ServiceError

# A retry happens only when another write to the same advocate's ledger landed between our read
# and our write; a handful of attempts is plenty for human-paced activity.
MAX_ATTEMPTS = 5


class InsufficientPoints(ServiceError):
    """A spend would take the balance below zero; nothing was written."""

    def __init__(self, *, balance: int, needed: int) -> None:
        self.balance = balance
        self.needed = needed
        super().__init__(f"Not enough points: this needs {needed} and the balance is {balance}.")


class LedgerBusy(ServiceError):
    """Too many concurrent writes to one advocate's ledger; the caller may try again."""


def last_entry(advocate: Advocate) -> PointsEntry | None:
    return PointsEntry.objects.filter(advocate=advocate).order_by("-seq").first()


def balance(advocate: Advocate) -> int:
    """The advocate's current balance: the balance carried by their latest ledger row."""
    last = PointsEntry.objects.filter(advocate=advocate).order_by("-seq").values_list("balance", flat=True).first()
    return last or 0


def entry_for_ref(advocate: Advocate, ref: str) -> PointsEntry | None:
    return PointsEntry.objects.filter(advocate=advocate, ref=ref).first()


def check_entry(*, delta: int, reason: str, ref: str) -> None:
    errors = {}
    if delta == 0:
        errors["delta"] = "a ledger row must add or spend points; 0 changes nothing"
    if not reason.strip():
        errors["reason"] = "say why the points change"
    if not ref.strip():
        errors["ref"] = "say what caused it, e.g. 'submission:12'; the ref makes the entry idempotent"
    if errors:
        raise InvalidInput(errors)


def entry_append(*, advocate: Advocate, delta: int, reason: str, ref: str) -> PointsEntry:
    """One attempt: read the last row, refuse a negative balance, write the next row."""
    last = last_entry(advocate)
    current = last.balance if last else 0
    if current + delta < 0:
        raise InsufficientPoints(balance=current, needed=-delta)
    # A savepoint, so that a lost race leaves the caller's transaction usable for the retry.
    with transaction.atomic():
        return PointsEntry.objects.create(
            advocate=advocate,
            seq=(last.seq if last else 0) + 1,
            delta=delta,
            balance=current + delta,
            reason=reason.strip()[:200],
            ref=ref.strip(),
        )


@transaction.atomic
def points_add(*, advocate: Advocate, delta: int, reason: str, ref: str) -> PointsEntry:
    """Append ``delta`` points (negative to spend) for ``ref``; the same ref again returns the first row.

    Raises InsufficientPoints when a spend would take the balance below zero.
    """
    check_entry(delta=delta, reason=reason, ref=ref)
    for _ in range(MAX_ATTEMPTS):
        existing = entry_for_ref(advocate, ref.strip())
        if existing is not None:
            return existing
        try:
            return entry_append(advocate=advocate, delta=delta, reason=reason, ref=ref)
        except IntegrityError:
            # Another write took our seq (or our ref) first: read again and decide again.
            continue
    raise LedgerBusy(f"The points ledger of advocate {advocate.pk} is busy; try again.")
