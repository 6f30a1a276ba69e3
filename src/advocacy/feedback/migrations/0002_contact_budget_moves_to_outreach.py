"""ContactAsk and FatiguePolicy move to outreach, the contact layer; their tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("ContactAsk"), migrations.DeleteModel("FatiguePolicy")],
            database_operations=[],
        )
    ]
