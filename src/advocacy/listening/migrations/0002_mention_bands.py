import django.db.models.deletion
import numpy as np
from django.db import migrations, models

from advocacy.listening.mentions.minhash import band_keys, week_of

CHUNK = 2000


def fill_bands(apps, schema_editor):
    """The band keys of the mentions stored before the table existed, from their stored signatures."""
    Mention = apps.get_model("listening", "Mention")
    MentionBand = apps.get_model("listening", "MentionBand")
    last = 0
    while True:
        rows = list(
            Mention.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "published_at", "minhash")[:CHUNK]
        )
        if not rows:
            return
        signatures = np.frombuffer(b"".join(bytes(signature) for _, _, signature in rows), dtype=np.uint32)
        keys = band_keys(signatures.reshape(len(rows), -1))
        MentionBand.objects.bulk_create(
            MentionBand(mention_id=pk, week=week_of(published_at), key=key)
            for (pk, published_at, _), row in zip(rows, keys.tolist(), strict=True)
            for key in row
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MentionBand",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("week", models.IntegerField(help_text="Weeks from 1970-01-01 to the mention's publication.")),
                ("key", models.BigIntegerField()),
                (
                    "mention",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="bands", to="listening.mention"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["week", "key", "mention"], name="listening_band_key")],
            },
        ),
        migrations.RunPython(fill_bands, migrations.RunPython.noop),
    ]
