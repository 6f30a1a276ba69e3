"""Sweeps woken by writes (advocacy.core.models.WakeUp): one row per sweep, saying whether a run is queued."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0008_limit_counts")]

    operations = [
        migrations.CreateModel(
            name="WakeUp",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                (
                    "queued_at",
                    models.DateTimeField(blank=True, help_text="When the waiting run was queued.", null=True),
                ),
            ],
        ),
    ]
