"""The insights namespace, gathered from its sub-domains."""

from django.urls import include, path

app_name = "insights"

urlpatterns: list = [
    path("", include("advocacy.insights.impact.urls")),
    path("", include("advocacy.insights.costs.urls")),
    path("", include("advocacy.insights.attribution.urls")),
    path("", include("advocacy.insights.retention.urls")),
    path("", include("advocacy.insights.lifetime.urls")),
    path("", include("advocacy.insights.status.urls")),
]
