"""The limits count in a table of their own (advocacy.core.limits), unlogged on PostgreSQL: a counter need
not survive a crash, and writing it then never waits for the disk."""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_limitcount SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_api_key_identity_required")]

    operations = [
        migrations.CreateModel(
            name="LimitCount",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                (
                    "window_ends",
                    models.BigIntegerField(help_text="Seconds since the epoch at which the window ends."),
                ),
                ("count", models.PositiveIntegerField()),
            ],
            options={"indexes": [models.Index(fields=["window_ends"], name="core_limitcount_ends")]},
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
