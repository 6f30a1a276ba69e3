"""The table of the database cache (settings: CACHES); the limits count in their own table since core 0008.

Made whatever CACHES says now, so that a deployment that moves from Redis to the database cache finds it.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "advocacy_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_looprule")]

    operations = [migrations.RunPython(create, drop)]
