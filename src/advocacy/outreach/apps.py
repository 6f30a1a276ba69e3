from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "advocacy.outreach"
    label = "outreach"
    verbose_name = "Outreach: outbound mail and webhooks"

    def ready(self) -> None:
        from advocacy.outreach import registration

        registration.register()
