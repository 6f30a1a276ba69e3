from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class FeedbackConfig(AppConfig):
    name = "advocacy.feedback"
    label = "feedback"
    verbose_name = "Feedback: surveys, responses, NPS statistics, themes"

    def ready(self) -> None:
        from advocacy.feedback import registration

        registration.register()
        post_migrate.connect(rollups_after_migrate, sender=self)


def rollups_after_migrate(using: str, **kwargs: Any) -> None:
    """Reinstall the roll-up triggers where a migration dropped them (SQLite drops a table's triggers when
    it rebuilds the table), after a flush emptied their state, or when TIME_ZONE changed."""
    from advocacy.feedback.rollups import STATE_TABLE, TABLE, rollups_install, rollups_need_install

    connection = connections[using]
    if STATE_TABLE not in connection.introspection.table_names():
        return  # migrated back to before the roll-ups
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, TABLE)}
    if "stripe" not in columns:
        return  # migrated back to before their stripes (0009): the code of then installs its own triggers
    if rollups_need_install(using=using):
        rollups_install(using=using)
