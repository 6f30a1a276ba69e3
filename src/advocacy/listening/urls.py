"""The listening namespace, gathered from its sub-domains."""

from django.urls import include, path

app_name = "listening"

urlpatterns = [
    path("", include("advocacy.listening.mentions.urls")),
    path("", include("advocacy.listening.sources.urls")),
    path("", include("advocacy.listening.alerts.urls")),
]
