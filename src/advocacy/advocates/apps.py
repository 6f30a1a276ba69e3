from django.apps import AppConfig


class AdvocatesConfig(AppConfig):
    name = "advocacy.advocates"
    label = "advocates"
    verbose_name = "Advocates: scoring, hub, referrals, references, stories"

    def ready(self) -> None:
        from advocacy.advocates import registration

        registration.register()
