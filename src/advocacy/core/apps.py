from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "advocacy.core"
    label = "core"
    verbose_name = "Core: users, roles, API keys, audit"

    def ready(self) -> None:
        from advocacy.core import append_only

        append_only.connect()
