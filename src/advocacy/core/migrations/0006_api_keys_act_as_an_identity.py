"""API keys act as an identity of their own role, no longer as the admin who made them.

Each existing key gets a service identity (a user of the key's role that cannot sign in), so writes
through it from now on are attributed to the key, and it sees what its role sees.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models


def give_each_key_an_identity(apps, schema_editor):
    ApiKey = apps.get_model("core", "ApiKey")
    User = apps.get_model("core", "User")
    for key in ApiKey.objects.filter(acts_as__isnull=True):
        identity = User.objects.create(
            username=f"svc-{key.prefix}",
            first_name=key.name[:150],
            role=key.role,
            is_service=True,
            password=make_password(None),
        )
        ApiKey.objects.filter(pk=key.pk).update(acts_as=identity)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_log_append_only")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_service",
            field=models.BooleanField(
                default=False, help_text="A service identity an API key acts as (an integration); it never signs in."
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_service", False), ("is_staff", False), _connector="OR"),
                name="user_service_not_admin_site",
            ),
        ),
        migrations.AddField(
            model_name="apikey",
            name="acts_as",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_keys_acting_as",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(give_each_key_an_identity, migrations.RunPython.noop),
    ]
