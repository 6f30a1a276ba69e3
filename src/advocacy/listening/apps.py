from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "advocacy.listening"
    label = "listening"
    verbose_name = "Listening: mentions and reviews, their sentiment, spikes and authenticity"

    def ready(self) -> None:
        from advocacy.listening import registration

        registration.register()
