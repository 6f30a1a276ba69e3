from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "advocacy.feedback"
    label = "feedback"
    verbose_name = "Feedback: surveys, responses, NPS statistics, themes"

    def ready(self) -> None:
        from advocacy.feedback import registration

        registration.register()
