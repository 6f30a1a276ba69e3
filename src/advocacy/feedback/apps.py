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
    from advocacy.feedback.rollups import STATE_TABLE, rollups_install, rollups_need_install

    if STATE_TABLE not in connections[using].introspection.table_names():
        return  # migrated back to before the roll-ups
    if rollups_need_install(using=using):
        rollups_install(using=using)
