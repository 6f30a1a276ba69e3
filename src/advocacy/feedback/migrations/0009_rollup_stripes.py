from django.db import migrations, models

from advocacy.feedback.rollups import STATE_TABLE, TABLE, built_zone, rollups_install, rollups_uninstall


def drop_triggers(apps, schema_editor):
    """The triggers name the old key in their upserts: none may fire between the key's change and their
    reinstall."""
    rollups_uninstall(using=schema_editor.connection.alias)


def reinstall_if_built(apps, schema_editor):
    """Triggers that write a stripe, and every row counted again into stripe 0, for the zone the roll-ups
    were built for (a database that never built them gets them from the post-migrate check)."""
    alias = schema_editor.connection.alias
    if (zone := built_zone(using=alias)) is not None:
        rollups_install(using=alias, zone=zone)


def empty_for_the_old_key(apps, schema_editor):
    """Backwards: the striped copies cannot all fit the old key, so the rows go and the post-migrate check
    of the older code counts them again."""
    rollups_uninstall(using=schema_editor.connection.alias)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"DELETE FROM {STATE_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0008_rollup_triggers_return_early"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="responserollup",
            name="stripe",
            field=models.SmallIntegerField(db_default=0, default=0),
        ),
        migrations.RemoveConstraint(model_name="responserollup", name="response_rollup_key"),
        migrations.AddConstraint(
            model_name="responserollup",
            constraint=models.UniqueConstraint(
                fields=("survey", "dimension", "value", "day", "wave_id", "stripe"), name="response_rollup_key"
            ),
        ),
        migrations.RunPython(reinstall_if_built, empty_for_the_old_key),
    ]
