"""Every API key acts as an identity (filled in by 0006, in its own transaction)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0006_api_keys_act_as_an_identity")]

    operations = [
        migrations.AlterField(
            model_name="apikey",
            name="acts_as",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_keys_acting_as",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
