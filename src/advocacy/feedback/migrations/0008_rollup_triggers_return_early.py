from django.db import migrations

from advocacy.feedback.rollups import rollup_functions_refresh


def refresh(apps, schema_editor):
    """The roll-ups' statement triggers return at once when their rows are empty (feedback/rollups.py)."""
    rollup_functions_refresh(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0007_one_index_per_foreign_key"),
    ]

    operations = [
        migrations.RunPython(refresh, migrations.RunPython.noop),
    ]
