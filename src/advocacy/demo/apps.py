from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "advocacy.demo"
    label = "demo"
    verbose_name = "Demo company"
