from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "advocacy.insights"
    label = "insights"
    verbose_name = "Insights: impact, ROI, retention and lifetime value"

    def ready(self) -> None:
        from advocacy.insights import registration

        registration.register()
