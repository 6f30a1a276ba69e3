"""Django's SQLite backend, with one change: a write transaction waits for the write lock in short steps.

SQLite lets one connection write at a time. A transaction opened with ``BEGIN IMMEDIATE`` (the project's
``transaction_mode``) that finds another writer holding the lock is put to sleep by SQLite's own busy
handler for 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms at a time, until the ``timeout``. A
writer that has waited a little therefore sleeps on long after the lock is free, while newer writers
take it: in a burst of one-click answers (P3, 16 clients, three server processes and their threads) the
requests' 99th percentile was 120–137 ms against 21 ms for a bare view, and its slowest waits were
single statements that had slept 100–600 ms (docs/benchmarks.md, P3 round 9).

Here the transaction's ``BEGIN IMMEDIATE`` is tried with SQLite's busy handler off, and retried after
waits that start at 0.1 ms and grow to at most 0.5 ms, up to the same ``timeout``: a waiting writer
starts within half a millisecond of the lock being free. Past the timeout it fails as SQLite would
("database is locked"). Statements outside a transaction keep SQLite's busy handler; the hot ones that
write (a limit's count) run in a transaction of their own for that reason (core/limits.py).

An in-memory database has one connection and no other writer, and a transaction mode other than
IMMEDIATE takes its lock later, at its first write, where a retry of ``BEGIN`` would not help: both keep
Django's behaviour.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

FIRST_WAIT = 0.0001  # seconds
LONGEST_WAIT = 0.0005


class DatabaseWrapper(base.DatabaseWrapper):
    transaction_mode: str | None  # set by Django from OPTIONS, upper-cased (missing from its stubs)

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode != "IMMEDIATE" or self.is_in_memory_db():
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's, missing from its stubs
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        self.connection.execute("PRAGMA busy_timeout = 0")
        try:
            self._begin_when_free(deadline=time.monotonic() + timeout)
        finally:
            # Statements outside transactions wait as before.
            self.connection.execute(f"PRAGMA busy_timeout = {round(timeout * 1000)}")

    def _begin_when_free(self, *, deadline: float) -> None:
        """``BEGIN IMMEDIATE`` once no other connection writes; SQLite's error once the deadline has passed.

        Tried on the driver's connection: a refused try through Django's cursor costs its wrappers and a
        translated exception, and a burst's waiters try thousands of times a second."""
        wait = FIRST_WAIT
        while True:
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if not is_locked(exc) or time.monotonic() >= deadline:
                    with self.wrap_database_errors:  # raised as Django's OperationalError, as any statement's
                        raise
            else:
                return
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


def is_locked(exc: Exception) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY), the one error a retry can cure."""
    return "database is locked" in str(exc)
