"""Settings read once per run of a batch job, instead of once per item.

A follow-up run hands up to a thousand answers to the loop one by one, and each answer's rules read the
same configuration again: whether a rule is on, the case settings, the cadence policy and its holidays,
the fatigue policy, the holdout share, the webhook endpoints. That is a third of the run's statements.
Inside ``reads_once_per_run()`` such a read is kept for the rest of the run: a change an administrator
saves meanwhile applies from the next run (seconds later), as it would to a run already past that item.

A read is kept only once the transaction it was made in commits: a setting created on first use (a
``get_or_create``) in a transaction that then rolls back is read again, never remembered as a row that
does not exist. Outside a run, and in web requests, every read goes to the database as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.db import connection, transaction

T = TypeVar("T")

_KEPT: ContextVar[dict[Hashable, Any] | None] = ContextVar("advocacy_run_reads", default=None)


@contextmanager
def reads_once_per_run() -> Iterator[None]:
    """Within this block, reads made through ``read_once`` are made once (per key) and kept."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def read_once(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or within a run the value it returned the first time (once its transaction committed)."""
    kept = _KEPT.get()
    if kept is None:
        return read()
    if key in kept:
        return cast(T, kept[key])
    value = read()
    if connection.in_atomic_block:
        # Dropped with the transaction (or savepoint) if it rolls back.
        transaction.on_commit(lambda: kept.setdefault(key, value))
    else:
        kept[key] = value
    return value


def forget_run_reads() -> None:
    """Read everything again from the next item on (after an item failed: a setting it relied on may
    have changed under the run)."""
    kept = _KEPT.get()
    if kept is not None:
        kept.clear()
