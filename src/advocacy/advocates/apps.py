from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class AdvocatesConfig(AppConfig):
    name = "advocacy.advocates"
    label = "advocates"
    verbose_name = "Advocates: scoring, hub, referrals, references, stories"

    def ready(self) -> None:
        from advocacy.advocates import registration

        registration.register()
        post_migrate.connect(score_changes_after_migrate, sender=self)


def score_changes_after_migrate(using: str, **kwargs: Any) -> None:
    """Reinstall the score-change triggers where a migration dropped them (SQLite drops a table's
    triggers when it rebuilds the table)."""
    from advocacy.advocates.scoring.changes import TABLE, changes_install, changes_need_install

    if TABLE not in connections[using].introspection.table_names():
        return  # migrated back to before the score changes were tracked
    if changes_need_install(using=using):
        changes_install(using=using)
