from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "advocacy.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from advocacy.portal import registration

        registration.register()
