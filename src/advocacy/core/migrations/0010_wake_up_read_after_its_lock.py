"""On PostgreSQL a click reads its wake-up through a function that takes the wake-up's shared lock and only
then reads the row (advocacy.core.jobs.services.READ_WAKE_UP).

Read in the same statement as the lock, the row came from the statement's snapshot, taken before the lock
was granted: a click that waited for a run's clear read "queued" from before the clear, queued nothing, and
its answer waited for the minute's settle sweep. In a VOLATILE function each statement takes a snapshot of
its own, after the lock. SQLite needs nothing: its transactions take the write lock as they begin.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_wakeup_queued(lock bigint, wake varchar) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(lock);
    RETURN (SELECT queued_at IS NOT NULL FROM core_wakeup WHERE name = wake);
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS core_wakeup_queued(bigint, varchar)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_wake_ups")]

    operations = [migrations.RunPython(create, drop)]
