import numpy as np
from django.db import migrations, models

from advocacy.listening.mentions.minhash import band_keys, filed, period_of

CHUNK = 2000


def refile_bands(apps, schema_editor):
    """Eight band keys a mention instead of sixteen, each with the four-week period it was published in as
    its high bits: rebuilt from the stored signatures."""
    Mention = apps.get_model("listening", "Mention")
    MentionBand = apps.get_model("listening", "MentionBand")
    MentionBand.objects.all().delete()
    last = 0
    while True:
        rows = list(
            Mention.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "published_at", "minhash")[:CHUNK]
        )
        if not rows:
            return
        signatures = np.frombuffer(b"".join(bytes(signature) for _, _, signature in rows), dtype=np.uint32)
        periods = np.asarray([period_of(published_at) for _, published_at, _ in rows])
        keys = filed(band_keys(signatures.reshape(len(rows), -1)), periods)
        MentionBand.objects.bulk_create(
            MentionBand(mention_id=pk, key=key)
            for (pk, _, _), row in zip(rows, keys.tolist(), strict=True)
            for key in row
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0002_mention_bands"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="mentionband", name="listening_band_key"),
        migrations.RemoveField(model_name="mentionband", name="week"),
        # The index comes first: PostgreSQL refuses to build one on a table with rows whose foreign-key
        # checks are still pending in the same transaction.
        migrations.AddIndex(
            model_name="mentionband",
            index=models.Index(fields=["key", "mention"], name="listening_band_filed_key"),
        ),
        migrations.RunPython(refile_bands, migrations.RunPython.noop),
    ]
