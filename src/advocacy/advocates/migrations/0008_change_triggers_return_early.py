from django.db import migrations

from advocacy.advocates.scoring.changes import changes_install


def install(apps, schema_editor):
    """The score-change triggers return at once when their rows are empty (scoring/changes.py)."""
    changes_install(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("advocates", "0007_one_index_per_foreign_key"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
