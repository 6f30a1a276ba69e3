"""The SQLite backend's write transactions (core/sqlite/base.py): they wait for another writer's lock in
short steps, and fail as SQLite would once the timeout has passed. Each test uses a database file of its
own, so it runs whichever database the suite is on."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler

ALIAS = "sqlite_gate"


@pytest.fixture
def database(tmp_path: Path, django_db_blocker) -> Iterator[tuple[BaseDatabaseWrapper, Path]]:
    """A connection under its own alias (``transaction.atomic`` finds connections by alias)."""
    path = tmp_path / "gate.sqlite3"
    options = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 3}
    filled = ConnectionHandler({"default": {"ENGINE": "advocacy.core.sqlite", "NAME": str(path), "OPTIONS": options}})
    connections.settings[ALIAS] = filled.settings["default"]
    with django_db_blocker.unblock():
        connection = connections[ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        yield connection, path
        connection.close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> threading.Thread:
    """Another connection (another process, as far as SQLite can tell) writes for ``seconds``."""

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO note (text) VALUES ('the other writer')")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def notes(path: Path) -> list[str]:
    with sqlite3.connect(path) as reader:
        return [text for (text,) in reader.execute("SELECT text FROM note ORDER BY id")]


def in_transaction(connection: BaseDatabaseWrapper, text: str) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("INSERT INTO note (text) VALUES (%s)", [text])


def test_a_transaction_waits_for_another_writer_and_then_writes(database):
    connection, path = database
    taken = threading.Event()
    other = hold_write_lock(path, 0.4, taken)
    taken.wait(5)
    started = time.monotonic()
    in_transaction(connection, "after the other")
    waited = time.monotonic() - started
    other.join()
    assert notes(path) == ["the other writer", "after the other"]
    assert waited >= 0.3  # it did wait for the lock rather than write around it


def test_past_the_timeout_it_fails_as_sqlite_does_and_statements_outside_keep_their_wait(database):
    connection, path = database
    connection.settings_dict["OPTIONS"]["timeout"] = 0.3
    taken = threading.Event()
    other = hold_write_lock(path, 1.5, taken)
    taken.wait(5)
    with pytest.raises(OperationalError, match="database is locked"):
        in_transaction(connection, "never stored")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 300  # statements outside a transaction still wait, as configured
    other.join()
    in_transaction(connection, "stored once the lock is free")
    assert notes(path) == ["the other writer", "stored once the lock is free"]


def test_writers_of_many_threads_each_store_every_row(database):
    _, path = database

    def write(n: int) -> None:
        own = connections[ALIAS]  # each thread has its own connection under the alias
        for k in range(25):
            in_transaction(own, f"{n}-{k}")
        own.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(notes(path)) == sorted(f"{n}-{k}" for n in range(8) for k in range(25))
