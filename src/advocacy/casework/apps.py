from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "advocacy.casework"
    label = "casework"
    verbose_name = "Casework: cases, cadence, huddles, prevention, appointments, recommendations"

    def ready(self) -> None:
        from advocacy.casework import registration

        registration.register()
